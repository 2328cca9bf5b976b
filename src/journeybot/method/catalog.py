"""Loading the method data once: phases (in canonical order) and the pitfall catalogue."""

from __future__ import annotations

from functools import cache
from typing import Any

from ..resources import load_yaml, prompts_dir
from .model import PHASE_IDS, Phase, PhaseId, Pitfall


def _load_yaml(name: str) -> Any:
    return load_yaml(prompts_dir() / "method" / name)


@cache
def phases() -> tuple[Phase, ...]:
    """The 11 phases, in the method's order (method-spec ids)."""
    loaded = tuple(Phase.model_validate(p) for p in _load_yaml("phases.yaml")["phases"])
    ids = tuple(p.id for p in loaded)
    if ids != PHASE_IDS:
        raise ValueError(f"prompts/method/phases.yaml must list the phases {PHASE_IDS}, found {ids}")
    return loaded


def phase(phase_id: PhaseId | str) -> Phase:
    for p in phases():
        if p.id == phase_id:
            return p
    raise KeyError(phase_id)


@cache
def pitfalls() -> dict[str, Pitfall]:
    """The pitfall catalogue by code, in file order."""
    items = [Pitfall.model_validate(p) for p in _load_yaml("pitfalls.yaml")["pitfalls"]]
    return {p.code: p for p in items}


@cache
def wordlists() -> dict[str, dict[str, list[str]]]:
    """Documented word lists for the text heuristics: ``{list_name: {"fr": [...], "en": [...]}}``."""
    data = _load_yaml("wordlists.yaml")["lists"]
    return {name: {"fr": list(v.get("fr", [])), "en": list(v.get("en", []))} for name, v in data.items()}
