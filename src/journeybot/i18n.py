"""French and English texts. Each layer keeps its own catalog next to the code that speaks; this is the
one way to read them. A leaf module: it imports nothing of journeybot, so every layer may use it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

Lang = Literal["fr", "en"]
Entry = tuple[str, str] | Mapping[str, str]
"""A text in both languages: ``(fr, en)`` or ``{"fr": ..., "en": ...}``."""


def pick(entry: Entry, lang: Lang) -> str:
    """The text of ``entry`` in ``lang``."""
    if isinstance(entry, tuple):
        return entry[0] if lang == "fr" else entry[1]
    return entry[lang]


def render(catalog: Mapping[str, Entry], key: str, lang: Lang, **values: object) -> str:
    """The text ``key`` of ``catalog`` in ``lang`` with its ``{placeholders}`` filled in; a template whose
    placeholders are not all given is returned as written rather than failing in front of the user."""
    template = pick(catalog[key], lang)
    if not values:
        return template
    try:
        return template.format(**values)
    except (KeyError, IndexError):
        return template
