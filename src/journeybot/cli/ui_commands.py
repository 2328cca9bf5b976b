"""`journeybot` with no sub-command opens the chat UI; `journeybot serve` shows it in a browser.

Textual is imported inside the functions (through journeybot.tui), so other commands stay fast.
"""

from __future__ import annotations

import os
import shlex
import sys
from typing import Annotated

import typer

from .common import LangOption, settings

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
    port: Annotated[int, typer.Option("--port", help="Port on 127.0.0.1.", min=1, max=65535)] = 8000,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (keep 127.0.0.1 unless you "
                                                     "know the network).")] = "127.0.0.1",
    model: ModelOption = None,
    model_path: ModelPathOption = None,
    base_url: BaseUrlOption = None,
    lang: LangOption = None,
) -> None:
    """Serve the chat in a web browser (for a workshop).

    The same app as in the terminal, through textual-serve, on 127.0.0.1 by default."""
    shown_lang = settings(model=model, model_path=model_path, base_url=base_url, lang=lang).lang  # bad settings fail here, in the terminal
    from ..tui.serve import make_server

    command = [sys.executable, "-m", "journeybot.tui.app"]
    for flag, value in (("--model", model), ("--model-path", model_path), ("--base-url", base_url),
                        ("--lang", lang)):
        if value:
            command += [flag, value]
    server = make_server(shlex.join(command), host=host, port=port)
    typer.echo(("Ouvrez " if shown_lang == "fr" else "Open ") + f"http://{host}:{port}"
               + (" (Ctrl+C pour arrêter)" if shown_lang == "fr" else " (Ctrl+C to stop)"), err=True)
    server.serve()


def register(app: typer.Typer) -> None:
    """`journeybot` alone opens the chat; `journeybot serve` serves it to a browser."""
    app.callback(invoke_without_command=True)(chat)
    app.command("serve")(serve_command)
