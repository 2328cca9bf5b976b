"""The interview readers' word lists (prompts/interview/wordlists.yaml) and the detectors built on them:
emotions with their sign, teams, SONCAS motives, the cues that say customers (or only the team) speak.
Channels and the purchase/after-purchase words are the method's (``method.channels``,
prompts/method/wordlists.yaml), which the linter reads too: one list per notion. French and English
together, matched as whole words in folded text.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from ..domain.journey_map import Lang
from ..method.channels import channels
from ..resources import load_yaml, prompts_dir
from ..text import Lexicon, fold
from ..text.numbers import NUMBER_VALUES


@cache
def _data() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(prompts_dir() / "interview" / "wordlists.yaml")
    return data


@cache
def emotions() -> Lexicon:
    return Lexicon((w, int(score)) for score, words in _data()["emotions"].items() for w in words)


@cache
def negations() -> frozenset[str]:
    return frozenset(fold(w) for w in _data()["negations"])


@cache
def teams() -> Lexicon:
    return Lexicon(((w, (e["name"]["fr"], e["name"]["en"])) for e in _data()["teams"] for w in e["words"]), plurals=True)


@cache
def keyed(name: str) -> Lexicon:
    """A word list whose words map to a key (evidence kinds, efforts, SONCAS motives...)."""
    return Lexicon((w, key) for key, words in _data()[name].items() for w in words)


@cache
def _method_lists() -> dict[str, Any]:
    data: dict[str, Any] = load_yaml(prompts_dir() / "method" / "wordlists.yaml")
    return dict(data.get("lists", data))


@cache
def flat(name: str) -> Lexicon:
    """A plain word list (customer cues, internal cues, "je ne sais pas"...): the interview's own
    lists, else the method's (``multi_segment``...), which the linter reads too."""
    raw = _data()[name] if name in _data() else {k: v for k, v in _method_lists()[name].items() if k in ("fr", "en")}
    words = [w for ws in raw.values() for w in ws] if isinstance(raw, dict) else raw
    return Lexicon((w, True) for w in words)


def warm_up() -> None:
    """Load and compile every word list now (the first answer then reads as fast as the others)."""
    channels(), emotions(), teams(), negations()
    _lifecycle()
    for name in ("evidence_kinds", "efforts", "opportunity_kinds", "opportunity_levers", "soncas",
                 "moment_kinds"):
        keyed(name)
    for name in ("customer_cues", "internal_cues", "no_evidence", "dont_know", "not_yet", "already_said",
                 "method_vocabulary", "method_question_starts"):
        flat(name)


_SCORE = re.compile(r"(?:note|score|émotion|emotion|noté|rated?|je dirais|i'd say|i would say|disons|say)\s*"
                    r"(?:de|of|:|=|à|at)?\s*([+\-−–]?\s?[0-2])(?!\d|[.,]\d|\s?%|\s?/\s?(?:5|10|20|100))"
                    r"|(?<![\w\d/.,])([+\-−–]\s?[0-2])(?!\d|[.,]\d|\s?%|/)", re.IGNORECASE)


_WORD_SCORE = re.compile(r"(?<![\w'’-])(?<!\bde )(?<!\bfrom )(?<!\bà )(?<!\bto )(?P<sign>plus|moins|minus)\s+"
                         r"(?P<n>un|une|deux|one|two)\b(?!-)(?!\s+(?:à|a|to|et|and)\s+(?:plus|moins|minus)\b)"
                         r"(?!\s*(?:h\b|heures?|minutes?|jours?|semaines?|mois|ans?|fois|pour|per|hours?|days?|weeks?|months?|"
                         r"years?|times|%|euros?|pounds?))", re.IGNORECASE)
"""A score said in words: « angoissée, moins deux », "relieved, plus one"."""


def explicit_score(text: str) -> tuple[int, tuple[int, int]] | None:
    """A score from −2 to +2 written in the text ("-1", "+2", "note 0", "je dirais -2", « moins deux ») and its
    span."""
    m = _SCORE.search(text)
    said = _WORD_SCORE.search(text)
    if said is not None and (m is None or said.start() < m.start()):
        value = NUMBER_VALUES[said.group("n").casefold()]
        return (-value if said.group("sign").lower() in ("moins", "minus") else value), (said.start(), said.end())
    if not m:
        return None
    group = 1 if m.group(1) else 2
    raw = (m.group(group) or "").replace(" ", "").replace("−", "-").replace("–", "-")
    try:
        value = int(raw)
    except ValueError:
        return None
    return (value, (m.start(group), m.end(group))) if -2 <= value <= 2 else None


def emotion_words(text: str) -> list[tuple[int, int, int]]:
    """(start, end, signed score) of each emotion word, its sign flipped by a negation just before."""
    folded = fold(text)
    out = []
    for start, end, score in emotions().find_all(text):
        before = folded[max(0, start - 16):start].split()[-2:]
        negated = any(w in negations() or w.endswith("n't") for w in before)
        out.append((start, end, -score if negated else score))
    return out


def emotion_score(text: str) -> tuple[int, str] | None:
    """The emotion in ``text``: an explicit score (−2..+2) wins, else the strongest emotion word (its
    sign flipped by a negation just before). Returns (score, the emotion's words) or None."""
    explicit = explicit_score(text)
    best: tuple[int, str] | None = None
    for start, end, value in emotion_words(text):
        if best is None or abs(value) > abs(best[0]):
            best = (value, text[start:end])
    if explicit is not None:
        return explicit[0], best[1] if best else ""
    return best


def find_team(text: str, lang: Lang) -> str | None:
    found = teams().first(text)
    if found is None:
        return None
    return str(found[0] if lang == "fr" else found[1])


def lifecycle_of(name: str) -> str | None:
    """'after_purchase', 'purchase' or None, from the words of a stage name."""
    found = _lifecycle().find_all(name)
    if not found:
        return None
    kinds = {k for *_, k in found}
    return "after_purchase" if "after_purchase" in kinds else "purchase"


@cache
def _lifecycle() -> Lexicon:
    """The method's purchase and after-purchase words (the linter reads the same lists)."""
    lists = _method_lists()
    return Lexicon((w, key) for key in ("purchase", "after_purchase")
                   for lang in ("fr", "en") for w in lists[key].get(lang, []))


def says(name: str, text: str) -> bool:
    """True when ``text`` holds a phrase of the flat word list ``name``."""
    return flat(name).has(text)


def says_already(text: str) -> bool:
    """True for an answer that only points back at an earlier one ("je l'ai déjà dit", "as I said")."""
    return says("already_said", text) and len(text.split()) <= 14
