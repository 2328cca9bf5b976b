"""Method documents read from disk and cut into chunks (pure: no Chroma, no embeddings).

Format of a Markdown method document (knowledge/{fr,en}/*.md): YAML front matter with ``id``,
``title``, ``lang`` (fr|en), ``phases``, ``pitfalls``, ``sources``; then ``# Title`` and ``## Section``
headings. Each ``##`` section becomes one chunk that must stand alone. Text between the title and the
first ``##`` heading (an introduction) becomes a chunk named after the document.

A user's ``.txt`` file is cut at blank lines (one chunk per paragraph; very short paragraphs are joined
to the next). Front matter is optional in user files: the id and title default to the file name, the
language is guessed from the words.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from ..errors import BadInput
from ..text import fold

Lang = Literal["fr", "en"]
Origin = Literal["builtin", "user"]

# Bump when the way documents are cut changes: every document is then re-embedded once.
CHUNKER_VERSION = "2"
SUFFIXES = (".md", ".txt")
_MIN_PARAGRAPH = 120  # characters: a shorter .txt paragraph is joined to the next one
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class Chunk:
    """One section of one document: the unit that is embedded, searched and cited."""

    id: str  # unique in the index: "<doc key>#<position>"
    doc_key: str
    doc_id: str
    title: str
    section: str
    lang: Lang
    text: str  # the section's own text, without its heading
    phases: tuple[str, ...]
    pitfalls: tuple[str, ...]
    sources: tuple[str, ...]
    path: str
    doc_hash: str
    position: int

    @property
    def search_text(self) -> str:
        """What is embedded and keyword-indexed: the heading path gives a short section its context."""
        head = self.title if self.section == self.title else f"{self.title} — {self.section}"
        return f"{head}\n\n{self.text}"


@dataclass(frozen=True)
class Document:
    key: str  # where it comes from, stable across runs: "builtin:fr/persona.md" or "user:/abs/path.txt"
    doc_id: str
    title: str
    lang: Lang
    phases: tuple[str, ...]
    pitfalls: tuple[str, ...]
    sources: tuple[str, ...]
    path: Path
    hash: str
    chunks: tuple[Chunk, ...]
    problems: tuple[str, ...] = field(default=())  # front-matter problems worth telling the author


class DocumentError(BadInput, ValueError):
    """A document that cannot be read at all (unreadable file, broken front matter)."""


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(CHUNKER_VERSION.encode() + b"\0" + raw).hexdigest()[:32]


_FR_WORDS = (
    "le la les des un une du et est sont pour dans avec sur pas que qui ce cette vos nos leur "
    "au aux par plus son ses ou mais comme tres etre fait chaque client"
)
_EN_WORDS = (
    "the a an and is are for in with on not that which this your our their of to by more "
    "his her or but as very be does each customer"
)
_FR_HINTS = frozenset(_FR_WORDS.split())
_EN_HINTS = frozenset(_EN_WORDS.split())


def guess_lang(text: str, default: Lang = "en") -> Lang:
    """French or English, from how many frequent words of each language the text uses."""
    words = re.findall(r"[a-z]+", fold(text))
    fr = sum(1 for w in words if w in _FR_HINTS)
    en = sum(1 for w in words if w in _EN_HINTS)
    if fr == en:
        return default
    return "fr" if fr > en else "en"


def _as_list(value: Any, name: str, problems: list[str]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return tuple(str(v).strip() for v in value if str(v).strip())
    problems.append(f"'{name}' must be a list of strings")
    return ()


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """(front matter, body). No front matter gives ({}, text). Raises DocumentError if it is broken."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as err:
        raise DocumentError(f"its front matter is not valid YAML ({err.__class__.__name__})") from None
    if not isinstance(data, dict):
        raise DocumentError("its front matter must be a YAML mapping (key: value lines)")
    return data, text[match.end():]


