"""HTML export: one standalone page (no network: inline CSS, no font, no script) that prints to PDF.

Stages are columns and lanes are rows (touchpoints, actions, thoughts, emotion, expectations, pain
points, positives, metrics, owners); the emotion curve is an inline SVG drawn across the stage
columns. Stages come in blocks of :data:`STAGES_PER_BLOCK` columns so that each block fits a
landscape A4 page when printed (``@page { size: A4 landscape }``, one block per page).

Every piece of user text goes through jinja2 with autoescape ON (templates under ``templates/``,
shipped as package data): a verbatim holding ``<script>`` shows as text. A Content-Security-Policy
that allows no script at all is a second lock on the same door.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import jinja2
import markupsafe

from ..domain.journey_map import JourneyMap, Lang, Stage
from ..i18n import QUOTES, colon, format_date, semicolon, typography
from ..plan import action_plan_rows, rank_opportunities, review_date
from .findings import FindingLike, fix_of
from .labels import PROVENANCE_MARK, format_emotion, format_number, item_label, moment_kind, t

STAGES_PER_BLOCK = 6
"""Stage columns per block (one printed landscape page each)."""

CURVE_COL = 100
"""SVG units per stage column; the curve's viewBox is ``n * CURVE_COL`` wide and 100 high."""


@cache
def _environment(lang: Lang) -> jinja2.Environment:
    """The template environment of one language: every text printed (labels and the map's own words,
    not markup) gets that language's typography before it is escaped."""

    def finalize(value: object) -> object:
        if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
            return typography(value, lang)
        return value

    return jinja2.Environment(
        loader=jinja2.PackageLoader("journeybot.export", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=finalize,
    )


def _y(score: int) -> float:
    """−2..+2 → 90..10 (SVG y grows downwards)."""
    return 50.0 - score * 20.0


@dataclass(frozen=True)
class Curve:
    """The emotion curve of one block: polyline segments (gaps where a stage has no emotion) and dots."""

    width: int
    segments: list[str]
    dots: list[tuple[float, float, str]]


def _curve(stages: Sequence[Stage]) -> Curve:
    segments: list[str] = []
    current: list[str] = []
    dots: list[tuple[float, float, str]] = []
    for i, stage in enumerate(stages):
        x = i * CURVE_COL + CURVE_COL / 2
        if stage.emotion is None:
            if len(current) > 1:
                segments.append(" ".join(current))
            current = []
            continue
        y = _y(stage.emotion.score)
        current.append(f"{x:g},{y:g}")
        tone = "neg" if stage.emotion.score < 0 else "pos" if stage.emotion.score > 0 else "neu"
        dots.append((x, y, tone))
    if len(current) > 1:
        segments.append(" ".join(current))
    return Curve(width=len(stages) * CURVE_COL, segments=segments, dots=dots)


@dataclass(frozen=True)
class Block:
    first: int
    stages: list[Stage]
    curve: Curve


def block_size(n_stages: int) -> int:
    """Columns per block: at most STAGES_PER_BLOCK, balanced (7 stages → 4 + 3, not 6 + 1)."""
    if n_stages <= 0:
        return STAGES_PER_BLOCK
    n_blocks = -(-n_stages // STAGES_PER_BLOCK)
    return -(-n_stages // n_blocks)


def _blocks(journey: JourneyMap) -> list[Block]:
    out = []
    size = block_size(len(journey.stages))
    for start in range(0, len(journey.stages), size):
        chunk = journey.stages[start:start + size]
        out.append(Block(first=start, stages=chunk, curve=_curve(chunk)))
    return out


def render_html(journey: JourneyMap, *, lang: Lang, findings: Sequence[FindingLike] = ()) -> str:
    when, own = review_date(journey)
    names = {item.id: item_label(item) for _, item in journey.items()}
    template = _environment(lang).get_template("journey.html.j2")
    return template.render(
        j=journey,
        lang=lang,
        t=lambda key: t(key, lang),
        c=colon(lang),
        sc=semicolon(lang),
        quotes=QUOTES[lang],
        date=lambda day: format_date(day, lang),
        moment_kind=lambda kind: moment_kind(kind, lang),
        num=lambda value: format_number(value, lang),
        emo=format_emotion,
        marks=PROVENANCE_MARK,
        blocks=_blocks(journey),
        cols=block_size(len(journey.stages)),
        n_stages=len(journey.stages),
        curve_col=CURVE_COL,
        findings=list(findings),
        fix_of=fix_of,
        names=names,
        ranked=rank_opportunities(journey),
        actions=action_plan_rows(journey),
        review=when,
        review_own=own,
    )
