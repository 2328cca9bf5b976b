"""Comparing French output with the words a test expects: French typography puts no-break spaces
before « : ; ? ! » and inside guillemets (journeybot.i18n.typography, checked by
tests/test_language_quality.py); tests about the wording compare with plain spaces."""

from __future__ import annotations

from journeybot.i18n import NBSP


def plain(text: str) -> str:
    """``text`` with every no-break space as a plain one."""
    return text.replace(NBSP, " ").replace("\u202f", " ")
