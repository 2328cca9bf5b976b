"""Keyword scores (BM25) over the same chunks as the vector index: accent-folded tokens, French and
English stop words dropped, a light plural folding. Pure: numpy and rank_bm25 only."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..text import fold

_WORD = re.compile(r"[a-z0-9]+")

# Frequent French and English words that say nothing about the topic (accent-folded).
_STOP_TEXT = """
a au aux avec ce ces cet cette ci comme dans de des du elle elles en entre est et etre eu fait faire
il ils je la le les leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ont ou par pas
peut plus pour qu que quel quelle quelles quels qui sa sans se ses si son sont sur ta te tes toi ton
tous tout toute toutes tres tu un une vos votre vous y c d j l m n s t qu est-ce comment pourquoi
quand quoi donc alors aussi bien ici la-dessus chaque dont avant apres sous chez lorsque lors
doit doivent faut peuvent ai as avons avez sera seront etait ete etre avoir
the a an and are as at be been being but by can could did do does doing for from had has have
having he her here hers him his how i if in into is it its itself just me more most my no nor not
now of off on once only or other our ours out over own same she should so some such than that the
their theirs them then there these they this those through to too under until up very was we were
what when where which while who whom why will with would you your yours yourself should must
about after before each also any many much may might shall
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())


def _stem(word: str) -> str:
    """Fold simple plurals so that 'points' matches 'point' and 'emotions' matches 'emotion'."""
    if len(word) > 3 and word[-1] in "sx" and not word.endswith("ss"):
        return word[:-1]
    return word


def tokenize(text: str) -> list[str]:
    return [_stem(w) for w in _WORD.findall(fold(text)) if len(w) > 1 and w not in STOP_WORDS]


class KeywordIndex:
    """BM25 over a fixed list of texts; ``scores(query)`` gives one score per text."""

    def __init__(self, texts: Sequence[str]):
        from rank_bm25 import BM25Okapi

        self._tokens = [tokenize(t) for t in texts]
        self._bm25 = BM25Okapi(self._tokens) if any(self._tokens) else None
        self.size = len(texts)

    def scores(self, query: str) -> list[float]:
        words = tokenize(query)
        if self._bm25 is None or not words:
            return [0.0] * self.size
        return [float(s) for s in self._bm25.get_scores(words)]
