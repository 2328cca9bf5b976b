"""The pitfall linter and the coach's review: pure functions over a JourneyMap.

Public API: ``lint(journey, lang) -> list[Finding]``, ``review(journey, lang) -> Review``,
``render_review_text(review, lang) -> str``, ``normalise(text)``.
"""

from __future__ import annotations

from ..text import normalise
from .finding import Finding
from .linter import lint
from .review import CriterionScore, NextStep, PhaseCheck, Review, render_review_text, review

__all__ = [
    "CriterionScore", "Finding", "NextStep", "PhaseCheck", "Review", "lint", "normalise",
    "render_review_text", "review",
]
