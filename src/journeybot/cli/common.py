"""Helpers shared by the command modules: language option, clean failures (exit 2, no traceback)."""

from __future__ import annotations

import os
import sys
from typing import Annotated, Literal, NoReturn

import typer

from ..domain.journey_map import JourneyMap, Lang
from ..domain.map_file import MapFileError

LangOption = Annotated[
    Literal["fr", "en"] | None,
    typer.Option("--lang", help="Language of messages: fr or en (default: settings, then fr)."),
]
FormatOption = Annotated[
    Literal["text", "json"], typer.Option("--format", help="Output format: text or json.")
]


def resolve_lang(lang: Lang | None) -> Lang:
    """--lang, else JOURNEYBOT_LANG, else French."""
    if lang is not None:
        return lang
    env = os.environ.get("JOURNEYBOT_LANG", "").strip().lower()
    return "en" if env == "en" else "fr"


def output_lang(lang: Lang | None, journey: JourneyMap) -> Lang:
    """--lang, else JOURNEYBOT_LANG, else the map's own language (what a map's readers get)."""
    if lang is not None or os.environ.get("JOURNEYBOT_LANG", "").strip().lower() in ("fr", "en"):
        return resolve_lang(lang)
    return journey.lang


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one clear message on stderr and exit (2 = bad input, 1 = failure)."""
    typer.echo(message, err=True)
    raise typer.Exit(code)


def fail_map(err: MapFileError, lang: Lang) -> NoReturn:
    head = "Carte invalide" if lang == "fr" else "Invalid map"
    lines = [f"{head}: {err.source}"] + [f"  - {p}" for p in err.problems]
    fail("\n".join(lines))


def out(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
