"""The one error the knowledge layer raises: a plain sentence in French and in English."""

from __future__ import annotations

from ..i18n import choose


class KnowledgeError(Exception):
    """Indexing or retrieval that cannot be done (bad input, missing package, unreachable server)."""

    def __init__(self, en: str, fr: str, *, bad_input: bool = False):
        super().__init__(en)
        self.en = en
        self.fr = fr
        self.bad_input = bad_input

    def message(self, lang: str) -> str:
        return choose("fr" if lang == "fr" else "en", self.fr, self.en)
