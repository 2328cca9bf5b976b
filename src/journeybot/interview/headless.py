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

An answer file holds answers only. It is refused (exit 2, one sentence per problem, before anything
runs) when an answer would be taken as a chat command (``/import …``, a lone ``next`` or ``ok``):
commands never run from a file; when a key appears twice (two ``framing:`` lists: one would be lost);
and when it uses YAML aliases (``*name``), which can turn a small file into a huge one.
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
from ..errors import BadInput
from ..i18n import choose, colon, count, pick, typography
from ..llm.protocol import ChatModel
from ..method.model import PHASE_IDS
from ..store.sessions import SessionStore, StoredMessage
from .commands import COMMANDS
from .session import Interview, clean_text, format_warning
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


class AnswerFileError(BadInput):
    """An answer file that cannot be used; the message is one clear sentence per problem."""


class _Refused(yaml.YAMLError):
    """YAML the answer-file reader does not accept (an alias, a key given twice)."""

    def __init__(self, kind: str, mark: Any, key: str = "") -> None:
        super().__init__(kind)
        self.kind = kind
        self.line = mark.line + 1 if mark is not None else 0
        self.key = key


class _AnswerLoader(yaml.SafeLoader):
    """yaml.safe_load, minus what an answer file never needs and a hostile one abuses: aliases (a few
    lines that expand to megabytes) and keys given twice (PyYAML keeps the last one silently)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise _Refused("alias", self.peek_event().start_mark)  # type: ignore[no-untyped-call]
        return super().compose_node(parent, index)

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise _Refused("duplicate", key_node.start_mark, str(key))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_REFUSED = {
    "alias": ("ligne {line} : les alias YAML (*nom) ne sont pas acceptés dans un fichier de réponses ; "
              "écrivez chaque réponse en entier",
              "line {line}: YAML aliases (*name) are not accepted in an answer file; write each answer out"),
    "duplicate": ("ligne {line} : la clé « {key} » apparaît deux fois (la première serait perdue) ; "
                  "regroupez ses réponses sous une seule clé",
                  "line {line}: the key '{key}' appears twice (the first one would be lost); put its answers "
                  "under one key"),
    "command": ("answers.{phase}[{n}] : « {text} » serait lu comme la commande /{word} ; un fichier de "
                "réponses ne lance aucune commande : reformulez la réponse (sans « / » au début)",
                "answers.{phase}[{n}]: '{text}' would be read as the command /{word}; an answer file runs no "
                "command: reword the answer (without a leading '/')"),
}


def _refusal(kind: str, fr: bool, **values: object) -> str:
    text_fr, text_en = _REFUSED[kind]
    return (text_fr if fr else text_en).format(**values)


def _command_in(text: str) -> str | None:
    """The chat command an answer would run if typed in the chat (None for a plain answer)."""
    cleaned, _ = clean_text(text)
    if cleaned.startswith("/"):
        return (cleaned[1:].split() or [""])[0][:30]
    return cleaned.casefold().rstrip(" .!?") if COMMANDS.bare(cleaned) else None


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
        data = yaml.load(raw, Loader=_AnswerLoader)  # a SafeLoader, stricter still
    except _Refused as err:
        raise AnswerFileError(f"{p}: " + _refusal(err.kind, fr, line=err.line, key=err.key[:60])) from None
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
        answer_file = AnswerFile.model_validate(data)
    except ValidationError as err:
        lines = []
        for e in err.errors(include_url=False)[:10]:
            loc = ".".join(str(x) for x in e["loc"]) or "answers"
            msg = str(e["msg"]).removeprefix("Value error, ")
            if is_control_error(e):
                msg = control_message(lang)
            lines.append(f"{p}: {loc}: {msg}")
        raise AnswerFileError("\n".join(lines)) from None
    commands = [_refusal("command", fr, phase=phase, n=n, text=" ".join(text.split())[:60], word=word)
                for phase, texts in answer_file.answers.items() for n, text in enumerate(texts)
                if (word := _command_in(text)) is not None]
    if commands:
        raise AnswerFileError("\n".join(f"{p}: {line}" for line in commands[:10]))
    return answer_file


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
