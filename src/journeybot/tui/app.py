"""The journeybot terminal app: chat, live map, phase bar, warnings, slash commands.

The first question comes from the phase engine (no model needed), so the screen is usable at once;
the chat model and the method index load in a worker thread (LangChain/Chroma are imported there,
never at module load). Run it with ``journeybot`` or ``python -m journeybot.tui.app``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Header, Static
from textual.worker import get_current_worker

from .. import paths
from ..errors import readable
from ..i18n import percent
from ..settings import Settings, SettingsError, load_settings
from .chat_pane import ChatPane, StatusLine
from .commands import UI, VIEWS, Command, CommandError, is_command, parse, registry, shows
from .map_pane import MapPane
from .phase_bar import PhaseBar, phase_rows
from .port import BotReply, Conversation, ProposalView
from .prompt_box import PromptBox
from .screens import EditableItem, ProposalScreen, SessionRow, SessionsScreen, TextScreen
from .texts import Lang, help_markdown, t
from .warnings_pane import WarningsPane

if TYPE_CHECKING:
    import argparse

    from .chat_message import ChatMessage

log = logging.getLogger("journeybot.tui")

_STAGES: list[tuple[str, float]] = [("app module imported", time.time())]
"""Start-up milestones, written to the READY file for bench/bench_ui.py."""


def milestone(name: str) -> None:
    _STAGES.append((name, time.time()))

Progress = Callable[[str, float], None]
"""progress(stage, fraction) of the model loading (journeybot.llm.weights.Progress)."""
IndexProgress = Callable[[int, int, str], None]
"""progress(done, total, what) of the index loading (journeybot.knowledge.index.Progress)."""
ModelFactory = Callable[[Settings, Progress], Any]
RetrieverFactory = Callable[[Settings, IndexProgress], Any]
ConversationFactory = Callable[[Settings, "str | None", Lang], Conversation]

READY_FILE_ENV = "JOURNEYBOT_TUI_READY_FILE"
"""If set, the app writes time.time() to this file once the first question is on screen (bench)."""
EXIT_WHEN_READY_ENV = "JOURNEYBOT_TUI_EXIT_WHEN_READY"
"""With READY_FILE_ENV: exit right after (profiling the start-up)."""


def default_first_screen(lang: Lang) -> str:
    from ..interview.opening import first_screen

    return first_screen(lang)


def default_conversation(settings: Settings, session_id: str | None, lang: Lang) -> Conversation:
    from .interview_adapter import open_conversation

    return open_conversation(settings, session_id, lang)


def default_model_factory(settings: Settings, progress: Progress) -> Any:
    from ..llm.factory import make_chat_model  # heavy: LangChain/openai load here, in the worker

    return make_chat_model(settings, progress)


def default_retriever_factory(settings: Settings, progress: IndexProgress) -> Any:
    from ..knowledge.retriever import open_retriever  # heavy: Chroma loads here, in the worker

    return open_retriever(settings, progress)


def log_file() -> Path:
    return paths.data_dir() / "logs" / "tui.log"


def _setup_logging() -> None:
    """Log to paths.data_dir()/logs/tui.log (re-pointed when JOURNEYBOT_HOME changes, as in tests)."""
    path = log_file()
    for handler in list(log.handlers):
        if isinstance(handler, logging.FileHandler):
            if Path(handler.baseFilename) == path:
                return
            log.removeHandler(handler)
            handler.close()
    paths.private_file(path)  # the log may quote what went wrong with an answer: owner only
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


class ModelLoading(Message):
    """Progress of a background load: ``what`` is "model" or "index", ``stage`` the step's label in the
    user's language."""

    def __init__(self, what: str, stage: str, fraction: float) -> None:
        super().__init__()
        self.what, self.stage, self.fraction = what, stage, fraction


class ModelReady(Message):
    def __init__(self, model: Any, gen: int = 0) -> None:
        super().__init__()
        self.model = model
        self.gen = gen


