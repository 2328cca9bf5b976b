"""What the terminal UI needs from an interview, in the UI's own small vocabulary.

The app talks to a ``Conversation``; ``interview_adapter.InterviewConversation`` implements it over
``journeybot.interview.session.Interview``. Tests may inject any object that has these methods.
Pure: no Textual import.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from .texts import Lang

if TYPE_CHECKING:
    from ..domain.journey_map import JourneyMap
    from ..interview.commands import Command


@dataclass
class BotReply:
    """What to show after a user action: bot messages (Markdown), an optional streamed message,
    and an optional pending extraction the app runs in a worker thread."""

    messages: list[str] = field(default_factory=list)
    stream: Iterator[str] | None = None
    pending: Any = None
    notice: str | None = None
    proposals: list[ProposalView] = field(default_factory=list)
    """Proposals to show again (waiting after /undo)."""


@dataclass(frozen=True)
class ProposalLine:
    """One proposed change as the UI shows it: ``key`` identifies it; ``text`` is editable."""

    key: str
    kind: str
    """What the change does, in one line (shown in the map pane and as the editor's checkbox)."""
    text: str
    """The value the user may correct (a name, a text, a label)."""
    provenance: str = "inferred"
    editable: bool = True


@dataclass
class ProposalView:
    handle: Any
    lines: list[ProposalLine]
    note: str = ""
    error: str = ""
    """Why the model's reading was not used (the rule-based reading was), shown once in the chat."""
    message: str = ""
    """What the interviewer says when this reading answered the question being asked (the next one)."""


@dataclass
class Opening:
    """What the app shows when a session opens: earlier messages (role, text) of a resumed session,
    the welcome and first question, proposals still waiting, and answers never read (to read now)."""

    messages: list[str]
    history: list[tuple[str, str]] = field(default_factory=list)
    proposals: list[ProposalView] = field(default_factory=list)
    unread: list[Any] = field(default_factory=list)


@dataclass(frozen=True)
class WhyText:
    markdown: str
    source: str


@dataclass(frozen=True)
class SessionInfo:
    id: str
    title: str
    phase: str
    updated: str


class Conversation(Protocol):
    @property
    def session_id(self) -> str: ...
    @property
    def lang(self) -> Lang: ...
    @property
    def journey(self) -> JourneyMap: ...
    @property
    def phase_id(self) -> str: ...

    def gates_met(self) -> list[str]: ...
    def opening(self) -> Opening: ...
    def submit(self, text: str) -> BotReply: ...
    def extract(self, pending: Any) -> ProposalView | None: ...
    def accept(self, proposal: ProposalView) -> BotReply: ...
    def reject(self, proposal: ProposalView) -> BotReply: ...
    def correct(self, proposal: ProposalView, kept: dict[str, str]) -> BotReply: ...
    def command(self, command: Command) -> BotReply: ...
    def findings(self) -> Sequence[Any]: ...
    def why(self, code: str | None) -> WhyText: ...
    def set_model(self, model: Any) -> None: ...
    def set_retriever(self, retriever: Any) -> None: ...
    def prefetch(self) -> None: ...
    def sessions(self) -> list[SessionInfo]: ...
    def close(self) -> None: ...
