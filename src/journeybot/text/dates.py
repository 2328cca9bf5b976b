"""Dates in answers: ISO, dd/mm/yyyy, '15 mars 2027', 'June 2027', 'Q2 2027', 'fin juin', 'dans 6 mois',
'd'ici 3 mois', 'in six months'; and the one ``add_months``."""

from __future__ import annotations

import calendar
import contextlib
import datetime as dt
import re

from .fold import fold


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months; a day past the end of the target month becomes its
    last day (31 January + 1 month = 28 or 29 February)."""
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month0 + 1)[1]
    return dt.date(year, month0 + 1, min(day.day, last))


MONTHS = {
    "janvier": 1, "fevrier": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6, "juillet": 7, "aout": 8,
    "septembre": 9, "octobre": 10, "novembre": 11, "decembre": 12, "january": 1, "february": 2,
    "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8, "september": 9, "october": 10,
    "november": 11, "december": 12, "jan": 1, "feb": 2, "fev": 2, "mar": 3, "apr": 4, "avr": 4, "jun": 6,
    "jul": 7, "juil": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "neuf": 9,
    "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20, "one": 1, "a": 1, "an": 1, "two": 2,
    "three": 3, "four": 4, "five": 5, "six ": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "fifteen": 15, "twenty": 20, "quelques": 3, "few": 3,
}
_NUM = r"(\d{1,2}|" + "|".join(sorted((k.strip() for k in NUMBER_WORDS), key=len, reverse=True)) + ")"
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_ISO = re.compile(r"\b(\d{4})[- ](\d{1,2})[- ](\d{1,2})\b")  # folded: the hyphens of 2027-03-31 are spaces
_DMY = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
_DAY_MONTH_YEAR = re.compile(rf"\b(?:(\d{{1,2}})(?:er|st|nd|rd|th)?\s+)?({_MONTH_RE})\.?(?:\s+(\d{{1,2}})(?:st|nd|rd|th)?,?)?\s+(\d{{4}})\b")
_MONTH_ONLY = re.compile(rf"\b(?:(?:en|in|fin|debut|mi|end of|start of|the end of|by|d'ici|avant|before|pour|for|au mois de|de|in early|in late)\s+)+({_MONTH_RE})\b(?!\s+\d{{4}})")
_RELATIVE = re.compile(rf"\b(?:dans|d'ici|sous|within|in|en|by|au bout de|after|apres)\s+(?:les\s+|the\s+next\s+|the\s+)?{_NUM}\s+(mois|months?|semaines?|weeks?|ans?|years?|jours?|days?)\b")
_QUARTER = re.compile(r"\b(?:t|q)([1-4])\s+(\d{4})\b")
_HALF_YEAR = re.compile(r"\b(?:dans|d'ici|within|in)\s+(?:un\s+|a\s+)?(semestre|six months|half a year|an|a year|un an)\b")


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word, NUMBER_WORDS.get(word + " ", 0))


def _next_month(today: dt.date, month: int, day: int = 1) -> dt.date:
    year = today.year if month >= today.month else today.year + 1
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def find_date(text: str, today: dt.date | None = None) -> tuple[dt.date, tuple[int, int]] | None:
    """The first date in ``text`` and its span (see the module docstring); ``today`` anchors relative
    dates. A month without a year is its next occurrence ("en juin", "by the end of June": its last day
    when the text says the end of it)."""
    folded = fold(text)
    today = today or dt.date.today()
    found: list[tuple[int, int, dt.date]] = []
    for m in _ISO.finditer(folded):
        if " " in text[m.start():m.end()]:
            continue  # "2027 12 5" is three numbers; only 2027-12-05 is a date
        with contextlib.suppress(ValueError):
            found.append((m.start(), m.end(), dt.date(int(m[1]), int(m[2]), int(m[3]))))
    for m in _DMY.finditer(folded):
        with contextlib.suppress(ValueError):
            found.append((m.start(), m.end(), dt.date(int(m[3]), int(m[2]), int(m[1]))))
    for m in _DAY_MONTH_YEAR.finditer(folded):
        with contextlib.suppress(ValueError):
            found.append((m.start(), m.end(), dt.date(int(m[4]), MONTHS[m[2]], int(m[1] or m[3] or 1))))
    for m in _QUARTER.finditer(folded):
        month = int(m[1]) * 3
        found.append((m.start(), m.end(), dt.date(int(m[2]), month, calendar.monthrange(int(m[2]), month)[1])))
    for m in _RELATIVE.finditer(folded):
        n, unit = _number(m[1]), m[2]
        if n <= 0:
            continue
        if unit.startswith(("mois", "month")):
            day = add_months(today, n)
        elif unit.startswith(("an", "year")):
            day = add_months(today, 12 * n)
        elif unit.startswith(("jour", "day")):
            day = today + dt.timedelta(days=n)
        else:
            day = today + dt.timedelta(weeks=n)
        found.append((m.start(), m.end(), day))
    for m in _HALF_YEAR.finditer(folded):
        months = 6 if m[1] in ("semestre", "six months", "half a year") else 12
        found.append((m.start(), m.end(), add_months(today, months)))
    taken = [(s, e) for s, e, _ in found]
    for m in _MONTH_ONLY.finditer(folded):
        if any(s <= m.start(1) < e for s, e in taken):
            continue
        month = MONTHS[m[1]]
        end_of = re.search(r"\b(?:fin|end of|the end of|by)\b", m.group(0)) is not None
        day = _next_month(today, month, 31 if end_of else 1)
        found.append((m.start(1), m.end(), day))
    if not found:
        return None
    start, end, day = min(found, key=lambda c: c[0])
    return day, (start, end)
