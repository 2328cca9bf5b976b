"""Numbers as people write them: "1 200", "1,200", "4,5", "−2"."""

from __future__ import annotations

import re

from .dates import NUMBER_WORDS

_THOUSANDS = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?!\d))")


def to_float(raw: str) -> float | None:
    """The value of a number written in French or English ("1 200,5", "1,200.5", "12,5", "−2")."""
    text = raw.strip().replace("−", "-").replace("–", "-")
    text = _THOUSANDS.sub("", text)
    if re.fullmatch(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        text = text.replace(",", "")  # 1,200 or 1,200.5: English thousands
    else:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


NUMBER_VALUES: dict[str, int] = {
    **{k.strip(): v for k, v in NUMBER_WORDS.items() if k.strip() not in ("a", "an", "quelques", "few")},
    "zero": 0, "thirteen": 13, "fourteen": 14, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "hundreds": 100, "zéro": 0, "treize": 13, "quatorze": 14, "seize": 16, "vingts": 20, "trente": 30,
    "quarante": 40, "cinquante": 50, "soixante": 60, "cent": 100, "cents": 100,
}
"""Numbers written as words, the dates' list (``NUMBER_WORDS``) and the tens and hundreds it does not need."""
_PERCENT_WORDS = re.compile(r"(?P<w>[A-Za-zÀ-ÿ]+(?:[-\s]+[A-Za-zÀ-ÿ]+){0,4})\s+(?:per\s?cent|percent|pour\s?cent)\b",
                            re.IGNORECASE)


def percent_words(text: str) -> list[tuple[int, int, int]]:
    """Percentages written in words, as (start, end, value): "Forty-four per cent" → 44, « quarante-deux
    pour cent » → 42 (the longest run of number words before "per cent")."""
    out = []
    for m in _PERCENT_WORDS.finditer(text):
        words = list(re.finditer(r"[A-Za-zÀ-ÿ]+", m.group("w")))
        for k in range(len(words)):
            start = m.start("w") + words[k].start()
            value = words_to_int(text[start:m.end("w")])
            if value is not None:
                out.append((start, m.end(), value))
                break
    return out


def int_said(word: str) -> int | None:
    """A whole number said in digits or in words ("7", « sept », "seven")."""
    word = word.strip()
    return int(word) if word.isdigit() else words_to_int(word)


def words_to_int(words: str) -> int | None:
    """The value of a number written in words, up to a thousand ("forty-four" → 44, « quatre-vingt-dix » → 90,
    « deux cents » → 200)."""
    tokens = [t for t in re.split(r"[-\s]+", words.strip().casefold()) if t and t not in ("et", "and")]
    if not tokens or any(t not in NUMBER_VALUES for t in tokens):
        return None
    total = 0
    for k, token in enumerate(tokens):
        value = NUMBER_VALUES[token]
        if token in ("vingt", "vingts") and k > 0 and tokens[k - 1] == "quatre":
            total += 80 - 4  # quatre-vingt(s): 4 x 20
        elif value == 100 and total:
            total *= 100
        else:
            total += value
    return total if 0 <= total <= 1000 else None


_WORD_RUN = re.compile(r"[A-Za-zÀ-ÿ]+(?:[-\s]+[A-Za-zÀ-ÿ]+){0,4}")


def number_words(text: str) -> list[tuple[int, int, float]]:
    """Numbers written in words, as (start, end, value): the longest run of number words ("deux cents",
    "forty-five", "quatre-vingt-dix"), "a"/"un" alone left out."""
    out: list[tuple[int, int, float]] = []
    tokens = list(re.finditer(r"[A-Za-zÀ-ÿ]+", text))
    k = 0
    while k < len(tokens):
        best = None
        for j in range(min(len(tokens), k + 5) - 1, k - 1, -1):
            gap_ok = all(re.fullmatch(r"[-\s]+|[-\s]+(?:et|and)[-\s]+", text[tokens[i].end():tokens[i + 1].start()])
                         for i in range(k, j))
            if not gap_ok:
                continue
            words = text[tokens[k].start():tokens[j].end()]
            value = words_to_int(words)
            if value is not None and words.casefold() not in ("a", "an", "un", "une", "one"):
                best = (tokens[k].start(), tokens[j].end(), value, j)
                break
        if best is None:
            k += 1
            continue
        start, end, value, j = best
        point = re.match(r"\s+(?:point|virgule)\s+([A-Za-zÀ-ÿ]+)", text[end:])
        decimal = words_to_int(point.group(1)) if point else None
        if point and decimal is not None and decimal < 10:  # "four point eight" → 4.8
            out.append((start, end + point.end(), value + decimal / 10))
            k = next((i for i, tok in enumerate(tokens) if tok.start() >= end + point.end()), len(tokens))
            continue
        out.append((start, end, value))
        k = j + 1
    return out
