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
from typing import Annotated, Any, ClassVar, Literal

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
from ..i18n import format_date
from ..text import cap

NoteLane = Literal["actions", "thoughts", "expectations", "positives"]
EffortType = Literal["cognitive", "emotional", "physical", "relational", "ergonomic", "digital"]


class _Change(BaseModel):
    """One change to the map, read in the user's words. Each kind carries its own behaviour: how it
    applies to a map (``apply_to``), how it reads in a sentence (``describe``), which of its fields the
    user may correct in the proposal (``editable``) and what makes two readings of it the same
    (``same_key``). Adding a kind of change is one class here, added to ``Change`` below."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(default_factory=new_id)
    provenance: Provenance = "team"
    quote: str = Field(default="", max_length=600, description="the user's words this change is drawn from")

    editable: ClassVar[str | None] = None
    """The field the proposal editor lets the user correct (None: the change is kept or dropped whole)."""

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        """Change ``journey`` in place (it is a copy; ``apply_report`` validates and keeps it or not);
        raise ValueError when the change cannot apply."""
        raise NotImplementedError

    def what(self, fr: bool) -> str:
        """What the change adds or sets, in one short phrase (see ``describe``)."""
        raise NotImplementedError

    def describe(self, lang: str = "fr") -> str:
        """One short line saying what the change does, in the user's language, with "(déduit)" /
        "(inferred)" when it is not the user's statement."""
        fr = lang == "fr"
        mark = (" (déduit)" if fr else " (inferred)") if self.provenance == "inferred" else ""
        return self.what(fr) + mark

    def editable_text(self) -> str | None:
        """The text the user may correct in the proposal editor (None when the change is kept or
        dropped whole)."""
        value = getattr(self, self.editable, None) if self.editable else None
        return value if isinstance(value, str) else None

    def edited(self, text: str) -> _Change:
        """This change with its editable text corrected to ``text``."""
        text = text.strip()
        if self.editable is None or not text or text == self.editable_text():
            return self
        return self.model_copy(update={self.editable: text})

    def renamed_stage(self, renames: dict[str, str]) -> _Change:
        """This change pointing at the new name of a stage the user renamed in the same proposal."""
        stage = getattr(self, "stage", None)
        if isinstance(stage, str) and stage in renames:
            return self.model_copy(update={"stage": renames[stage]})
        return self

    def same_key(self) -> tuple[str, str]:
        """Two readings of one answer that give the same key are the same change (see
        ``Proposal.keep_ids_of``)."""
        text = getattr(self, "name", None) or getattr(self, "text", None) or ""
        return str(getattr(self, "op", "")), f"{getattr(self, 'stage', '') or ''}/{text}".strip().casefold()


def _at(stage: str | None) -> str:
    """The stage a change is about, as a prefix: "[Devis] "."""
    return f"[{stage or '?'}] "


class AddStage(_Change):
    op: Literal["add_stage"] = "add_stage"
    name: str
    description: str | None = None
    lifecycle: Lifecycle | None = None
    after: str | None = None
    """The stage of the map this one comes after, when the user says where it goes ("I forgot one: between
    buying it and the first week there's getting the smartcard"); else it goes last."""
    before: str | None = None

    editable: ClassVar[str | None] = "name"

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        existing = _find_stage(journey, self.name)
        if existing is not None and _same(existing.name, self.name):
            if self.lifecycle:
                existing.lifecycle = self.lifecycle  # the user says where a stage sits
            return
        stage = Stage(id=_item_id(journey, self.id), name=self.name, description=self.description,
                      lifecycle=self.lifecycle, provenance=prov)
        after, before = _find_stage(journey, self.after), _find_stage(journey, self.before)
        if after is not None:
            journey.stages.insert(journey.stages.index(after) + 1, stage)
        elif before is not None:
            journey.stages.insert(journey.stages.index(before), stage)
        else:
            journey.stages.append(stage)

    def what(self, fr: bool) -> str:
        where = ""
        if self.after:
            where = f", après « {self.after} »" if fr else f", after '{self.after}'"
        elif self.before:
            where = f", avant « {self.before} »" if fr else f", before '{self.before}'"
        return (f"étape « {self.name} »" if fr else f"stage '{self.name}'") + where


