"""What the benchmark (bench/bench_fidelity.py) measures, for the tests: statements a map presents as the
user's (not ``inferred``) that are not the user's words, by the interview's own grounding check run on
every answer of the file (a metric's number must have been typed too)."""

from __future__ import annotations

from typing import Any

from journeybot.domain.journey_map import JourneyMap
from journeybot.interview.facts import unsupported
from journeybot.interview.ground import Answer

__all__ = ["ungrounded_fields", "unsupported"]


def ungrounded_fields(journey: JourneyMap, answers: Any) -> list[str]:
    """Framing and persona fields of the map that are not spans of the answers (they may only be dropped)."""
    said = Answer("\n".join(t for texts in answers.answers.values() for t in texts))
    out: list[str] = []
    f = journey.framing
    for key in ("objective", "business_question", "journey", "start", "end", "deliverable"):
        value = getattr(f, key)
        if value and not said.holds(value):
            out.append(f"framing.{key}: {value[:60]}")
    out += [f"framing.team: {t}" for t in f.team if not said.holds(t)]
    p = journey.persona
    if p is not None and p.provenance != "inferred":
        for key in ("name", "description", "context", "trigger", "state_of_mind"):
            value = getattr(p, key)
            if value and not said.holds(value):
                out.append(f"persona.{key}: {value[:60]}")
        for key in ("goals", "frustrations", "objections", "information_sources"):
            out += [f"persona.{key}: {v[:60]}" for v in getattr(p, key) if not said.holds(v)]
    return out
