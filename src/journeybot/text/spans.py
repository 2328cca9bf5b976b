"""Spans of an answer and its sentences, with their offsets (what the reader keeps is always a span)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """A piece of a text: ``text[start:end]``, kept with its offsets."""

    start: int
    end: int
    text: str

    def __str__(self) -> str:
        return self.text

    @staticmethod
    def of(source: str, start: int, end: int) -> Span:
        """The span of ``source`` from ``start`` to ``end``, without the spaces and light punctuation
        at its ends (the offsets move with them)."""
        while start < end and source[start] in " \t\n,;:–—-•·*\"'«»“”(":
            start += 1
        full_end = end
        while end > start and source[end - 1] in " \t\n,;:–—-•·*\"'«»“”.!?)…":
            end -= 1
        for opening, closing in (("«", "»"), ("“", "”"), ('"', '"'), ("'", "'")):
            # a quotation the span opens keeps its end: « ... Je suis partie. »
            tail = source[end:min(len(source), full_end + 2)]
            inside = source[start:end]
            still_open = inside.count(opening) % 2 == 1 if opening == closing else (
                opening in inside and closing not in inside)
            if still_open and closing in tail:
                end += tail.index(closing) + 1
        # keep a closing bracket or quote whose opening one is inside the span
        if end < len(source) and source[end:end + 1] == ")" and "(" in source[start:end]:
            end += 1
        for opening, closing in (("«", "»"), ("“", "”")):
            if end < len(source) and source[end:end + 1] == closing and opening in source[start:end]:
                end += 1
            if end < len(source) and source[end:end + 2] == " " + closing and opening in source[start:end]:
                end += 2
        return Span(start, end, source[start:end])

    def sub(self, source: str, start: int, end: int) -> Span:
        """A span of ``source`` inside this one, offsets relative to this span's text."""
        return Span.of(source, self.start + start, self.start + end)


_ABBREV = re.compile(r"(?:\b(?:M|Mme|Mlle|Mr|Mrs|Ms|Dr|St|Ste|Pr|etc|env|vs|cf|ex|p|n°|No|e\.g|i\.e|approx|min|max|"
                     r"janv|févr|fév|avr|juil|sept|oct|nov|déc|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)"
                     r"|\b[A-Z])$")
_CORRECTS = re.compile(r"(?:ah|oh|euh|non|no|wait|pardon|sorry|en fait|actually|attendez|hang on)\b", re.IGNORECASE)
_END = re.compile(r"(?<=[.!?…])[\"'»”)]*\s+|\n+|(?<=;)\s+")


_QUOTED = re.compile(r"«[^«»\n]{1,1200}»|“[^“”\n]{1,1200}”|\"[^\"\n]{1,1200}\"|(?:(?<=[\s:])|^)'(?=\S)[^\n]{1,1200}?(?<=[^\s])'(?=\s|$)")
"""A quotation on one line: what a customer said, kept as one piece even when it has several sentences."""


def sentence_spans(text: str, *, semicolons: bool = True) -> list[Span]:
    """The sentences of ``text`` (and lines; and, with ``semicolons``, the parts between semicolons),
    as spans. A full stop after an abbreviation ("M.", "Mme", "etc.") or inside a number does not end
    a sentence, nor one inside a quotation (« J'ai attendu. Je suis partie. »)."""
    out: list[Span] = []
    start = 0
    quoted = [(q.start(), q.end()) for q in _QUOTED.finditer(text)]
    ends: list[tuple[int, int, str]] = [(m.start(), m.end(), m.group(0)) for m in _END.finditer(text)
                                        if not any(s < m.start() and m.end() < e for s, e in quoted)]
    for s, e in quoted:  # a quotation that ends a sentence (« ... partie. » Ensuite) ends it there
        after = re.match(r"\s+", text[e:])
        if after and re.search(r"[.!?…]\s*$", text[s:e - 1]) and not any(a <= e < b for a, b, _ in ends):
            ends.append((e, e + after.end(), after.group(0)))
    for m_start, m_end, m_text in sorted(ends):
        piece = text[start:m_start]
        if not semicolons and piece.endswith(";") and "\n" not in m_text:
            continue
        if piece.endswith(".") and _ABBREV.search(piece[:-1]):
            continue
        if piece.endswith((".", "…", "?", "!")) and m_end < len(text) and text[m_end].islower() and "\n" not in m_text \
                and not _CORRECTS.match(text, m_end):
            # "Il vient en magasin. puis..." is rare; "env. 30 %" and "p. ex." are common: no capital, no break
            continue
        span = Span.of(text, start, m_start)
        if span.text:
            out.append(span)
        start = m_end
    span = Span.of(text, start, len(text))
    if span.text:
        out.append(span)
    return out


def sentences(text: str) -> list[str]:
    """The sentences of ``text`` as strings (see ``sentence_spans``)."""
    return [s.text for s in sentence_spans(text)]


def masked(body: str) -> str:
    """``body``, same length, with what is inside brackets and quotes and a remark between dashes blanked
    with "_": a list is never cut there ("« La bascule » — le jour où le numéro passe —, …")."""
    depth = 0
    out = []
    for ch in body:
        if ch in "(«“[":
            depth += 1
        elif ch in ")»”]" and depth:
            depth -= 1
        out.append(ch if depth == 0 else "_")
    flat = "".join(out)
    return re.sub(r"\s[—–]\s[^—–]{1,80}\s[—–](?=\s|$)", lambda m: " " + "_" * (len(m.group(0)) - 1), flat)
