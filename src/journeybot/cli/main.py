"""Entry point of the `journeybot` console script."""

from __future__ import annotations

import os
import sys

import typer

from ..errors import JourneybotError
from . import export_commands, interview_commands, knowledge_commands, map_commands, ui_commands

app = typer.Typer(
    name="journeybot",
    help="Build a customer journey map by talking to an assistant that knows the method (FR/EN).",
    no_args_is_help=False,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

for module in (ui_commands, map_commands, knowledge_commands, interview_commands, export_commands):
    module.register(app)


def run(argv: list[str] | None = None) -> None:
    """The command line; an error no command caught is still one sentence and its exit code."""
    try:
        app(args=argv)
    except JourneybotError as err:
        args = list(sys.argv[1:] if argv is None else argv)
        lang = args[args.index("--lang") + 1] if "--lang" in args[:-1] else os.environ.get("JOURNEYBOT_LANG", "en")
        typer.echo(err.message("fr" if lang == "fr" else "en"), err=True)
        raise SystemExit(err.exit_code) from None


if __name__ == "__main__":
    run()
