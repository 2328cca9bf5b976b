"""The UI's Conversation over the real ``journeybot.interview.session.Interview`` and its SQLite store."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..domain.journey_map import JourneyMap
from ..i18n import colon, semicolon
from ..interview.commands import Command
from ..interview.proposal import Proposal, describe
from ..interview.session import Interview, format_warning
from ..interview.types import PendingExtraction, PitfallWarning, Reply
from ..method.catalog import phases, pitfalls
from ..method.gates import gate_met
from ..settings import Settings
from ..store.sessions import SessionStore
from .port import BotReply, Opening, ProposalLine, ProposalView, SessionInfo, WhyText
from .texts import Lang, t

HISTORY_SHOWN = 30
"""How many earlier messages a resumed session shows."""


def proposal_view(proposal: Proposal, lang: Lang, note: str = "") -> ProposalView:
    lines = []
    for change in proposal.changes:
        editable = change.editable_text()
        text = editable if editable is not None else (_values(change, lang) or describe(change, lang))
        kind = change.what(lang == "fr")  # without "(déduit)": the provenance mark says it
        lines.append(ProposalLine(change.id, kind, text, change.provenance, editable is not None))
    notes = [note] if note else []
    notes += proposal.notes
    return ProposalView(proposal, lines, " · ".join(n for n in notes if n))


def warnings_summary(warnings: Sequence[PitfallWarning], lang: Lang) -> str:
    """New pitfall warnings in the chat: one line each (the reason and source are in the Pitfalls pane
    and behind /why CODE); a single warning is shown in full."""
    if len(warnings) == 1:
        return format_warning(warnings[0], lang)
    lines = [t("warnings.new", lang, n=len(warnings))]
    lines += [f"- ⚠ {w.message} `{w.code}`" for w in warnings]
    return "\n".join(lines)


def _values(change: Any, lang: Lang) -> str:
    """The values of a framing/persona change, each under its label in the user's language."""
    from ..export.labels import t as label

    data = change.model_dump(exclude={"id", "op", "provenance", "quote"}, exclude_none=True)
    return semicolon(lang).join(label(k, lang) + colon(lang) + (", ".join(map(str, v)) if isinstance(v, list) else str(v))
                                for k, v in data.items() if v not in ("", [], None))


