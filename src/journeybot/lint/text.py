"""Word lists for the lint heuristics: accent-, case- and hyphen-insensitive whole-word search over a
map's texts (the folding and the patterns are the text toolkit's, ``journeybot.text``).

The word lists themselves are data (prompts/method/wordlists.yaml, loaded by method.catalog).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache

from ..method.catalog import wordlists
from ..text import normalise, whole_word_pattern

_SEP = "\x00"
"""Joins texts for one-pass matching: never in map text (control characters are refused), kept by
normalise(), and not a word character, so no phrase can match across two texts."""
_CHUNK = 256


class WordList:
    """One named word list (both languages), compiled into a single whole-word pattern."""

    def __init__(self, name: str, phrases: list[str]):
        self.name = name
        self.phrases = frozenset(p for p in (normalise(x) for x in phrases) if p)
        self._pattern = whole_word_pattern(self.phrases)

    def find(self, text: str | None) -> str | None:
        """The first phrase of the list found in ``text`` (normalised), or None."""
        if not text:
            return None
        match = self._pattern.search(normalise(text))
        return match.group(0) if match else None

    def find_each(self, texts: Sequence[str | None]) -> list[str | None]:
        """``find`` for many texts at once: one normalisation and one regex pass over them all
        (a 500-stage map has thousands of names; this keeps lint within its time budget)."""
        parts = [t or "" for t in texts]
        if not parts:
            return []
        raw = _SEP.join(parts)
        if raw.count(_SEP) != len(parts) - 1:  # a text holds the separator itself: one at a time
            return [self.find(p) for p in parts]
        joined = normalise(raw)
        found: list[str | None] = [None] * len(parts)
        index, counted = 0, 0  # matches come in order: count the separators once, as we go
        for match in self._pattern.finditer(joined):
            index += joined.count(_SEP, counted, match.start())
            counted = match.start()
            if found[index] is None:
                found[index] = match.group(0)
        return found

    def in_any(self, texts: Iterable[str | None]) -> bool:
        """True when at least one of ``texts`` holds a phrase of the list. Texts are read lazily, a
        chunk at a time (one normalisation and one regex search per chunk), stopping at the first
        chunk that has one: on a big map the answer is usually in the first chunk."""
        chunk: list[str] = []
        for text in texts:
            if not text:
                continue
            if _SEP in text:
                if self.matches(text):
                    return True
                continue
            chunk.append(text)
            if len(chunk) == _CHUNK:
                if self._pattern.search(normalise(_SEP.join(chunk))):
                    return True
                chunk.clear()
        return bool(chunk) and self._pattern.search(normalise(_SEP.join(chunk))) is not None

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
