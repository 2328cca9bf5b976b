"""The one registry of slash commands: names, French and English words, arguments, help, handler.

A command is declared once, on the method that runs it::

    @COMMANDS.command("skip", "/skip", "sauter cette question", "skip this question",
                      aliases=("passer", "passe"), bare=("skip", "passer"))
    def _cmd_skip(self, command: Command) -> Reply: ...

``Interview`` (``session.py``) declares the interview's commands; the TUI extends the registry with the
commands only a screen has (``/export``, ``/sessions``, ``/model``, ``/quit``) and with the way it shows
some of the interview's (``/why`` opens a page). The chat's ``/help``, the TUI's help page, Tab
completion, the headless runner's refusal of commands in answer files and the served mode's limits are
all read from here. Pure: no Textual.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ..domain.journey_map import Lang
from ..errors import BadInput

Handler = Callable[..., Any]

_PLACEHOLDERS_FR = {"FILE": "FICHIER", "NAME": "NOM", "FORMAT": "FORMAT", "ID": "ID", "CODE": "CODE"}
"""How the placeholders of a usage line read in French (command names and ids stay as typed)."""


@dataclass(frozen=True)
class CommandSpec:
    """One slash command. ``aliases``: the other words typed for it (French ones first: the first is the
    name French help shows); ``bare``: words that run it when they are the whole message, without the
    slash; ``served``: allowed to a participant of a served workshop; ``fr_word``: the word French help
    shows when it is not the first alias; ``choices``: the completions of
    its first argument."""

    name: str
    usage: str
    fr: str
    en: str
    aliases: tuple[str, ...] = ()
    bare: tuple[str, ...] = ()
    min_args: int = 0
    max_args: int = 0
    served: bool = True
    fr_word: str = ""
    choices: Callable[[], Sequence[str]] | None = None
    handler: Handler | None = field(default=None, compare=False)

    def help(self, lang: Lang) -> str:
        return self.fr if lang == "fr" else self.en

    def usage_in(self, lang: Lang) -> str:
        """``/export FORMAT [FILE]``; in French the French word and placeholders, « /exporter FORMAT [FICHIER] »."""
        if lang != "fr":
            return self.usage
        rest = self.usage.partition(" ")[2]
        word = self.fr_word or (self.aliases[0] if self.aliases and self.aliases[0].isalpha() else self.name)
        rest = re.sub(r"\b[A-Z]+\b", lambda m: _PLACEHOLDERS_FR.get(m.group(0), m.group(0)), rest)
        return f"/{word}" + (f" {rest}" if rest else "")


@dataclass(frozen=True)
class Command:
    """A parsed command line: ``/export html out.html`` → ``Command('export', ('html', 'out.html'))``."""

    name: str
    args: tuple[str, ...] = ()

    @property
    def arg(self) -> str:
        """The arguments as one string (a file name with spaces stays whole)."""
        return " ".join(self.args)

    def line(self) -> str:
        return "/" + " ".join([self.name, *self.args])


class CommandError(BadInput, ValueError):
    """A slash command that cannot run: an unknown name, or the wrong number of arguments."""

    def __init__(self, kind: Literal["unknown", "usage"], name: str, usage: str = ""):
        super().__init__(f"{kind}: {name}")
        self.kind = kind
        self.name = name
        self.usage = usage


def is_command(text: str) -> bool:
    """A line starting with one '/' followed by a letter or '?' (a path like '/tmp/x' typed alone still is)."""
    stripped = text.strip()
    return (stripped.startswith("/") and len(stripped) > 1 and (stripped[1].isalpha() or stripped[1] == "?")
            and "\n" not in stripped)


class Registry:
    """The commands, in the order help lists them. ``extended()`` gives a registry with more commands
    (the TUI's) or other handlers for some (how a screen shows them), leaving this one as it is."""

    def __init__(self, specs: Sequence[CommandSpec] = ()) -> None:
        self._specs: dict[str, CommandSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: CommandSpec) -> None:
        words = {spec.name, *spec.aliases, *spec.bare}
        for word in words:
            owner = self.find(word)
            if owner is not None and owner.name != spec.name:
                raise ValueError(f"/{word} already means /{owner.name}")
        self._specs[spec.name] = spec

    def command(self, name: str, usage: str, fr: str, en: str, **options: Any) -> Callable[[Handler], Handler]:
        """Decorator: declare the command and make the decorated function its handler."""

        def register(handler: Handler) -> Handler:
            self.add(CommandSpec(name, usage, fr, en, handler=handler, **options))
            return handler

        return register

    def shows(self, name: str) -> Callable[[Handler], Handler]:
        """Decorator: another handler for a command already declared (a screen's way to show it)."""

        def register(handler: Handler) -> Handler:
            self._specs[name] = replace(self._specs[name], handler=handler)
            return handler

        return register

    def extended(self) -> Registry:
        return Registry(list(self._specs.values()))

    def __iter__(self) -> Any:
        return iter(self._specs.values())

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __getitem__(self, name: str) -> CommandSpec:
        return self._specs[name]

    def find(self, word: str) -> CommandSpec | None:
        """The command a typed word names: its name, one of its words, or the start of one name only."""
        key = word.casefold()
        for spec in self._specs.values():
            if key == spec.name or key in spec.aliases or key in spec.bare:
                return spec
        starts = [s for s in self._specs.values() if key and s.name.startswith(key)]
        return starts[0] if len(starts) == 1 else None

    def parse(self, text: str) -> Command:
        """'/export html out.html' → Command('export', ('html', 'out.html')). Raises CommandError."""
        parts = text.strip()[1:].split()
        word = parts[0] if parts else ""
        spec = self.find(word)
        if spec is None:
            raise CommandError("unknown", word[:40])
        args = tuple(parts[1:])
        if len(args) > spec.max_args and spec.max_args >= 1:
            args = (*args[:spec.max_args - 1], " ".join(args[spec.max_args - 1:]))  # a name with spaces
        if not spec.min_args <= len(args) <= spec.max_args:
            raise CommandError("usage", spec.name, spec.usage)
        return Command(spec.name, args)

    def bare(self, text: str) -> str | None:
        """The command line a whole message means without its slash ('suivant' → '/next'), or None."""
        word = text.strip().casefold().rstrip(" .!?")
        for spec in self._specs.values():
            if word in spec.bare:
                return f"/{spec.name}"
        return None

    def complete(self, text: str) -> list[str]:
        """Completions of a partly typed command line: command names, then their first argument."""
        if not text.startswith("/") or "\n" in text:
            return []
        body = text[1:]
        if " " not in body:
            return [f"/{s.name}" for s in self._specs.values() if s.name.startswith(body.casefold())]
        word, _, rest = body.partition(" ")
        spec = self.find(word)
        if spec is None or spec.choices is None or " " in rest.strip():
            return []
        return [f"/{spec.name} {a}" for a in spec.choices() if a.startswith(rest.strip())]

    def help_line(self, lang: Lang) -> str:
        """The commands in one paragraph, for the chat's /help."""
        head = "Commandes : " if lang == "fr" else "Commands: "
        return head + ", ".join(f"{s.usage_in(lang)} ({s.help(lang)})" for s in self._specs.values()) + "."

    def help_rows(self, lang: Lang) -> list[tuple[str, str]]:
        """(usage, effect) of every command, for a help page."""
        return [(s.usage_in(lang), s.help(lang)) for s in self._specs.values()]


COMMANDS = Registry()
"""The interview's commands: filled by the ``@COMMANDS.command`` methods of ``Interview``."""

__all__ = ["COMMANDS", "Command", "CommandError", "CommandSpec", "Registry", "is_command"]
