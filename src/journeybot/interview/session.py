"""The Interview: one conversation that walks the user through the method's phases and builds the map.

No Textual, no LangChain here. The TUI and the headless runner drive it the same way::

    interview = Interview.start(store, lang="fr", model=model, retriever=retriever)
    reply = interview.opening()                 # welcome + first question
    reply = interview.submit(text)              # FAST: stores the message, gives the next question
    if reply.pending:                           # SLOW part, run it in a worker thread
        result = interview.run_extraction(reply.pending)
        outcome = interview.accept(result.proposal)        # or accept(..., only=[ids]) / reject(...)
        outcome.warnings                        # NEW pitfall warnings, with reason and source

Every user message is committed to SQLite before any model is called; the map and the engine state
are saved (one transaction) after each applied change; ``Interview.resume`` continues a session
exactly where it stopped. ``submit``, ``run_extraction`` and ``accept`` may be called from different
threads: the shared state is guarded by a lock and the model call runs outside it.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..domain.journey_map import CONTROL_CLASS, JourneyMap, Lang
from ..domain.map_file import dump_map, parse_map_text
from ..llm.deadline import answer_deadline, model_deadline
from ..llm.protocol import ChatModel, ModelError
from ..method import catalog
from ..method.model import PHASE_IDS
from ..store.sessions import SessionStore, StoredMessage
from . import agent
from .commands import COMMANDS, Command, CommandError
from .engine import Engine, EngineState, Question, migrate_state
from .opening import ask_text, opening_text
from .proposal import Proposal, apply, apply_report, describe
from .summary import summarize_map
from .texts import reading_lines, say
from .types import (
    AcceptResult,
    ExtractionResult,
    MethodAnswer,
    PendingExtraction,
    PitfallWarning,
    Reply,
    RetrieverLike,
)
from .words import says_already

MAX_UNDO = 20
"""How many accepted proposals /undo can take back (in this conversation)."""
MAX_MODEL_CHARS = 4_000
"""What the model reads of one answer; a longer paste is stored in full and truncated for the model."""

_CONTROL = re.compile(rf"[{CONTROL_CLASS}\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
"""What the map refuses, plus invisible formatting (zero-width, bidi overrides) a paste may carry."""

def clean_text(text: str) -> tuple[str, bool]:
    """The text without control characters (tabs and newlines kept), and whether any were removed."""
    normalized = text.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = _CONTROL.sub("", normalized)
    return cleaned.strip(), cleaned != normalized


class Interview:
    """One interview session (see the module docstring for the calling sequence)."""

    def __init__(self, store: SessionStore, session_id: str, *, journey: JourneyMap, engine: Engine,
                 lang: Lang, model: ChatModel | None, retriever: RetrieverLike | None,
                 seen_warnings: Iterable[str] = (), title: str = ""):
        self.store = store
        self.session_id = session_id
        self.lang: Lang = lang
        self.model = model
        self.retriever = retriever
        self._citations: dict[tuple[str, str], tuple[str, ...]] = {}
        self.engine = engine
        self.title = title
        self._journey = journey
        self._seen: set[str] = set(seen_warnings)
        self._pending: dict[str, Proposal] = {}
        self._undo: list[tuple[JourneyMap, Proposal]] = []
        """The map before each proposal accepted in this conversation, for /undo (the latest last)."""
        self._view_cache: JourneyMap | None = None
        self._lock = threading.RLock()
        self.answers_follow_questions = True
        """False for headless runs: an answer is about its phase, not about the exact question shown."""
        self.prompt_tokens: list[int] = []
        """Prompt tokens of each extraction call (measured by the model when it reports usage)."""
        self.workdir: Path | None = None
        """Served mode (`journeybot serve`): /import reads only inside this folder (journeybot.workshop)."""

    # --- opening and resuming ---------------------------------------------------------------

    @classmethod
    def start(cls, store: SessionStore, *, lang: Lang = "fr", model: ChatModel | None = None,
              retriever: RetrieverLike | None = None, title: str = "",
              journey: JourneyMap | None = None) -> Interview:
        """A new session (saved at once), optionally starting from an existing map."""
        journey = journey.model_copy(update={"lang": lang}) if journey else JourneyMap(lang=lang, title=title)
        engine = Engine()
        state = {"engine": engine.state.model_dump(mode="json"), "seen_warnings": []}
        sid = store.create_session(title=title, lang=lang, state=state, map_json=dump_map(journey))
        return cls(store, sid, journey=journey, engine=engine, lang=lang, model=model,
                   retriever=retriever, title=title)

    @classmethod
    def resume(cls, store: SessionStore, session_id: str, *, model: ChatModel | None = None,
               retriever: RetrieverLike | None = None) -> Interview:
        """The session as it was saved (raises SessionNotFound, or MapFileError for a broken map)."""
        record = store.session(session_id)
        lang: Lang = "en" if record.lang == "en" else "fr"
        journey = parse_map_text(record.map_json, source=f"session {record.id}", lang=lang)
        try:
            engine_state = EngineState.model_validate(migrate_state(dict(record.state.get("engine", {}))))
        except ValidationError:
            engine_state = EngineState()
        interview = cls(store, record.id, journey=journey, engine=Engine(engine_state), lang=lang,
                        model=model, retriever=retriever,
                        seen_warnings=record.state.get("seen_warnings", []), title=record.title)
        for stored in store.proposals(record.id, "pending"):
            try:
                interview._pending[stored.id] = Proposal.model_validate_json(stored.body)
            except ValidationError:
                continue
        return interview

    # --- reading -----------------------------------------------------------------------------

    @staticmethod
    def warm_up() -> None:
        """Load the method data and compile the word lists (call it at start-up, in a worker), so the
        first answer is as fast as the others."""
        from . import rules

        catalog.phases()
        catalog.pitfalls()
        rules.warm_up()
        _lint(JourneyMap(), "fr")

    @property
    def journey(self) -> JourneyMap:
        """The current map. Read-only: the Interview never changes a map in place (every accepted
        proposal makes a new one), so this snapshot stays valid; change the map through proposals."""
        with self._lock:
            return self._journey

    @property
    def done(self) -> bool:
        return self.engine.done

    def question(self) -> Question | None:
        """The question awaiting an answer (computing it if needed); None once done."""
        with self._lock:
            before = self.engine.state.model_dump()
            q = self.engine.next_question(self._view(), self.lang)
            if self.engine.state.model_dump() != before:
                self._save_state()
            return q

    def pending_proposals(self) -> list[Proposal]:
        with self._lock:
            return list(self._pending.values())

    def messages(self) -> list[StoredMessage]:
        return self.store.messages(self.session_id)

    def unread_answers(self) -> list[PendingExtraction]:
        """Answers stored but never read into a proposal (the app stopped in between): read them
        again with ``run_extraction`` after a resume so nothing the user typed is lost."""
        read = {p.answer_seq for p in self.store.proposals(self.session_id)}
        out = []
        for m in self.messages():
            if m.role == "user" and m.kind == "answer" and m.seq not in read:
                text, truncated = self._for_model(m.text)
                out.append(PendingExtraction(m.seq, m.phase or "framing", None, text, truncated,
                                             bound=self.answers_follow_questions))
        return out

    def enter_phase(self, phase_id: str) -> Question | None:
        """Be in ``phase_id`` (the headless runner feeds each phase's answers in turn) and say its next
        question. When the phase has no question left (the user says more than was asked), the answer
        that follows is read as one about the phase, and nothing already answered is asked again."""
        with self._lock:
            before = self.engine.state.phase
            if before != phase_id:
                ids = [p.id for p in self.engine.phases]
                forward = before is not None and phase_id in ids and ids.index(phase_id) > ids.index(before)
                if (forward and before is not None and self.engine.missing(self._view(), before)
                        and before not in self.engine.state.left_unmet):
                    self.engine.state.left_unmet.append(before)
            self.engine.ensure_phase(phase_id)
            shown = self.engine.state.current
            q = self.engine.question_in_phase(self._view(), self.lang)
            self._save_state()
            if q is not None and (q.key != shown or before != phase_id):
                self.store.add_message(self.session_id, "assistant", self._ask(q, header=before != phase_id),
                                       phase=phase_id, kind="question")
            return q

    def finish(self) -> None:
        """End the interview (an answer file read to its end): record the phases left unmet, mark every
        phase done so that the map is judged whole from now on, and save."""
        with self._lock:
            for phase, missing in self.engine.gate_report(self._journey):
                if missing and phase.id not in self.engine.state.left_unmet:
                    self.engine.state.left_unmet.append(phase.id)
            self.engine.state.phase = self.engine.state.current = None  # done: every phase is behind
            self._stamp()
            self.store.save(self.session_id, state=self._state(), map_json=dump_map(self._journey))

    # --- the turn -------------------------------------------------------------------------------

    def opening(self) -> Reply:
        """The welcome (or 'resuming...') and the question to answer."""
        with self._lock:
            started = any(m.role == "user" for m in self.messages())
            q = self.engine.next_question(self._view(), self.lang)
            self._save_state()
            text = opening_text(q, self.lang, resumed=(self.title or self.session_id) if started else None)
            self.store.add_message(self.session_id, "assistant", text, phase=q.phase if q else None,
                                   kind="question")
            return Reply("opening", text, question=q)

    def submit(self, text: str) -> Reply:
        """Take what the user typed. Fast: no model call. The message is committed first."""
        cleaned, stripped = clean_text(text)
        notices = [say("stripped", self.lang)] if stripped else []
        with self._lock:
            if not cleaned:
                q = self.engine.current_question(self._view(), self.lang)
                return Reply("empty", say("empty", self.lang) + ("\n\n" + q.text if q else ""),
                             question=q, notices=notices)
            phase = self.engine.state.phase
            cleaned = COMMANDS.bare(cleaned) or cleaned
            if cleaned.startswith("/"):
                self.store.add_message(self.session_id, "user", cleaned, phase=phase, kind="command")
                reply = self._command(cleaned)
                reply.notices[:0] = notices
                self._say(reply)
                return reply
            if agent.is_method_question(cleaned, self.lang):
                self.store.add_message(self.session_id, "user", cleaned, phase=phase, kind="method")
                reply = self._detour(cleaned)
                reply.notices[:0] = notices
                self._say(reply)
                return reply
            # An answer: commit it (with the engine's move) BEFORE anything slow happens.
            view = self._view()
            asked = self.engine.current_question(view, self.lang)
            before = self.engine.state.phase
            self.engine.answered()
            state = self._state()
            seq = self.store.add_message(self.session_id, "user", cleaned, phase=phase, kind="answer")
            self.store.save(self.session_id, state=state)
            model_text, truncated = self._for_model(cleaned)
            if truncated:
                notices.append(say("truncated", self.lang, size=f"{len(cleaned):,}".replace(",", " "),
                                   kept=f"{MAX_MODEL_CHARS:,}".replace(",", " ")))
            earlier = self._earlier(seq, phase) if says_already(cleaned) else ()
            if earlier:
                model_text = "\n".join(earlier)[-MAX_MODEL_CHARS:]
            pending = PendingExtraction(seq, phase or "priorities", asked, model_text, truncated,
                                        bound=self.answers_follow_questions, earlier=earlier)
            # The rules read the answer at once (milliseconds): the next question is chosen knowing what it
            # says, and the model's reading later replaces this first one.
            draft = agent.read_rules(pending, view, self.lang, earlier).proposal
            draft.answer_seq = seq
            pending = replace(pending, draft=draft.id)
            self._pending[draft.id] = draft
            self._view_cache = None
            self.store.add_proposal(self.session_id, draft.id, phase=draft.phase, answer_seq=seq,
                                    body=draft.model_dump_json())
            q = self.engine.next_question(self._view(), self.lang)
            self._save_state()
            changed = self.engine.state.phase != before
            lines = []
            if changed and before is not None:
                missing = self.engine.missing(self._view(), before)
                if missing and before in self.engine.state.left_unmet:
                    lines.append(self._unmet_line(before))
            lines.append(self._ask(q, header=changed))
            reply = Reply("answer" if q else "done", "\n\n".join(lines), question=q, pending=pending,
                          notices=notices, phase_changed=changed, warnings=self._phase_warnings(changed))
            self._say(reply)
            return reply

    def run_extraction(self, pending: PendingExtraction) -> ExtractionResult:
        """Read one answer into a proposal: the model labels its parts (retry once, rules fallback).
        Slow; thread-safe. The proposal replaces the rules' first reading of the answer, pending; accept
        or reject it next. When it answers the question being asked, the interview moves on
        (``moved_on``)."""
        with self._lock:
            draft = self._pending.get(pending.draft) if pending.draft else None
            if pending.draft and draft is None:
                # accepted or dropped before the model came: nothing left to read
                stale = next((p for p in self.store.proposals(self.session_id) if p.id == pending.draft), None)
                body = Proposal.model_validate_json(stale.body) if stale else Proposal(phase=pending.phase)
                return ExtractionResult(body, "rules", stale=True)
            view = self._view(without=pending.draft)
            model = self.model
        start = time.perf_counter()
        if model is None and draft is not None:
            result = ExtractionResult(draft, "rules")
        else:
            with answer_deadline(model_deadline(model)):  # one deadline for the answer's one or two calls
                result = agent.extract(model, pending, view, self.lang, pending.earlier)
        result.seconds = time.perf_counter() - start
        if result.prompt_tokens:
            self.prompt_tokens.append(result.prompt_tokens)
        if pending.draft:
            result.proposal.id = pending.draft
            if draft is not None and result.proposal is not draft:
                result.proposal.keep_ids_of(draft)
        result.proposal.answer_seq = pending.seq
        with self._lock:
            if pending.draft and pending.draft not in self._pending:
                result.stale = True
                return result
            self._pending[result.proposal.id] = result.proposal
            self._view_cache = None
            self.store.add_proposal(self.session_id, result.proposal.id, phase=result.proposal.phase,
                                    answer_seq=pending.seq, body=result.proposal.model_dump_json())
            if self.answers_follow_questions:
                result.moved_on = self._retire_answered()
        return result

    def _retire_answered(self) -> str | None:
        """When the map with the waiting proposals now holds what the question being asked asks for,
        move on and say the next question (None when there is nothing to say)."""
        current = self.engine.state.current
        view = self._view()
        if current is None or not self.engine.held(current, view):
            return None
        before = self.engine.state.phase
        self.engine.skip()
        q = self.engine.next_question(view, self.lang)
        self._save_state()
        text = say("moved_on", self.lang) + "\n\n" + self._ask(q, header=self.engine.state.phase != before)
        self.store.add_message(self.session_id, "assistant", text, phase=self.engine.state.phase, kind="question")
        return text

    def _view(self, without: str | None = None) -> JourneyMap:
        """The map as the user has said it so far: the accepted map with the proposals still waiting for
        the user applied (what the engine asks, and what a new answer is read against)."""
        if without is None and self._view_cache is not None:
            return self._view_cache
        view = self._journey
        for pid, proposal in self._pending.items():
            if pid != without:
                view = apply(view, proposal, confirm=False)
        if without is None:
            self._view_cache = view
        return view

    def _earlier(self, seq: int, phase: str | None) -> tuple[str, ...]:
        """The user's earlier answers, this phase's first, for an answer that points back at them."""
        answers = [m for m in self.messages() if m.role == "user" and m.kind == "answer" and m.seq < seq]
        same = [m.text for m in answers if m.phase == phase]
        others = [m.text for m in answers if m.phase != phase]
        return tuple((others + same)[-6:])

    def accept(self, proposal: Proposal, only: Iterable[str] | None = None, *, confirm: bool = True) -> AcceptResult:
        """Apply the proposal (or only the changes whose ids are given) and save the map.

        ``confirm``: the user confirmed it, so ``inferred`` items become the team's. The headless
        runner passes False: what the model added on its own stays ``inferred``."""
        with self._lock:
            done = apply_report(self._journey, proposal, only, confirm=confirm)
            if not any(p.id == proposal.id for p in self.store.proposals(self.session_id)):
                self.store.add_proposal(self.session_id, proposal.id, phase=proposal.phase,
                                        answer_seq=proposal.answer_seq, body=proposal.model_dump_json())
            previous = self._journey
            self._journey = done.journey
            self._pending.pop(proposal.id, None)
            self._view_cache = None
            warnings = self._new_warnings()
            try:
                # the map, the engine state and the proposal's status in ONE transaction
                self.store.save(self.session_id, state=self._state(), map_json=dump_map(self._journey),
                                proposals=[(proposal.id, "accepted")])
            except BaseException:
                self._journey = previous
                self._pending[proposal.id] = proposal
                self._view_cache = None
                raise
            self._pending.pop(proposal.id, None)
            self._undo = [*self._undo[-(MAX_UNDO - 1):], (previous, proposal)]
            if warnings:  # kept in the conversation (transcripts, resumed sessions)
                self.store.add_message(self.session_id, "assistant",
                                       "\n".join(format_warning(w, self.lang) for w in warnings),
                                       phase=self.engine.state.phase, kind="warning")
            return AcceptResult(self._journey, done.applied, done.refused, warnings)

    def reject(self, proposal: Proposal) -> None:
        """Drop a proposal; the answer it was read from stays stored."""
        with self._lock:
            self._pending.pop(proposal.id, None)
            self._view_cache = None
            self.store.add_proposal(self.session_id, proposal.id, phase=proposal.phase,
                                    answer_seq=proposal.answer_seq, body=proposal.model_dump_json(),
                                    status="rejected")

    def stream_method_answer(self, question: str) -> Iterator[str]:
        """A short answer to a method question grounded in the retrieved passages, streamed by the
        model when there is one (the citations are in ``MethodAnswer.citations``)."""
        passages = self._search(question)
        return agent.stream_method_answer(self.model, question, passages, self.lang)

    def findings(self, lang: Lang | None = None) -> list[Any]:
        """Every lint finding of the map, those of phases still ahead marked ``pending``."""
        with self._lock:
            self._stamp()
            return list(_lint(self._journey, lang or self.lang))

    def warnings(self) -> list[PitfallWarning]:
        """Every current linter finding that is due (not only new ones)."""
        return [self._warning(f) for f in self.findings() if not f.pending]

    # --- commands (declared once, in the registry: commands.py) ------------------------------------

    def run_command(self, command: Command) -> Reply:
        """Run a parsed command (the TUI parses with the same registry); the line is saved in the
        transcript with its reply."""
        with self._lock:
            self.store.add_message(self.session_id, "user", command.line(), phase=self.engine.state.phase,
                                   kind="command")
            reply = self._command(command)
            self._say(reply)
            return reply

    def _command(self, command: Command | str) -> Reply:
        if isinstance(command, str):
            try:
                command = COMMANDS.parse(command)
            except CommandError as err:
                key = "unknown_command" if err.kind == "unknown" else "usage"
                usage = COMMANDS[err.name].usage_in(self.lang) if err.name in COMMANDS else ""
                return self._info(say(key, self.lang, cmd=err.name, usage=usage))
        handler = COMMANDS[command.name].handler
        assert handler is not None
        reply: Reply = handler(self, command)
        return reply

    def _info(self, body: str) -> Reply:
        """A command's answer, then the question the interview is on."""
        q = self.engine.current_question(self._view(), self.lang)
        return Reply("command", body + ("\n\n" + q.text if q else ""), question=q)

    def _moved(self, before: str | None, text: str = "", *, header: bool = False) -> Reply:
        """After a move between phases: what the move says, the next question, the pitfalls now due."""
        q = self.engine.next_question(self._view(), self.lang)
        self._save_state()
        changed = self.engine.state.phase != before
        lines = [t for t in (text, self._ask(q, header=changed or header)) if t]
        return Reply("command" if q else "done", "\n\n".join(lines), question=q, phase_changed=changed,
                     warnings=self._phase_warnings(changed))

    @COMMANDS.command("next", "/next", "passer à la phase suivante", "move on to the next phase",
                      aliases=("suivant", "suivante"), bare=("next", "suivant", "suivante"))
    def _cmd_next(self, command: Command) -> Reply:
        before = self.engine.state.phase
        self.engine.next(self._view())
        unmet = before is not None and before in self.engine.state.left_unmet
        return self._moved(before, self._unmet_line(before) if unmet and before else "")

    @COMMANDS.command("back", "/back", "revenir à la phase précédente", "go back to the previous phase",
                      aliases=("retour", "precedent", "précédent"), bare=("back", "retour"))
    def _cmd_back(self, command: Command) -> Reply:
        before = self.engine.state.phase
        self.engine.back(self._view())
        return self._moved(before, header=True)

    @COMMANDS.command("skip", "/skip", "sauter cette question", "skip this question",
                      aliases=("passer", "passe"), bare=("skip", "passer"))
    def _cmd_skip(self, command: Command) -> Reply:
        before = self.engine.state.phase
        self.engine.skip()
        return self._moved(before, say("skipped", self.lang))

    @COMMANDS.command("phase", "/phase ID", "aller à une phase (ex. `/phase touchpoints`)",
                      "jump to a phase (e.g. `/phase touchpoints`)", aliases=("étape", "etape"), fr_word="phase",
                      min_args=1, max_args=1, choices=lambda: PHASE_IDS)
    def _cmd_phase(self, command: Command) -> Reply:
        key = command.arg.casefold().replace(" ", "_").replace("-", "_")
        target = next((p for p in self.engine.phases if key in (p.id, p.title.fr.casefold(),
                                                                 p.title.en.casefold())), None)
        if target is None and key.isdigit() and 1 <= int(key) <= len(self.engine.phases):
            target = self.engine.phases[int(key) - 1]
        if target is None:
            return self._info(say("unknown_phase", self.lang, arg=command.arg[:40], ids=", ".join(PHASE_IDS)))
        before = self.engine.state.phase
        self.engine.jump(target.id)
        return self._moved(before, header=True)

    @COMMANDS.command("map", "/map", "afficher la carte en entier", "show the whole map", aliases=("carte",))
    def _cmd_map(self, command: Command) -> Reply:
        return self._info(summarize_map(self._journey, self.lang, detailed=True))

    @COMMANDS.command("lint", "/lint", "vérifier les pièges de la carte", "check the map for pitfalls",
                      aliases=("pièges", "pieges", "warnings"))
    def _cmd_lint(self, command: Command) -> Reply:
        findings = self.findings(self.lang)
        found = [self._warning(f) for f in findings if not f.pending]
        body = "\n".join(f"- [{w.severity}] {w.message} — {w.why} ({w.source})" for w in found) or say(
            "no_warning", self.lang)
        later = [f.code for f in findings if f.pending]
        if later:
            body += "\n" + say("not_yet", self.lang, codes=", ".join(later))
        return self._info(body)

    @COMMANDS.command("review", "/review", "relecture critique de la carte", "critical review of the map",
                      aliases=("revue", "bilan"))
    def _cmd_review(self, command: Command) -> Reply:
        return self._info(_review_text(self._journey, self.lang))

    @COMMANDS.command("why", "/why [CODE]", "pourquoi cette question (ou ce piège), avec la source",
                      "why this question (or this pitfall), with its source", aliases=("pourquoi",),
                      bare=("why", "pourquoi"), max_args=1, choices=lambda: list(catalog.pitfalls()))
    def _cmd_why(self, command: Command) -> Reply:
        q = self.engine.current_question(self._view(), self.lang)
        method = self.why(command.arg or None)
        body = method.text + ("\n" + say("sources", self.lang, sources="; ".join(method.citations))
                              if method.citations else "")
        return Reply("method", body + ("\n\n" + say("back_to", self.lang) + "\n" + q.text if q else ""),
                     question=q, method=method)

    @COMMANDS.command("accept", "/accept", "accepter la proposition (comme Ctrl+Y)",
                      "accept the proposal (like Ctrl+Y)", aliases=("ok", "accepter", "oui", "yes"), bare=("ok",))
    def _cmd_accept(self, command: Command) -> Reply:
        return self._info(self._accept_all())

    @COMMANDS.command("reject", "/reject", "écarter la proposition (comme Ctrl+D)",
                      "drop the proposal (like Ctrl+D)", aliases=("écarter", "ecarter", "rejeter", "non", "no"))
    def _cmd_reject(self, command: Command) -> Reply:
        return self._info(self._reject_all())

    @COMMANDS.command("import", "/import FILE.csv", "importer des preuves client (verbatims, avis, tickets)",
                      "import customer evidence (verbatims, reviews, tickets)", aliases=("importer",),
                      min_args=1, max_args=1)
    def _cmd_import(self, command: Command) -> Reply:
        return self._info(self._import_evidence(command.arg))

    @COMMANDS.command("lang", "/lang fr|en", "changer de langue", "change language", aliases=("langue",),
                      min_args=1, max_args=1, choices=lambda: ["fr", "en"])
    def _cmd_lang(self, command: Command) -> Reply:
        wanted = command.arg.casefold()
        if wanted not in ("fr", "en"):
            return self._info(say("lang_bad", self.lang))
        before = self.engine.state.phase
        self.lang = "en" if wanted == "en" else "fr"
        self._journey = self._journey.model_copy(update={"lang": self.lang})
        self.store.save(self.session_id, lang=self.lang, map_json=dump_map(self._journey))
        return self._moved(before, say("lang_set", self.lang), header=True)

    @COMMANDS.command("undo", "/undo", "reprendre la dernière proposition acceptée (elle attend de nouveau)",
                      "take back the last accepted proposal (it waits again)", aliases=("annuler",))
    def _cmd_undo(self, command: Command) -> Reply:
        if not self._undo:
            return self._info(say("undo_nothing", self.lang))
        before, proposal = self._undo.pop()
        self._journey = before
        self._pending[proposal.id] = proposal
        self._view_cache = None
        self.store.save(self.session_id, state=self._state(), map_json=dump_map(self._journey),
                        proposals=[(proposal.id, "pending")])
        reply = self._info(say("undone", self.lang, n=len(proposal.changes)))
        reply.restored.append(proposal)
        return reply

    @COMMANDS.command("help", "/help", "cette aide", "this help", aliases=("aide", "?"), bare=("help", "aide"))
    def _cmd_help(self, command: Command) -> Reply:
        return self._info(COMMANDS.help_line(self.lang) + " " + say("help_method", self.lang))

    def _phase_warnings(self, changed: bool) -> list[PitfallWarning]:
        """On leaving a phase, the pitfalls it makes due (internal-view once the evidence phase is behind):
        said at once, with the next question, on the map the user has accepted so far."""
        if not changed:
            return []
        warnings = self._new_warnings()
        if warnings:
            self._save_state()  # they are seen: not said again after a restart
            self.store.add_message(self.session_id, "assistant",
                                   "\n".join(format_warning(w, self.lang) for w in warnings),
                                   phase=self.engine.state.phase, kind="warning")
        return warnings

    def _import_evidence(self, arg: str) -> str:
        """``/import FILE.csv``: customer evidence (verbatims, reviews, survey answers, tickets) added to
        the map as ``customer`` items. The file's text is data: only the map's evidence grows."""
        from ..evidence import EvidenceImportError, add_evidence, read_evidence_csv
        from ..workshop import WorkshopPathError, import_path
        from .proposal import AddEvidence

        lang = self.lang
        name = arg.strip().strip("\"'")
        if not name:
            return say("import_usage", lang)
        try:
            path = import_path(name, self.workdir)
        except WorkshopPathError as err:
            return say("import_failed", lang, file=err.name, why=err.message(lang))
        try:
            result = read_evidence_csv(path)
        except EvidenceImportError as err:
            return say("import_failed", lang, file=path.name, why=err.message(lang))
        _, added, duplicates = add_evidence(self._journey, result.items)
        lines = [f"- {note}" for note in result.messages(lang)]
        if added:
            proposal = Proposal(phase="evidence", source="rules", changes=[
                AddEvidence(kind=e.kind, text=e.text, source=e.source, date=e.date, score=e.score,
                            provenance="customer") for e in added])
            outcome = self.accept(proposal)
            lines.append(say("imported", lang, n=len(outcome.applied), file=path.name))
            lines += [format_warning(w, lang) for w in outcome.warnings]
        if duplicates:
            lines.append(say("import_duplicates", lang, n=duplicates))
        if not added and not duplicates:
            lines.append(say("import_nothing", lang, file=path.name))
        return "\n".join(lines)

    def _accept_all(self) -> str:
        pending = list(self._pending.values())
        if not pending:
            return say("no_pending", self.lang)
        lines = []
        for proposal in pending:
            outcome = self.accept(proposal)
            lines.append(say("accepted", self.lang, n=len(outcome.applied)))
            for cid, why in outcome.refused:
                change = proposal.change(cid)
                lines.append(say("refused", self.lang, what=describe(change, self.lang) if change else cid, why=why))
            lines += [format_warning(w, self.lang) for w in outcome.warnings]
        return "\n".join(lines)

    def _reject_all(self) -> str:
        pending = list(self._pending.values())
        if not pending:
            return say("no_pending", self.lang)
        for proposal in pending:
            self.reject(proposal)
        return say("rejected", self.lang)

    # --- method questions --------------------------------------------------------------------

    def _search(self, query: str, *, phase: str | None = None, pitfall: str | None = None,
                k: int = 3) -> list[Any]:
        if self.retriever is None:
            return []
        try:
            found = list(self.retriever.search(query, lang=self.lang, phase=phase, pitfall=pitfall, k=k))
            if not found and phase is not None:
                found = list(self.retriever.search(query, lang=self.lang, k=k))
            return found
        except Exception:  # the knowledge index is an optional helper: never break the interview
            return []

    def _detour(self, question: str) -> Reply:
        passages = self._search(question)
        method = agent.method_answer(question, passages, self.lang, phase=self.engine.phase)
        q = self.engine.current_question(self._view(), self.lang) or self.engine.next_question(
            self._journey, self.lang)
        back = ("\n\n" + say("back_to", self.lang) + "\n" + q.text) if q else ""
        body = method.text
        if method.citations:
            body += "\n" + say("sources", self.lang, sources="; ".join(method.citations))
        return Reply("method", body + back, question=q, method=method)

    def _last_reading(self) -> Proposal | None:
        """The proposal read from the user's latest answer (waiting, accepted or dropped)."""
        stored = [p for p in self.store.proposals(self.session_id) if p.answer_seq is not None]
        if not stored:
            return None
        latest = max(stored, key=lambda p: p.answer_seq or 0)
        try:
            return Proposal.model_validate_json(latest.body)
        except ValidationError:
            return None

    def why(self, code: str | None = None) -> MethodAnswer:
        """Why the current question is asked (and how the latest answer was read), or, with a pitfall
        code, the method's reason behind that warning; with the method's passages and sources. Nothing is
        written to the transcript: the chat's /why and the TUI's why page both show this."""
        with self._lock:
            if code:
                return self._why_pitfall(code)
            return self._why(self.engine.current_question(self._view(), self.lang))

    def _why_pitfall(self, code: str) -> MethodAnswer:
        """The method's reason behind a warning: '/why no-numbers' (or '/pourquoi online-only')."""
        pitfall = catalog.pitfalls().get(code.strip().casefold())
        if pitfall is None:
            known = ", ".join(catalog.pitfalls())
            text = (f"Piège inconnu « {code[:40]} ». Codes : {known}." if self.lang == "fr"
                    else f"Unknown pitfall '{code[:40]}'. Codes: {known}.")
            return MethodAnswer(code, text, ())
        passages = self._search(pitfall.title(self.lang), pitfall=pitfall.code, k=2)
        fix = "Que faire" if self.lang == "fr" else "What to do"
        text = f"**{pitfall.title(self.lang)}** — {pitfall.why(self.lang)}\n{fix} : {pitfall.fix(self.lang)}" \
            if self.lang == "fr" else f"**{pitfall.title(self.lang)}** — {pitfall.why(self.lang)}\n{fix}: {pitfall.fix(self.lang)}"
        if passages:
            text += "\n\n" + "\n\n".join(f"> {agent.excerpt(p.text)}" for p in passages)
        return MethodAnswer(code, text, (pitfall.source, *(p.citation(self.lang) for p in passages)), tuple(passages))

    def _why(self, q: Question | None) -> MethodAnswer:
        phase = self.engine.phase
        if phase is None:
            return MethodAnswer("", say("done", self.lang), ())
        passages = self._search(q.text if q else phase.goal(self.lang), phase=phase.id, k=2)
        text = say("why_phase", self.lang, why=phase.why(self.lang))
        last = self._last_reading()
        if last is not None:
            lines = reading_lines(last.log, self.lang) or [say("reading.none", self.lang)]
            text += "\n\n" + say("reading_head", self.lang) + "\n" + "\n".join(f"- {line}" for line in lines)
        citations = [*phase.sources]
        if passages:
            text += "\n\n" + "\n\n".join(f"> {agent.excerpt(p.text)}" for p in passages)
            citations += [p.citation(self.lang) for p in passages]
        return MethodAnswer(q.text if q else "", text, tuple(citations), tuple(passages))

    # --- helpers -----------------------------------------------------------------------------

    def _ask(self, q: Question | None, *, header: bool) -> str:
        return ask_text(q, self.lang, header=header)

    def _unmet_line(self, phase_id: str) -> str:
        phase = next(p for p in self.engine.phases if p.id == phase_id)
        missing = ", ".join(r.check.label(self.lang) for r in self.engine.missing(self._view(), phase_id))
        return say("unmet", self.lang, title=phase.title(self.lang), missing=missing, id=phase_id)

    def _say(self, reply: Reply) -> None:
        body = "\n".join([*reply.notices, reply.text]) if reply.notices else reply.text
        self.store.add_message(self.session_id, "assistant", body, phase=self.engine.state.phase,
                               kind=reply.kind)

    def _state(self) -> dict[str, Any]:
        return {"engine": self.engine.state.model_dump(mode="json"), "seen_warnings": sorted(self._seen)}

    def _save_state(self) -> None:
        if self._stamp():
            self.store.save(self.session_id, state=self._state(), map_json=dump_map(self._journey))
        else:
            self.store.save(self.session_id, state=self._state())

    @staticmethod
    def _for_model(text: str) -> tuple[str, bool]:
        if len(text) <= MAX_MODEL_CHARS:
            return text, False
        return text[:MAX_MODEL_CHARS], True

    def _stamp(self) -> bool:
        """Write the phases gone through into the map (``phases_done``), so that lint of the map,
        here or once exported, knows which pitfalls can be judged yet. True when it changed."""
        passed = self.engine.phases_passed()
        if self._journey.phases_done == passed:
            return False
        self._journey = self._journey.model_copy(update={"phases_done": passed})
        self._view_cache = None
        return True

    def _new_warnings(self) -> list[PitfallWarning]:
        """The findings not raised yet whose phases the interview has gone through (no 'no action
        plan' warning while the user is still framing), and that the readings still waiting for the user
        would not clear (no 'no evidence' while the evidence the user just gave is being read)."""
        self._stamp()
        found = [f for f in _lint(self._journey, self.lang) if f.code not in self._seen and not f.pending]
        if found and self._pending:
            still = {f.code for f in _lint(self._view(), self.lang)}
            found = [f for f in found if f.code in still]
        out = []
        for finding in found:
            self._seen.add(finding.code)
            out.append(self._warning(finding))
        return out

    def prefetch_citations(self) -> None:
        """Look up, once, the method passage cited with each pitfall's warning, in both languages, without
        holding the interview's lock: the TUI runs this off the UI thread when the index is ready, so that
        accepting a proposal never waits for the index (embedding, Chroma, BM25) on a new warning."""
        retriever = self.retriever
        if retriever is None:
            return
        for pitfall in catalog.pitfalls().values():
            for lang in ("fr", "en"):
                if (pitfall.code, lang) in self._citations:
                    continue
                try:
                    found = list(retriever.search(f"{pitfall.title(lang)} {pitfall.why(lang)}", lang=lang,
                                                  pitfall=pitfall.code, k=1))
                except Exception:  # the index is a helper: the catalogue's source is enough
                    found = []
                self._citations[(pitfall.code, lang)] = tuple(p.citation(lang) for p in found)

    def _cited(self, finding: Any) -> tuple[str, ...]:
        """The method passage cited with a warning: prefetched, else looked up now (headless runs)."""
        key = (finding.code, self.lang)
        if key not in self._citations:
            if self.retriever is None:
                return ()
            found = self._search(f"{finding.title} {finding.why}", pitfall=finding.code, k=1)
            self._citations[key] = tuple(p.citation(self.lang) for p in found)
        return self._citations[key]

    def _warning(self, finding: Any) -> PitfallWarning:
        citations = [finding.source] if finding.source else []
        citations += self._cited(finding)
        return PitfallWarning(code=finding.code, severity=finding.severity, message=finding.message,
                              why=finding.why, source=finding.source, items=tuple(finding.items),
                              citations=tuple(citations))


def format_warning(w: PitfallWarning, lang: Lang) -> str:
    """One warning as text: what is wrong, why (the method's reason), and where the method says so."""
    why = "Pourquoi" if lang == "fr" else "Why"
    return f"⚠ {w.message}\n  {why} : {w.why}\n  ({'; '.join(w.citations) or w.source})" if lang == "fr" else (
        f"⚠ {w.message}\n  {why}: {w.why}\n  ({'; '.join(w.citations) or w.source})")


def _lint(journey: JourneyMap, lang: Lang) -> Sequence[Any]:
    from ..lint import lint

    return lint(journey, lang)


def _review_text(journey: JourneyMap, lang: Lang) -> str:
    from ..export.to_markdown import priorities_markdown
    from ..lint import render_review_text, review

    return render_review_text(review(journey, lang), lang) + "\n\n" + "\n".join(priorities_markdown(journey, lang))


__all__ = [
    "AcceptResult", "ExtractionResult", "Interview", "MethodAnswer", "ModelError", "PendingExtraction",
    "PitfallWarning", "Question", "Reply", "clean_text", "format_warning",
]
