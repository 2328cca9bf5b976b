"""The one error the knowledge layer raises: a plain sentence in French and in English."""

from __future__ import annotations

from ..errors import JourneybotError
from ..i18n import choose


class KnowledgeError(JourneybotError):
    """Indexing or retrieval that cannot be done (bad input, missing package, unreachable server)."""

    def __init__(self, en: str, fr: str, *, bad_input: bool = False):
        super().__init__(en, fr)
        self.bad_input = bad_input
        self.exit_code = 2 if bad_input else 1

    def message(self, lang: str) -> str:
        return choose("fr" if lang == "fr" else "en", self.fr, self.en)
