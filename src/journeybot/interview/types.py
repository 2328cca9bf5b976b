"""Plain result types of the interview (what the TUI and the headless runner read). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from ..domain.journey_map import JourneyMap
from .engine import Question
from .proposal import Proposal

ReplyKind = Literal["opening", "answer", "method", "command", "empty", "done", "error"]


@runtime_checkable
class PassageLike(Protocol):
    """What the interview reads from a retrieved method passage (journeybot.knowledge's Passage)."""

    @property
    def doc_id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def section(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def score(self) -> float: ...

    def citation(self, lang: str) -> str: ...


@runtime_checkable
class RetrieverLike(Protocol):
    """The knowledge seam (journeybot.knowledge.retriever.Retriever); tests inject a fake."""

    def search(self, query: str, *, lang: str | None = None, phase: str | None = None,
               pitfall: str | None = None, k: int = 4) -> Sequence[PassageLike]: ...


@dataclass(frozen=True)
class PitfallWarning:
    """A NEW linter finding, shown once, with the method's reason and its source."""

    code: str
    severity: str
    message: str
    why: str
    source: str
    items: tuple[str, ...] = ()
    citations: tuple[str, ...] = ()


@dataclass(frozen=True)
class MethodAnswer:
    """The answer to a question about the method, grounded in retrieved passages."""

    question: str
    text: str
    citations: tuple[str, ...]
    passages: tuple[PassageLike, ...] = ()
    streamed: bool = False


@dataclass(frozen=True)
class PendingExtraction:
    """An answer waiting to be read by the model (``Interview.run_extraction``, slow, in a worker)."""

    seq: int
    phase: str
    question: Question | None
    text: str
    """What the model sees (truncated for a huge paste; the stored message keeps everything)."""
    truncated: bool = False
    bound: bool = True
    """True when the answer replies to ``question`` itself (the chat); False when it is one of the
    phase's answers given in advance (headless): then only the phase and the question's stage count."""
    draft: str | None = None
    """The id of the rules' reading of this answer, waiting for the user (the model's reading replaces it)."""
    earlier: tuple[str, ...] = ()
    """The user's earlier answers when this one points back at them ("je l'ai déjà dit")."""


@dataclass
class Reply:
    """What the bot says at once after the user pressed Enter."""

    kind: ReplyKind
    text: str
    question: Question | None = None
    pending: PendingExtraction | None = None
    method: MethodAnswer | None = None
    notices: list[str] = field(default_factory=list)
    phase_changed: bool = False
    warnings: list[PitfallWarning] = field(default_factory=list)
    restored: list[Any] = field(default_factory=list)
    """Proposals waiting again (after /undo), for the screen to show."""


@dataclass
class ExtractionResult:
    """The proposal read from one answer, and how it was read."""

    proposal: Proposal
    source: Literal["model", "rules"]
    attempts: int = 0
    error: str | None = None
    """Why the model's reading was not used (shown to the user, one sentence), if it was not."""
    prompt_tokens: int = 0
    seconds: float = 0.0
    stale: bool = False
    """True when the user accepted or dropped the first reading of this answer before this one came:
    the proposal is not pending (nothing to show)."""
    moved_on: str | None = None
    """What to say when this reading answered the question being asked (the next question)."""


@dataclass
class AcceptResult:
    """The map after accepting (part of) a proposal, what was refused, and the new warnings."""

    journey: JourneyMap
    applied: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[PitfallWarning] = field(default_factory=list)
