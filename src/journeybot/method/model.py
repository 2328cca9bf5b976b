"""Typed views of the method data files (prompts/method/*.yaml)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..i18n import Lang

PhaseId = Literal[
    "framing", "persona", "evidence", "stages", "touchpoints", "experience",
    "pain_points", "moments_of_truth", "metrics", "owners", "priorities",
]
PHASE_IDS: tuple[PhaseId, ...] = (
    "framing", "persona", "evidence", "stages", "touchpoints", "experience",
    "pain_points", "moments_of_truth", "metrics", "owners", "priorities",
)

Severity = Literal["error", "warning", "info"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Localized(Strict):
    """The same text in French and English (both first-class)."""

    fr: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def __call__(self, lang: Lang) -> str:
        return self.fr if lang == "fr" else self.en


class QuestionSpec(Localized):
    """One question of a phase, with a stable id (``framing.bounds``): what it asks for and when the
    interviewer skips it. The engine state, the readers and the model prompt use the id, never a
    position in the list."""

    id: str = Field(pattern=r"^[a-z][a-z_]*$")
    fills: list[str] = Field(default_factory=list,
                             description="what an answer to it gives: reading keys of the phase")
    skip_when: list[str] = Field(
        default_factory=list,
        description="counters (method.gates selectors and the engine's own) that must all be non-zero, in "
                    "the map or in proposals waiting for the user, for the question to be skipped; empty: "
                    "always asked (a follow-up: while the phase's exit check is unmet)")
    ask_when: list[str] = Field(
        default_factory=list,
        description="counters that must all be non-zero in the map for the question to be asked at all "
                    "(persona.pick: only when the persona mixes several groups); empty: no condition")


class GateCheck(Strict):
    """One condition of a phase's exit check: ``selector`` counts something in the map."""

    selector: str
    min: int = 1
    max: int | None = None
    label: Localized


class Phase(Strict):
    id: PhaseId
    title: Localized
    goal: Localized
    why: Localized = Field(description="why this step matters, for coaches and curious users")
    questions: list[QuestionSpec] = Field(min_length=1)
    follow_ups: list[QuestionSpec] = Field(default_factory=list)
    records: list[str] = Field(min_length=1, description="map fields this phase fills")
    gate: list[GateCheck] = Field(min_length=1)
    sources: list[str] = Field(min_length=1)

    def question(self, question_id: str) -> QuestionSpec | None:
        """The question or follow-up with this id (``bounds`` or ``framing.bounds``)."""
        key = question_id.removeprefix(f"{self.id}.")
        return next((q for q in (*self.questions, *self.follow_ups) if q.id == key), None)


class Pitfall(Strict):
    code: str = Field(pattern=r"^[a-z][a-z-]+$")
    severity: Severity
    title: Localized
    why: Localized = Field(description="the method's reason this is a problem")
    fix: Localized = Field(description="what to do about it")
    source: str = Field(description="seed file and section, or named practitioner source")
    phases: list[PhaseId] = Field(min_length=1)
