"""What the benchmark (bench/bench_fidelity.py) measures, for the tests: statements a map presents as the
user's (not ``inferred``) that are not the user's words, by the interview's own grounding check run on
every answer of the file (a metric's number must have been typed too)."""

from __future__ import annotations

from typing import Any

from journeybot.domain.journey_map import JourneyMap
from journeybot.interview.ground import Answer


def unsupported(journey: JourneyMap, answers: Any) -> tuple[int, int, list[str]]:
    """(statements presented as facts that are not the user's words, statements checked, a few of them)."""
    said = Answer("\n".join(t for texts in answers.answers.values() for t in texts))
    count = checked = 0
    examples: list[str] = []
    for path, item in journey.items():
        if item.provenance == "inferred":
            continue
        if hasattr(item, "value"):  # a metric: its number must have been said
            ok = round(float(item.value), 4) in said.numbers and said.holds(item.name)
            what = f"{item.name} = {item.value:g}"
        else:
            what = str(next((getattr(item, a) for a in ("name", "text", "action") if getattr(item, a, None)), ""))
            if not what:
                continue
            ok = said.holds(what)
        checked += 1
        if not ok:
            count += 1
            examples.append(f"{path}: {what[:60]}")
    for stage in journey.stages:  # emotion labels presented as said
        if stage.emotion is not None and stage.emotion.provenance != "inferred" and stage.emotion.label:
            checked += 1
            if not said.holds(stage.emotion.label):
                count += 1
                examples.append(f"emotion of {stage.name}: {stage.emotion.label}")
    return count, checked, examples


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
