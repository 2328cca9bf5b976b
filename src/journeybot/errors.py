"""The one base of journeybot's errors: a sentence for the user in French and in English, and the exit
code a command ends with. Every layer's error derives from it (ModelError, SettingsError, StoreError,
KnowledgeError, DocumentError, AnswerFileError, EvidenceImportError, MapFileError, CommandError,
WorkshopPathError), so the app and the CLI show any of them the same way: ``err.message(lang)``, never
a traceback or a raw pydantic location."""

from __future__ import annotations

from typing import Any


class JourneybotError(Exception):
    """An error with its own plain sentence per language. ``exit_code``: 2 for bad input (a file, a
    flag, a command line the user can fix), 1 for a failure (a server down, a database locked)."""

    exit_code: int = 1

    def __init__(self, en: str = "", fr: str | None = None) -> None:
        super().__init__(en)
        self.en = en
        self.fr = fr if fr is not None else en

    def message(self, lang: str) -> str:
        return (self.fr if lang == "fr" else self.en) or type(self).__name__


class BadInput(JourneybotError):
    """What the user gave cannot be used as it is (exit code 2)."""

    exit_code: int = 2


def readable(error: BaseException, lang: str) -> str:
    """One plain sentence for any error: its own when it is journeybot's, else its text."""
    if isinstance(error, JourneybotError):
        return error.message(lang)
    problems: Any = getattr(error, "errors", None)
    if callable(problems) and type(error).__name__ == "ValidationError":  # pydantic: its sentences, no locations
        try:
            return "; ".join(str(p.get("msg", "")) for p in problems()[:3])
        except Exception:
            pass
    return str(error) or type(error).__name__


__all__ = ["BadInput", "JourneybotError", "readable"]
