"""`journeybot interview` (headless, from an answer file) and `journeybot sessions` (list / show).

The model stack is imported inside the commands, so `journeybot --help` stays fast.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from ..domain.journey_map import Lang
from ..i18n import choose, colon, count, quote, typography
from .common import LangOption, fail, out, resolve_lang, settings
from .progress import StepProgress

if TYPE_CHECKING:
    from ..llm.protocol import ChatModel
    from ..settings import Settings

ModelOption = Annotated[
    Literal["local", "local-small", "openai", "none"] | None,
    typer.Option("--model", help="Which model reads the answers: local, local-small, openai, none (rules only)."),
]


def _progress_line(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def interview(
    answers: Annotated[Path, typer.Option("--answers", help="YAML file of answers by phase id. Answers only: "
                                          "an answer that would run a chat command (/import, a lone 'next'...), "
                                          "a key given twice or YAML aliases are refused (exit 2).")],
    out_path: Annotated[Path, typer.Option("--out", help="Where to write the journey map (JSON).")],
    model: ModelOption = None,
    lang: LangOption = None,
    transcript: Annotated[Path | None, typer.Option("--transcript", help="Write the whole conversation as Markdown.")] = None,
    base_url: Annotated[str | None, typer.Option("--base-url", help="OpenAI-compatible server (vLLM, Ollama, llama.cpp).")] = None,
    model_path: Annotated[str | None, typer.Option("--model-path", metavar="FILE.gguf",
                                                   help="A GGUF model file of your own (embedded llama.cpp).")] = None,
    resume: Annotated[str | None, typer.Option("--resume", help="Continue a run of this file that stopped (session id).")] = None,
) -> None:
    """Run an interview without the UI, from prepared answers, and write the map."""
    from ..domain.map_file import save_map, write_atomic
    from ..interview.headless import (
        AnswerFileError,
        load_answers,
        run_headless,
        summary_lines,
        transcript_markdown,
    )
    from ..store.sessions import SessionStore, StoreError

    chosen = settings(model=model, model_path=model_path, lang=lang, base_url=base_url)
    msg_lang: Lang = chosen.lang
    try:
        answer_file = load_answers(answers, msg_lang)
    except AnswerFileError as err:
        fail(str(err))
    run_lang: Lang = lang or answer_file.lang or chosen.lang
    chat = _make_model(chosen, run_lang)
    try:
        store = SessionStore()
    except StoreError as err:
        fail(str(err), 1)
    from ..domain.map_file import MapFileError
    from ..store.sessions import SessionNotFound

    try:
        try:
            result = run_headless(answer_file, store, lang=run_lang, model=chat, progress=_progress_line,
                                  resume=resume)
        except MapFileError as err:
            fail(f"{err.source}{colon(run_lang)}{err}", 1)
        except SessionNotFound:
            fail(_unknown_session(resume or "", run_lang))
        try:
            save_map(result.journey, out_path, lang=run_lang)
        except MapFileError as err:
            fail(f"{err.source}: {err}", 1)
        except OSError as err:
            fail(f"{out_path}{colon(run_lang)}{err.strerror or err}", 1)
        if transcript is not None:
            text = transcript_markdown(store.messages(result.session_id), title=answer_file.title, lang=run_lang)
            try:
                write_atomic(transcript, text)
            except OSError as err:
                fail(f"{transcript}{colon(run_lang)}{err.strerror or err}", 1)
    finally:
        store.close()
    j = result.journey
    contents = (count(len(j.stages), run_lang, ("étape", "étapes"), ("stage", "stages")) + ", "
                + count(sum(1 for _ in j.touchpoints()), run_lang, ("point de contact", "points de contact"),
                        ("touchpoint", "touchpoints")))
    out(choose(run_lang, f"Carte écrite : {out_path} — {contents} ; session {result.session_id}",
               f"Map written: {out_path} — {contents}; session {result.session_id}"))
    if chat is not None:
        by_model = count(result.model_turns, run_lang, ("réponse", "réponses"), ("answer", "answers"))
        out(choose(run_lang, f"Lecture par le modèle : {by_model}, par les règles : {result.rules_turns}",
                   f"Read by the model: {by_model}, by rules: {result.rules_turns}"))
    for line in summary_lines(result, run_lang):
        out(line)


def _make_model(settings: Settings, lang: Lang) -> ChatModel | None:
    from ..llm.factory import make_chat_model
    from ..llm.protocol import ModelError

    if settings.backend == "none":
        return None

    from ..llm.weights import stage_label

    with StepProgress(choose(lang, "Modèle", "Model"), lang) as bar:
        try:
            return make_chat_model(settings, lambda stage, fraction: bar(stage_label(stage, lang), fraction))
        except ModelError as err:
            bar.close()
            fail(typography(err.message(lang), lang), 1)


def sessions(
    session_id: Annotated[str | None, typer.Argument(help="'show ID' shows one session.")] = None,
    show_id: Annotated[str | None, typer.Argument(hidden=True)] = None,
    lang: LangOption = None,
) -> None:
    """List the saved interview sessions, or show one: `journeybot sessions show ID`."""
    from ..store.sessions import SessionNotFound, SessionStore, StoreError

    msg_lang = resolve_lang(lang)
    fr = msg_lang == "fr"
    try:
        store = SessionStore()
    except StoreError as err:
        fail(str(err), 1)
    try:
        if session_id is None:
            rows = store.sessions()
            if not rows:
                out("Aucune session enregistrée." if fr else "No saved session.")
                return
            for s in rows:
                answers = count(s.messages, msg_lang, ("réponse", "réponses"), ("answer", "answers"))
                out(f"{s.id}  {s.updated[:16].replace('T', ' ')}  {s.lang}  {answers:>12}  "
                    f"{(s.phase or ('terminé' if fr else 'done')):<17} {s.title}")
            return
        target = show_id if session_id == "show" and show_id else session_id
        if session_id == "show" and not show_id:
            fail(choose(msg_lang, "Usage : journeybot sessions show ID", "Usage: journeybot sessions show ID"))
        try:
            record = store.session(target)
            messages = store.messages(record.id)
        except SessionNotFound:
            fail(_unknown_session(target, msg_lang))
        from ..domain.map_file import MapFileError, parse_map_text
        from ..interview.summary import summarize_map

        out(f"Session {record.id} — {record.title or ('sans titre' if fr else 'untitled')} "
            f"({record.lang}, {record.created[:16].replace('T', ' ')})")
        try:
            journey = parse_map_text(record.map_json)
            out(summarize_map(journey, msg_lang, detailed=True))
        except MapFileError as err:
            out(choose(msg_lang, f"Carte illisible : {err}", f"Unreadable map: {err}"))
        out("")
        for m in messages:
            who = "journeybot" if m.role == "assistant" else ("vous" if fr else "you")
            text = m.text if len(m.text) <= 2000 else m.text[:2000] + f"… (+{len(m.text) - 2000})"
            out(f"[{m.seq}] {who}{colon(msg_lang)}{text}")
    finally:
        store.close()


def _unknown_session(session_id: str, lang: Lang) -> str:
    return choose(lang, f"Session inconnue {quote(session_id, lang)} (voir : journeybot sessions).",
                  f"No session {quote(session_id, lang)} (see: journeybot sessions).")


def register(app: typer.Typer) -> None:
    """Add this group's commands to the app."""
    app.command("interview", help="Run an interview without the UI, from an answer file (YAML).")(interview)
    app.command("sessions", help="List saved interview sessions; `sessions show ID` shows one.")(sessions)
