"""A lint finding: one pitfall found in a map, explained in the user's language."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ..i18n import Lang, count
from ..method.model import Severity

SEVERITY_ORDER: dict[str, int] = {"error": 0, "warning": 1, "info": 2}

SEVERITY_WORDS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    # severity: ((fr one, fr other), (en one, en other)): the one place these words are written
    "error": (("erreur", "erreurs"), ("error", "errors")),
    "warning": (("avertissement", "avertissements"), ("warning", "warnings")),
    "info": (("remarque", "remarques"), ("note", "notes")),
}


def severity_label(severity: str, lang: Lang) -> str:
    """« erreur », "warning": the name of one severity."""
    fr, en = SEVERITY_WORDS[severity]
    return (fr if lang == "fr" else en)[0]


def severity_heading(severity: str, lang: Lang) -> str:
    """« ERREURS », "WARNINGS": a severity as the heading of its group."""
    fr, en = SEVERITY_WORDS[severity]
    return (fr if lang == "fr" else en)[1].upper()


def severity_count(n: int, severity: str, lang: Lang) -> str:
    """« 2 erreurs », "1 warning"."""
    fr, en = SEVERITY_WORDS[severity]
    return count(n, lang, fr, en)


class Finding(BaseModel):
    """One pitfall found in a map.

    ``message`` says what is wrong in this map (naming the stages and touchpoints concerned);
    ``why`` is the method's reason and ``source`` where the method says so (pitfalls.yaml);
    ``items`` are the JSON paths of the map items concerned, e.g. ``stages[2].touchpoints[0]``;
    ``phases`` the interview phases where it gets fixed (catalogue ``phases``); ``pending`` says the
    interview that made the map has not reached them yet (see ``linter.is_due``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    severity: Severity
    title: str
    message: str
    why: str
    fix: str
    source: str
    items: list[str] = Field(default_factory=list)
    phases: list[str] = Field(default_factory=list)
    pending: bool = False
    """The map is still in progress and the interview has not reached these phases yet: "not yet"."""
