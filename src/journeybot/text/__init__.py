"""The one text toolkit: folding, spans and sentences, whole-word patterns, numbers and dates.

A leaf below every layer that reads words (interview, lint, knowledge, plan): it imports nothing of
journeybot. French and English are handled together.
"""

from __future__ import annotations

from .dates import add_months, find_date
from .fold import cap, fold, normalise, squash
from .numbers import to_float
from .patterns import Lexicon, whole_word_pattern
from .spans import Span, masked, sentence_spans, sentences

__all__ = [
    "Lexicon",
    "Span",
    "add_months",
    "cap",
    "find_date",
    "fold",
    "masked",
    "normalise",
    "sentence_spans",
    "sentences",
    "squash",
    "to_float",
    "whole_word_pattern",
]
