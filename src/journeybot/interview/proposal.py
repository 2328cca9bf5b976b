"""One structured proposal per answer: the changes to the map, each with provenance and a quote.

A proposal is what the model (or the rule-based reader) read in one answer. The user confirms it in
one keystroke, or keeps only some changes. ``apply`` is pure: it returns a NEW validated map and
reports every change that could not be applied (it never leaves a half-valid map).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..domain.journey_map import (
    Action,
    Emotion,
    EvidenceItem,
    EvidenceKind,
    JourneyMap,
    Lifecycle,
    Metric,
    MomentKind,
    MomentOfTruth,
    Note,
    Opportunity,
    OpportunityKind,
    OpportunityLever,
    Ownership,
    PainPoint,
    Persona,
    Provenance,
    Soncas,
    Stage,
    Touchpoint,
    new_id,
)

NoteLane = Literal["actions", "thoughts", "expectations", "positives"]
EffortType = Literal["cognitive", "emotional", "physical", "relational", "ergonomic", "digital"]


class _Change(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(default_factory=new_id)
    provenance: Provenance = "team"
    quote: str = Field(default="", max_length=600, description="the user's words this change is drawn from")


class AddStage(_Change):
    op: Literal["add_stage"] = "add_stage"
    name: str
    description: str | None = None
    lifecycle: Lifecycle | None = None


class AddTouchpoint(_Change):
    op: Literal["add_touchpoint"] = "add_touchpoint"
    stage: str
    name: str
    channel: str
    online: bool
    ownership: Ownership = "owned"
    owner: str | None = None
    invisible: bool = False


class SetEmotion(_Change):
    op: Literal["set_emotion"] = "set_emotion"
    stage: str
    score: Annotated[int, Field(ge=-2, le=2)]
    label: str = ""


class AddNote(_Change):
    op: Literal["add_note"] = "add_note"
    stage: str
    lane: NoteLane
    text: str


class AddPainPoint(_Change):
    op: Literal["add_pain_point"] = "add_pain_point"
    stage: str
    text: str
    effort: EffortType | None = None
    touchpoint: str | None = None


class SetPersona(_Change):
    """Set persona fields; list fields are appended to (without duplicates)."""

    op: Literal["set_persona"] = "set_persona"
    name: str | None = None
    description: str | None = None
    context: str | None = None
    trigger: str | None = None
    state_of_mind: str | None = None
    goals: list[str] = Field(default_factory=list)
    motivations: list[Soncas] = Field(default_factory=list)
    frustrations: list[str] = Field(default_factory=list)
    objections: list[str] = Field(default_factory=list)
    information_sources: list[str] = Field(default_factory=list)
    segments: list[str] = Field(default_factory=list)
    set_aside: list[str] = Field(default_factory=list,
                                 description="groups taken out of the persona's segments, kept for another map")


class SetFraming(_Change):
    op: Literal["set_framing"] = "set_framing"
    objective: str | None = None
    business_question: str | None = None
    journey: str | None = None
    scope: Literal["macro", "specific"] | None = None
    start: str | None = None
    end: str | None = None
    team: list[str] = Field(default_factory=list)
    deliverable: str | None = None


class AddMetric(_Change):
    op: Literal["add_metric"] = "add_metric"
    stage: str | None = None
    name: str
    value: float
    unit: str = ""
    source: str | None = None
    period: str | None = None
    touchpoint: str | None = None


class SetOwner(_Change):
    """Set the team that owns a touchpoint; or, with ``ownership``, say who runs it (a partner, a third
    party: "the estate agent, the solicitor — not ours")."""

    op: Literal["set_owner"] = "set_owner"
    touchpoint: str
    owner: str = ""
    ownership: Ownership | None = None
    stage: str | None = None
    touchpoint_id: str | None = Field(default=None, description="the touchpoint's id, when known")


class AddMomentOfTruth(_Change):
    op: Literal["add_moment_of_truth"] = "add_moment_of_truth"
    name: str
    kind: MomentKind = "other"
    stage: str | None = None
    why: str | None = None


class AddOpportunity(_Change):
    op: Literal["add_opportunity"] = "add_opportunity"
    text: str
    kind: OpportunityKind = "fix"
    lever: OpportunityLever | None = None
    stage: str | None = None
    impact: Annotated[int, Field(ge=1, le=5)] | None = None
    reach: Annotated[int, Field(ge=1, le=5)] | None = None
    confidence: Annotated[int, Field(ge=1, le=5)] | None = None
    effort: Annotated[int, Field(ge=1, le=5)] | None = None


class ScoreOpportunity(_Change):
    """Score an opportunity already in the map (matched by its words); scales 1..5."""

    op: Literal["score_opportunity"] = "score_opportunity"
    text: str = Field(default="", description="words of the opportunity; empty = the latest one")
    impact: Annotated[int, Field(ge=1, le=5)] | None = None
    reach: Annotated[int, Field(ge=1, le=5)] | None = None
    confidence: Annotated[int, Field(ge=1, le=5)] | None = None
    effort: Annotated[int, Field(ge=1, le=5)] | None = None


class AddAction(_Change):
    op: Literal["add_action"] = "add_action"
    action: str
    owner: str | None = None
    kpi: str | None = None
    due: dt.date | None = None


class SetReviewDate(_Change):
    op: Literal["set_review_date"] = "set_review_date"
    date: dt.date


class AddEvidence(_Change):
    op: Literal["add_evidence"] = "add_evidence"
    kind: EvidenceKind = "other"
    text: str
    source: str | None = None
    date: dt.date | None = None
    score: float | None = None


Change = Annotated[
    AddStage | AddTouchpoint | SetEmotion | AddNote | AddPainPoint | SetPersona | SetFraming
    | AddMetric | SetOwner | AddMomentOfTruth | AddOpportunity | ScoreOpportunity | AddAction
    | SetReviewDate | AddEvidence,
    Field(discriminator="op"),
]

ProposalSource = Literal["model", "rules"]

NoteKey = Literal["model_label", "not_users_words", "dropped_fields", "model_fallback"]


class ReadingNote(BaseModel):
    """How an answer was read, for the log and /why (never shown on the proposal itself): a key and its
    values, rendered in the user's language by interview.texts."""

    model_config = ConfigDict(extra="forbid")

    key: NoteKey
    values: dict[str, str] = Field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.key}: " + ", ".join(f"{k}={v}" for k, v in self.values.items())


