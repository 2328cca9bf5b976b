"""French that reads as French and English with the same care, in everything a user reads: `review`,
`lint`, the Markdown and HTML exports of every example map, the chat's map and pitfalls panes, and
the chat's texts.

Scanned for: « (s) » plurals, ISO dates in prose (YYYY-MM-DD; JSON and CSV data columns may keep
them), tell-tale words of the other language, and (French) a plain or missing space before « : ; ? ! »
and inside « guillemets ».
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeybot.cli.main import app
from journeybot.domain.map_file import load_map
from journeybot.evidence import messages as evidence_messages
from journeybot.export import export_map
from journeybot.i18n import Lang, Plural, typography
from journeybot.interview import opening
from journeybot.interview import texts as interview_texts
from journeybot.lint import lint
from journeybot.method.catalog import pitfalls
from journeybot.tui import texts as tui_texts
from journeybot.tui.map_render import render_map
from journeybot.tui.warnings_pane import finding_text

REPO = Path(__file__).resolve().parent.parent
MAPS = sorted((REPO / "examples").glob("*.json")) + sorted((REPO / "examples" / "flawed").glob("*.json"))
LANGS: tuple[Lang, ...] = ("fr", "en")
runner = CliRunner()

PARENTHESISED_PLURAL = re.compile(r"[^\W\d_]\((?:s|e|es|x|nt|ies)\)", re.IGNORECASE)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
TELL_TALES: dict[Lang, re.Pattern[str]] = {
    # words that give away the other language (checked when the map and the output share a language)
    "fr": re.compile(r"\b(the|and|with|of|error|errors|warning|warnings|missing|stage|stages|touchpoints?|"
                     r"interview|assemble|written|why|none)\b", re.IGNORECASE),
    "en": re.compile(r"\b(les|des|et|avec|pour|une|erreurs?|avertissements?|étapes?|irritants?|entretien|"
                     r"écrite?|pourquoi|preuves?|aucune?|sans|fichier)\b", re.IGNORECASE),
}
PLAIN_SPACE_BEFORE = re.compile(r"\S [:;?!»]|« ")
MISSING_SPACE = re.compile(r"[^\W\d_][)*»]?[:;?!](?=\s|$)|«(?=\w)|\w»")
"""A letter (or the end of a quote or bold) right before « : ; ? ! », or guillemets stuck to a word."""
NOT_PROSE = re.compile(r"`[^`\n]*`|[a-z][a-z0-9+.-]*://\S*|\b\d{1,2}:\d{2}\b|\[[a-z-]+\]"
                       r"|\b[a-z_]+(\[\d+\])?(\.[a-z_]+(\[\d+\])?)+|\b[a-z_]+\[\d+\]|[\w-]+(\|[\w-]+)+", re.IGNORECASE)
"""Not prose: `code`, URLs, times, [codes], JSON paths of map items (stages[2].touchpoints[0]) and the
values a command takes (local|openai|none)."""


def _citations() -> list[str]:
    """The pitfalls' codes (identifiers) and sources (titles of the French seed articles, cited as they
    are written)."""
    sources = {p.source for p in pitfalls().values()}
    return sorted(sources | {typography(s, "fr") for s in sources} | set(pitfalls()), key=len, reverse=True)


def _prose(text: str, *, is_html: bool = False) -> str:
    """The text people read: for HTML without style, tags and entities; never code spans, URLs or
    the titles of cited articles."""
    if is_html:
        text = re.sub(r"<style.*?</style>", " ", text, flags=re.S)
        text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    for source in _citations():
        text = text.replace(source, " ")
    return NOT_PROSE.sub(" ", text)


def _problems(text: str, lang: Lang, *, same_language: bool, is_html: bool = False) -> list[str]:
    prose = _prose(text, is_html=is_html)
    found = [f"plural {m.group(0)!r}" for m in PARENTHESISED_PLURAL.finditer(prose)]
    found += [f"ISO date {m.group(0)}" for m in ISO_DATE.finditer(prose)]
    if not same_language:  # a map written in the other language: its own words are not ours to judge
        return found
    found += [f"{'English' if lang == 'fr' else 'French'} word {m.group(0)!r}: …{prose[max(0, m.start() - 40):m.end() + 20]!r}"
              for m in TELL_TALES[lang].finditer(prose)]
    if lang == "fr":
        for pattern, what in ((PLAIN_SPACE_BEFORE, "plain space"), (MISSING_SPACE, "missing space")):
            found += [f"{what}: …{prose[max(0, m.start() - 30):m.end() + 10]!r}" for m in pattern.finditer(prose)]
    return found


def _map_outputs(path: Path, lang: Lang) -> Iterator[tuple[str, str, bool]]:
    """(what, text, is_html) for every view of one map in one language."""
    journey = load_map(path)
    for command in ("lint", "review"):
        result = runner.invoke(app, [command, str(path), "--lang", lang])
        assert result.exit_code in (0, 1), result.output
        yield command, result.stdout.replace(str(path), "MAP"), False
    for fmt in ("md", "html"):
        content = export_map(journey, fmt, lang=lang)
        assert isinstance(content, str)
        yield f"export {fmt}", content, fmt == "html"
    yield "chat map pane", render_map(journey, lang).plain, False
    yield "chat pitfalls pane", "\n".join(finding_text(f, lang).plain for f in lint(journey, lang)), False


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", MAPS, ids=lambda p: p.name)
def test_reports_and_exports_read_as_written_in_their_language(path: Path, lang: Lang) -> None:
    same = load_map(path).lang == lang
    problems = [f"{what}: {p}" for what, text, is_html in _map_outputs(path, lang)
                for p in _problems(text, lang, same_language=same, is_html=is_html)]
    assert problems == []


def _catalog_texts(lang: Lang) -> Iterator[tuple[str, str]]:
    """Every text of the chat's catalogs, with sample values (each plural with 1 and with 3)."""
    values = {"n": 3, "count": 3, "total": 11, "title": "Titre", "name": "local", "reason": "raison",
              "id": "abc123", "log": "journal.log", "path": "carte.html", "what": "x", "why": "y", "file": "f.csv",
              "size": 9000, "kept": 4000, "missing": "m", "cmd": "/x", "arg": "x", "ids": "a, b", "sources": "s",
              "code": "c", "codes": "a, b", "usage": "/x", "limit": 2000}
    catalogs = {"interview": interview_texts._TEXTS, "tui": tui_texts._TEXTS, "evidence": evidence_messages.MESSAGES}
    for name, catalog in catalogs.items():
        for key, entry in catalog.items():
            say = {"interview": interview_texts.say, "tui": tui_texts.t, "evidence": evidence_messages.say}[name]
            forms = [*entry.fr, *entry.en] if isinstance(entry, Plural) else list(entry.values() if isinstance(entry, dict) else entry)
            named = {field for form in forms for _, field, _, _ in string.Formatter().parse(form) if field}
            filled = {field: "x" for field in named} | values  # a placeholder nobody listed here gets "x"
            for n in ((1, 3) if isinstance(entry, Plural) else (3,)):
                yield f"{name}.{key}[{n}]", say(key, lang, **{**filled, "n": n, "count": n})
    yield "opening", opening.first_screen(lang)
    yield "help", tui_texts.help_markdown(lang)


@pytest.mark.parametrize("lang", LANGS)
def test_the_chat_texts_read_as_written_in_their_language(lang: Lang) -> None:
    problems = [f"{key}: {p}" for key, text in _catalog_texts(lang)
                for p in _problems(text, lang, same_language=True)]
    assert problems == []


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("1 opportunité(s) notée(s)", "fr", "plural"),
    ("Date de revue : 2027-06-04", "fr", "ISO date"),
    ("Pièges : 2 erreurs [error]", "fr", "plain space"),
    ("Écrit: carte.md", "fr", "missing space"),
    ("2 warnings and 1 error", "fr", "English word"),
    ("1 touchpoint sans propriétaire", "en", "French word"),
])
def test_the_scanner_catches_what_it_looks_for(text: str, lang: Lang, expected: str) -> None:
    assert any(p.startswith(expected) for p in _problems(text, lang, same_language=True))
