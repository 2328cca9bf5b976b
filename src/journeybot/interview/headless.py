"""Headless interviews: the same conversation as the chat, fed from an answer file.

FILE.yaml::

    lang: fr            # optional
    title: ...          # optional
    answers:            # phase id -> the user's answers in order (a single string is one answer)
      framing: ["Nous voulons comprendre pourquoi ...", "..."]
      persona: ["..."]

For each phase in order the bot asks; the next answer of that phase is the reply; when a phase's
answers run out the user moves on (as with /next). Phases absent from the file are skipped and
reported as unmet gates. With no one to confirm, everything read from the user's own words is
accepted; whatever the model added on its own stays ``inferred``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError, field_validator

from ..domain.journey_map import JourneyMap, Label, Lang
from ..domain.map_file import control_message, is_control_error
from ..i18n import choose, colon, count, pick, typography
from ..llm.protocol import ChatModel
from ..method.model import PHASE_IDS
from ..store.sessions import SessionStore, StoredMessage
from .session import Interview, format_warning
from .types import PitfallWarning, RetrieverLike

MAX_ANSWER_FILE_BYTES = 5 * 1024 * 1024

AnswerText = Annotated[str, StringConstraints(min_length=1, max_length=1_048_576)]


class AnswerFile(BaseModel):
    """A prepared interview: answers by phase id."""

    model_config = ConfigDict(extra="forbid")

    lang: Lang | None = None
    title: Label = ""  # what a map title may hold: no control characters
    answers: dict[str, list[AnswerText]]

    @field_validator("answers", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ([v] if isinstance(v, str) else v) for k, v in value.items()}
        return value

    @field_validator("answers")
    @classmethod
    def _known_phases(cls, value: dict[str, list[str]]) -> dict[str, list[str]]:
        unknown = [k for k in value if k not in PHASE_IDS]
        if unknown:
            raise ValueError(f"unknown phase id {', '.join(map(repr, unknown))} (phases: {', '.join(PHASE_IDS)})")
        return value


class AnswerFileError(Exception):
    """An answer file that cannot be used; the message is one clear sentence per problem."""


def load_answers(path: str | Path, lang: Lang = "en") -> AnswerFile:
    p = Path(path)
    fr = lang == "fr"
    try:
        size = p.stat().st_size
        if size > MAX_ANSWER_FILE_BYTES:
            raise AnswerFileError(f"{p}: " + (f"fichier trop gros ({size} octets)" if fr else f"file too large ({size} bytes)"))
        raw = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise AnswerFileError(f"{p}: " + ("fichier introuvable" if fr else "file not found")) from None
    except UnicodeDecodeError:
        raise AnswerFileError(f"{p}: " + ("ce n'est pas du texte UTF-8" if fr else "not UTF-8 text")) from None
    except OSError as err:
        raise AnswerFileError(f"{p}: {err.strerror}") from None
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" (ligne {mark.line + 1})" if fr and mark else (f" (line {mark.line + 1})" if mark else "")
        raise AnswerFileError(f"{p}: " + ("ce n'est pas du YAML valide" if fr else "not valid YAML") + where) from None
    except RecursionError:
        raise AnswerFileError(f"{p}: " + ("YAML trop imbriqué" if fr else "YAML nested too deeply")) from None
    if not isinstance(data, dict):
        raise AnswerFileError(f"{p}: " + ("le fichier doit contenir « answers: » avec les réponses par phase"
                                          if fr else "the file must hold 'answers:' with the answers by phase"))
    try:
        return AnswerFile.model_validate(data)
    except ValidationError as err:
        lines = []
        for e in err.errors(include_url=False)[:10]:
            loc = ".".join(str(x) for x in e["loc"]) or "answers"
            msg = str(e["msg"]).removeprefix("Value error, ")
            if is_control_error(e):
                msg = control_message(lang)
            lines.append(f"{p}: {loc}: {msg}")
        raise AnswerFileError("\n".join(lines)) from None


@dataclass
class HeadlessResult:
    journey: JourneyMap
    session_id: str
    unmet: dict[str, list[str]] = field(default_factory=dict)
    """Phase id -> the conditions of its exit check the map does not meet."""
    skipped: list[str] = field(default_factory=list)
    warnings: list[PitfallWarning] = field(default_factory=list)
    """Every warning raised during the interview (once each)."""
    final_warnings: list[PitfallWarning] = field(default_factory=list)
    """The pitfalls the finished map still has."""
    turns: int = 0
    model_turns: int = 0
    rules_turns: int = 0
    seconds: list[float] = field(default_factory=list)
    prompt_tokens: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


Progress = Callable[[str], None]


def run_headless(answers: AnswerFile, store: SessionStore, *, lang: Lang, model: ChatModel | None,
                 retriever: RetrieverLike | None = None, progress: Progress | None = None,
                 resume: str | None = None) -> HeadlessResult:
    """Run the interview from the answer file; returns the map and what it still misses.

    ``resume``: a session id of an earlier run of the same file that stopped (killed, crashed): what
    it stored is kept, answers it stored but never read are read now, and the file goes on from the
    first answer it had not stored."""
    say = progress or (lambda _line: None)
    given: dict[str, int] = {}
    if resume is not None:
        interview = Interview.resume(store, resume, model=model, retriever=retriever)
        interview.answers_follow_questions = False
        for stored in interview.messages():
            if stored.role == "user" and stored.kind == "answer" and stored.phase:
                given[stored.phase] = given.get(stored.phase, 0) + 1
        for proposal in interview.pending_proposals():
            interview.accept(proposal, confirm=False)
        for pending in interview.unread_answers():
            interview.accept(interview.run_extraction(pending).proposal, confirm=False)
        done = count(sum(given.values()), lang, ("réponse déjà enregistrée", "réponses déjà enregistrées"),
                       ("answer already stored", "answers already stored"))
        say(choose(lang, f"Reprise de la session {interview.session_id} ({done})",
                   f"Resuming session {interview.session_id} ({done})"))
    else:
        interview = Interview.start(store, lang=lang, model=model, retriever=retriever, title=answers.title)
        interview.answers_follow_questions = False
        interview.opening()
    result = HeadlessResult(interview.journey, interview.session_id)
    total = sum(len(v) for v in answers.answers.values())
    for number, phase_id in enumerate(PHASE_IDS, 1):
        texts = answers.answers.get(phase_id, [])
        if not texts:
            result.skipped.append(phase_id)
            continue
        for i, text in enumerate(texts, 1):
            if i <= given.get(phase_id, 0):
                continue
            interview.enter_phase(phase_id)
            reply = interview.submit(text)
            result.turns += 1
            result.warnings += reply.warnings
            line = f"[{number}/{len(PHASE_IDS)} {phase_id}] {'réponse' if lang == 'fr' else 'answer'} {i}/{len(texts)}"
            if reply.pending is None:
                say(f"{line} ({pick(_REPLY_KINDS[reply.kind], lang)})")
                continue
            extraction = interview.run_extraction(reply.pending)
            outcome = interview.accept(extraction.proposal, confirm=False)
            result.seconds.append(extraction.seconds)
            if extraction.prompt_tokens:
                result.prompt_tokens.append(extraction.prompt_tokens)
            if extraction.source == "model":
                result.model_turns += 1
            else:
                result.rules_turns += 1
            if extraction.error:
                result.errors.append(f"{phase_id} #{i}: {extraction.error}")
            result.warnings += outcome.warnings
            read_by = choose(lang, "modèle", "model") if extraction.source == "model" else choose(lang, "règles", "rules")
            seconds = f"{extraction.seconds:.1f}".replace(".", "," if lang == "fr" else ".")
            refused = len(outcome.refused)
            say(typography(
                f"{line}{colon(lang)}"
                + count(len(outcome.applied), lang, ("changement", "changements"), ("change", "changes"))
                + f" ({read_by}, {seconds} s)"
                + (" — " + count(refused, lang, ("refusé", "refusés"), ("refused", "refused")) if refused else "")
                + f" [{result.turns}/{total}]"
                + (f" — {extraction.error}" if extraction.error else ""), lang))
    interview.finish()
    journey = interview.journey
    result.journey = journey
    result.final_warnings = interview.warnings()
    for phase, missing in interview.engine.gate_report(journey):
        if missing:
            result.unmet[phase.id] = [r.check.label(lang) for r in missing]
    return result


_REPLY_KINDS: dict[str, tuple[str, str]] = {
    "method": ("question sur la méthode", "method question"), "command": ("commande", "command"),
    "empty": ("vide", "empty"), "done": ("terminé", "done"), "answer": ("réponse", "answer"),
    "opening": ("ouverture", "opening"), "error": ("erreur", "error"),
}
"""How a progress line names a reply that needed no reading."""


def transcript_markdown(messages: list[StoredMessage], *, title: str, lang: Lang) -> str:
    """The whole conversation as Markdown (what the user typed is kept in full)."""
    fr = lang == "fr"
    head = f"# {'Entretien' if fr else 'Interview'}{' — ' + title if title else ''}\n"
    out = [head]
    for m in messages:
        who = "journeybot" if m.role == "assistant" else ("Vous" if fr else "You")
        phase = f" _({m.phase})_" if m.phase else ""
        body = m.text.replace("\n", "  \n") if m.role == "assistant" else "\n".join(
            "> " + line for line in m.text.split("\n"))
        out.append(f"**{who}**{phase}\n\n{body}\n")
    return "\n".join(out)


def summary_lines(result: HeadlessResult, lang: Lang) -> list[str]:
    fr = lang == "fr"
    lines = []
    for phase_id, missing in result.unmet.items():
        tag = (" (absente du fichier)" if fr else " (not in the file)") if phase_id in result.skipped else ""
        lines.append(choose(lang, f"Phase non terminée : {phase_id}{tag} — ", f"Phase not complete: {phase_id}{tag} — ")
                     + ", ".join(missing))
    lines += [format_warning(w, lang) for w in result.final_warnings]
    return lines
