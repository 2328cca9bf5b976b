"""Import customer evidence (verbatims, reviews, survey answers, tickets) from a CSV file.

What it does with a file people actually export from their tools:

- **Encoding**: UTF-8 (with or without BOM) and UTF-16 with BOM; otherwise a Japanese, Korean or
  Chinese legacy encoding when the bytes read as one and give that script (Shift-JIS, EUC-JP, EUC-KR,
  Big5, GB18030), else Windows-1252, then Latin-1; each fallback with a note naming the encoding used
  and asking to check the text. Excel/OpenDocument workbooks are refused with a message saying how to
  save them as CSV.
- **Never raw to a terminal**: control characters (C0, DEL and C1: terminal escape sequences such as
  ``ESC[31m`` or ``ESC]0;…BEL``) are removed from the header names as from the cells.
- **A quote opened and never closed** would make the rest of the file one text: the file is refused
  with the line where the quote starts.
- **Delimiter**: sniffed on the header line among ``,`` ``;`` and tab (quoted text ignored).
- **Headers in French or English**: text/texte/verbatim/commentaire/avis/comment/review…, source/
  canal/channel…, date…, score/note/nps/rating…, type/kind… (case, accents and spaces ignored).
  No text column → an error naming the columns found.
- **Each row → an EvidenceItem** with provenance ``customer``: the text is stored as data, verbatim
  (it is never read as an instruction by anything), minus control characters; a text that starts like
  a spreadsheet formula is kept as written and defused by the CSV export; the kind (review, survey,
  ticket…) is guessed from a type column, else the source, else the header names.
- **A row cap** (10,000 by default) and a size cap (the evidence of one file stays well under what a
  map file may hold): beyond them rows are counted, not loaded, and a note says how many were skipped.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..domain.journey_map import CONTROL_CLASS, VERBATIM, EvidenceItem, EvidenceKind, JourneyMap, Lang, new_id
from ..domain.map_file import MAX_FILE_BYTES
from ..errors import BadInput
from ..text import normalise
from .messages import say

MAX_ROWS = 10_000
"""Rows imported at most from one file; the rest are counted and reported, never loaded."""
MAX_BYTES = 64 * 1024 * 1024
"""Larger files are refused before reading."""
MAX_EVIDENCE_BYTES = MAX_FILE_BYTES // 2
"""What the evidence of one file may add to a map, as JSON: a map file larger than MAX_FILE_BYTES is
refused by every command, so one import must leave room for the rest of the map."""
ITEM_OVERHEAD = 260
"""JSON bytes of one evidence item besides its text and source (keys, id, indentation)."""

_UNSHOWABLE = re.compile(rf"[{CONTROL_CLASS}\x80-\x9f]")
"""What the map refuses (C0 controls, DEL) plus C1 controls (\x9b is CSI on 8-bit terminals)."""
_ESCAPE_SEQUENCE = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?")
"""A whole terminal escape sequence (CSI ``ESC[31m``, OSC ``ESC]0;title BEL``): removed as one, so its
parameters do not stay behind as text (nor a ';' in it count as a CSV delimiter)."""

_FORMULA_START = ("=", "+", "-", "@")

# Field -> header names (normalised: no accents, lower case, letters and digits only), by priority.
HEADERS: dict[str, tuple[str, ...]] = {
    "text": ("text", "texte", "verbatim", "verbatims", "commentaire", "commentaires", "comment", "comments",
             "avis", "review", "reviews", "reponse", "answer", "feedback", "message", "remarque", "contenu",
             "content", "body", "description"),
    "source": ("source", "canal", "channel", "origine", "origin", "plateforme", "platform", "site"),
    "date": ("date", "datetime", "createdat", "created", "datedecreation", "creele", "submittedat", "timestamp", "jour",
             "day"),
    "score": ("score", "note", "nps", "rating", "csat", "ces", "notation", "etoiles", "stars"),
    "kind": ("type", "kind", "nature", "categorie", "category"),
}

_KIND_WORDS: tuple[tuple[EvidenceKind, tuple[str, ...]], ...] = (
    ("ticket", ("ticket", "support", "zendesk", "freshdesk", "sav", "reclamation", "incident", "helpdesk")),
    ("review", ("review", "avis", "google", "trustpilot", "tripadvisor", "appstore", "playstore", "yelp",
                "avisverifies")),
    ("survey", ("survey", "enquete", "questionnaire", "sondage", "nps", "csat", "ces", "typeform",
                "qualtrics")),
    ("interview", ("interview", "entretien")),
    ("frontline", ("frontline", "conseiller", "vendeur", "terrain", "agence", "callcenter", "centredappels")),
    ("analytics", ("analytics", "analytique")),
    ("verbatim", ("verbatim",)),
)


class EvidenceImportError(BadInput):
    """A file that cannot be imported, with the reason in French and English."""

    def __init__(self, key: str, **values: object):
        self.key = key
        self.values = values
        super().__init__(say(key, "en", **values), say(key, "fr", **values))


@dataclass(frozen=True)
class ImportNote:
    key: str
    values: dict[str, object] = field(default_factory=dict)

    def message(self, lang: Lang) -> str:
        return say(self.key, lang, **self.values)


@dataclass
class EvidenceImport:
    """What a CSV file gave: the items, how it was read, and every note worth telling the user."""

    items: list[EvidenceItem]
    encoding: str
    delimiter: str
    columns: list[str]
    mapping: dict[str, str]
    rows_read: int = 0
    skipped_rows: int = 0
    notes: list[ImportNote] = field(default_factory=list)

    def messages(self, lang: Lang) -> list[str]:
        return [n.message(lang) for n in self.notes]


def normalise_header(name: str) -> str:
    """A header as compared with the known names: folded by the text toolkit, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", normalise(name.replace("\ufeff", "")))


