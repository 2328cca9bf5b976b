"""Text matching for the lint heuristics: accent-, case- and hyphen-insensitive whole-word search.

The word lists themselves are data (prompts/method/wordlists.yaml, loaded by method.catalog).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from ..method.catalog import wordlists

_FOLD = str.maketrans(
    {
        "’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'",
        "-": " ", "‐": " ", "‑": " ", "‒": " ", "–": " ", "—": " ", "_": " ",
        "œ": "oe", "æ": "ae", "\u00a0": " ", "\u202f": " ",
    }
)
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Fold text for matching: lower case, no accents, one apostrophe style, hyphens as spaces.

    >>> normalise("  Bouche-à-Oreille ’SAV’ ")
    "bouche a oreille 'sav'"
    """
    if text.isascii():
        folded = text.casefold().translate(_FOLD)
    else:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        folded = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_FOLD)
    return _SPACES.sub(" ", folded).strip()


class WordList:
    """One named word list (both languages), compiled into a single whole-word pattern."""

    def __init__(self, name: str, phrases: list[str]):
        self.name = name
        self.phrases = frozenset(p for p in (normalise(x) for x in phrases) if p)
        ordered = sorted(self.phrases, key=len, reverse=True)
        body = "|".join(re.escape(p) for p in ordered) or r"(?!x)x"
        self._pattern = re.compile(rf"(?<!\w)(?:{body})(?!\w)")

    def find(self, text: str | None) -> str | None:
        """The first phrase of the list found in ``text`` (normalised), or None."""
        if not text:
            return None
        match = self._pattern.search(normalise(text))
        return match.group(0) if match else None

    def matches(self, text: str | None) -> bool:
        return self.find(text) is not None

    def is_exactly(self, text: str | None) -> bool:
        """True when the whole text (normalised) is one phrase of the list."""
        return bool(text) and normalise(text or "") in self.phrases


@cache
def word_list(name: str) -> WordList:
    """The word list ``name`` of wordlists.yaml, French and English together."""
    lists = wordlists()
    if name not in lists:
        raise KeyError(f"prompts/method/wordlists.yaml has no list named {name!r}")
    entry = lists[name]
    return WordList(name, entry["fr"] + entry["en"])
