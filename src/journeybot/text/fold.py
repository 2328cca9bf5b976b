"""Folding text for matching: lower case, no accents, one apostrophe, hyphens as spaces.

``fold`` keeps the LENGTH of the text (a match in the folded text is the same span in the original);
``normalise`` also folds ligatures and collapses spaces (for comparing whole values).
"""

from __future__ import annotations

import re
import unicodedata

_FOLD_CHARS = {"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "-": " ", "‐": " ", "‑": " ", "‒": " ",
               "–": " ", "—": " ", "\u00a0": " ", "\u202f": " ", "−": "-"}


class _FoldTable(dict[int, str]):
    """str.translate table built lazily: each character folded once, then looked up in C."""

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        mapped = _FOLD_CHARS.get(ch, ch)
        low = mapped.lower()
        if len(low) != 1:
            low = mapped
        base = unicodedata.normalize("NFKD", low)[:1] or low
        out = base if base.isascii() or not unicodedata.combining(base) else low
        self[code] = out
        return out


_TABLE = _FoldTable()


def fold(text: str) -> str:
    """Lower case, no accents, one apostrophe, hyphens as spaces; SAME LENGTH as ``text``."""
    return text.translate(_TABLE)


_NORMALISE = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'", "ʼ": "'", "-": " ", "‐": " ", "‑": " ",
                            "‒": " ", "–": " ", "—": " ", "_": " ", "œ": "oe", "æ": "ae", "\u00a0": " ",
                            "\u202f": " "})
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")


def normalise(text: str) -> str:
    """Fold for comparing values: lower case, no accents, ligatures spelled out, spaces collapsed.

    >>> normalise("  Bouche-à-Oreille ’SAV’ ")
    "bouche a oreille 'sav'"
    """
    if text.isascii():
        folded = text.casefold().translate(_NORMALISE)
    else:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        folded = _COMBINING.sub("", decomposed).translate(_NORMALISE)
    return " ".join(folded.split())


def squash(text: str) -> str:
    """``fold`` with runs of spaces made one and the ends stripped (not the same length)."""
    return " ".join(fold(text).split())


def cap(text: str, n: int = 80) -> str:
    """``text`` on one line, cut at a word before ``n`` characters (with "…" when cut)."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= n:
        return text
    cut = text[:n].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"
