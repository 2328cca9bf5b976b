"""What the model fills for each phase: SMALL pydantic models whose JSON schemas go in response_format.

Field descriptions are short and neutral (small models copy instruction words into values), lists
and strings are bounded (small models loop inside a grammar). ``to_changes`` turns a reading into
proposal changes; provenance is decided later by the agent (what the user did not say is inferred).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .proposal import (
    AddAction,
    AddEvidence,
    AddMetric,
    AddMomentOfTruth,
    AddNote,
    AddOpportunity,
    AddPainPoint,
    AddStage,
    AddTouchpoint,
    Change,
    SetEmotion,
    SetFraming,
    SetOwner,
    SetPersona,
    SetReviewDate,
)

Short = Annotated[str, Field(max_length=300)]
Medium = Annotated[str, Field(max_length=300)]
Scale = Annotated[int, Field(ge=1, le=5)]


class _R(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FramingReading(_R):
    objective: Medium | None = None
    journey: Short | None = None
    start: Medium | None = None
    end: Medium | None = None
    team: Annotated[list[Short], Field(max_length=5)] = []
    deliverable: Medium | None = None


class PersonaReading(_R):
    name: Short | None = None
    description: Medium | None = None
    goals: Annotated[list[Medium], Field(max_length=4)] = []
    frustrations: Annotated[list[Medium], Field(max_length=4)] = []
    objections: Annotated[list[Medium], Field(max_length=3)] = []
    trigger: Medium | None = None
    state_of_mind: Short | None = None
    information_sources: Annotated[list[Short], Field(max_length=5)] = []
    motivations: Annotated[list[Literal["security", "pride", "novelty", "comfort", "money", "sympathy"]],
                           Field(max_length=3)] = []


class EvidenceRow(_R):
    kind: Literal["interview", "survey", "ticket", "review", "frontline", "analytics", "verbatim", "other"]
    text: Annotated[str, Field(max_length=400)]
    source: Short | None = None


class EvidenceReading(_R):
    items: Annotated[list[EvidenceRow], Field(max_length=5)] = []


class StageRow(_R):
    name: Annotated[str, Field(max_length=300)]
    after_purchase: bool = False


class StagesReading(_R):
    stages: Annotated[list[StageRow], Field(max_length=12)] = []


class TouchpointRow(_R):
    stage: Short
    name: Annotated[str, Field(max_length=300)]
    channel: Annotated[str, Field(max_length=30)]
    online: bool
    run_by: Literal["us", "partner", "other"] = "us"


class TouchpointsReading(_R):
    touchpoints: Annotated[list[TouchpointRow], Field(max_length=8)] = []


class ExperienceRow(_R):
    stage: Short
    actions: Annotated[list[Medium], Field(max_length=3)] = []
    thoughts: Annotated[list[Medium], Field(max_length=2)] = []
    feeling: Annotated[str, Field(max_length=30)] = ""
    score: Annotated[int, Field(ge=-2, le=2)] | None = None
    expectations: Annotated[list[Medium], Field(max_length=2)] = []


class ExperienceReading(_R):
    stages: Annotated[list[ExperienceRow], Field(max_length=4)] = []


class StageText(_R):
    stage: Short
    text: Medium


class PainPointsReading(_R):
    pain_points: Annotated[list[StageText], Field(max_length=6)] = []
    positives: Annotated[list[StageText], Field(max_length=4)] = []


class MomentRow(_R):
    name: Short
    kind: Literal["ZMOT", "FMOT", "SMOT", "TMOT", "other"] = "other"
    stage: Short | None = None
    why: Medium | None = None


class MomentsReading(_R):
    moments: Annotated[list[MomentRow], Field(max_length=3)] = []


class MetricRow(_R):
    stage: Short | None = None
    name: Short
    value: float
    unit: Annotated[str, Field(max_length=20)] = ""
    source: Short | None = None


class MetricsReading(_R):
    metrics: Annotated[list[MetricRow], Field(max_length=6)] = []


class OwnerRow(_R):
    touchpoint: Short
    team: Short


class OwnersReading(_R):
    owners: Annotated[list[OwnerRow], Field(max_length=8)] = []


class OpportunityRow(_R):
    text: Medium
    kind: Literal["fix", "optimise", "innovate"] = "fix"
    impact: Scale | None = None
    reach: Scale | None = None
    confidence: Scale | None = None
    effort: Scale | None = None


class ActionRow(_R):
    action: Medium
    owner: Short | None = None
    kpi: Short | None = None
    due: Annotated[str, Field(max_length=10)] | None = None


class PrioritiesReading(_R):
    opportunities: Annotated[list[OpportunityRow], Field(max_length=4)] = []
    actions: Annotated[list[ActionRow], Field(max_length=4)] = []
    review_date: Annotated[str, Field(max_length=10)] | None = None


READINGS: dict[str, type[_R]] = {
    "framing": FramingReading, "persona": PersonaReading, "evidence": EvidenceReading,
    "stages": StagesReading, "touchpoints": TouchpointsReading, "experience": ExperienceReading,
    "pain_points": PainPointsReading, "moments_of_truth": MomentsReading, "metrics": MetricsReading,
    "owners": OwnersReading, "priorities": PrioritiesReading,
}


def _strip_titles(node: Any) -> Any:
    # No titles or defaults (words the model could copy) and no maxLength: llama.cpp turns a maxLength
    # into a grammar rule per character, which made a 0.5B model's call 1.7 times slower here
    # (max_tokens bounds the output instead, and long strings are cut before validation). Measured again
    # with the 1.5B model on framing answers (maxLength 200): one call ran past a 120 s timeout twice
    # (the same call without it: 4-25 s), and another cut the objective mid-word then wrote "null"
    # strings in every other field.
    if isinstance(node, dict):
        return {k: _strip_titles(v) for k, v in node.items() if k not in ("title", "default", "maxLength")}
    if isinstance(node, list):
        return [_strip_titles(v) for v in node]
    return node


def clip_strings(data: Any, limit: int = 300) -> Any:
    """Cut every string of a decoded reading to ``limit`` characters (at a word when possible)."""
    if isinstance(data, str):
        if len(data) <= limit:
            return data
        cut = data[:limit].rsplit(" ", 1)[0]
        return cut if len(cut) > limit // 2 else data[:limit]
    if isinstance(data, dict):
        return {k: clip_strings(v, 30 if k in ("channel", "feeling") else 20 if k == "unit" else
                                10 if k in ("due", "review_date") else 80 if k == "name" else limit)
                for k, v in data.items()}
    if isinstance(data, list):
        return [clip_strings(v, limit) for v in data]
    return data


EVERY_KEY = frozenset({"framing", "persona"})
"""Phases whose one-object reading lists every key as required (null or [] when not said). With optional
keys the grammar lets the model skip a key: the 1.5B model never wrote the framing's first key
(objective) on 6 of 6 answers, even "we want to understand why..."; with every key required (the
grammar walks them in order) it filled the objective on 6 of 6. Validation stays lenient (defaults)."""


@cache
def _schema(phase: str) -> str:
    schema = _strip_titles(READINGS[phase].model_json_schema())
    if phase in EVERY_KEY:
        schema["required"] = list(schema["properties"])
    return json.dumps(schema)


def schema_for(phase: str) -> dict[str, Any]:
    """The phase's JSON schema (no titles, no defaults: fewer words for the model to copy)."""
    schema: dict[str, Any] = json.loads(_schema(phase))
    return schema


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def to_changes(phase: str, reading: BaseModel, *, focus_stage: str | None) -> list[Change]:
    """The proposal changes a reading stands for (provenance decided by the caller)."""
    out: list[Change] = []
    r: Any = reading
    if phase == "framing":
        if any([r.objective, r.journey, r.start, r.end, r.team, r.deliverable]):
            out.append(SetFraming(objective=r.objective, journey=r.journey, start=r.start, end=r.end,
                                  team=list(r.team), deliverable=r.deliverable))
    elif phase == "persona":
        if any([r.name, r.description, r.goals, r.frustrations, r.objections, r.trigger, r.state_of_mind,
                r.information_sources, r.motivations]):
            out.append(SetPersona(name=r.name, description=r.description, goals=list(r.goals),
                                  frustrations=list(r.frustrations), objections=list(r.objections),
                                  trigger=r.trigger, state_of_mind=r.state_of_mind,
                                  information_sources=list(r.information_sources),
                                  motivations=list(r.motivations)))
    elif phase == "evidence":
        out += [AddEvidence(kind=i.kind, text=i.text, source=i.source) for i in r.items]
    elif phase == "stages":
        out += [AddStage(name=s.name, lifecycle="after_purchase" if s.after_purchase else None) for s in r.stages]
    elif phase == "touchpoints":
        own = {"us": "owned", "partner": "partner", "other": "third_party"}
        out += [AddTouchpoint(stage=t.stage or focus_stage or "", name=t.name, channel=t.channel, online=t.online,
                              ownership=own[t.run_by]) for t in r.touchpoints]
    elif phase == "experience":
        for s in r.stages:
            stage = s.stage or focus_stage or ""
            if s.score is not None:
                out.append(SetEmotion(stage=stage, score=s.score, label=s.feeling))
            out += [AddNote(stage=stage, lane="actions", text=t) for t in s.actions]
            out += [AddNote(stage=stage, lane="thoughts", text=t) for t in s.thoughts]
            out += [AddNote(stage=stage, lane="expectations", text=t) for t in s.expectations]
    elif phase == "pain_points":
        out += [AddPainPoint(stage=p.stage or focus_stage or "", text=p.text) for p in r.pain_points]
        out += [AddNote(stage=p.stage or focus_stage or "", lane="positives", text=p.text) for p in r.positives]
    elif phase == "moments_of_truth":
        out += [AddMomentOfTruth(name=m.name, kind=m.kind, stage=m.stage, why=m.why) for m in r.moments]
    elif phase == "metrics":
        out += [AddMetric(stage=m.stage or focus_stage, name=m.name, value=m.value, unit=m.unit, source=m.source)
                for m in r.metrics]
    elif phase == "owners":
        out += [SetOwner(touchpoint=o.touchpoint, owner=o.team) for o in r.owners]
    elif phase == "priorities":
        out += [AddOpportunity(text=o.text, kind=o.kind, impact=o.impact, reach=o.reach, confidence=o.confidence,
                               effort=o.effort) for o in r.opportunities]
        out += [AddAction(action=a.action, owner=a.owner, kpi=a.kpi, due=_date(a.due)) for a in r.actions]
        review = _date(r.review_date)
        if review is not None:
            out.append(SetReviewDate(date=review))
    return out