class InterviewConversation:
    """Adapts an Interview to what the app needs (see port.Conversation)."""

    def __init__(self, interview: Interview, store: SessionStore, *, resumed: bool) -> None:
        self.interview = interview
        self.store = store
        self.resumed = resumed

    @property
    def session_id(self) -> str:
        return self.interview.session_id

    @property
    def lang(self) -> Lang:
        return self.interview.lang

    @property
    def journey(self) -> JourneyMap:
        return self.interview.journey

    @property
    def phase_id(self) -> str:
        return self.interview.engine.state.phase or "priorities"

    def gates_met(self) -> list[str]:
        """Phases whose exit check holds, among those already worked on (before the current one, or
        answered): a check that holds on an empty map (e.g. 'no touchpoint without owner') is no news."""
        journey = self.interview.journey
        ids = [p.id for p in phases()]
        current = ids.index(self.phase_id) if self.phase_id in ids else len(ids)
        answered = set(self.interview.engine.state.answers)
        return [p.id for i, p in enumerate(phases())
                if (i < current or p.id in answered) and gate_met(p, journey)]

    def opening(self) -> Opening:
        history: list[tuple[str, str]] = []
        if self.resumed:
            past = [m for m in self.interview.messages() if m.role in ("user", "assistant")]
            history = [(m.role, m.text) for m in past[-HISTORY_SHOWN:]]
        reply = self.interview.opening()
        lang = self.lang
        proposals = [proposal_view(p, lang) for p in self.interview.pending_proposals()]
        unread = self.interview.unread_answers() if self.resumed else []
        return Opening([reply.text], history, proposals, unread)

    def _bot(self, reply: Reply) -> BotReply:
        # a pitfall the phase just left makes due comes first; the next question stays last, where one reads on
        messages = [warnings_summary(reply.warnings, self.lang)] if reply.warnings else []
        if reply.text:
            messages.append(reply.text)
        return BotReply(messages, pending=reply.pending, notice=" ".join(reply.notices) or None,
                        proposals=[proposal_view(p, self.lang) for p in reply.restored])

    def submit(self, text: str) -> BotReply:
        reply = self.interview.submit(text)
        bot = self._bot(reply)
        method = reply.method
        if reply.kind == "method" and method is not None and method.passages and self.interview.model is not None:
            # The model's short answer streams first; the passages it rests on, their sources and the
            # way back to the interview follow.
            bot.stream = self.interview.stream_method_answer(method.question or text)
        return bot

    def extract(self, pending: Any) -> ProposalView | None:
        assert isinstance(pending, PendingExtraction)
        result = self.interview.run_extraction(pending)
        if result.stale:
            return None  # the user accepted or dropped the first reading of this answer meanwhile
        if not result.proposal.changes:
            self.interview.reject(result.proposal)
        view = proposal_view(result.proposal, self.lang)
        if result.error:
            view.error = t("extraction.fallback", self.lang, reason=result.error)
        view.message = result.moved_on or ""
        return view

    def _outcome(self, proposal: Proposal, only: list[str] | None) -> BotReply:
        outcome = self.interview.accept(proposal, only)
        lang = self.lang
        messages = []
        for change_id, why in outcome.refused:
            change = proposal.change(change_id)
            what = describe(change, lang) if change else change_id
            messages.append(t("proposal.refused", lang, what=what, why=why))
        if outcome.warnings:
            messages.append(warnings_summary(outcome.warnings, lang))
        return BotReply(messages)

    def accept(self, proposal: ProposalView) -> BotReply:
        return self._outcome(proposal.handle, None)

    def reject(self, proposal: ProposalView) -> BotReply:
        self.interview.reject(proposal.handle)
        return BotReply()

    def correct(self, proposal: ProposalView, kept: dict[str, str]) -> BotReply:
        fixed = proposal.handle.corrected(kept)
        if not fixed.changes:
            self.interview.reject(proposal.handle)
            return BotReply()
        return self._outcome(fixed, [c.id for c in fixed.changes])

    def command(self, command: Command) -> BotReply:
        return self._bot(self.interview.run_command(command))

    def findings(self) -> Sequence[Any]:
        """Every finding of the map; those whose phases are still ahead come ``pending``."""
        return self.interview.findings(self.lang)

    def why(self, code: str | None) -> WhyText:
        if code and code.strip().casefold() not in pitfalls():
            raise ValueError(t("why.unknown", self.lang, code=code, codes=", ".join(pitfalls())))
        method = self.interview.why(code)
        return WhyText(method.text, "; ".join(method.citations))

    def set_model(self, model: Any) -> None:
        self.interview.model = model

    def set_retriever(self, retriever: Any) -> None:
        self.interview.retriever = retriever

    def prefetch(self) -> None:
        self.interview.prefetch_citations()

    def sessions(self) -> list[SessionInfo]:
        out = []
        for s in self.store.sessions():
            out.append(SessionInfo(s.id, s.title or "—", s.phase or "—", s.updated[:16].replace("T", " ")))
        return out

    def close(self) -> None:
        self.store.close()


def open_conversation(settings: Settings, session_id: str | None, lang: Lang,
                      store: SessionStore | None = None) -> InterviewConversation:
    """Start a new interview, or resume ``session_id`` (an id or a unique prefix of one). Served to a
    browser (``settings.participant``), only that participant's sessions can be seen or resumed, and
    /import reads only inside the workshop folder (``settings.workdir``)."""
    store = store if store is not None else SessionStore(owner=settings.participant)
    try:
        interview = Interview.resume(store, session_id) if session_id else Interview.start(store, lang=lang)
    except Exception:
        store.close()
        raise
    interview.workdir = settings.workdir
    return InterviewConversation(interview, store, resumed=bool(session_id))
