"""`journeybot` with no sub-command opens the chat UI; `journeybot serve` shows it in a browser.

Textual is imported inside the functions (through journeybot.tui), so other commands stay fast.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .common import LangOption, fail, settings

if TYPE_CHECKING:
    from ..settings import Settings

ModelOption = Annotated[
    str | None,
    typer.Option("--model", help="Model: local (default), local-small, openai, none."),
]
ModelPathOption = Annotated[
    str | None,
    typer.Option("--model-path", metavar="FILE.gguf",
                 help="A GGUF model file of your own, run by the embedded llama.cpp (e.g. a larger Qwen)."),
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option("--base-url", help="An OpenAI-compatible server (vLLM, Ollama, llama.cpp)."),
]
SessionOption = Annotated[
    str | None, typer.Option("--session", help="Resume this session (see `journeybot sessions`).")
]


def _print_version(asked: bool) -> None:
    if asked:
        from .entry import version_text

        typer.echo(version_text())
        raise typer.Exit()


VersionOption = Annotated[
    bool, typer.Option("--version", "-V", is_eager=True, callback=_print_version,
                       help="Print the version and exit.")
]


def chat(
    ctx: typer.Context,
    model: ModelOption = None,
    model_path: ModelPathOption = None,
    base_url: BaseUrlOption = None,
    lang: LangOption = None,
    session: SessionOption = None,
    version: VersionOption = False,
) -> None:
    """Open the chat: the interview, the live map and the warnings, in this terminal."""
    if ctx.invoked_subcommand is not None:
        # `journeybot --lang en sessions`: the options given before a sub-command apply to it too,
        # through the environment (settings: flag > JOURNEYBOT_* environment > config file).
        for var, value in (("JOURNEYBOT_LANG", lang), ("JOURNEYBOT_MODEL", model),
                           ("JOURNEYBOT_MODEL_PATH", model_path), ("JOURNEYBOT_BASE_URL", base_url)):
            if value:
                os.environ[var] = value
        return
    from ..tui.app import launch

    code = launch(session, model=model, model_path=model_path, base_url=base_url, lang=lang)
    if code:
        raise typer.Exit(code)


def serve_command(
    port: Annotated[int, typer.Option("--port", help="Port to listen on.", min=1, max=65535)] = 8000,
    host: Annotated[str, typer.Option("--host", help="Address to listen on: 127.0.0.1 (this machine only) unless "
                                                     "participants join from their own computers (0.0.0.0); "
                                                     "the token is required either way.")] = "127.0.0.1",
    token: Annotated[str | None, typer.Option("--token", help="The secret in the participants' link (default: "
                                              "JOURNEYBOT_SERVE_TOKEN, else a new random one each start).")] = None,
    max_sessions: Annotated[int, typer.Option("--max-sessions", min=1, max=64,
                                              help="Browser sessions (app processes) at once; one more is "
                                                   "refused with a sentence on its screen.")] = 4,
    model_slots: Annotated[int, typer.Option("--model-slots", min=1, max=64,
                                             help="With the embedded model: answers it reads at once (the "
                                                  "others wait their turn). On a small CPU more slots make "
                                                  "every answer wait for the slowest (docs/architecture.md).")] = 2,
    workdir: Annotated[Path | None, typer.Option("--workdir", help="The workshop folder: the only place "
                                                 "/import reads and /export writes (default: workshop/ in "
                                                 "journeybot's data folder).")] = None,
    model: ModelOption = None,
    model_path: ModelPathOption = None,
    base_url: BaseUrlOption = None,
    lang: LangOption = None,
) -> None:
    """Serve the chat to browsers for a workshop: a link with a secret token, this machine only by
    default, a cap on sessions, files confined to one workshop folder, one shared embedded model."""
    from .. import paths
    from ..tui.serve import TOKEN_ENV, ServeOptions, make_server, new_token

    chosen = settings(model=model, model_path=model_path, base_url=base_url, lang=lang)  # bad ones fail here
    shown_lang = chosen.lang
    fr = shown_lang == "fr"
    secret = token or os.environ.pop(TOKEN_ENV, "").strip() or new_token()
    if len(secret) < 16:
        fail("Le jeton doit faire au moins 16 caractères." if fr else "The token must be at least 16 characters.")
    folder = paths.private_dir((workdir or paths.data_dir() / "workshop").expanduser()).resolve()
    app_env = {"JOURNEYBOT_WORKDIR": str(folder)}
    if chosen.backend in ("local", "local-small") and not chosen.local_server_url:
        app_env.update(_shared_model(chosen, min(model_slots, max_sessions), fr))
    if chosen.embeddings in ("use", "e5") and not chosen.embeddings_url:
        app_env.update(_shared_embeddings(chosen, fr))
    command = [sys.executable, "-m", "journeybot.tui.app"]
    for flag, value in (("--model", model), ("--model-path", model_path), ("--base-url", base_url),
                        ("--lang", lang)):
        if value:
            command += [flag, value]
    options = ServeOptions("exec " + shlex.join(command), secret, host=host, port=port,
                           max_sessions=max_sessions, lang=shown_lang, app_env=app_env)
    server = make_server(options)
    for url in options.urls():
        typer.echo(("Lien de l'atelier : " if fr else "Workshop link: ") + url, err=True)
    typer.echo((f"{max_sessions} session(s) à la fois · dossier de l'atelier : {folder} · Ctrl+C pour arrêter"
                if fr else f"{max_sessions} session(s) at once · workshop folder: {folder} · Ctrl+C to stop"),
               err=True)
    server.serve()


def _shared_model(settings: Settings, parallel: int, fr: bool) -> dict[str, str]:
    """Start the embedded model once for every participant; the environment that points them at it."""
    import secrets

    from ..llm.factory import serve_local_model
    from ..llm.protocol import ModelError

    key = secrets.token_urlsafe(24)
    typer.echo(("Démarrage du modèle partagé…" if fr else "Starting the shared model…"), err=True)
    try:
        url = serve_local_model(settings, parallel=parallel, api_key=key)
    except ModelError as err:
        fail(err.message("fr" if fr else "en"))
    return {"JOURNEYBOT_LOCAL_SERVER_URL": url, "JOURNEYBOT_LOCAL_SERVER_KEY": key}


def _shared_embeddings(settings: Settings, fr: bool) -> dict[str, str]:
    """Build or update the method index once, and serve its embedding model to every participant;
    the environment that points them at it (nothing when the index cannot be built: each app then
    does what the chat does alone)."""
    import secrets

    from ..knowledge.embeddings import make_embedder
    from ..knowledge.errors import KnowledgeError
    from ..knowledge.retriever import open_retriever
    from ..knowledge.shared_embeddings import serve_embeddings

    typer.echo(("Préparation de l'index de la méthode…" if fr else "Preparing the method index…"), err=True)
    try:
        open_retriever(settings)  # built or updated here, once, not by every participant's app
        embedder = make_embedder(settings)
    except KnowledgeError as err:
        typer.echo(err.message("fr" if fr else "en"), err=True)
        return {}
    key = secrets.token_urlsafe(24)
    service = serve_embeddings(embedder, key)
    return {"JOURNEYBOT_EMBEDDINGS_URL": service.url, "JOURNEYBOT_EMBEDDINGS_KEY": key}


def register(app: typer.Typer) -> None:
    """`journeybot` alone opens the chat; `journeybot serve` serves it to a browser."""
    app.callback(invoke_without_command=True)(chat)
    app.command("serve")(serve_command)
