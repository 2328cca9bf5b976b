"""Phase exit checks: named counters over the map ("selectors") and the gate status of a phase.

The gate conditions themselves are data (prompts/method/phases.yaml); this module is the small,
fixed vocabulary they are written in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..domain.journey_map import JourneyMap
from .model import GateCheck, Phase

Counter = Callable[[JourneyMap], int]


def _set(value: object) -> int:
    if isinstance(value, list | tuple):
        return len(value)
    return 0 if value in (None, "") else 1


SELECTORS: dict[str, Counter] = {
    "framing.objective": lambda m: _set(m.framing.objective or m.framing.business_question),
    "framing.journey": lambda m: _set(m.framing.journey),
    "framing.start": lambda m: _set(m.framing.start),
    "framing.end": lambda m: _set(m.framing.end),
    "persona": lambda m: _set(m.persona),
    "persona.goals": lambda m: len(m.persona.goals) + len(m.persona.motivations) if m.persona else 0,
    "persona.frustrations": lambda m: (len(m.persona.frustrations) + len(m.persona.objections)) if m.persona else 0,
    "persona.trigger": lambda m: _set(m.persona.trigger) if m.persona else 0,
    # Only what customers said or did counts as evidence: not inferred items (method-spec, Provenance), and
    # not the team's own material ("our workshops", "we think": provenance team).
    "evidence": lambda m: sum(1 for e in m.evidence if e.provenance == "customer"),
    "stages": lambda m: len(m.stages),
    "stages.after_purchase": lambda m: sum(1 for s in m.stages if s.lifecycle == "after_purchase"),
    "touchpoints": lambda m: sum(1 for _ in m.touchpoints()),
    "stages.without_touchpoints": lambda m: sum(1 for s in m.stages if not s.touchpoints),
    "touchpoints.offline": lambda m: sum(1 for *_, t in m.touchpoints() if not t.online),
    "stages.with_emotion": lambda m: sum(1 for s in m.stages if s.emotion is not None),
    "stages.without_emotion": lambda m: sum(1 for s in m.stages if s.emotion is None),
    "actions": lambda m: sum(len(s.actions) for s in m.stages),
    "pain_points": lambda m: sum(len(s.pain_points) for s in m.stages),
    "positives": lambda m: sum(len(s.positives) for s in m.stages),
    "moments_of_truth": lambda m: len(m.moments_of_truth),
    "metrics": lambda m: sum(1 for _ in m.metrics()),
    "metrics.unsourced": lambda m: sum(1 for _, x in m.metrics() if not x.source),
    "touchpoints.without_owner": lambda m: sum(1 for *_, t in m.touchpoints() if t.ownership == "owned" and not t.owner),
    "opportunities": lambda m: len(m.opportunities),
    "opportunities.scored": lambda m: sum(1 for o in m.opportunities if o.scored),
    "action_plan": lambda m: len(m.action_plan),
    "review_date": lambda m: _set(m.review_date),
}


@dataclass(frozen=True)
class GateResult:
    check: GateCheck
    count: int

    @property
    def met(self) -> bool:
        if self.count < self.check.min:
            return False
        return self.check.max is None or self.count <= self.check.max


def check_gate(phase: Phase, journey: JourneyMap) -> list[GateResult]:
    """Every condition of the phase's exit check, with the count found in the map."""
    return [GateResult(c, SELECTORS[c.selector](journey)) for c in phase.gate]


def gate_met(phase: Phase, journey: JourneyMap) -> bool:
    return all(r.met for r in check_gate(phase, journey))
