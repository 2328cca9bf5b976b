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
from .engine import Engine, EngineState, Question
from .opening import ask_text, opening_text
from .proposal import Proposal, apply_report, describe
from .summary import summarize_map
from .texts import say
from .types import (
    AcceptResult,
    ExtractionResult,
    MethodAnswer,
    PendingExtraction,
    PitfallWarning,
    Reply,
    RetrieverLike,
)

MAX_MODEL_CHARS = 4_000
"""What the model reads of one answer; a longer paste is stored in full and truncated for the model."""

_CONTROL = re.compile(rf"[{CONTROL_CLASS}\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
"""What the map refuses, plus invisible formatting (zero-width, bidi overrides) a paste may carry."""

_COMMANDS: dict[str, str] = {
    "next": "next", "suivant": "next", "suivante": "next",
    "back": "back", "retour": "back", "precedent": "back", "précédent": "back",
    "skip": "skip", "passer": "skip", "passe": "skip",
    "phase": "phase", "etape": "phase",
    "map": "map", "carte": "map",
    "lint": "lint", "pieges": "lint", "pièges": "lint", "warnings": "lint",
    "review": "review", "revue": "review", "bilan": "review",
    "why": "why", "pourquoi": "why",
    "lang": "lang", "langue": "lang",
    "help": "help", "aide": "help", "?": "help",
    "import": "import", "importer": "import",
    "ok": "accept", "accept": "accept", "accepter": "accept", "oui": "accept", "yes": "accept",
    "no": "reject", "non": "reject", "reject": "reject", "rejeter": "reject",
}


_BARE_COMMANDS = frozenset({"next", "suivant", "suivante", "skip", "passer", "back", "retour", "help", "aide",
                            "ok", "why", "pourquoi"})
"""Words that are a command even without the slash when they are the whole message."""


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
        self.engine = engine
        self.title = title
        self._journey = journey
        self._seen: set[str] = set(seen_warnings)
        self._pending: dict[str, Proposal] = {}
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
            engine_state = EngineState.model_validate(record.state.get("engine", {}))
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
            q = self.engine.next_question(self._journey, self.lang)
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
        """Be in ``phase_id`` (the headless runner feeds each phase's answers in turn). When the
        interview is elsewhere it moves there and says the phase's question, as after /phase."""
        with self._lock:
            if self.engine.state.phase == phase_id:
                q = self.engine.next_question(self._journey, self.lang)
                if self.engine.state.phase == phase_id:
                    return q
                # The phase ran out of questions (a session resumed between an answer and the next
                # question): go back to it as below, or the answer would be stored in the next phase.
            before = self.engine.state.phase
            ids = [p.id for p in self.engine.phases]
            forward = before is not None and phase_id in ids and ids.index(phase_id) > ids.index(before)
            if (forward and before is not None and self.engine.missing(self._journey, before)
                    and before not in self.engine.state.left_unmet):
                self.engine.state.left_unmet.append(before)
            self.engine.jump(phase_id)
            q = self.engine.next_question(self._journey, self.lang)
            self._save_state()
            self.store.add_message(self.session_id, "assistant", self._ask(q, header=True),
                                   phase=self.engine.state.phase, kind="question")
            return q

    def finish(self) -> None:
        """Record where the interview stopped (phases left unmet) and save."""
        with self._lock:
            for phase, missing in self.engine.gate_report(self._journey):
                if missing and phase.id not in self.engine.state.left_unmet:
                    self.engine.state.left_unmet.append(phase.id)
            self.store.save(self.session_id, state=self._state(), map_json=dump_map(self._journey))

    # --- the turn -------------------------------------------------------------------------------

    def opening(self) -> Reply:
        """The welcome (or 'resuming...') and the question to answer."""
        with self._lock:
            started = any(m.role == "user" for m in self.messages())
            q = self.engine.next_question(self._journey, self.lang)
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
                q = self.engine.current_question(self._journey, self.lang)
                return Reply("empty", say("empty", self.lang) + ("\n\n" + q.text if q else ""),
                             question=q, notices=notices)
            phase = self.engine.state.phase
            if cleaned.casefold().rstrip(" .!?") in _BARE_COMMANDS:
                cleaned = "/" + cleaned.casefold().rstrip(" .!?")
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
            asked = self.engine.current_question(self._journey, self.lang)
            before = self.engine.state.phase
            self.engine.answered()
            state = self._state()
            seq = self.store.add_message(self.session_id, "user", cleaned, phase=phase, kind="answer")
            self.store.save(self.session_id, state=state)
            model_text, truncated = self._for_model(cleaned)
            if truncated:
                notices.append(say("truncated", self.lang, size=f"{len(cleaned):,}".replace(",", " "),
                                   kept=f"{MAX_MODEL_CHARS:,}".replace(",", " ")))
            pending = PendingExtraction(seq, phase or "priorities", asked, model_text, truncated,
                                        bound=self.answers_follow_questions)
            q = self.engine.next_question(self._journey, self.lang)
            self._save_state()
            changed = self.engine.state.phase != before
            lines = []
            if changed and before is not None:
                missing = self.engine.missing(self._journey, before)
                if missing and before in self.engine.state.left_unmet:
                    lines.append(self._unmet_line(before))
            lines.append(self._ask(q, header=changed))
            reply = Reply("answer" if q else "done", "\n\n".join(lines), question=q, pending=pending,
                          notices=notices, phase_changed=changed)
            self._say(reply)
            return reply

    def run_extraction(self, pending: PendingExtraction) -> ExtractionResult:
        """Read one answer into a proposal (model, retry once, rules fallback). Slow; thread-safe.
        The proposal is stored as pending; accept or reject it next."""
        with self._lock:
            journey = self._journey  # maps are never changed in place: accept() swaps in a new one
        start = time.perf_counter()
        with answer_deadline(model_deadline(self.model)):  # one deadline for the answer's one or two calls
            result = agent.extract(self.model, pending, journey, self.lang)
        result.seconds = time.perf_counter() - start
        if result.prompt_tokens:
            self.prompt_tokens.append(result.prompt_tokens)
        result.proposal.answer_seq = pending.seq
        with self._lock:
            self._pending[result.proposal.id] = result.proposal
            self.store.add_proposal(self.session_id, result.proposal.id, phase=result.proposal.phase,
                                    answer_seq=pending.seq, body=result.proposal.model_dump_json())
        return result

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
            warnings = self._new_warnings()
            try:
                # the map, the engine state and the proposal's status in ONE transaction
                self.store.save(self.session_id, state=self._state(), map_json=dump_map(self._journey),
                                proposals=[(proposal.id, "accepted")])
            except BaseException:
                self._journey = previous
                raise
            self._pending.pop(proposal.id, None)
            if warnings:  # kept in the conversation (transcripts, resumed sessions)
                self.store.add_message(self.session_id, "assistant",
                                       "\n".join(format_warning(w, self.lang) for w in warnings),
                                       phase=self.engine.state.phase, kind="warning")
            return AcceptResult(self._journey, done.applied, done.refused, warnings)

    def reject(self, proposal: Proposal) -> None:
        """Drop a proposal; the answer it was read from stays stored."""
        with self._lock:
            self._pending.pop(proposal.id, None)
            self.store.add_proposal(self.session_id, proposal.id, phase=proposal.phase,
                                    answer_seq=proposal.answer_seq, body=proposal.model_dump_json(),
                                    status="rejected")

    def stream_method_answer(self, question: str) -> Iterator[str]:
        """A short answer to a method question grounded in the retrieved passages, streamed by the
        model when there is one (the citations are in ``MethodAnswer.citations``)."""
        passages = self._search(question)
        return agent.stream_method_answer(self.model, question, passages, self.lang)

    def warnings(self) -> list[PitfallWarning]:
        """Every current linter finding (not only new ones)."""
        with self._lock:
            return [self._warning(f) for f in _lint(self._journey, self.lang)]

    # --- commands ---------------------------------------------------------------------------

    def _command(self, raw: str) -> Reply:
        parts = raw[1:].strip().split(maxsplit=1)
        word = parts[0].casefold() if parts else ""
        arg = parts[1].strip() if len(parts) > 1 else ""
        name = _COMMANDS.get(word)
        lang = self.lang
        if name is None:
            return Reply("command", say("unknown_command", lang, cmd=raw[:40]),
                         question=self.engine.current_question(self._journey, lang))
        before = self.engine.state.phase
        text = ""
        if name == "next":
            self.engine.next(self._journey)
            if before is not None and before in self.engine.state.left_unmet:
                text = self._unmet_line(before)
        elif name == "back":
            self.engine.back(self._journey)
        elif name == "skip":
            self.engine.skip()
            text = say("skipped", lang)
        elif name == "phase":
            key = arg.casefold().replace(" ", "_").replace("-", "_")
            target = next((p for p in self.engine.phases if key in (p.id, p.title.fr.casefold(),
                                                                     p.title.en.casefold())), None)
            if target is None and key.isdigit() and 1 <= int(key) <= len(self.engine.phases):
                target = self.engine.phases[int(key) - 1]
            if target is None:
                return Reply("command", say("unknown_phase", lang, arg=arg[:40], ids=", ".join(PHASE_IDS)),
                             question=self.engine.current_question(self._journey, lang))
            self.engine.jump(target.id)
        elif name == "lang":
            if arg.casefold() not in ("fr", "en"):
                return Reply("command", say("lang_bad", lang),
                             question=self.engine.current_question(self._journey, lang))
            self.lang = "en" if arg.casefold() == "en" else "fr"
            self._journey = self._journey.model_copy(update={"lang": self.lang})
            self.store.save(self.session_id, lang=self.lang, map_json=dump_map(self._journey))
            text = say("lang_set", self.lang)
            lang = self.lang
        elif name == "import":
            q = self.engine.current_question(self._journey, lang)
            body = self._import_evidence(arg)
            return Reply("command", body + ("\n\n" + q.text if q else ""), question=q)
        elif name in ("map", "lint", "review", "help", "why", "accept", "reject"):
            q = self.engine.current_question(self._journey, lang)
            if name == "map":
                body = summarize_map(self._journey, lang, detailed=True)
            elif name == "lint":
                found = [self._warning(f) for f in _lint(self._journey, lang)]
                body = "\n".join(f"- [{w.severity}] {w.message} — {w.why} ({w.source})" for w in found) or say(
                    "no_warning", lang)
            elif name == "review":
                body = _review_text(self._journey, lang)
            elif name == "why":
                method = self._why_pitfall(arg) if arg else self._why(q)
                body = method.text + ("\n" + say("sources", lang, sources="; ".join(method.citations))
                                      if method.citations else "")
                return Reply("method", body + ("\n\n" + say("back_to", lang) + "\n" + q.text if q else ""),
                             question=q, method=method)
            elif name == "accept":
                body = self._accept_all()
            elif name == "reject":
                body = self._reject_all()
            else:
                body = say("help", lang, ids=", ".join(PHASE_IDS))
            return Reply("command", body + ("\n\n" + q.text if q else ""), question=q)
        q = self.engine.next_question(self._journey, lang)
        self._save_state()
        changed = self.engine.state.phase != before
        lines = [t for t in (text, self._ask(q, header=changed or name in ("phase", "back", "lang"))) if t]
        return Reply("command" if q else "done", "\n\n".join(lines), question=q, phase_changed=changed)

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
        q = self.engine.current_question(self._journey, self.lang) or self.engine.next_question(
            self._journey, self.lang)
        back = ("\n\n" + say("back_to", self.lang) + "\n" + q.text) if q else ""
        body = method.text
        if method.citations:
            body += "\n" + say("sources", self.lang, sources="; ".join(method.citations))
        return Reply("method", body + back, question=q, method=method)

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
        missing = ", ".join(r.check.label(self.lang) for r in self.engine.missing(self._journey, phase_id))
        return say("unmet", self.lang, title=phase.title(self.lang), missing=missing, id=phase_id)

    def _say(self, reply: Reply) -> None:
        body = "\n".join([*reply.notices, reply.text]) if reply.notices else reply.text
        self.store.add_message(self.session_id, "assistant", body, phase=self.engine.state.phase,
                               kind=reply.kind)

    def _state(self) -> dict[str, Any]:
        return {"engine": self.engine.state.model_dump(mode="json"), "seen_warnings": sorted(self._seen)}

    def _save_state(self) -> None:
        self.store.save(self.session_id, state=self._state())

    @staticmethod
    def _for_model(text: str) -> tuple[str, bool]:
        if len(text) <= MAX_MODEL_CHARS:
            return text, False
        return text[:MAX_MODEL_CHARS], True

    def is_due(self, code: str) -> bool:
        """A pitfall is worth raising once the interview has gone past one of its phases (no
        'no action plan' warning while the user is still framing)."""
        if self.engine.done:
            return True
        pitfall = catalog.pitfalls().get(code)
        if pitfall is None:
            return True
        ids = [p.id for p in self.engine.phases]
        here = ids.index(self.engine.state.phase) if self.engine.state.phase in ids else len(ids)
        passed = set(ids[:here]) | set(self.engine.state.left_unmet)
        return any(p in passed for p in pitfall.phases)

    def _new_warnings(self) -> list[PitfallWarning]:
        out = []
        for finding in _lint(self._journey, self.lang):
            if finding.code in self._seen or not self.is_due(finding.code):
                continue
            self._seen.add(finding.code)
            out.append(self._warning(finding))
        return out

    def _warning(self, finding: Any) -> PitfallWarning:
        citations = [finding.source] if finding.source else []
        for p in self._search(f"{finding.title} {finding.why}", pitfall=finding.code, k=1):
            citations.append(p.citation(self.lang))
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
