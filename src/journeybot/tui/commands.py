"""The chat box's commands: the interview's registry (``interview/commands.py``) extended with the
commands only a screen has. Those are declared on the app's methods (``@UI.command``), and so are the
app's own ways of showing some of the interview's (``@UI.shows``: /why opens a page). Pure (no Textual).

The interview's registry is read once a command is typed, completed or listed: importing the interview
is kept off the first paint."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from ..interview.commands import Command, CommandError, CommandSpec, Handler, Registry, is_command

UI = Registry()
"""The commands only a screen has (/export, /sessions, /model, /quit), with their handlers."""

VIEWS: dict[str, Handler] = {}
"""How the app shows some of the interview's commands (a page for /why, /help, /map; its own keys for
/accept and /reject), by command name."""


def shows(name: str) -> Callable[[Handler], Handler]:
    """Decorator: the app's handler for the interview's command ``name``."""

    def register(handler: Handler) -> Handler:
        VIEWS[name] = handler
        return handler

    return register


@cache
def registry() -> Registry:
    """Every command the chat box takes: the interview's, then the screen's."""
    from ..interview import session  # noqa: F401  (its methods declare the interview's commands)
    from ..interview.commands import COMMANDS
    from . import app  # noqa: F401  (its methods declare the screen's commands)

    everything = COMMANDS.extended()
    for spec in UI:
        everything.add(spec)
    return everything


def parse(text: str) -> Command:
    return registry().parse(text)


def complete(text: str) -> list[str]:
    return registry().complete(text)


__all__ = ["UI", "VIEWS", "Command", "CommandError", "CommandSpec", "complete", "is_command", "parse",
           "registry", "shows"]
