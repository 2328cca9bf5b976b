"""CSV export: one row per touchpoint, for Excel, LibreOffice Calc and Google Sheets.

Choices (and why):

- **UTF-8 with a byte-order mark.** Without the BOM, Excel on Windows reads UTF-8 as cp1252 and
  French accents turn into "Ã©". LibreOffice and Google Sheets accept the BOM.
- **Separator: ``;`` for French, ``,`` for English** (``--csv-sep`` overrides). Excel splits a
  double-clicked CSV on the *locale's* list separator, which is ``;`` on French systems, so a comma
  file opens in one column there. A ``sep=;`` first line is deliberately NOT written: Excel then
  ignores the BOM and breaks the accents.
- **CRLF line ends and RFC 4180 quoting** (fields holding the separator, a quote or a line break are
  quoted, quotes doubled). Several items in one cell are separated by line breaks inside the quoted
  cell, which both Excel and LibreOffice show as lines in the cell.
- **Formula injection defused**: a cell starting with ``= + - @``, tab or CR (a verbatim such as
  ``=HYPERLINK(...)``) gets a leading apostrophe, unless it is a plain number such as ``-2``.

Columns: stage, stage order, lifecycle, touchpoint, channel, online/offline, ownership, owner,
invisible, emotion score, emotion label, pain points at this touchpoint, stage pain points (not tied
to a touchpoint), positives, metrics of this touchpoint, stage metrics, provenance. Items carry their
provenance in brackets. A stage with no touchpoint still gets one row (empty touchpoint columns), so
no stage is lost.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from ..domain.journey_map import Item, JourneyMap, Lang, Metric, Stage
from .labels import format_emotion, format_number, provenance_label, t
from .text import defuse_formula

CSV_SEPARATORS = {",": ",", ";": ";", "tab": "\t", "\t": "\t"}


def default_separator(lang: Lang) -> str:
    return ";" if lang == "fr" else ","


def _tagged(text: str, item: Item, lang: Lang) -> str:
    return f"{text} [{provenance_label(item.provenance, lang)}]"


def _metric(m: Metric, lang: Lang) -> str:
    value = format_number(m.value, lang) + (f" {m.unit}" if m.unit else "")
    src = m.source or t("no_source", lang)
    period = f", {m.period}" if m.period else ""
    return _tagged(f"{m.name}: {value} ({src}{period})", m, lang)


def _lines(values: Iterable[str]) -> str:
    return "\n".join(values)


def _same(a: str | None, b: str) -> bool:
    return a is not None and a.strip().casefold() == b.strip().casefold()


def _rows(journey: JourneyMap, lang: Lang) -> Iterable[list[str]]:
    yield [t(k, lang) for k in (
        "stage", "stage_order", "lifecycle", "touchpoint", "channel", "online", "ownership", "owner",
        "invisible_header", "emotion_score", "emotion_label", "pain_points", "stage_pain_points", "positives",
        "metrics", "stage_metrics", "provenance")]
    for order, stage in enumerate(journey.stages, start=1):
        yield from _stage_rows(stage, order, lang)


def _stage_rows(stage: Stage, order: int, lang: Lang) -> Iterable[list[str]]:
    names = {tp.name.strip().casefold() for tp in stage.touchpoints}
    loose_pains = [p for p in stage.pain_points if not (p.touchpoint and p.touchpoint.strip().casefold() in names)]
    loose_metrics = [m for m in stage.metrics if not (m.touchpoint and m.touchpoint.strip().casefold() in names)]
    common = [
        stage.name, str(order), t(f"lifecycle.{stage.lifecycle}", lang) if stage.lifecycle else "",
    ]
    emotion = [format_emotion(stage.emotion.score), stage.emotion.label] if stage.emotion else ["", ""]
    stage_pains = _lines(_tagged(p.text, p, lang) for p in loose_pains)
    positives = _lines(_tagged(n.text, n, lang) for n in stage.positives)
    stage_metrics = _lines(_metric(m, lang) for m in loose_metrics)
    if not stage.touchpoints:
        yield [*common, "", "", "", "", "", "", *emotion, "", stage_pains, positives, "", stage_metrics,
               provenance_label(stage.provenance, lang)]
        return
    for tp in stage.touchpoints:
        pains = _lines(_tagged(p.text, p, lang) for p in stage.pain_points if _same(p.touchpoint, tp.name))
        metrics = _lines(_metric(m, lang) for m in stage.metrics if _same(m.touchpoint, tp.name))
        yield [
            *common, tp.name, tp.channel, t(f"online.{str(tp.online).lower()}", lang),
            t(f"ownership.{tp.ownership}", lang), tp.owner or "", t("invisible", lang) if tp.invisible else "",
            *emotion, pains, stage_pains, positives, metrics, stage_metrics,
            provenance_label(tp.provenance, lang),
        ]


def render_csv(journey: JourneyMap, *, lang: Lang, separator: str | None = None) -> bytes:
    """The CSV file's bytes: UTF-8 with BOM, CRLF, RFC 4180 quoting, formulas defused."""
    sep = CSV_SEPARATORS.get(separator, separator) if separator is not None else default_separator(lang)
    if sep not in ("\t", ",", ";"):
        raise ValueError(f"unsupported CSV separator {separator!r} (use ',', ';' or 'tab')")
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=sep, quotechar='"', quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for row in _rows(journey, lang):
        writer.writerow([defuse_formula(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
