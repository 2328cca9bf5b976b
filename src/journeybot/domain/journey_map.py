"""The journey map: a pure pydantic model of everything the method records.

This module imports nothing else of journeybot but the Lang type of i18n. It is the contract shared by the
linter, the interview engine, the store and every export (see docs/architecture.md).

Minimum JSON contract others rely on: top-level ``schema_version``, ``persona``
(object with ``name``), ``stages`` (ordered list; each with ``name`` and
``touchpoints``, a list of objects with ``name``, ``channel``, ``online``).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from ..i18n import Lang as Lang  # re-exported: the map records its language

SCHEMA_VERSION: Literal[1] = 1

Provenance = Literal["customer", "team", "inferred"]
"""Where an item came from (method-spec, Provenance):
``customer`` backed by evidence the user cites; ``team`` the user's or team's belief;
``inferred`` proposed by the model and not yet confirmed. Inferred never counts as evidence."""

# C0 control characters other than tab, newline and carriage return, plus DEL. Checked as a pattern
# constraint so pydantic-core does it (a Python validator per string doubled the load time of big maps).
CONTROL_CLASS = r"\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
NO_CONTROL_PATTERN = rf"^[^{CONTROL_CLASS}]*$"
CONTROL_CHARS = re.compile(rf"[{CONTROL_CLASS}]")
"""What a map refuses in its text; importers strip exactly this before building map items."""
PLACEHOLDERS = frozenset(
    {"", "none", "null", "n/a", "na", "-", "--", "?", "tbd", "todo", "neutral", "neutre",
     "aucun", "aucune", "unknown", "inconnu", "...", "…", "xxx"}
)
"""Values small models write into empty fields; a name must say something (compared stripped, lower case)."""

SHORT = 300
"""Maximum length of a name-like field (stage, touchpoint, persona, channel...)."""
LONG = 5_000
"""Maximum length of a descriptive field (a description, a pain point, a reason)."""
VERBATIM = 20_000
"""Maximum length of an evidence text (a pasted verbatim, a review, a ticket)."""


def _not_placeholder(value: str) -> str:
    if value.strip().lower() in PLACEHOLDERS:
        raise ValueError(f"'{value}' is a placeholder, not a name")
    return value


Name = Annotated[
    str,
    Field(min_length=1, max_length=SHORT, pattern=NO_CONTROL_PATTERN),
    AfterValidator(_not_placeholder),
]
Label = Annotated[str, Field(max_length=SHORT, pattern=NO_CONTROL_PATTERN)]
Text = Annotated[str, Field(min_length=1, max_length=LONG, pattern=NO_CONTROL_PATTERN)]
LongText = Annotated[str, Field(min_length=1, max_length=VERBATIM, pattern=NO_CONTROL_PATTERN)]


def new_id() -> str:
    """A short random id for an item (stable once written; used for links). Not a secret:
    40 random bits are plenty to keep the items of one map apart, and far cheaper than uuid4."""
    return f"{random.getrandbits(40):010x}"


class Record(BaseModel):
    """Base of every persisted object: strict keys, whitespace trimmed."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_assignment=True)


