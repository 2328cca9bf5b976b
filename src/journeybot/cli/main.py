"""Entry point of the `journeybot` console script."""

from __future__ import annotations

import typer

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
    app(args=argv)


if __name__ == "__main__":
    run()