def _markdown_sections(body: str) -> tuple[str | None, list[tuple[str, str]]]:
    """(the '# ' title if any, [(section heading, section text)]); the intro gets heading ''."""
    title: str | None = None
    sections: list[tuple[str, list[str]]] = [("", [])]
    in_fence = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and line.startswith("## "):
            sections.append((line[3:].strip().rstrip("#").strip(), []))
            continue
        if not in_fence and title is None and line.startswith("# ") and not sections[-1][0]:
            title = line[2:].strip().rstrip("#").strip()
            continue
        sections[-1][1].append(line)
    out = [(head, "\n".join(lines).strip()) for head, lines in sections]
    return title, [(h, t) for h, t in out if t]


def _paragraphs(body: str) -> list[str]:
    paras = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    joined: list[str] = []
    carry = ""
    for p in paras:
        p = f"{carry}\n\n{p}" if carry else p
        if len(p) < _MIN_PARAGRAPH:
            carry = p
            continue
        joined.append(p)
        carry = ""
    if carry:
        if joined:
            joined[-1] = f"{joined[-1]}\n\n{carry}"
        else:
            joined.append(carry)
    return joined


def parse_document(path: Path, key: str, raw: bytes | None = None) -> Document:
    """Read one .md or .txt file into a Document and its chunks. Raises DocumentError."""
    try:
        data = path.read_bytes() if raw is None else raw
        text = data.decode("utf-8-sig")
    except OSError as err:
        raise DocumentError(f"it cannot be read ({err.strerror or err})") from None
    except UnicodeDecodeError:
        raise DocumentError("it is not UTF-8 text") from None
    text = text.replace("\r\n", "\n")
    meta, body = split_front_matter(text)
    problems: list[str] = []

    if path.suffix.lower() == ".md":
        heading, sections = _markdown_sections(body)
    else:
        heading = None
        sections = [("", p) for p in _paragraphs(body)]

    doc_id = str(meta.get("id") or path.stem).strip()
    title = str(meta.get("title") or heading or path.stem.replace("-", " ").replace("_", " ")).strip()
    lang_value = str(meta.get("lang", "")).strip().lower()
    if lang_value in ("fr", "en"):
        lang: Lang = "fr" if lang_value == "fr" else "en"
    else:
        if lang_value:
            problems.append(f"lang '{lang_value}' is neither fr nor en; guessed from the text")
        lang = guess_lang(body)
    phases = _as_list(meta.get("phases"), "phases", problems)
    pitfalls = _as_list(meta.get("pitfalls"), "pitfalls", problems)
    sources = _as_list(meta.get("sources"), "sources", problems)
    digest = content_hash(data)

    is_txt = path.suffix.lower() != ".md"
    chunks: list[Chunk] = []
    for position, (section, section_text) in enumerate(sections):
        name = section or title
        if is_txt and len(sections) > 1:
            name = f"§{position + 1}"
        chunks.append(Chunk(
            id=f"{key}#{position}", doc_key=key, doc_id=doc_id, title=title, section=name, lang=lang,
            text=section_text, phases=phases, pitfalls=pitfalls, sources=sources, path=str(path),
            doc_hash=digest, position=position,
        ))
    return Document(
        key=key, doc_id=doc_id, title=title, lang=lang, phases=phases, pitfalls=pitfalls,
        sources=sources, path=path, hash=digest, chunks=tuple(chunks), problems=tuple(problems),
    )


def builtin_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(key, path) of journeybot's own method documents: <root>/<lang>/*.md."""
    for lang in ("fr", "en"):
        folder = root / lang
        if folder.is_dir():
            for path in sorted(folder.glob("*.md")):
                yield f"builtin:{lang}/{path.name}", path


def user_files(folder: Path) -> Iterator[tuple[str, Path]]:
    """(key, path) of every .md and .txt file under a user's folder (recursively, hidden files skipped)."""
    root = folder.expanduser().resolve()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.is_file() and path.suffix.lower() in SUFFIXES:
            yield f"user:{path}", path


def chunk_count(docs: Iterable[Document]) -> int:
    return sum(len(d.chunks) for d in docs)
