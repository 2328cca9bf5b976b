"""Whole-word phrase patterns (one trie-factored regex per list) and lexicons mapping phrases to values."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .fold import fold

_Trie = dict[str, "_Trie"]


def _trie_pattern(phrases: frozenset[str]) -> str:
    """One regex for all ``phrases``, factored as a trie ("lead qualifie|lead froid" becomes
    "lead (?:froid|qualifie)"): Python's re then tries one branch per character instead of every
    phrase at every position. Longer phrases are tried before their prefixes, like a longest-first
    alternation."""
    trie: _Trie = {}
    for phrase in phrases:
        node = trie
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}

    def branch(node: _Trie) -> str:
        alternatives = [re.escape(char) + branch(child) for char, child in sorted(node.items()) if char]
        if not alternatives:
            return ""
        group = alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"
        if "" in node:
            return f"(?:{group})?" if len(alternatives) == 1 else f"{group}?"
        return group

    return branch(trie)


def whole_word_pattern(phrases: Iterable[str]) -> re.Pattern[str]:
    """One regex that finds any of ``phrases`` as whole words, the longest phrase first (a pattern that
    matches nothing when there is no phrase)."""
    body = _trie_pattern(frozenset(phrases)) or r"(?!x)x"
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


def _plural(phrase: str) -> str | None:
    """The plural of a phrase's last word, French or English ("comparison site" → "comparison sites")."""
    head, _, last = phrase.rpartition(" ")
    if len(last) < 3 or last[-1] in "sxz" or not last[-1].isalpha():
        return None
    plural = last + ("x" if last.endswith(("eau", "au")) else "s")
    return f"{head} {plural}" if head else plural


class Lexicon:
    """Phrases mapped to values, matched as whole words in folded text (longest phrase first); with
    ``plurals``, a phrase also matches with its last word in the plural."""

    def __init__(self, pairs: Iterable[tuple[str, Any]], *, plurals: bool = False):
        self.values: dict[str, Any] = {}
        for phrase, value in pairs:
            key = fold(str(phrase)).strip()
            if key and key not in self.values:
                self.values[key] = value
        if plurals:
            for key, value in list(self.values.items()):
                plural = _plural(key)
                if plural is not None and plural not in self.values:
                    self.values[plural] = value
        self.pattern = whole_word_pattern(self.values)

    def find_all(self, text: str) -> list[tuple[int, int, Any]]:
        """(start, end, value) of every phrase found, as spans of ``text``."""
        folded = fold(text)
        return [(m.start(), m.end(), self.values[m.group(0)]) for m in self.pattern.finditer(folded)]

    def first(self, text: str) -> Any | None:
        found = self.find_all(text)
        return found[0][2] if found else None

    def has(self, text: str) -> bool:
        return bool(self.pattern.search(fold(text)))
