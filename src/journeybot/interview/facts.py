"""Checking a map against a facts file: what an interview's map must hold (examples/interviews/).

Used by the tests, CI and bench/bench_interview.py (interview fidelity). A facts file lists the
persona name, stage names in order, touchpoints with online/offline per stage, emotion signs, pain
points and positives (words they contain), metrics (name words, value, unit, source), owners,
moments of truth, and minimum counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..domain.journey_map import JourneyMap, Metric, Stage
from ..resources import load_yaml
from .ground import Answer
from .rules import fold


@dataclass
class FactReport:
    total: int = 0
    kept: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return self.kept / self.total if self.total else 1.0

    def check(self, ok: bool, what: str) -> None:
        self.total += 1
        if ok:
            self.kept += 1
        else:
            self.missing.append(what)


def load_facts(path: str | Path) -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(Path(path))
    return data


def _has(text: str | None, words: str) -> bool:
    return bool(text) and fold(words) in fold(text or "")


def _stage(journey: JourneyMap, name: str) -> Stage | None:
    key = fold(name)
    exact = next((s for s in journey.stages if fold(s.name) == key), None)
    return exact or next((s for s in journey.stages if key in fold(s.name)), None)


def stage_match(journey: JourneyMap, names: list[str]) -> tuple[int, int, bool]:
    """(emitted stages that match a named one, stages emitted, the list is exactly the named one in
    order). A map stage matches a named stage when its name contains the named stage's words."""
    keys = [fold(n) for n in names]
    emitted = [fold(s.name) for s in journey.stages]
    matched = sum(1 for e in emitted if any(k and k in e for k in keys))
    exact = len(emitted) == len(keys) and all(k in e for k, e in zip(keys, emitted, strict=True))
    return matched, len(emitted), exact


def check_facts(journey: JourneyMap, facts: dict[str, Any]) -> FactReport:
    """Which facts the map holds (each fact counts once), field by field."""
    r = FactReport()
    value: Any
    for key, words in (facts.get("framing") or {}).items():
        value = getattr(journey.framing, key, None)
        if key == "objective":
            value = " ".join(filter(None, [journey.framing.objective, journey.framing.business_question]))
        if isinstance(value, list):
            value = " ".join(value)
        r.check(_has(value, str(words)), f"framing.{key} contains '{words}'")
    if "persona" in facts:
        r.check(journey.persona is not None and _has(journey.persona.name, facts["persona"]),
                f"persona {facts['persona']}")
    for key, wanted in (facts.get("persona_fields") or {}).items():
        persona = journey.persona
        for words in (wanted if isinstance(wanted, list) else [wanted]):
            value = None
            if persona is not None:
                value = getattr(persona, key, None)
                if key == "frustrations":
                    value = [*persona.frustrations, *persona.objections]
                if key in ("description", "context"):
                    value = " ".join(filter(None, [persona.description, persona.context]))
            if isinstance(value, list):
                ok = any(_has(v, str(words)) for v in value)
            else:
                ok = _has(value, str(words))
            r.check(ok, f"persona.{key} contains '{words}'")
    names = [str(n) for n in facts.get("stages", [])]
    positions = []
    for name in names:
        st = _stage(journey, name)
        r.check(st is not None, f"stage {name}")
        if st is not None:
            positions.append(journey.stages.index(st))
    if len(positions) >= 2:
        r.check(positions == sorted(positions), "stages in order")
    if names:
        _, emitted, exact = stage_match(journey, names)
        r.check(exact, f"exactly the {len(names)} stages named (the map has {emitted})")
    for name in facts.get("after_purchase", []):
        st = _stage(journey, name)
        r.check(st is not None and st.lifecycle == "after_purchase", f"stage {name} after purchase")
    for tp in facts.get("touchpoints", []):
        st = _stage(journey, tp["stage"])
        found = None
        if st is not None:
            found = next((t for t in st.touchpoints if _has(t.name, tp["name"]) or _has(t.channel, tp["name"])), None)
        ok = found is not None and ("online" not in tp or found.online == tp["online"])
        r.check(ok, f"touchpoint {tp['name']} ({'online' if tp.get('online') else 'offline'}) in {tp['stage']}")
    for emo in facts.get("emotions", []):
        st = _stage(journey, emo["stage"])
        sign = emo["sign"]
        ok = st is not None and st.emotion is not None and (
            (sign == "negative" and st.emotion.score < 0) or (sign == "positive" and st.emotion.score > 0)
            or (sign == "neutral" and st.emotion.score == 0))
        r.check(ok, f"{sign} emotion in {emo['stage']}")
    for lane, key in (("pain_points", "pain_points"), ("positives", "positives")):
        for item in facts.get(key, []):
            st = _stage(journey, item["stage"])
            ok = st is not None and any(_has(x.text, item["contains"]) for x in getattr(st, lane))
            r.check(ok, f"{lane[:-1].replace('_', ' ')} '{item['contains']}' in {item['stage']}")
    metrics = [m for _, m in journey.metrics()]
    for m in facts.get("metrics", []):
        ok = any(_has(x.name + " " + (x.touchpoint or ""), m["name"]) and abs(x.value - float(m["value"])) < 1e-6
                 and ("unit" not in m or x.unit == m["unit"]) and (not m.get("source") or bool(x.source))
                 for x in metrics)
        r.check(ok, f"metric {m['name']} = {m['value']}{m.get('unit', '')}")
    for o in facts.get("owners", []):
        ok = any(_has(t.name, o["touchpoint"]) and _has(t.owner, o["owner"]) for *_, t in journey.touchpoints())
        r.check(ok, f"owner of {o['touchpoint']}: {o['owner']}")
    for word in facts.get("moments_of_truth", []):
        ok = any(_has(f"{m.name} {m.why or ''} {m.stage or ''}", word) for m in journey.moments_of_truth)
        r.check(ok, f"moment of truth '{word}'")
    for key in ("evidence", "opportunities", "action_plan"):
        if key in facts:
            r.check(len(getattr(journey, key)) >= int(facts[key]), f"at least {facts[key]} {key}")
    if facts.get("review_date"):
        r.check(journey.review_date is not None, "review date")
    return r


def unsupported(journey: JourneyMap, answers: Any) -> tuple[int, int, list[str]]:
    """(statements presented as facts that are not the user's words, statements checked, a few examples),
    by the interview's own grounding check on the whole file's answers."""
    said = Answer("\n".join(t for texts in answers.answers.values() for t in texts))
    count = checked = 0
    examples: list[str] = []
    for path, item in journey.items():
        if item.provenance == "inferred":
            continue
        if isinstance(item, Metric):  # a metric: its number must have been said
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
            if len(examples) < 5:
                examples.append(f"{path}: {what[:60]}")
    for stage in journey.stages:  # emotion labels presented as said
        if stage.emotion is not None and stage.emotion.provenance != "inferred" and stage.emotion.label:
            checked += 1
            if not said.holds(stage.emotion.label):
                count += 1
                if len(examples) < 5:
                    examples.append(f"emotion of {stage.name}: {stage.emotion.label}")
    return count, checked, examples
