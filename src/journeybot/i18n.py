"""French and English texts. Each layer keeps its own catalog next to the code that speaks; this is the
one way to read them, and the one place for what makes a text read as written in its language:

- plurals: :func:`plural` / :func:`count` and :class:`Plural` catalog entries choose the form by the
  language's rule (CLDR: in French 0 and 1 take the singular, « 0 erreur, 1 erreur, 2 erreurs »; in
  English only 1 does, "0 errors, 1 error"), never « erreur(s) »;
- French typography: :func:`typography` puts a no-break space (U+00A0) before « : ; ? ! » and inside
  « guillemets », so a line never breaks before them. :func:`render`, :func:`pick` and :func:`choose`
  apply it to every French text they return; composed outputs (a report, an export) pass through it
  once more at the end, which changes nothing already right;
- dates in prose: :func:`format_date` gives « 4 juin 2027 » / "June 4, 2027" (Babel, loaded on first
  use); data columns (JSON, CSV) keep ISO dates.

A leaf module: it imports nothing of journeybot, so every layer may use it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import datetime as dt

Lang = Literal["fr", "en"]
NBSP = "\u00a0"
"""The no-break space French puts before « : ; ? ! » and inside guillemets."""


@dataclass(frozen=True)
class Plural:
    """A catalog text whose words follow a number: ``(one, other)`` forms in each language, chosen by
    :func:`plural` with the value of the placeholder named ``by``."""

    fr: tuple[str, str]
    en: tuple[str, str]
    by: str = "n"


Entry = tuple[str, str] | Mapping[str, str] | Plural
"""A text in both languages: ``(fr, en)``, ``{"fr": ..., "en": ...}`` or a :class:`Plural`."""

_SPACE_BEFORE = re.compile(r"[ \u202f\u00a0]*([:;?!»])")
_SPACE_AFTER = re.compile(r"«[ \u202f\u00a0]*")
_NOT_PROSE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S*|`[^`\n]*`|\b\d{1,2}:\d{2}\b")
"""What typography leaves alone inside French text: URLs, `code` and times like 12:30."""


def typography(text: str, lang: Lang) -> str:
    """French text with a no-break space before « : ; ? ! » and inside « guillemets » (a space that is
    there becomes a no-break one; none is added where there was none: "http://", "12:30", "/why:"
    stay), as long as it was: styled text can keep its spans. English text is returned as it is."""
    if lang != "fr" or not text:
        return text
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    work = _NOT_PROSE.sub(keep, text)
    work = _SPACE_BEFORE.sub(lambda m: NBSP * (len(m.group(0)) - 1) + m.group(1), work)
    work = _SPACE_AFTER.sub(lambda m: "«" + NBSP * (len(m.group(0)) - 1), work)
    return re.sub(r"\x00(\d+)\x00", lambda m: kept[int(m.group(1))], work)


def plural(n: float, lang: Lang, one: str, other: str) -> str:
    """``one`` or ``other`` for the number ``n``, by the rule of ``lang`` (see the module docstring)."""
    singular = abs(n) < 2 if lang == "fr" else n == 1
    return one if singular else other


def count(n: int, lang: Lang, fr: tuple[str, str], en: tuple[str, str]) -> str:
    """``n`` and its noun in the right number: ``count(3, "fr", ("erreur", "erreurs"), ...)`` →
    « 3 erreurs »; ``count(1, "en", ..., ("error", "errors"))`` → "1 error"."""
    one, other = fr if lang == "fr" else en
    return f"{n} {plural(n, lang, one, other)}"


def colon(lang: Lang) -> str:
    """What goes between a label and its value: « :  » after a no-break space in French, ": " in English."""
    return f"{NBSP}: " if lang == "fr" else ": "


QUOTES: dict[Lang, tuple[str, str]] = {"fr": (f"«{NBSP}", f"{NBSP}»"), "en": ('"', '"')}
"""The opening and closing quotation marks of each language."""


def quote(text: str, lang: Lang) -> str:
    """« texte » in French, "text" in English."""
    before, after = QUOTES[lang]
    return f"{before}{text}{after}"


def semicolon(lang: Lang) -> str:
    """What separates the items of a list that hold commas: « ; » or "; "."""
    return f"{NBSP}; " if lang == "fr" else "; "


def percent(fraction: float, lang: Lang) -> str:
    """0.4 → « 40 % » (a no-break space before the sign in French), "40%"."""
    return f"{fraction * 100:.0f}{NBSP}%" if lang == "fr" else f"{fraction * 100:.0f}%"


def choose(lang: Lang, fr: str, en: str) -> str:
    """``fr`` or ``en``, with French typography: for texts written inline as a pair."""
    return typography(fr, "fr") if lang == "fr" else en


def pick(entry: Entry, lang: Lang, number: float | None = None) -> str:
    """The text of ``entry`` in ``lang`` (for a :class:`Plural`, the form for ``number``; the plural
    form when no number is given)."""
    if isinstance(entry, Plural):
        one, other = entry.fr if lang == "fr" else entry.en
        text = other if number is None else plural(number, lang, one, other)
    elif isinstance(entry, tuple):
        text = entry[0] if lang == "fr" else entry[1]
    else:
        text = entry[lang]
    return typography(text, lang)


def render(catalog: Mapping[str, Entry], key: str, lang: Lang, **values: object) -> str:
    """The text ``key`` of ``catalog`` in ``lang`` with its ``{placeholders}`` filled in; a template whose
    placeholders are not all given is returned as written rather than failing in front of the user."""
    entry = catalog[key]
    number = values.get(entry.by) if isinstance(entry, Plural) else None
    template = pick(entry, lang, number if isinstance(number, int | float) else None)
    if not values:
        return template
    try:
        return typography(template.format(**values), lang)
    except (KeyError, IndexError):
        return template


def format_date(day: dt.date, lang: Lang) -> str:
    """A date as it is written in prose: « 4 juin 2027 », « 1er janvier 2027 », "June 4, 2027"."""
    from babel.dates import format_date as babel_format_date

    text = str(babel_format_date(day, format="long", locale="fr_FR" if lang == "fr" else "en_US"))
    if lang == "fr" and day.day == 1:  # the first of the month is an ordinal in French
        text = "1er" + text.removeprefix("1")
    return text