class AddTouchpoint(_Change):
    op: Literal["add_touchpoint"] = "add_touchpoint"
    stage: str
    name: str
    channel: str
    online: bool
    ownership: Ownership = "owned"
    owner: str | None = None
    invisible: bool = False

    editable: ClassVar[str | None] = "name"

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        stage = _stage_for(journey, self.stage, prov, self.id)
        if any(_same(t.name, self.name) for t in stage.touchpoints):
            return
        stage.touchpoints.append(Touchpoint(
            id=_item_id(journey, self.id), name=self.name, channel=self.channel, online=self.online,
            ownership=self.ownership, owner=self.owner, invisible=self.invisible, provenance=prov))

    def what(self, fr: bool) -> str:
        where = ("en ligne" if self.online else "hors ligne") if fr else ("online" if self.online else "offline")
        return _at(self.stage) + (f"point de contact « {self.name} » ({self.channel}, {where})" if fr
                                      else f"touchpoint '{self.name}' ({self.channel}, {where})")


class SetEmotion(_Change):
    op: Literal["set_emotion"] = "set_emotion"
    stage: str
    score: Annotated[int, Field(ge=-2, le=2)]
    label: str = ""

    editable: ClassVar[str | None] = "label"

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        stage = _stage_for(journey, self.stage, prov, self.id)
        stage.emotion = Emotion(score=self.score, label=self.label, provenance=prov)

    def what(self, fr: bool) -> str:
        return _at(self.stage) + f"{'émotion' if fr else 'emotion'} {self.score:+d} {self.label}".rstrip()

    def same_key(self) -> tuple[str, str]:
        return self.op, f"{self.stage}".casefold()


_LANES = {"actions": ("action", "action"), "thoughts": ("pensée", "thought"),
          "expectations": ("attente", "expectation"), "positives": ("positif", "positive")}


class AddNote(_Change):
    op: Literal["add_note"] = "add_note"
    stage: str
    lane: NoteLane
    text: str

    editable: ClassVar[str | None] = "text"

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        stage = _stage_for(journey, self.stage, prov, self.id)
        lane: list[Note] = getattr(stage, self.lane)
        if not any(_same(n.text, self.text) for n in lane):
            lane.append(Note(id=_item_id(journey, self.id), text=self.text, provenance=prov))

    def what(self, fr: bool) -> str:
        return _at(self.stage) + f"{_LANES[self.lane][0 if fr else 1]} : {self.text}"


class AddPainPoint(_Change):
    op: Literal["add_pain_point"] = "add_pain_point"
    stage: str
    text: str
    effort: EffortType | None = None
    touchpoint: str | None = None

    editable: ClassVar[str | None] = "text"

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        stage = _stage_for(journey, self.stage, prov, self.id)
        if not any(_same(p.text, self.text) for p in stage.pain_points):
            stage.pain_points.append(PainPoint(id=_item_id(journey, self.id), text=self.text, effort=self.effort,
                                               touchpoint=self.touchpoint, provenance=prov))

    def what(self, fr: bool) -> str:
        return _at(self.stage) + f"{'irritant' if fr else 'pain point'} : {self.text}"