def map_columns(columns: list[str]) -> dict[str, int]:
    """Field -> column index: exact header names first, then headers containing a known word."""
    norm = [normalise_header(c) for c in columns]
    found: dict[str, int] = {}
    used: set[int] = set()
    for field_name, words in HEADERS.items():
        for word in words:
            idx = next((i for i, n in enumerate(norm) if n == word and i not in used), None)
            if idx is not None:
                found[field_name] = idx
                used.add(idx)
                break
    for field_name, words in HEADERS.items():
        if field_name in found:
            continue
        for word in words:
            if len(word) < 4:
                continue
            idx = next((i for i, n in enumerate(norm) if word in n and i not in used), None)
            if idx is not None:
                found[field_name] = idx
                used.add(idx)
                break
    return found


def _kana_or_han(c: str) -> bool:
    return "\u3040" <= c <= "\u30ff" or "\u4e00" <= c <= "\u9fff" or c in "\u3000\u3001\u3002\uff01\uff1f"


def _hangul(c: str) -> bool:
    return "\uac00" <= c <= "\ud7a3" or c in "\u3000\u3001\u3002"


def _han(c: str) -> bool:
    return "\u4e00" <= c <= "\u9fff" or c in "\u3000\u3001\u3002\uff0c\uff01\uff1f"


# Legacy encodings of Japanese, Korean and Chinese: what a file that is not UTF-8 may be, each with the
# script its text must mostly be in for the guess to hold (a European file never decodes as these).
_CJK_ENCODINGS: tuple[tuple[str, str, Callable[[str], bool]], ...] = (
    ("shift_jis", "Shift-JIS", _kana_or_han),
    ("euc_jp", "EUC-JP", _kana_or_han),
    ("euc_kr", "EUC-KR", _hangul),
    ("big5", "Big5", _han),
    ("gb18030", "GB18030", _han),
)


def _guess_cjk(raw: bytes) -> tuple[str, str] | None:
    """(text, encoding) when the bytes read strictly as a CJK legacy encoding and at least 90 % of
    the characters beyond ASCII are then in that encoding's script."""
    best: tuple[float, str, str] | None = None
    for codec, label, in_script in _CJK_ENCODINGS:
        try:
            text = raw.decode(codec)
        except UnicodeDecodeError:
            continue
        wide = [c for c in text if ord(c) > 127]
        if len(wide) < 2:
            continue
        score = sum(1 for c in wide if in_script(c)) / len(wide)
        if in_script is _kana_or_han and sum(1 for c in wide if "\u3040" <= c <= "\u30ff") < len(wide) / 10:
            score = 0.0  # Japanese without kana: Korean or Chinese bytes read as kanji
        if score >= 0.9 and (best is None or score > best[0]):
            best = (score, text, label)
    return (best[1], best[2]) if best else None


