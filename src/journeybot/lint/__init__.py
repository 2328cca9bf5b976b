"""The pitfall linter and the coach's review: pure functions over a JourneyMap.

Public API: ``lint(journey, lang) -> list[Finding]``, ``review(journey, lang) -> Review``,
``render_review_text(review, lang) -> str``, ``normalise(text)``.
"""

from __future__ import annotations

from .finding import Finding
from .linter import lint
from .text import normalise

__all__ = ["Finding", "lint", "normalise"]