class SetPersona(_Change):
    """Set persona fields; list fields are appended to (without duplicates); ``set_aside`` moves groups
    out of the persona's segments, kept for another map."""

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
    beside: bool = Field(default=False, description="the segments are groups said beside the persona (\"we also "
                                                    "have to design for the Hendersons\"): the persona is one too")

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        persona = journey.persona
        if persona is None:
            # a persona described without a name ("a teacher from Manchester, 41") is named by that description,
            # in the user's words, rather than lost
            name = self.name or next((cap(v, 60) for v in (self.description, self.context) if v), None)
            if not name:
                raise ValueError("a persona needs a name first")
            persona = Persona(id=_item_id(journey, self.id), name=name, provenance=prov)
        data = persona.model_dump()
        for key in ("name", "description", "context", "trigger", "state_of_mind"):
            value = getattr(self, key)
            if value:
                data[key] = value
        if self.beside and self.segments and not data["segments"]:
            data["segments"] = [data["name"]]  # groups said beside the persona: the persona is the first one
        for key in ("goals", "motivations", "frustrations", "objections", "information_sources", "segments"):
            _add_unique(data[key], getattr(self, key))
        if self.set_aside:
            data["segments"] = [s for s in data["segments"] if not any(_same(s, x) for x in self.set_aside)]
            _add_unique(data["set_aside"], self.set_aside)
        if prov != "inferred" and data.get("provenance") == "inferred":
            data["provenance"] = prov
        journey.persona = Persona.model_validate(data)

    def what(self, fr: bool) -> str:
        if not self.name:
            return "persona"
        return f"persona « {self.name} »" if fr else f"persona '{self.name}'"

    def same_key(self) -> tuple[str, str]:
        return self.op, ""


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

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        data = journey.framing.model_dump()
        for key in ("objective", "business_question", "journey", "scope", "start", "end", "deliverable"):
            value = getattr(self, key)
            if value:
                data[key] = value
        _add_unique(data["team"], self.team)
        data["provenance"] = prov
        journey.framing = type(journey.framing).model_validate(data)

    def what(self, fr: bool) -> str:
        return "cadrage" if fr else "framing"

    def same_key(self) -> tuple[str, str]:
        return self.op, ""


class AddMetric(_Change):
    op: Literal["add_metric"] = "add_metric"
    stage: str | None = None
    name: str
    value: float
    unit: str = ""
    source: str | None = None
    period: str | None = None
    touchpoint: str | None = None

    editable: ClassVar[str | None] = "name"

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        stage = _stage_for(journey, self.stage, prov, self.id)
        stage.metrics.append(Metric(id=_item_id(journey, self.id), name=self.name, value=self.value, unit=self.unit,
                                    source=self.source, period=self.period, touchpoint=self.touchpoint,
                                    provenance=prov))

    def what(self, fr: bool) -> str:
        return (_at(self.stage) + f"{'chiffre' if fr else 'metric'} {self.name} = {self.value:g} {self.unit}".rstrip()
                + (f" ({self.source})" if self.source else ""))


class SetOwner(_Change):
    """Set the team that owns a touchpoint; or, with ``ownership``, say who runs it (a partner, a third
    party: "the estate agent, the solicitor — not ours")."""

    op: Literal["set_owner"] = "set_owner"
    touchpoint: str
    owner: str = ""
    ownership: Ownership | None = None
    stage: str | None = None
    touchpoint_id: str | None = Field(default=None, description="the touchpoint's id, when known")

    editable: ClassVar[str | None] = "owner"

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        tp = next((t for *_, t in journey.touchpoints() if t.id == self.touchpoint_id), None) \
            if self.touchpoint_id else None
        tp = tp or _find_touchpoint(journey, self.touchpoint, self.stage)
        if tp is None:
            raise ValueError(f"no touchpoint named '{self.touchpoint}'")
        if self.owner:
            tp.owner = self.owner
        if self.ownership is not None:
            tp.ownership = self.ownership

    def what(self, fr: bool) -> str:
        who = self.owner or (("pas chez nous" if fr else "not ours") if self.ownership != "owned" else "")
        return f"responsable de « {self.touchpoint} » : {who}" if fr else f"owner of '{self.touchpoint}': {who}"

    def same_key(self) -> tuple[str, str]:
        return self.op, self.touchpoint.casefold()


