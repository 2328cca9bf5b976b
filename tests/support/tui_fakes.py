"""A small in-memory Conversation for the TUI's widget tests (the flow tests use the real Interview)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from journeybot.domain.journey_map import JourneyMap, Stage, Touchpoint
from journeybot.interview.commands import Command
from journeybot.settings import Settings
from journeybot.tui.port import BotReply, Opening, ProposalLine, ProposalView, SessionInfo, WhyText
from journeybot.tui.texts import Lang

PHASES = ("framing", "persona", "evidence", "stages", "touchpoints", "experience",
          "pain_points", "moments_of_truth", "metrics", "owners", "priorities")


class FakeConversation:
    """Answers each message with the next canned question and proposes one stage per answer."""

    def __init__(self, session_id: str = "s1", lang: Lang = "en", *, fail_submit: bool = False,
                 fail_extract: Exception | None = None, stream: list[str] | None = None,
                 journey: JourneyMap | None = None, findings: Sequence[Any] = (),
                 later_codes: Sequence[str] = ()) -> None:
        self._id = session_id
        self._lang: Lang = lang
        self._journey = journey or JourneyMap(title="t", lang=lang, created="2026-01-01")  # type: ignore[arg-type]
        self._findings = list(findings)
        self.later_codes = set(later_codes)
        self.phase = 0
        self.answers: list[str] = []
        self.fail_submit = fail_submit
        self.fail_extract = fail_extract
        self.stream = stream
        self.model: Any = None
        self.closed = False
        self.commands: list[tuple[str, tuple[str, ...]]] = []

    @property
    def session_id(self) -> str:
        return self._id

    @property
    def lang(self) -> Lang:
        return self._lang

    @property
    def journey(self) -> JourneyMap:
        return self._journey

    @property
    def phase_id(self) -> str:
        return PHASES[self.phase]

    def gates_met(self) -> list[str]:
        return list(PHASES[: self.phase])

    def opening(self) -> Opening:
        return Opening([f"Hello. Question 1 of {self.phase_id}?"])

    def submit(self, text: str) -> BotReply:
        if self.fail_submit:
            raise RuntimeError("the database is locked")
        self.answers.append(text)
        stream: Iterator[str] | None = iter(self.stream) if self.stream else None
        return BotReply([f"Question {len(self.answers) + 1}?"], stream=stream, pending=text)

    def extract(self, pending: Any) -> ProposalView | None:
        if self.fail_extract is not None:
            raise self.fail_extract
        return ProposalView(pending, [ProposalLine("c1", f"stage {str(pending).strip()[:40]!r}", str(pending).strip()[:40], "inferred")])

    def accept(self, proposal: ProposalView) -> BotReply:
        return self.correct(proposal, {line.key: line.text for line in proposal.lines})

    def reject(self, proposal: ProposalView) -> BotReply:
        return BotReply()

    def correct(self, proposal: ProposalView, kept: dict[str, str]) -> BotReply:
        for text in kept.values():
            self._journey.stages.append(Stage(name=text, touchpoints=[
                Touchpoint(name="Shop", channel="store", online=False, provenance="customer")]))
        return BotReply()

    def command(self, command: Command) -> BotReply:
        name, args = command.name, command.args
        self.commands.append((name, tuple(args)))
        if name == "next":
            self.phase = min(self.phase + 1, len(PHASES) - 1)
        elif name == "back":
            self.phase = max(self.phase - 1, 0)
        elif name == "lang":
            self._lang = "fr" if args[0] == "fr" else "en"
        elif name == "phase":
            self.phase = PHASES.index(args[0])
        return BotReply([f"Now in {self.phase_id}."])

    def findings(self) -> Sequence[Any]:
        """The findings as lint returns them on a map in progress: those of later phases pending."""
        return [f.model_copy(update={"pending": f.code in self.later_codes}) for f in self._findings]

    def why(self, code: str | None) -> WhyText:
        return WhyText(f"Because of {code or 'the phase'}.", "000 Different Factory")

    def set_model(self, model: Any) -> None:
        self.model = model

    def set_retriever(self, retriever: Any) -> None:
        pass

    def prefetch(self) -> None:
        pass

    def sessions(self) -> list[SessionInfo]:
        return [SessionInfo("s1", "first", "framing", "2026-01-01 10:00"),
                SessionInfo("s2", "second", "stages", "2026-01-02 10:00")]

    def close(self) -> None:
        self.closed = True


def fake_factory(**kwargs: Any) -> Any:
    made: list[FakeConversation] = []

    def factory(settings: Settings, session_id: str | None, lang: Lang) -> FakeConversation:
        conv = FakeConversation(session_id or "s1", lang, **kwargs)
        made.append(conv)
        return conv

    factory.made = made  # type: ignore[attr-defined]
    return factory
