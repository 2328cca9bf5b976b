"""The `journeybot` console script. Opening the chat is what users do most, so a plain
`journeybot [--model M] [--model-path F] [--base-url URL] [--lang fr|en] [--session ID]` goes straight to the chat
without loading the command-line framework (Typer and every sub-command module: about a tenth of a
second before the first paint); `journeybot --version` is answered here too, without importing
anything. Anything else (a sub-command, --help, a value to explain) goes through the full command
line, which gives the same chat for the same options."""

from __future__ import annotations

import sys
from collections.abc import Sequence

CHAT_OPTIONS = ("--model", "--model-path", "--base-url", "--lang", "--session")
VERSION_OPTIONS = ("--version", "-V")


def version_text() -> str:
    """What `journeybot --version` prints."""
    from .. import __version__

    return f"journeybot {__version__}"


def chat_options(argv: Sequence[str]) -> dict[str, str] | None:
    """The chat's options when ``argv`` holds only those, each with a plain value; otherwise None."""
    options: dict[str, str] = {}
    args = list(argv)
    while args:
        name, _, value = args.pop(0).partition("=")
        if name not in CHAT_OPTIONS or name in options:
            return None
        if not value:
            if not args:
                return None
            value = args.pop(0)
        if not value or value.startswith("-"):
            return None
        options[name] = value
    if options.get("--lang", "fr") not in ("fr", "en"):
        return None  # the full command line explains what --lang takes
    return options


def run(argv: Sequence[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) == 1 and args[0] in VERSION_OPTIONS:
        print(version_text())
        return
    options = chat_options(args)
    if options is not None:
        from ..tui.app import launch

        flags = {name.removeprefix("--").replace("-", "_"): value for name, value in options.items()}
        sys.exit(launch(**flags))
    from .main import run as run_command_line

    run_command_line(args)