class Item(Record):
    """A recorded item: it has an id (for links) and a provenance."""

    id: Annotated[str, Field(default_factory=new_id, min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
    provenance: Provenance = "team"


class Note(Item):
    """A short statement: an action, a thought, an expectation, a positive moment."""

    text: Text


EffortType = Literal["cognitive", "emotional", "physical", "relational", "ergonomic", "digital"]
"""The six kinds of customer effort (seed 000, tip 2)."""

KeyPointKind = Literal["pain", "dissonance", "opposition", "improvement", "useless", "dead_point"]
"""Kinds of key points (seed 004, axis 3); ``pain`` is a plain pain point or irritant."""


class PainPoint(Item):
    """A pain point, irritant, effort or friction the customer meets at a stage."""

    text: Text
    kind: KeyPointKind = "pain"
    effort: EffortType | None = None
    touchpoint: Label | None = Field(default=None, description="name of the touchpoint it happens at")
    severity: Annotated[int, Field(ge=1, le=3)] | None = None


Ownership = Literal["owned", "partner", "third_party"]
"""Who runs a touchpoint: the company, a partner (distributor, broker), or a third party
(competitor, friend, press, review site)."""


class Metric(Item):
    """A number with its unit and where it comes from (seed 001, criterion 4)."""

    name: Name
    value: Annotated[float, Field(allow_inf_nan=False)]
    unit: Label = ""
    source: Label | None = Field(default=None, description="where the number comes from")
    period: Label | None = None
    touchpoint: Label | None = Field(default=None, description="touchpoint it measures, if any")


class Touchpoint(Item):
    """A precise point of contact between the customer and the offer."""

    name: Name
    channel: Name
    online: bool
    ownership: Ownership = "owned"
    owner: Label | None = Field(default=None, description="team that owns this touchpoint")
    invisible: bool = Field(
        default=False, description="a moment the company does not see: waiting, word of mouth"
    )
    description: Text | None = None


class Emotion(Record):
    """How the customer feels at a stage: -2 (very negative) to +2 (very positive)."""

    score: Annotated[int, Field(ge=-2, le=2)]
    label: Label = ""
    provenance: Provenance = "team"


Lifecycle = Literal["before_purchase", "purchase", "after_purchase"]


class Stage(Item):
    """A stage of the journey, named in the customer's words."""

    name: Name
    description: Text | None = None
    lifecycle: Lifecycle | None = None
    touchpoints: list[Touchpoint] = Field(default_factory=list)
    actions: list[Note] = Field(default_factory=list)
    thoughts: list[Note] = Field(default_factory=list)
    emotion: Emotion | None = None
    expectations: list[Note] = Field(default_factory=list)
    pain_points: list[PainPoint] = Field(default_factory=list)
    positives: list[Note] = Field(default_factory=list)
    metrics: list[Metric] = Field(default_factory=list)


Soncas = Literal["security", "pride", "novelty", "comfort", "money", "sympathy"]
"""SONCAS buying motives (seed 003): Sécurité, Orgueil, Nouveauté, Confort, Argent, Sympathie."""


class Persona(Item):
    """The ONE person whose journey the map follows."""

    name: Name
    description: Text | None = None
    context: Text | None = None
    segments: list[Label] = Field(
        default_factory=list, description="customer segments this persona stands for"
    )
    set_aside: list[Label] = Field(
        default_factory=list,
        description="groups first mixed into this persona and set aside for a map of their own",
    )
    goals: list[Text] = Field(default_factory=list)
    motivations: list[Soncas] = Field(default_factory=list)
    frustrations: list[Text] = Field(default_factory=list)
    trigger: Text | None = None
    state_of_mind: Text | None = None
    information_sources: list[Label] = Field(default_factory=list)
    objections: list[Text] = Field(default_factory=list)


JourneyScope = Literal["macro", "specific"]


class Framing(Record):
    """Why map, which journey, where it starts and ends (seed 000, cadrage)."""

    objective: Text | None = None
    business_question: Text | None = None
    journey: Label | None = None
    scope: JourneyScope | None = None
    start: Text | None = None
    end: Text | None = None
    team: list[Label] = Field(default_factory=list)
    deliverable: Text | None = None
    provenance: Provenance = "team"


EvidenceKind = Literal[
    "interview", "survey", "ticket", "review", "frontline", "analytics", "verbatim", "other"
]


class EvidenceItem(Item):
    """Something customers actually said or did, with where it comes from."""

    kind: EvidenceKind = "other"
    text: LongText
    source: Label | None = None
    date: dt.date | None = None
    score: Annotated[float, Field(allow_inf_nan=False)] | None = None
    links: list[str] = Field(
        default_factory=list, description="ids of the items this evidence supports"
    )
    provenance: Provenance = "customer"


MomentKind = Literal["ZMOT", "FMOT", "SMOT", "TMOT", "other"]


class MomentOfTruth(Item):
    """A moment where everything can switch (seed 000 phase 3, seed 003)."""

    name: Name
    kind: MomentKind = "other"
    stage: Label | None = Field(default=None, description="name of the stage it belongs to")
    why: Text | None = None
    evidence: Text | None = None


OpportunityKind = Literal["fix", "optimise", "innovate"]
OpportunityLever = Literal["simplify", "hidden", "surprise"]
Scale = Annotated[int, Field(ge=1, le=5)]


class Opportunity(Item):
    """Something to change, with what priority scoring needs (1..5 scales)."""

    text: Text
    kind: OpportunityKind = "fix"
    lever: OpportunityLever | None = None
    stage: Label | None = None
    impact: Scale | None = None
    reach: Scale | None = None
    confidence: Scale | None = None
    effort: Scale | None = None

    @property
    def scored(self) -> bool:
        """Scored for prioritising: two scales or more said (an impact/effort matrix is a priority; the
        ranking itself needs all four, see plan.priority)."""
        return sum(x is not None for x in (self.impact, self.reach, self.confidence, self.effort)) >= 2


class Action(Item):
    """A line of the action plan."""

    action: Text
    owner: Label | None = None
    kpi: Label | None = None
    due: dt.date | None = None
    opportunity: str | None = Field(default=None, description="id of the opportunity it serves")


class JourneyMap(Record):
    """A customer journey map for one persona."""

    schema_version: Literal[1] = SCHEMA_VERSION
    title: Label = ""
    lang: Lang = "fr"
    created: dt.date = Field(default_factory=dt.date.today)
    framing: Framing = Field(default_factory=Framing)
    persona: Persona | None = None
    evidence: list[EvidenceItem] = Field(default_factory=list)
    stages: list[Stage] = Field(default_factory=list)
    moments_of_truth: list[MomentOfTruth] = Field(default_factory=list)
    opportunities: list[Opportunity] = Field(default_factory=list)
    action_plan: list[Action] = Field(default_factory=list)
    review_date: dt.date | None = None
    phases_done: list[Annotated[str, Field(pattern=r"^[a-z_]{3,40}$")]] | None = Field(
        default=None,
        description="the interview phases this map has been through (written by journeybot's interview); "
                    "absent for a finished map made elsewhere, which lint then judges whole")

    @model_serializer(mode="wrap")
    def _without_progress_when_finished(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        """A map from elsewhere (no ``phases_done``) dumps as it always did."""
        data: dict[str, object] = handler(self)
        if data.get("phases_done") is None:
            data.pop("phases_done", None)
        return data

    # --- read helpers (pure, no state) -------------------------------------------------

    def touchpoints(self) -> Iterator[tuple[int, Stage, int, Touchpoint]]:
        """Every touchpoint with its stage, in map order."""
        for si, stage in enumerate(self.stages):
            for ti, tp in enumerate(stage.touchpoints):
                yield si, stage, ti, tp

    def metrics(self) -> Iterator[tuple[str, Metric]]:
        """Every metric with its JSON path."""
        for si, stage in enumerate(self.stages):
            for mi, metric in enumerate(stage.metrics):
                yield f"stages[{si}].metrics[{mi}]", metric

    def stage_named(self, name: str) -> Stage | None:
        key = name.strip().casefold()
        return next((s for s in self.stages if s.name.casefold() == key), None)

    def items(self) -> Iterator[tuple[str, Item]]:
        """Every recorded item with its JSON path (for provenance views and evidence links)."""
        if self.persona is not None:
            yield "persona", self.persona
        for i, ev in enumerate(self.evidence):
            yield f"evidence[{i}]", ev
        for si, st in enumerate(self.stages):
            base = f"stages[{si}]"
            yield base, st
            for lane in ("touchpoints", "actions", "thoughts", "expectations", "pain_points",
                         "positives", "metrics"):
                for i, item in enumerate(getattr(st, lane)):
                    yield f"{base}.{lane}[{i}]", item
        for lane in ("moments_of_truth", "opportunities", "action_plan"):
            for i, item in enumerate(getattr(self, lane)):
                yield f"{lane}[{i}]", item

    def find(self, item_id: str) -> Item | None:
        return next((item for _, item in self.items() if item.id == item_id), None)


def json_schema() -> dict[str, object]:
    """The JSON Schema of a journey map file."""
    schema = JourneyMap.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "journeybot journey map"
    return schema