class AddMomentOfTruth(_Change):
    op: Literal["add_moment_of_truth"] = "add_moment_of_truth"
    name: str
    kind: MomentKind = "other"
    stage: str | None = None
    why: str | None = None

    editable: ClassVar[str | None] = "name"

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        found = _find_stage(journey, self.stage)
        journey.moments_of_truth.append(MomentOfTruth(
            id=_item_id(journey, self.id), name=self.name, kind=self.kind, stage=found.name if found else self.stage,
            why=self.why, provenance=prov))

    def what(self, fr: bool) -> str:
        return f"moment de vérité : {self.name} ({self.kind})" if fr else f"moment of truth: {self.name} ({self.kind})"


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

    editable: ClassVar[str | None] = "text"

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        if any(_same(o.text, self.text) for o in journey.opportunities):
            return
        journey.opportunities.append(Opportunity(
            id=_item_id(journey, self.id), text=self.text, kind=self.kind, lever=self.lever, stage=self.stage,
            impact=self.impact, reach=self.reach, confidence=self.confidence, effort=self.effort, provenance=prov))

    def what(self, fr: bool) -> str:
        return f"opportunité : {self.text}" if fr else f"opportunity: {self.text}"


_SCALES = {"impact": ("impact", "impact"), "reach": ("portée", "reach"), "confidence": ("confiance", "confidence"),
           "effort": ("effort", "effort")}


class ScoreOpportunity(_Change):
    """Score an opportunity already in the map (matched by its words); scales 1..5."""

    op: Literal["score_opportunity"] = "score_opportunity"
    text: str = Field(default="", description="words of the opportunity; empty = the latest one")
    impact: Annotated[int, Field(ge=1, le=5)] | None = None
    reach: Annotated[int, Field(ge=1, le=5)] | None = None
    confidence: Annotated[int, Field(ge=1, le=5)] | None = None
    effort: Annotated[int, Field(ge=1, le=5)] | None = None

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        if not journey.opportunities:
            raise ValueError("no opportunity to score yet")
        target = journey.opportunities[-1]
        if self.text:
            wanted_words = _words(self.text)
            best, index = max((len(wanted_words & _words(o.text)), i) for i, o in enumerate(journey.opportunities))
            if best > 0:
                target = journey.opportunities[index]
        for scale in _SCALES:
            value = getattr(self, scale)
            if value is not None:
                setattr(target, scale, value)

    def what(self, fr: bool) -> str:
        said = ", ".join(f"{_SCALES[s][0 if fr else 1]} {getattr(self, s)}" for s in _SCALES
                         if getattr(self, s) is not None)
        head = f"notes de « {self.text} »" if fr else f"scores of '{self.text}'"
        return f"{head} : {said}" if fr else f"{head}: {said}"


class AddAction(_Change):
    op: Literal["add_action"] = "add_action"
    action: str
    owner: str | None = None
    kpi: str | None = None
    due: dt.date | None = None

    editable: ClassVar[str | None] = "action"

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        journey.action_plan.append(Action(id=_item_id(journey, self.id), action=self.action, owner=self.owner,
                                          kpi=self.kpi, due=self.due, provenance=prov))

    def what(self, fr: bool) -> str:
        return f"action : {self.action}" + (f" ({self.owner})" if self.owner else "") if fr else \
            f"action: {self.action}" + (f" ({self.owner})" if self.owner else "")

    def same_key(self) -> tuple[str, str]:
        return self.op, self.action.casefold()


class SetReviewDate(_Change):
    op: Literal["set_review_date"] = "set_review_date"
    date: dt.date

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        journey.review_date = self.date

    def what(self, fr: bool) -> str:
        return (f"date de révision : {format_date(self.date, 'fr')}" if fr
                else f"review date: {format_date(self.date, 'en')}")

    def same_key(self) -> tuple[str, str]:
        return self.op, ""


class AddEvidence(_Change):
    op: Literal["add_evidence"] = "add_evidence"
    kind: EvidenceKind = "other"
    text: str
    source: str | None = None
    date: dt.date | None = None
    score: float | None = None

    editable: ClassVar[str | None] = "text"

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        journey.evidence.append(EvidenceItem(id=_item_id(journey, self.id), kind=self.kind, text=self.text,
                                             source=self.source, date=self.date, score=self.score, provenance=prov))

    def what(self, fr: bool) -> str:
        return f"preuve ({self.kind}) : {self.text[:80]}" if fr else f"evidence ({self.kind}): {self.text[:80]}"