def decode(raw: bytes) -> tuple[str, str, bool]:
    """(text, encoding name, whether it was a fallback worth a note)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "UTF-8 (BOM)", False
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace"), "UTF-16", False  # a file cut mid-character still reads
    if raw.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise EvidenceImportError("workbook")
    head = raw[:4096]
    if head.count(b"\x00") > max(2, len(head) // 100):
        raise EvidenceImportError("binary")
    try:
        return raw.decode("utf-8"), "UTF-8", False
    except UnicodeDecodeError:
        pass
    cjk = _guess_cjk(raw)
    if cjk is not None:
        return cjk[0], cjk[1], True
    try:
        return raw.decode("cp1252"), "Windows-1252", True
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "Latin-1 (ISO-8859-1)", True


ONE_COLUMN = "\x1f"
"""Delimiter used when the header has a single column: commas in the texts then stay in the text."""


def sniff_delimiter(text: str) -> str:
    """The delimiter among , ; tab that occurs most on the first non-empty line, outside quotes;
    :data:`ONE_COLUMN` when the header names one column only."""
    first = _ESCAPE_SEQUENCE.sub("", next((line for line in text.splitlines() if line.strip()), ""))
    unquoted = re.sub(r'"[^"]*"', "", first)
    counts = {d: unquoted.count(d) for d in ("\t", ";", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ONE_COLUMN


_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y", "%Y%m%d")


def parse_date(value: str) -> dt.date | None:
    """ISO dates and European day-first dates (31/12/2026); a datetime keeps its date; else None."""
    text = value.strip()
    if not text:
        return None
    head = re.split(r"[T ]", text, maxsplit=1)[0]
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", head)
    if m and int(m.group(2)) > 12:   # 12/31/2026: month first, only when unambiguous
        try:
            return dt.date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
        except ValueError:
            return None
    return None


def parse_score(value: str) -> float | None:
    """"8", "8,5", "4/5" (→ 4), "9 / 10"; else None."""
    text = value.strip().replace("\u00a0", " ")
    if not text:
        return None
    m = re.fullmatch(r"([+-]?\d+(?:[.,]\d+)?)\s*(?:/\s*\d+(?:[.,]\d+)?)?\s*(?:★|\*|pts?|points?)?", text)
    if not m:
        return None
    return float(m.group(1).replace(",", "."))


def guess_kind(kind_value: str, source: str, text_header: str, has_score_header: str) -> EvidenceKind:
    for value in (kind_value, source):
        norm = normalise_header(value)
        if not norm:
            continue
        for kind, words in _KIND_WORDS:
            if any(w in norm for w in words):
                return kind
    header = normalise_header(text_header)
    if header in ("avis", "review", "reviews"):
        return "review"
    if header.startswith("verbatim"):
        return "verbatim"
    if header in ("reponse", "answer") or normalise_header(has_score_header) in ("nps", "csat", "ces"):
        return "survey"
    return "other"


def _clean(value: str) -> tuple[str, bool]:
    cleaned = _UNSHOWABLE.sub(" ", _ESCAPE_SEQUENCE.sub("", value))
    return cleaned.strip(), cleaned != value


def _unclosed_quote_line(text: str, start: int, delimiter: str) -> int | None:
    """The line (1-based) where the last row starts when a quote opened there is never closed (that
    row would otherwise swallow the rest of the file), else None."""
    lines = io.StringIO(text, newline="").readlines()[start - 1 :]
    try:
        for _ in csv.reader(lines, delimiter=delimiter, strict=True):
            pass
    except csv.Error as err:
        if "unexpected end of data" in str(err):
            return start
    return None


def read_evidence_csv(source: str | Path | bytes, *, name: str | None = None,
                      max_rows: int = MAX_ROWS, max_bytes: int = MAX_EVIDENCE_BYTES) -> EvidenceImport:
    """Read a CSV of customer evidence. Raises EvidenceImportError with a plain reason."""
    if isinstance(source, bytes):
        raw, label = source, _clean(name or "CSV")[0]
    else:
        path = Path(source)
        label = _clean(name or path.name)[0]
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise EvidenceImportError("not_found", path=str(path)) from None
        except OSError as err:
            raise EvidenceImportError("unreadable", path=str(path), why=err.strerror) from None
        if size > MAX_BYTES:
            raise EvidenceImportError("too_big", size=size, limit=MAX_BYTES)
        try:
            raw = path.read_bytes()
        except OSError as err:
            raise EvidenceImportError("unreadable", path=str(path), why=err.strerror) from None
    if not raw.strip():
        raise EvidenceImportError("empty")
    text, encoding, fallback = decode(raw)
    text = text.replace("\x00", " ")     # a stray NUL would stop the csv module
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next((row for row in reader if any(cell.strip() for cell in row)), None)
    except csv.Error as err:
        raise EvidenceImportError("bad_csv", why=str(err)) from None
    if header is None:
        raise EvidenceImportError("empty")
    columns = [_clean(c.replace("\ufeff", ""))[0] for c in header]
    index = map_columns(columns)
    if "text" not in index:
        shown = ", ".join(f"« {c} »" if c else "(vide/empty)" for c in columns[:30])
        raise EvidenceImportError("no_text_column", columns=shown)
    mapping = {f: columns[i] for f, i in index.items()}

    def cell(row: list[str], field_name: str) -> str:
        i = index.get(field_name)
        return row[i] if i is not None and i < len(row) else ""

    items: list[EvidenceItem] = []
    counts = {"empty": 0, "truncated": 0, "dates": 0, "scores": 0, "control": 0, "formulas": 0}
    rows_read = skipped = oversize = 0
    size = 0
    row_start = last_start = reader.line_num + 1
    multiline_last = False
    try:
        for row in reader:
            last_start, row_start = row_start, reader.line_num + 1
            multiline_last = any("\n" in c or "\r" in c for c in row)
            if not any(c.strip() for c in row):
                continue
            rows_read += 1
            if len(items) >= max_rows:
                skipped += 1
                continue
            if size >= max_bytes:
                oversize += 1
                continue
            body, had_control = _clean(cell(row, "text"))
            if not body:
                counts["empty"] += 1
                continue
            counts["control"] += had_control
            if len(body) > VERBATIM:
                body = body[:VERBATIM].rstrip()
                counts["truncated"] += 1
            if body.startswith(_FORMULA_START):
                counts["formulas"] += 1
            src, had = _clean(cell(row, "source"))
            counts["control"] += had and not had_control
            raw_date, raw_score = cell(row, "date"), cell(row, "score")
            date = parse_date(raw_date)
            counts["dates"] += bool(raw_date.strip()) and date is None
            score = parse_score(raw_score)
            counts["scores"] += bool(raw_score.strip()) and score is None
            kind = guess_kind(cell(row, "kind"), src, mapping["text"], mapping.get("score", ""))
            item = EvidenceItem(id=new_id(), kind=kind, text=body, source=(src or label)[:300], date=date,
                                score=score, provenance="customer")
            size += len(item.text.encode()) + len((item.source or "").encode()) + ITEM_OVERHEAD
            if size > max_bytes:
                oversize += 1
                continue
            items.append(item)
    except csv.Error as err:
        raise EvidenceImportError("bad_csv", why=f"line {reader.line_num}: {err}") from None
    if multiline_last:
        line = _unclosed_quote_line(text, last_start, delimiter)
        if line is not None:
            raise EvidenceImportError("unclosed_quote", line=line)

    if not items:
        raise EvidenceImportError("no_rows", column=mapping["text"])
    result = EvidenceImport(items=items, encoding=encoding, delimiter=delimiter, columns=columns,
                            mapping=mapping, rows_read=rows_read, skipped_rows=skipped)
    if fallback:
        result.notes.append(ImportNote("encoding_fallback", {"encoding": encoding}))
    result.notes.append(ImportNote("columns_used", {"mapping": ", ".join(f"{k} = « {v} »" for k, v in mapping.items())}))
    if skipped:
        result.notes.append(ImportNote("capped", {"kept": len(items), "skipped": skipped, "limit": max_rows}))
    if oversize:
        result.notes.append(ImportNote("capped_size", {"skipped": oversize, "limit": max_bytes // (1024 * 1024)}))
    for key, note in (("empty", "empty_rows"), ("truncated", "truncated"), ("dates", "bad_dates"),
                      ("scores", "bad_scores"), ("control", "control_chars"), ("formulas", "formulas")):
        if counts[key]:
            values: dict[str, object] = {"count": counts[key]}
            if key == "truncated":
                values["limit"] = VERBATIM
            result.notes.append(ImportNote(note, values))
    return result


def _key(item: EvidenceItem) -> tuple[str, str, str]:
    return (" ".join(item.text.split()).casefold(), (item.source or "").casefold(),
            item.date.isoformat() if item.date else "")


def add_evidence(journey: JourneyMap, items: list[EvidenceItem]) -> tuple[JourneyMap, list[EvidenceItem], int]:
    """A new map with the items appended to ``evidence`` — nothing else changes. Items already in the
    map (same text, source and date) are not added twice. Returns (map, added items, duplicates)."""
    seen = {_key(e) for e in journey.evidence}
    added: list[EvidenceItem] = []
    duplicates = 0
    for item in items:
        k = _key(item)
        if k in seen:
            duplicates += 1
            continue
        seen.add(k)
        added.append(item)
    updated = journey.model_copy(update={"evidence": [*journey.evidence, *added]})
    return updated, added, duplicates
