"""Grounding: is each value of a change the user's own words?

A value is grounded when it is a span of the answer (case, accents, spaces and a capital first letter
aside; a value cut with "…" counts by its part before the cut; a name made of two spans joined by " — "
counts by each part), or a number, date or score read from it. A change whose values are all grounded
keeps its provenance (the team's belief, or customer evidence); any other value is not the user's:
the change is marked ``inferred`` (shown as such, never counted as evidence). Provenance comes from this
check, never from word overlap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..text import find_date, fold, to_float
from ..text.numbers import number_words, percent_words
from . import words
from .plans import digits, scaled_row
from .proposal import (
    AddEvidence,
    AddMetric,
    AddStage,
    AddTouchpoint,
    Change,
    ReadingNote,
    ScoreOpportunity,
    SetEmotion,
    SetFraming,
    SetOwner,
    SetPersona,
    SetReviewDate,
)

_ENUMS = {"id", "op", "provenance", "quote", "lifecycle", "kind", "lane", "effort", "ownership", "scope",
          "motivations", "lever", "touchpoint_id", "online", "invisible", "score", "value", "date", "due",
          "impact", "reach", "confidence"}
_REFERENCES = {"stage", "touchpoint", "set_aside", "before", "after"}
"""Names of map items a change points at (checked against the map, not the answer): a stage, a touchpoint, a persona group set aside."""
_NORMALISED = {"channel", "unit"}
"""Values read from a word list or a unit (normalised forms of what the answer says)."""


def _squash(text: str) -> str:
    return " ".join(re.sub(r"[«»“”\"()\[\]]", " ", fold(text)).replace("'", " ").split())


class Answer:
    """The answer a change must come from, prepared once for many checks."""

    def __init__(self, text: str, earlier: Iterable[str] = ()):
        self.text = text
        self.squashed = _squash(text)
        self.earlier = [_squash(t) for t in earlier]
        self.numbers = {round(v, 4) for v in (to_float(n) for n in re.findall(
            r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?", text))
            if v is not None} | {float(v) for *_, v in percent_words(text)} | {
            float(v) for *_, v in number_words(text)}  # "forty-four per cent", « deux cents appels »

    def holds(self, value: str) -> bool:
        """True when ``value`` is a span of the answer (see the module docstring)."""
        parts = [p for p in re.split(r"\s+[—–]\s+", value) if p.strip()]
        return bool(parts) and all(self._span(p) for p in parts)

    def _span(self, value: str) -> bool:
        key = _squash(value.rstrip("…").rstrip())
        if not key:
            return False
        return key in self.squashed or any(key in e for e in self.earlier)


def values(change: Change) -> list[tuple[str, str]]:
    """(field, value) of the free-text values of a change (not its enums, numbers or references)."""
    data = change.model_dump(exclude=_ENUMS | _REFERENCES | _NORMALISED)
    out: list[tuple[str, str]] = []
    for key, value in data.items():
        if isinstance(value, str) and value:
            out.append((key, value))
        elif isinstance(value, list):
            out += [(key, v) for v in value if isinstance(v, str) and v]
    return out


def grounded(change: Change, answer: Answer, created: object = None) -> list[str]:
    """The fields of ``change`` that are NOT the user's words (empty: the change is grounded)."""
    bad = [key for key, value in values(change) if not answer.holds(value)]
    if isinstance(change, AddMetric) and round(change.value, 4) not in answer.numbers:
        bad.append("value")
    if isinstance(change, SetEmotion):
        explicit = words.explicit_score(answer.text)
        said = explicit is not None or words.emotion_score(answer.text) is not None
        if not said:
            bad.append("score")
    if isinstance(change, SetReviewDate):
        found = find_date(answer.text, created if hasattr(created, "year") else None)  # type: ignore[arg-type]
        if found is None:
            bad.append("date")
    if isinstance(change, ScoreOpportunity):
        # a score is a number said, or one normalised from what was said (a level, a row on other scales)
        numbers = set(answer.numbers) | {float(d) for d in re.findall(r"(?<![\d.,])[1-5](?![\d.,])", digits(answer.text))}
        scores = [change.impact, change.reach, change.confidence, change.effort]
        if any(s is not None and float(s) not in numbers for s in scores) and not scaled_row(answer.text):
            bad.append("scores")
    if isinstance(change, AddTouchpoint | AddStage | SetOwner | AddEvidence):
        return bad
    return bad


def ground(changes: Iterable[Change], answer: Answer, created: object = None) -> tuple[list[Change], list[ReadingNote]]:
    """The changes with their provenance from the grounding check, and log lines for what was not the
    user's words. A framing or persona change loses the fields that are not (the others stay the user's);
    any other change is marked ``inferred``."""
    out: list[Change] = []
    log: list[ReadingNote] = []
    for change in changes:
        bad = grounded(change, answer, created)
        if bad and isinstance(change, SetFraming | SetPersona):
            update: dict[str, object] = {}
            for key in set(bad):
                value = getattr(change, key, None)
                if isinstance(value, list):
                    update[key] = [v for v in value if answer.holds(v)]
                elif isinstance(value, str):
                    update[key] = None
            change = change.model_copy(update=update)
            log.append(ReadingNote(key="dropped_fields", values={"change": change.op, "fields": ", ".join(sorted(set(bad)))}))
            if not any(v for k, v in change.model_dump(exclude={"id", "op", "provenance", "quote"}).items()):
                continue
        elif bad:
            log.append(ReadingNote(key="not_users_words", values={"change": change.op, "fields": ", ".join(bad)}))
            change = change.model_copy(update={"provenance": "inferred", "quote": ""})
        out.append(change)
    return out, log