class RenameStage(_Change):
    """A stage given another name by the user ("If you want names: Looking for something to do, Booking the
    tour, …" after stages said as sentences)."""

    op: Literal["rename_stage"] = "rename_stage"
    stage: str
    name: str

    editable: ClassVar[str | None] = "name"

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        found = _find_stage(journey, self.stage)
        if found is None:
            raise ValueError(f"no stage {self.stage!r}")
        found.name = self.name

    def what(self, fr: bool) -> str:
        return (f"étape « {self.stage} » renommée « {self.name} »" if fr
                else f"stage '{self.stage}' renamed '{self.name}'")

    def same_key(self) -> tuple[str, str]:
        return self.op, self.stage.casefold()


class MoveStage(_Change):
    """A stage put elsewhere in the order ("No wait, the offer-holder day comes before he firms us")."""

    op: Literal["move_stage"] = "move_stage"
    stage: str
    before: str | None = None
    after: str | None = None

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        moved, ref = _find_stage(journey, self.stage), _find_stage(journey, self.before or self.after)
        if moved is None or ref is None or moved is ref:
            raise ValueError(f"no stage {self.stage!r} or {self.before or self.after!r}")
        journey.stages.remove(moved)
        at = journey.stages.index(ref)
        journey.stages.insert(at if self.before else at + 1, moved)

    def what(self, fr: bool) -> str:
        if fr:
            return f"étape « {self.stage} » déplacée " + (f"avant « {self.before} »" if self.before else f"après « {self.after} »")
        return f"stage '{self.stage}' moved " + (f"before '{self.before}'" if self.before else f"after '{self.after}'")

    def same_key(self) -> tuple[str, str]:
        return self.op, self.stage.casefold()


class RemoveStage(_Change):
    """A stage the user takes out in a later answer ("And drop the third one, listing review, that's internal")."""

    op: Literal["remove_stage"] = "remove_stage"
    stage: str

    def apply_to(self, journey: JourneyMap, prov: Provenance) -> None:
        found = _find_stage(journey, self.stage)
        if found is None:
            raise ValueError(f"no stage {self.stage!r}")
        journey.stages.remove(found)

    def what(self, fr: bool) -> str:
        return f"étape « {self.stage} » retirée" if fr else f"stage '{self.stage}' removed"

    def same_key(self) -> tuple[str, str]:
        return self.op, self.stage.casefold()


Change = Annotated[
    AddStage | AddTouchpoint | SetEmotion | AddNote | AddPainPoint | SetPersona | SetFraming
    | AddMetric | SetOwner | AddMomentOfTruth | AddOpportunity | ScoreOpportunity | AddAction
    | SetReviewDate | AddEvidence | MoveStage | RenameStage | RemoveStage,
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

    def corrected(self, kept: dict[str, str]) -> Proposal:
        """The proposal with only the changes ``kept`` (id → the text the user left), their text
        corrected; a stage renamed here is renamed in the other changes that point at it."""
        changes: list[Any] = [c.edited(kept[c.id]) for c in self.changes if c.id in kept]
        renames = {str(old.name): str(new.name) for old in self.changes if isinstance(old, AddStage)
                   for new in changes if isinstance(new, AddStage) and new.id == old.id and new.name != old.name}
        if renames:
            changes = [c.renamed_stage(renames) for c in changes]
        return self.model_copy(update={"changes": changes})

    def keep_ids_of(self, earlier: Proposal) -> None:
        """A new reading of the same answer takes the change ids of the earlier one for the same stages
        and items (same kind, same name or text), so what they create keeps its id (a question about a
        stage still waiting for the user stays about that stage)."""
        ids = {c.same_key(): c.id for c in earlier.changes if c.same_key()[1] not in ("", "/")}
        taken = {c.id for c in self.changes}
        for c in self.changes:
            old = ids.get(c.same_key())
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
    change.apply_to(journey, prov)


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
    return change.describe(lang)
