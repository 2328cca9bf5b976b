"""Helpers shared by the command modules: settings and language (flag > environment > config.toml,
the same path for every command), clean failures (exit 2, no traceback)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Any, Literal, NoReturn

import typer

from ..domain.journey_map import JourneyMap, Lang
from ..domain.map_file import MapFileError
from ..i18n import choose

if TYPE_CHECKING:
    from ..settings import Settings

LangOption = Annotated[
    Literal["fr", "en"] | None,
    typer.Option("--lang", help="Language of messages: fr or en (default: settings, then fr)."),
]
FormatOption = Annotated[
    Literal["text", "json"], typer.Option("--format", help="Output format: text or json.")
]


def settings(**flags: Any) -> Settings:
    """The settings of this command: its flags (None = not given) > JOURNEYBOT_* > config.toml.
    Unusable settings end the command with one clear message (exit 2)."""
    from ..settings import SettingsError, load_settings

    try:
        return load_settings(**flags)
    except SettingsError as err:
        fail(str(err))


def resolve_lang(lang: Lang | None) -> Lang:
    """--lang, else JOURNEYBOT_LANG, else `lang` in config.toml, else French."""
    return settings(lang=lang).lang


def output_lang(lang: Lang | None, journey: JourneyMap) -> Lang:
    """The language a map's readers get: --lang, JOURNEYBOT_LANG or config.toml when one of them says
    it, else the map's own language."""
    chosen = settings(lang=lang)
    return chosen.lang if "lang" in chosen.model_fields_set else journey.lang


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one clear message on stderr and exit (2 = bad input, 1 = failure)."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def fail_map(err: MapFileError, lang: Lang) -> NoReturn:
    lines = [choose(lang, f"Carte invalide : {err.source}", f"Invalid map: {err.source}")]
    fail("\n".join(lines + [f"  - {p}" for p in err.problems]))


def out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
