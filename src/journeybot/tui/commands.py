"""Slash commands typed in the chat box: their names, usage, help and completion. Pure (no Textual)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .texts import Lang

_PLACEHOLDERS_FR = {"FILE": "FICHIER", "NAME": "NOM"}
"""How the placeholders of a usage line read in French (command names and IDs stay as typed)."""


@dataclass(frozen=True)
class CommandSpec:
    name: str
    usage: str
    fr: str
    en: str
    min_args: int = 0
    max_args: int = 0

    def help(self, lang: Lang) -> str:
        return self.fr if lang == "fr" else self.en

    def usage_in(self, lang: Lang) -> str:
        """``/export FORMAT [FILE]``, « /export FORMAT [FICHIER] »."""
        if lang != "fr":
            return self.usage
        return re.sub(r"\b[A-Z]+\b", lambda m: _PLACEHOLDERS_FR.get(m.group(0), m.group(0)), self.usage)


_SPECS = (
    CommandSpec("next", "/next", "passer à la phase suivante", "move on to the next phase"),
    CommandSpec("back", "/back", "revenir à la phase précédente", "go back to the previous phase"),
    CommandSpec("skip", "/skip", "sauter cette question", "skip this question"),
    CommandSpec("phase", "/phase ID", "aller à une phase (ex. `/phase touchpoints`)",
                "jump to a phase (e.g. `/phase touchpoints`)", 1, 1),
    CommandSpec("map", "/map", "afficher la carte en entier", "show the whole map"),
    CommandSpec("lint", "/lint", "vérifier les pièges de la carte", "check the map for pitfalls"),
    CommandSpec("review", "/review", "relecture critique de la carte", "critical review of the map"),
    CommandSpec("why", "/why [CODE]", "pourquoi cette question (ou ce piège), avec la source",
                "why this question (or this pitfall), with its source", 0, 1),
    CommandSpec("export", "/export FORMAT [FILE]", "exporter la carte (json, md, html, csv, mermaid…)",
                "export the map (json, md, html, csv, mermaid…)", 1, 2),
    CommandSpec("import", "/import FILE.csv", "importer des preuves client (verbatims, avis, tickets)",
                "import customer evidence (verbatims, reviews, tickets)", 1, 1),
    CommandSpec("sessions", "/sessions", "reprendre une session passée", "resume a past session"),
    CommandSpec("model", "/model [NAME]", "voir ou changer le modèle", "show or change the model", 0, 1),
    CommandSpec("lang", "/lang fr|en", "changer de langue", "change language", 1, 1),
    CommandSpec("accept", "/accept", "accepter la proposition (comme Ctrl+Y)", "accept the proposal (like Ctrl+Y)"),
    CommandSpec("reject", "/reject", "écarter la proposition (comme Ctrl+D)", "drop the proposal (like Ctrl+D)"),
    CommandSpec("help", "/help", "cette aide", "this help"),
    CommandSpec("quit", "/quit", "quitter (la session est enregistrée)", "quit (the session is saved)"),
)

COMMANDS: dict[str, CommandSpec] = {c.name: c for c in _SPECS}

ALIASES: dict[str, str] = {
    "suivant": "next", "suivante": "next", "retour": "back", "precedent": "back", "précédent": "back",
    "passer": "skip", "etape": "phase", "étape": "phase", "carte": "map", "pieges": "lint",
    "pièges": "lint", "warnings": "lint", "revue": "review", "bilan": "review", "pourquoi": "why",
    "exporter": "export", "importer": "import", "modele": "model", "modèle": "model", "langue": "lang", "aide": "help",
    "quitter": "quit", "exit": "quit", "ok": "accept", "oui": "accept", "yes": "accept",
    "accepter": "accept", "non": "reject", "no": "reject", "rejeter": "reject", "ecarter": "reject",
    "écarter": "reject",
}
"""French (and a few English) words for the commands, as the interviewer's own messages use them."""


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...]


class CommandError(ValueError):
    """A slash command that cannot run: unknown name or wrong number of arguments."""

    def __init__(self, kind: str, name: str, usage: str = ""):
        super().__init__(f"{kind}: {name}")
        self.kind = kind  # "unknown" | "usage"
        self.name = name
        self.usage = usage


def is_command(text: str) -> bool:
    """A line starting with one '/' followed by a letter (a path like '/tmp/x' typed alone still is)."""
    stripped = text.strip()
    return stripped.startswith("/") and len(stripped) > 1 and stripped[1].isalpha() and "\n" not in stripped


def parse(text: str) -> Command:
    """'/export html out.html' -> Command('export', ('html', 'out.html')). Raises CommandError."""
    parts = text.strip()[1:].split()
    name, args = parts[0].lower(), tuple(parts[1:])
    spec = COMMANDS.get(ALIASES.get(name, name))
    if spec is None:
        matches = [c for c in COMMANDS if c.startswith(name)]
        if len(matches) != 1:
            raise CommandError("unknown", name)
        spec = COMMANDS[matches[0]]
    if not spec.min_args <= len(args) <= spec.max_args:
        raise CommandError("usage", spec.name, spec.usage)
    return Command(spec.name, args)


def complete(text: str, extra: dict[str, list[str]] | None = None) -> list[str]:
    """Completions of a partly typed command line: command names, then known arguments
    (``extra`` maps a command to its possible first arguments, e.g. phase ids)."""
    if not text.startswith("/") or "\n" in text:
        return []
    body = text[1:]
    if " " not in body:
        return [f"/{c}" for c in COMMANDS if c.startswith(body.lower())]
    name, _, rest = body.partition(" ")
    if " " in rest.strip() or not extra or name.lower() not in extra:
        return []
    return [f"/{name.lower()} {a}" for a in extra[name.lower()] if a.startswith(rest.strip())]