class Proposal(BaseModel):
    """The changes read in one answer. ``answer_seq`` is the stored message it was read from."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(default_factory=new_id)
    phase: str
    answer_seq: int | None = None
    source: ProposalSource = "rules"
    changes: list[Change] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list, description="what the user should know about this reading")
    log: list[ReadingNote] = Field(default_factory=list,
                                   description="how the answer was read (for the log and /why, not on the proposal)")

    def change(self, change_id: str) -> Change | None:
        return next((c for c in self.changes if c.id == change_id), None)

    def keep_ids_of(self, earlier: Proposal) -> None:
        """A new reading of the same answer takes the change ids of the earlier one for the same stages
        and items (same kind, same name or text), so what they create keeps its id (a question about a
        stage still waiting for the user stays about that stage)."""
        def key(c: Change) -> tuple[str, str]:
            text = getattr(c, "name", None) or getattr(c, "text", None) or ""
            return c.op, f"{getattr(c, 'stage', '') or ''}/{text}".strip().casefold()

        ids = {key(c): c.id for c in earlier.changes if key(c)[1] != "/"}
        taken = {c.id for c in self.changes}
        for c in self.changes:
            old = ids.get(key(c))
            if old is not None and old not in taken:
                taken.discard(c.id)
                c.id = old
                taken.add(old)


@dataclass
class Applied:
    """What ``apply_report`` did: the new map, the changes applied, and those refused (with why)."""

    journey: JourneyMap
    applied: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _words(text: str) -> set[str]:
    return {w[:6] for w in re.findall(r"\w{4,}", text.casefold())}


def _find_stage(journey: JourneyMap, name: str | None) -> Stage | None:
    if not name:
        return None
    stage = journey.stage_named(name)
    if stage is not None:
        return stage
    key = name.strip().casefold()
    # A loose match: "l'étape Comparaison" -> "Comparaison"; "purchase" -> "Purchase online".
    for s in journey.stages:
        n = s.name.casefold()
        if n and (n in key or key in n):
            return s
    return None


def _item_id(journey: JourneyMap, change_id: str, part: str = "") -> str:
    """The id of the item a change creates: the change's own id (``part`` for a second item, such as
    the stage a touchpoint names), so the same reading applied twice (to show it waiting, then when it
    is accepted) makes the same ids, and a question about a waiting stage keeps its stage."""
    wanted = hashlib.blake2s(f"{change_id}/{part}".encode(), digest_size=5).hexdigest() if part else change_id
    return new_id() if wanted in _ids(journey) else wanted


def _ids(journey: JourneyMap) -> set[str]:
    found = re.findall(r'"id":"([^"]+)"', journey.model_dump_json())
    return set(found)


def _stage_for(journey: JourneyMap, name: str | None, provenance: Provenance, change_id: str = "") -> Stage:
    """The stage named ``name`` (created at the end when the user names a new one); the last stage
    when no name is given; raises ValueError when there is no stage at all."""
    stage = _find_stage(journey, name)
    if stage is not None:
        return stage
    if name and name.strip():
        stage = Stage(id=_item_id(journey, change_id, "stage") if change_id else new_id(), name=name,
                      provenance=provenance)
        journey.stages.append(stage)
        return stage
    if journey.stages:
        return journey.stages[-1]
    raise ValueError("no stage to attach this to yet")


def _add_unique(target: list[str], values: Iterable[str]) -> None:
    for v in values:
        if v and not any(_same(v, x) for x in target):
            target.append(v)


def _find_touchpoint(journey: JourneyMap, name: str, stage: str | None) -> Touchpoint | None:
    st = _find_stage(journey, stage) if stage else None
    pool = [t for *_, t in journey.touchpoints()] if st is None else st.touchpoints
    for t in pool:
        if _same(t.name, name) or t.id == name:
            return t
    key = name.strip().casefold()
    for t in pool:
        n = t.name.casefold()
        if n in key or key in n:
            return t
    return None


def _apply_one(journey: JourneyMap, change: Change, confirm: bool) -> None:
    prov: Provenance = change.provenance
    if confirm and prov == "inferred":
        prov = "team"
    match change:
        case AddStage():
            existing = _find_stage(journey, change.name)
            if existing is not None and _same(existing.name, change.name):
                if change.lifecycle:
                    existing.lifecycle = change.lifecycle
                return
            journey.stages.append(Stage(id=_item_id(journey, change.id), name=change.name, description=change.description,
                                        lifecycle=change.lifecycle, provenance=prov))
        case AddTouchpoint():
            stage = _stage_for(journey, change.stage, prov, change.id)
            if any(_same(t.name, change.name) for t in stage.touchpoints):
                return
            stage.touchpoints.append(Touchpoint(
                id=_item_id(journey, change.id), name=change.name, channel=change.channel, online=change.online,
                ownership=change.ownership, owner=change.owner, invisible=change.invisible,
                provenance=prov))
        case SetEmotion():
            stage = _stage_for(journey, change.stage, prov, change.id)
            stage.emotion = Emotion(score=change.score, label=change.label, provenance=prov)
        case AddNote():
            stage = _stage_for(journey, change.stage, prov, change.id)
            lane: list[Note] = getattr(stage, change.lane)
            if not any(_same(n.text, change.text) for n in lane):
                lane.append(Note(id=_item_id(journey, change.id), text=change.text, provenance=prov))
        case AddPainPoint():
            stage = _stage_for(journey, change.stage, prov, change.id)
            if not any(_same(p.text, change.text) for p in stage.pain_points):
                stage.pain_points.append(PainPoint(id=_item_id(journey, change.id), text=change.text, effort=change.effort,
                                                   touchpoint=change.touchpoint, provenance=prov))
        case SetPersona():
            persona = journey.persona
            if persona is None:
                if not change.name:
                    raise ValueError("a persona needs a name first")
                persona = Persona(id=_item_id(journey, change.id), name=change.name, provenance=prov)
            data = persona.model_dump()
            for key in ("name", "description", "context", "trigger", "state_of_mind"):
                value = getattr(change, key)
                if value:
                    data[key] = value
            for key in ("goals", "motivations", "frustrations", "objections", "information_sources",
                        "segments"):
                _add_unique(data[key], getattr(change, key))
            if change.set_aside:
                data["segments"] = [s for s in data["segments"] if not any(_same(s, x) for x in change.set_aside)]
                _add_unique(data["set_aside"], change.set_aside)
            if prov != "inferred" and data.get("provenance") == "inferred":
                data["provenance"] = prov
            journey.persona = Persona.model_validate(data)
        case SetFraming():
            data = journey.framing.model_dump()
            for key in ("objective", "business_question", "journey", "scope", "start", "end", "deliverable"):
                value = getattr(change, key)
                if value:
                    data[key] = value
            _add_unique(data["team"], change.team)
            data["provenance"] = prov
            journey.framing = type(journey.framing).model_validate(data)
        case AddMetric():
            stage = _stage_for(journey, change.stage, prov, change.id)
            stage.metrics.append(Metric(id=_item_id(journey, change.id), name=change.name, value=change.value, unit=change.unit,
                                        source=change.source, period=change.period, touchpoint=change.touchpoint,
                                        provenance=prov))
        case SetOwner():
            tp = next((t for *_, t in journey.touchpoints() if t.id == change.touchpoint_id), None) \
                if change.touchpoint_id else None
            tp = tp or _find_touchpoint(journey, change.touchpoint, change.stage)
            if tp is None:
                raise ValueError(f"no touchpoint named '{change.touchpoint}'")
            if change.owner:
                tp.owner = change.owner
            if change.ownership is not None:
                tp.ownership = change.ownership
        case AddMomentOfTruth():
            found = _find_stage(journey, change.stage)
            journey.moments_of_truth.append(MomentOfTruth(
                id=_item_id(journey, change.id), name=change.name, kind=change.kind, stage=found.name if found else change.stage,
                why=change.why, provenance=prov))
        case AddOpportunity():
            if any(_same(o.text, change.text) for o in journey.opportunities):
                return
            journey.opportunities.append(Opportunity(
                id=_item_id(journey, change.id), text=change.text, kind=change.kind, lever=change.lever, stage=change.stage,
                impact=change.impact, reach=change.reach, confidence=change.confidence,
                effort=change.effort, provenance=prov))
        case ScoreOpportunity():
            if not journey.opportunities:
                raise ValueError("no opportunity to score yet")
            target = journey.opportunities[-1]
            if change.text:
                wanted_words = _words(change.text)
                scored = [(len(wanted_words & _words(o.text)), i) for i, o in enumerate(journey.opportunities)]
                best, index = max(scored)
                if best > 0:
                    target = journey.opportunities[index]
            for scale in ("impact", "reach", "confidence", "effort"):
                value = getattr(change, scale)
                if value is not None:
                    setattr(target, scale, value)
        case AddAction():
            journey.action_plan.append(Action(id=_item_id(journey, change.id), action=change.action, owner=change.owner, kpi=change.kpi,
                                              due=change.due, provenance=prov))
        case SetReviewDate():
            journey.review_date = change.date
        case AddEvidence():
            journey.evidence.append(EvidenceItem(id=_item_id(journey, change.id), kind=change.kind, text=change.text, source=change.source,
                                                 date=change.date, score=change.score, provenance=prov))


def _short_error(err: Exception) -> str:
    if isinstance(err, ValidationError):
        parts = []
        for e in err.errors(include_url=False)[:3]:
            loc = ".".join(str(p) for p in e["loc"])
            parts.append(f"{loc}: {e['msg']}" if loc else str(e["msg"]))
        return "; ".join(parts)
    return str(err)


def apply_report(
    journey: JourneyMap, proposal: Proposal, accepted: Iterable[str] | None = None, *, confirm: bool = True
) -> Applied:
    """Apply the proposal's changes (only those whose id is in ``accepted``, when given) to a COPY
    of ``journey``. With ``confirm`` (the user accepted them), ``inferred`` items become ``team``.
    Each change is applied on its own copy and validated; one that would make the map invalid is
    refused with a reason and the others still apply."""
    wanted = None if accepted is None else set(accepted)
    current = JourneyMap.model_validate(journey.model_dump())  # a deep, validated copy (faster than deepcopy)
    result = Applied(journey=current)
    for change in proposal.changes:
        if wanted is not None and change.id not in wanted:
            continue
        stages_before = len(current.stages)
        try:
            # Every item is validated when it is built and every assignment is validated (the map's
            # models validate assignments), so a failing change raises before it mutates anything,
            # except a stage it created on its way: that one is taken back.
            _apply_one(current, change, confirm)
        except (ValidationError, ValueError) as err:
            del current.stages[stages_before:]
            result.refused.append((change.id, _short_error(err)))
            continue
        result.applied.append(change.id)
    try:
        result.journey = JourneyMap.model_validate(current.model_dump())
    except ValidationError:  # cannot happen with validated parts; stay safe: one change at a time
        return _apply_one_by_one(journey, proposal, wanted, confirm)
    return result


def _apply_one_by_one(journey: JourneyMap, proposal: Proposal, wanted: set[str] | None, confirm: bool) -> Applied:
    current = journey.model_copy(deep=True)
    result = Applied(journey=current)
    for change in proposal.changes:
        if wanted is not None and change.id not in wanted:
            continue
        trial = current.model_copy(deep=True)
        try:
            _apply_one(trial, change, confirm)
            trial = JourneyMap.model_validate(trial.model_dump())
        except (ValidationError, ValueError) as err:
            result.refused.append((change.id, _short_error(err)))
            continue
        current = trial
        result.applied.append(change.id)
    result.journey = current
    return result


def apply(journey: JourneyMap, proposal: Proposal, accepted: Iterable[str] | None = None,
          *, confirm: bool = True) -> JourneyMap:
    """The new map with the proposal applied (see ``apply_report`` for what was refused)."""
    return apply_report(journey, proposal, accepted, confirm=confirm).journey


def describe(change: Change, lang: str = "fr") -> str:
    """One short line saying what a change does, for the map pane and transcripts."""
    fr = lang == "fr"
    mark = " (déduit)" if fr and change.provenance == "inferred" else (
        " (inferred)" if change.provenance == "inferred" else "")
    match change:
        case AddStage():
            text = (f"étape « {change.name} »" if fr else f"stage '{change.name}'")
        case AddTouchpoint():
            where = ("en ligne" if change.online else "hors ligne") if fr else ("online" if change.online else "offline")
            text = (f"[{change.stage}] point de contact « {change.name} » ({change.channel}, {where})" if fr
                    else f"[{change.stage}] touchpoint '{change.name}' ({change.channel}, {where})")
        case SetEmotion():
            text = (f"[{change.stage}] émotion {change.score:+d} {change.label}" if fr
                    else f"[{change.stage}] emotion {change.score:+d} {change.label}")
        case AddNote():
            names = {"actions": ("action", "action"), "thoughts": ("pensée", "thought"),
                     "expectations": ("attente", "expectation"), "positives": ("positif", "positive")}
            text = f"[{change.stage}] {names[change.lane][0 if fr else 1]} : {change.text}"
        case AddPainPoint():
            text = f"[{change.stage}] {'irritant' if fr else 'pain point'} : {change.text}"
        case SetPersona():
            text = "persona" + (f" « {change.name} »" if fr and change.name else f" '{change.name}'" if change.name else "")
        case SetFraming():
            text = "cadrage" if fr else "framing"
        case AddMetric():
            text = (f"[{change.stage or '?'}] {'chiffre' if fr else 'metric'} {change.name} = "
                    f"{change.value:g} {change.unit}".rstrip() + (f" ({change.source})" if change.source else ""))
        case SetOwner():
            who = change.owner or (("pas chez nous" if fr else "not ours") if change.ownership != "owned" else "")
            text = f"{'responsable de' if fr else 'owner of'} « {change.touchpoint} » : {who}"
        case AddMomentOfTruth():
            text = f"{'moment de vérité' if fr else 'moment of truth'} : {change.name} ({change.kind})"
        case AddOpportunity():
            text = f"{'opportunité' if fr else 'opportunity'} : {change.text}"
        case ScoreOpportunity():
            text = (f"{'notes' if fr else 'scores'} : impact {change.impact}, reach {change.reach}, "
                    f"confidence {change.confidence}, effort {change.effort}")
        case AddAction():
            text = f"action : {change.action}" + (f" ({change.owner})" if change.owner else "")
        case SetReviewDate():
            text = f"{'date de révision' if fr else 'review date'} : {change.date.isoformat()}"
        case AddEvidence():
            text = f"{'preuve' if fr else 'evidence'} ({change.kind}) : {change.text[:80]}"
    return text + mark