class ModelFailed(Message):
    def __init__(self, error: BaseException, gen: int = 0) -> None:
        super().__init__()
        self.error = error
        self.gen = gen


class ExtractionDone(Message):
    pass


class StreamChunk(Message):
    def __init__(self, message: ChatMessage, chunk: str, error: str = "") -> None:
        super().__init__()
        self.message, self.chunk, self.error = message, chunk, error


class IndexReady(Message):
    def __init__(self, retriever: Any) -> None:
        super().__init__()
        self.retriever = retriever


class IndexFailed(Message):
    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class ProposalReady(Message):
    def __init__(self, proposal: ProposalView | None) -> None:
        super().__init__()
        self.proposal = proposal


class ExtractionFailed(Message):
    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error


class _KeepText(Exception):
    """A command refused with its own message already shown: keep the text in the box."""


def _export_formats() -> list[str]:
    from ..export import FORMATS

    return list(FORMATS)


def _model_names() -> list[str]:
    from typing import get_args

    from ..settings import Backend

    return list(get_args(Backend))


class JourneyApp(App[None]):
    TITLE = "journeybot"
    CSS = """
    #main { height: 1fr; }
    #chat-column { width: 3fr; }
    #side { width: 2fr; min-width: 36; }
    #keys { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+y", "accept_proposal", show=False, priority=True),
        Binding("f2", "edit_proposal", show=False, priority=True),
        Binding("ctrl+d", "reject_proposal", show=False, priority=True),
        Binding("f1", "help", show=False),
        Binding("ctrl+q", "quit", show=False, priority=True),
    ]

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        session_id: str | None = None,
        lang: Lang | None = None,
        conversation_factory: ConversationFactory | None = None,
        model_factory: ModelFactory | None = None,
        retriever_factory: RetrieverFactory | None = None,
        load_backends: bool = True,
        first_screen: Callable[[Lang], str] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings if settings is not None else load_settings()
        self.lang: Lang = lang or self.settings.lang
        self.session_id = session_id
        self.conversation_factory = conversation_factory or default_conversation
        self.first_screen = first_screen or (default_first_screen if conversation_factory is None else None)
        """What a new interview opens with, painted before the session opens (None: wait for it)."""
        self.model_factory = model_factory or default_model_factory
        self.retriever_factory = retriever_factory or default_retriever_factory
        self.load_backends = load_backends
        self.conversation: Conversation | None = None
        self.proposals: list[ProposalView] = []
        self.model_name: str = self.settings.backend
        self.model_state = "loading"  # loading | ready | none | failed
        self._pending: deque[Any] = deque()
        self._reading = 0
        self._model_settled = threading.Event()
        self._extracting = False
        self._ready_written = False
        self._threads: list[threading.Thread] = []
        self._painted = False
        self._model_gen = 0
        self.title = t("title", self.lang)

    # --- layout -----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False, icon="◆")
        yield PhaseBar(id="phases")
        with Horizontal(id="main"):
            with Vertical(id="chat-column"):
                yield ChatPane(id="chat")
                yield StatusLine("", id="status")
                yield PromptBox(placeholder=t("input.placeholder", self.lang), id="prompt")
            with Vertical(id="side"):
                yield MapPane(id="map-pane")
                yield WarningsPane(id="warnings")
        yield Static(t("keys", self.lang), id="keys")

    @property
    def chat(self) -> ChatPane:
        return self.query_one(ChatPane)

    @property
    def prompt(self) -> PromptBox:
        return self.query_one(PromptBox)

    def on_mount(self) -> None:
        milestone("mounted")
        _setup_logging()
        if self.is_headless:  # tests and snapshots: no blinking cursor, deterministic frames
            self.prompt.cursor_blink = False
        self.prompt.focus()
        painted = self._paint_first_screen()
        self._set_status(t("model.loading", self.lang), "busy")
        # The session opens, and heavy work (model, index, lint) starts, once the first question is on
        # screen: the threads share the GIL with the UI and would otherwise delay the first paint.
        self.call_after_refresh(self._after_first_paint, painted)

    def _paint_first_screen(self) -> bool:
        """A new interview's first question, from the method data alone, so that it is on screen
        before the session, the readers and the Markdown widget are loaded (the session then opens
        with the same words: tests/test_interview_session.py). A resumed session waits for its own."""
        if self.session_id is not None or self.first_screen is None:
            return False
        try:
            text = self.first_screen(self.lang)
            self.query_one(PhaseBar).show(phase_rows(self.lang), "framing", [])
        except Exception:  # method data unreadable: the session's opening will say what it can
            log.exception("first screen")
            return False
        self.chat.add_plain(text, "bot")
        return True

    def _after_first_paint(self, question_painted: bool) -> None:
        self._painted = True
        if question_painted:
            self._mark_ready()
        self._open(self.session_id)
        milestone("session opened")
        if not question_painted:
            self.call_after_refresh(self._mark_ready)
        self._refresh_findings()
        if self.load_backends:
            self._load_model()
        else:
            self._model_settled.set()
            self.model_state = "none"
            self._set_status(t("model.none", self.lang), "")

    def _mark_ready(self) -> None:
        target = os.environ.get(READY_FILE_ENV)
        if target and not self._ready_written:
            self._ready_written = True
            milestone("first question painted")
            Path(target).write_text("".join(f"{at:.6f} {name}\n" for name, at in _STAGES), encoding="utf-8")
            if os.environ.get(EXIT_WHEN_READY_ENV):
                self.exit()

    # --- conversation -------------------------------------------------------------------

    def _open(self, session_id: str | None, notes: Sequence[str] = ()) -> None:
        try:
            conversation = self.conversation_factory(self.settings, session_id, self.lang)
        except Exception as err:  # a broken database, an unknown session id...
            log.warning("could not open session %s: %s", session_id, readable(err, "en"))
            message = t("error.open", self.lang, reason=readable(err, self.lang))
            if session_id is not None and self.conversation is None:
                self._open(None, [message])  # start a fresh interview rather than an empty screen
            else:
                self.chat.add(message, "error")
            return
        if self.conversation is not None:
            self.conversation.close()
        self.conversation = conversation
        self.session_id = conversation.session_id
        self.lang = conversation.lang
        self.proposals.clear()
        self.chat.remove_children()
        for note in notes:
            self.chat.add(note, "error")
        opening = conversation.opening()
        for role, text in opening.history:
            if role == "user":
                self.chat.add_user(text, self.lang)
            else:
                self.chat.add(text, "bot" if role == "assistant" else role)
        for text in opening.messages:
            self.chat.add(text, "bot")
        self.proposals.extend(opening.proposals)
        for pending in opening.unread:
            self._queue_extraction(pending)
        if self.model_state == "ready" and self._model is not None:
            conversation.set_model(self._model)
        if self._retriever is not None:
            conversation.set_retriever(self._retriever)
            self._background(conversation.prefetch)
        self.refresh_views()

    _model: Any = None
    _retriever: Any = None

    def refresh_views(self) -> None:
        """Map, phase bar, warnings and proposals after every turn."""
        conv = self.conversation
        if conv is None:
            return
        lang = self.lang
        self.title = t("title", lang)
        self.query_one(MapPane).show_map(conv.journey, lang)
        self.query_one(MapPane).show_proposals(self.proposals, self._reading, lang)
        try:
            self.query_one(PhaseBar).show(phase_rows(lang), conv.phase_id, conv.gates_met())
        except Exception:  # method data unreadable: keep the rest of the screen working
            log.exception("phase bar")
        self._refresh_findings()
        self.prompt.placeholder = t("input.placeholder", lang)
        self.query_one("#keys", Static).update(t("keys", lang))

    def _show_reply(self, reply: BotReply) -> None:
        if reply.stream is not None:
            message = self.chat.add("", "bot")
            self._stream_into(message, reply.stream)
        for text in reply.messages:
            self.chat.add(text, "bot")
        if reply.notice:
            self.notify(reply.notice, timeout=4)
        if reply.pending is not None:
            self._queue_extraction(reply.pending)
        self.proposals[0:0] = reply.proposals
        self.refresh_views()

    def on_prompt_box_submitted(self, event: PromptBox.Submitted) -> None:
        """The box was emptied when Enter was pressed (so what is typed next is never mixed with
        this message); whenever the message cannot be taken, it goes back into the box."""
        text = event.text
        if not text.strip():
            self.notify(t("error.empty", self.lang), severity="warning", timeout=3)
            event.box.restore(text)
            return
        if is_command(text):
            if self._run_command(text.strip()):
                event.box.remember(text.strip())
            else:
                event.box.restore(text)
            return
        conv = self.conversation
        if conv is None:
            self.notify(t("error.not_ready", self.lang), severity="warning")
            event.box.restore(text)
            return
        try:
            reply = conv.submit(text)
        except Exception as err:  # the text goes back into the box
            log.exception("submit failed")
            self.notify(t("error.send", self.lang, reason=readable(err, self.lang)), severity="error", timeout=8)
            event.box.restore(text)
            return
        event.box.remember(text)
        self.chat.add_user(text, self.lang)
        self._show_reply(reply)

    # --- background threads: model + index loading, extraction, streaming, lint --------------
    # Plain daemon threads (not Textual thread workers): quitting never waits for a model or an index
    # that is still loading. They talk to the UI only through post_message (thread-safe).

    def _background(self, target: Callable[..., None], *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True, name=f"journeybot-{target.__name__}")
        self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()

    async def wait_for_background(self, timeout: float = 30.0) -> None:
        """Until every background thread has finished (tests and benches)."""
        deadline = time.monotonic() + timeout
        while any(t.is_alive() for t in self._threads) and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        await self.workers.wait_for_complete()

    def _load_model(self) -> None:
        self._model_gen += 1
        self._model_settled.clear()
        self._background(self._load_model_thread, self._model_gen, self.settings)

    def _load_model_thread(self, gen: int, settings: Settings) -> None:
        from ..llm.weights import stage_label

        def progress(stage: str, fraction: float) -> None:
            self.post_message(ModelLoading("model", stage_label(stage, self.lang), fraction))

        try:
            model = self.model_factory(settings, progress)
        except Exception as err:
            log.warning("model failed to load: %s: %s", type(err).__name__, readable(err, "en"))
            self.post_message(ModelFailed(err, gen))
        else:
            self.post_message(ModelReady(model, gen))
        if self._retriever is None:
            self._load_index(settings)

    def _load_index(self, settings: Settings) -> None:
        from ..knowledge.index import step_label

        def progress(done: int, total: int, what: str) -> None:
            self.post_message(ModelLoading("index", step_label(what, total, self.lang), done / total if total else 0.0))

        try:
            retriever = self.retriever_factory(settings, progress)
        except Exception as err:
            log.warning("index failed to load: %s: %s", type(err).__name__, readable(err, "en"))
            self.post_message(IndexFailed(err))
        else:
            self.post_message(IndexReady(retriever))

    def on_model_loading(self, event: ModelLoading) -> None:
        key = "model.loading" if event.what == "model" else "index.loading"
        pct = f" — {event.stage} {percent(event.fraction, self.lang)}" if event.stage else ""
        self._set_status(t(key, self.lang) + pct, "busy")

    def on_model_ready(self, event: ModelReady) -> None:
        if event.gen != self._model_gen:  # a newer /model replaced this one
            return
        self._model = event.model
        if event.model is None:
            self.model_state = "none"
            self._set_status(t("model.none", self.lang), "")
        else:
            self.model_state = "ready"
            self.model_name = str(getattr(event.model, "name", self.settings.backend))
            self._set_status(t("model.ready", self.lang, name=self.model_name), "")
        if self.conversation is not None:
            self.conversation.set_model(event.model)
        self._model_settled.set()

    def on_model_failed(self, event: ModelFailed) -> None:
        if event.gen != self._model_gen:
            return
        self._model = None
        self.model_state = "failed"
        reason = readable(event.error, self.lang)
        self._set_status(t("model.failed", self.lang, reason=reason), "failed")
        self.chat.add(t("model.failed", self.lang, reason=reason) + "\n\n" + t("model.guided_fallback", self.lang),
                      "error")
        if self.conversation is not None:
            self.conversation.set_model(None)
        self._model_settled.set()

    def on_index_ready(self, event: IndexReady) -> None:
        self._retriever = event.retriever
        if self.conversation is not None:
            self.conversation.set_retriever(event.retriever)
            self._background(self.conversation.prefetch)  # the warnings' citations, off the UI thread
        if self.model_state == "ready":
            self._set_status(t("model.ready", self.lang, name=self.model_name), "")
        elif self.model_state == "none":
            self._set_status(t("model.none", self.lang), "")

    def on_index_failed(self, event: IndexFailed) -> None:
        self.notify(t("index.failed", self.lang, reason=readable(event.error, self.lang)),
                    severity="warning", timeout=6)
        if self.model_state == "ready":
            self._set_status(t("model.ready", self.lang, name=self.model_name), "")

    def _set_status(self, text: str, state: str) -> None:
        status = self.query_one(StatusLine)
        status.update(text)
        status.set_class(state == "busy", "busy")
        status.set_class(state == "failed", "failed")

    def _queue_extraction(self, pending: Any) -> None:
        self._pending.append(pending)
        self._reading += 1
        if not self._extracting:
            self._extracting = True
            self._background(self._extract_all)

    def _extract_all(self) -> None:
        self._model_settled.wait(timeout=600)
        while True:
            try:
                pending = self._pending.popleft()
            except IndexError:
                break
            conv = self.conversation
            try:
                view = conv.extract(pending) if conv is not None else None
            except Exception as err:
                log.warning("extraction failed: %s: %s", type(err).__name__, readable(err, "en"))
                self.post_message(ExtractionFailed(err))
            else:
                self.post_message(ProposalReady(view))
        self.post_message(ExtractionDone())

    def on_extraction_done(self, event: ExtractionDone) -> None:
        self._extracting = False
        if self._pending:
            self._extracting = True
            self._background(self._extract_all)

    def on_proposal_ready(self, event: ProposalReady) -> None:
        self._reading = max(0, self._reading - 1)
        if event.proposal is not None and event.proposal.error:
            self.chat.add(event.proposal.error, "error")
        if event.proposal is not None and event.proposal.message:
            self.chat.add(event.proposal.message, "bot")
        if event.proposal is not None and event.proposal.lines:
            self.proposals.append(event.proposal)
        elif event.proposal is not None:
            self.notify(t("proposal.none", self.lang), timeout=3)
        self.refresh_views()

    def on_extraction_failed(self, event: ExtractionFailed) -> None:
        self._reading = max(0, self._reading - 1)
        self.chat.add(readable(event.error, self.lang), "error")
        self.refresh_views()

    def _stream_into(self, message: ChatMessage, chunks: Iterator[str]) -> None:
        self._background(self._stream_thread, message, chunks)

    def _stream_thread(self, message: ChatMessage, chunks: Iterator[str]) -> None:
        try:
            for chunk in chunks:
                self.post_message(StreamChunk(message, chunk))
        except Exception as err:
            log.warning("stream failed: %s: %s", type(err).__name__, readable(err, "en"))
            self.post_message(StreamChunk(message, "", error=readable(err, self.lang)))

    async def on_stream_chunk(self, event: StreamChunk) -> None:
        if event.error:
            self.chat.add(event.error, "error")
            return
        event.message.text += event.chunk
        await event.message.append(event.chunk)

    def _refresh_findings(self) -> None:
        """Lint off the UI thread (a big map takes a while), in an exclusive Textual worker: a newer map
        cancels the older run, whose result is then not shown."""
        conv = self.conversation
        if conv is None or not self._painted:
            return
        lang = self.lang

        def work() -> None:
            try:
                findings = list(conv.findings())
            except Exception:
                log.exception("lint")
                findings = []
            if not get_current_worker().is_cancelled:
                self.call_from_thread(self._show_findings, findings, lang)

        self.run_worker(work, thread=True, group="lint", exclusive=True, exit_on_error=False, name="lint")

    def _show_findings(self, findings: list[Any], lang: Lang) -> None:
        due = [f for f in findings if not f.pending]
        self.query_one(WarningsPane).show(due, lang, later=len(findings) - len(due))

    # --- proposals ------------------------------------------------------------------------

    def action_accept_proposal(self) -> None:
        self._decide("accept", "proposal.accepted")

    def action_reject_proposal(self) -> None:
        self._decide("reject", "proposal.rejected")

    def _decide(self, how: str, said: str, kept: dict[str, str] | None = None,
                proposal: ProposalView | None = None) -> None:
        """Accept, drop or correct the first proposal. The proposal leaves the pane at once; the interview
        applies and saves it in a Textual thread worker (a new warning's citation is prefetched: nothing
        waits for the index), and the map and the warnings follow."""
        conv = self.conversation
        if conv is None or (proposal is None and not self.proposals):
            self.notify(t("proposal.nothing", self.lang), timeout=3)
            return
        if proposal is None:
            proposal = self.proposals.pop(0)
        elif proposal in self.proposals:
            self.proposals.remove(proposal)
        else:
            return
        self.query_one(MapPane).show_proposals(self.proposals, self._reading, self.lang)
        chosen = proposal

        def work() -> None:
            try:
                if how == "accept":
                    reply = conv.accept(chosen)
                elif how == "reject":
                    reply = conv.reject(chosen)
                else:
                    reply = conv.correct(chosen, kept or {})
            except Exception as err:
                log.exception("%s failed", how)
                self.call_from_thread(self._decision_failed, err, chosen)
            else:
                self.call_from_thread(self._decided, reply, said, len(kept or {}))

        self.run_worker(work, thread=True, group="decide", exit_on_error=False, name=f"{how} proposal")

    def _decided(self, reply: BotReply, said: str, n: int) -> None:
        self._show_reply(reply)
        self.notify(t(said, self.lang, n=n), timeout=3)

    def _decision_failed(self, error: BaseException, proposal: ProposalView) -> None:
        self.proposals.insert(0, proposal)
        self.notify(t("error.generic", self.lang, reason=readable(error, self.lang), log=log_file()),
                    severity="error", timeout=8)
        self.refresh_views()

    def action_edit_proposal(self) -> None:
        if not self.proposals or self.conversation is None:
            self.notify(t("proposal.nothing", self.lang), timeout=3)
            return
        proposal = self.proposals[0]
        items = [EditableItem(line.key, line.kind, line.text, line.editable) for line in proposal.lines]

        def done(kept: dict[str, str] | None) -> None:
            if kept is not None:
                self._decide("correct", "proposal.kept", kept, proposal)

        self.push_screen(ProposalScreen(items, self.lang), done)

    def _guarded(self, action: Callable[[], object], restore: ProposalView | None = None) -> bool:
        try:
            action()
        except _KeepText:
            return False
        except Exception as err:
            log.exception("action failed")
            if restore is not None:
                self.proposals.insert(0, restore)
            self.notify(t("error.generic", self.lang, reason=readable(err, self.lang), log=log_file()),
                        severity="error", timeout=8)
            self.refresh_views()
            return False
        return True

    # --- slash commands -------------------------------------------------------------------

    def _run_command(self, line: str) -> bool:
        """Run a slash command; False when it was refused (its text then goes back into the box)."""
        try:
            command = parse(line)
        except CommandError as err:
            key = "error.unknown_command" if err.kind == "unknown" else "error.usage"
            usage = registry()[err.name].usage_in(self.lang) if err.name in registry() else err.usage
            self.notify(t(key, self.lang, name=err.name, usage=usage), severity="warning", timeout=5)
            return False
        spec = registry()[command.name]
        if self.settings.participant is not None and not spec.served:
            from ..workshop import say

            self.chat.add(say("not_served", self.lang, command=spec.usage_in(self.lang), name=self.model_name),
                          "error")
            return False
        handler = VIEWS.get(command.name) or (spec.handler if spec.name in UI else None)
        return self._guarded(lambda: (handler or JourneyApp._cmd_interview)(self, command))

    def _cmd_interview(self, command: Command) -> None:
        """next, back, skip, phase, lint, review, import: the interview's own moves, shown in the chat."""
        if self.conversation is None:
            raise RuntimeError(t("error.no_session", self.lang))
        self.chat.add(f"`{command.line()}`", "note")
        self._show_reply(self.conversation.command(command))

    @shows("help")
    def action_help(self, command: Command | None = None) -> None:
        self.push_screen(TextScreen(t("help.title", self.lang), help_markdown(self.lang), self.lang))

    @UI.command("quit", "/quit", "quitter (la session est enregistrée)", "quit (the session is saved)",
                aliases=("quitter", "exit"))
    def _cmd_quit(self, command: Command) -> None:
        self.exit()

    @shows("why")
    def _cmd_why(self, command: Command) -> None:
        if self.conversation is None:
            raise RuntimeError(t("error.no_session", self.lang))
        why = self.conversation.why(command.arg or None)
        body = why.markdown + (f"\n\n*{t('why.source', self.lang)} : {why.source}*" if why.source else "")
        self.push_screen(TextScreen(t("why.title", self.lang), body, self.lang))

    @shows("map")
    def _cmd_map(self, command: Command) -> None:
        if self.conversation is None:
            raise RuntimeError(t("error.no_session", self.lang))
        from ..export import export_map

        text = export_map(self.conversation.journey, "md", lang=self.lang,
                          findings=list(self.conversation.findings()))
        self.push_screen(TextScreen(t("map.title", self.lang), str(text), self.lang))

    @UI.command("export", "/export FORMAT [FILE]", "exporter la carte (json, md, html, csv, mermaid…)",
                "export the map (json, md, html, csv, mermaid…)", aliases=("exporter",), min_args=1, max_args=2,
                choices=lambda: _export_formats())
    def _cmd_export(self, command: Command) -> None:
        if self.conversation is None:
            raise RuntimeError(t("error.no_session", self.lang))
        from ..workshop import shown_path
        from .exporting import export_to_file

        args = command.args
        workdir = self.settings.workdir
        try:
            path = export_to_file(self.conversation.journey, args[0], args[1] if len(args) > 1 else None,
                                  lang=self.lang, findings=list(self.conversation.findings()),
                                  session_id=self.session_id or "map", workdir=workdir)
        except Exception as err:
            log.warning("export failed: %s", readable(err, "en"))
            self.chat.add(t("export.failed", self.lang, reason=readable(err, self.lang)), "error")
            raise _KeepText from None
        self.chat.add(t("export.done", self.lang, path=shown_path(path, workdir)), "note")
        if self.settings.participant is not None:  # served: the participant's browser downloads it too
            self.deliver_binary(path, open_method="download")

    @UI.command("sessions", "/sessions", "reprendre une session passée", "resume a past session")
    def _cmd_sessions(self, command: Command) -> None:
        if self.conversation is None:
            raise RuntimeError(t("error.no_session", self.lang))
        rows = [SessionRow(s.id, s.title, s.phase, s.updated) for s in self.conversation.sessions()]

        def picked(session_id: str | None) -> None:
            if session_id and session_id != self.session_id:
                self._open(session_id)
                self.notify(t("sessions.resumed", self.lang, id=session_id), timeout=3)

        self.push_screen(SessionsScreen(rows, self.lang), picked)

    @UI.command("model", "/model [NAME]", "voir ou changer le modèle", "show or change the model",
                aliases=("modèle", "modele"), max_args=1, served=False, choices=lambda: _model_names())
    def _cmd_model(self, command: Command) -> None:
        if not command.args:
            self.chat.add(t("model.current", self.lang, name=self.model_name), "note")
            return
        wanted = command.args[0]
        flags = self.settings.model_dump(exclude_unset=True)
        flags["model"] = wanted
        self.settings = load_settings(**flags)
        self.model_name = self.settings.backend
        self.model_state = "loading"
        self.chat.add(t("model.switching", self.lang, name=wanted), "note")
        self._set_status(t("model.loading", self.lang), "busy")
        self._load_model()

    @shows("lang")
    def _cmd_lang(self, command: Command) -> None:
        lang = command.arg.lower()
        if lang not in ("fr", "en"):
            self.notify(t("error.usage", self.lang, usage=registry()["lang"].usage_in(self.lang)), severity="warning")
            raise _KeepText
        if self.conversation is not None:
            self._cmd_interview(command)
            self.lang = self.conversation.lang
        else:
            self.lang = "fr" if lang == "fr" else "en"
        self.chat.add(t("lang.set", self.lang), "note")
        self.refresh_views()

    @shows("accept")
    def _cmd_accept(self, command: Command) -> None:
        self.action_accept_proposal()

    @shows("reject")
    def _cmd_reject(self, command: Command) -> None:
        self.action_reject_proposal()

    # --- never a traceback ------------------------------------------------------------------

    def _handle_exception(self, error: Exception) -> None:
        """Last resort for a bug that escaped every handler (Textual stops the widget's message loop
        then, so the app cannot go on): log the traceback to the log file (no settings, no key), and
        exit with one plain sentence, the session id to resume, and the unsent text of the box."""
        log.error("unexpected error", exc_info=error)
        self._return_code = 1
        if self._exception is None:  # under Pilot the test sees the error
            self._exception = error
            self._exception_event.set()
        try:
            draft = self.prompt.text
        except Exception:
            draft = ""
        lines = [t("error.fatal", self.lang, reason=readable(error, self.lang), log=log_file())]
        if self.session_id:
            lines.append(t("error.resume", self.lang, id=self.session_id))
        if draft.strip():
            lines.append(t("error.draft", self.lang) + "\n" + draft)
        self.panic(Text("\n".join(lines)))

    def on_unmount(self) -> None:
        if self.conversation is not None:
            self.conversation.close()


def build_parser() -> argparse.ArgumentParser:
    import argparse
    parser = argparse.ArgumentParser(prog="journeybot-tui", description="journeybot terminal UI")
    parser.add_argument("--model", default=None)
    parser.add_argument("--model-path", default=None)
    parser.add_argument("--base-url", default=None)
    parser.add_argument("--lang", choices=["fr", "en"], default=None)
    parser.add_argument("--session", default=None)
    return parser


def launch(session: str | None = None, **flags: str | None) -> int:
    """Load settings (flags > environment > config.toml) and run the chat in this terminal; the exit
    code. Bad settings are one sentence on stderr and exit code 2, as for every command."""
    try:
        app = make_app(session, **flags)
    except SettingsError as err:
        print(str(err), file=sys.stderr)
        return 2
    app.run()
    return app.return_code or 0


def make_app(session: str | None = None, **flags: str | None) -> JourneyApp:
    """The chat app for these settings flags (model, model_path, base_url, lang; None = not given),
    read like every command's: flag > environment > config.toml. Raises SettingsError."""
    return JourneyApp(load_settings(**flags), session_id=session)


def main(argv: Sequence[str] | None = None) -> int:
    args = vars(build_parser().parse_args(argv))
    return launch(**args)


if __name__ == "__main__":
    sys.exit(main())
