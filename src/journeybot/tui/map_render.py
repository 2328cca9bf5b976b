"""The journey map as Rich text for the map pane: stages with touchpoints, pain points, an emotion curve,
provenance marks and a legend. Pure (Rich only, no Textual); user text is never parsed as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from ..i18n import colon, typography
from .texts import Lang, t

if TYPE_CHECKING:
    from ..domain.journey_map import JourneyMap, Provenance, Stage

MARKS: dict[str, str] = {"inferred": "?", "team": "~", "customer": ""}
MARK_STYLE: dict[str, str] = {"inferred": "bold yellow", "team": "cyan", "customer": ""}
EMOTION_STYLE = {-2: "bold red", -1: "red", 0: "yellow", 1: "green", 2: "bold green"}


def typeset(text: Text, lang: Lang) -> Text:
    """``text`` with its language's typography (i18n.typography keeps the length, so every style
    stays on its characters)."""
    out = text.copy()
    out.plain = typography(text.plain, lang)
    return out


def mark(provenance: Provenance) -> str:
    """'?' for an item the model inferred, '~' for a team belief, nothing for the customer's word."""
    return MARKS[provenance]


def _add_mark(text: Text, provenance: Provenance) -> None:
    symbol = MARKS[provenance]
    if symbol:
        text.append(f" {symbol}", style=MARK_STYLE[provenance])


def _stage_block(index: int, stage: Stage, lang: Lang, out: Text) -> None:
    out.append(f"{index}. ", style="bold")
    out.append(stage.name, style="bold")
    _add_mark(out, stage.provenance)
    if stage.emotion is not None:
        score = stage.emotion.score
        out.append(f"  {score:+d}", style=EMOTION_STYLE[score])
        if stage.emotion.label:
            out.append(f" {stage.emotion.label}", style=EMOTION_STYLE[score])
        _add_mark(out, stage.emotion.provenance)
    out.append("\n")
    if not stage.touchpoints:
        out.append(f"   · {t('map.no_touchpoint', lang)}\n", style="dim")
    for tp in stage.touchpoints:
        where = t("map.online", lang) if tp.online else t("map.offline", lang)
        out.append("   • ")
        out.append(tp.name)
        out.append(f" ({tp.channel}, {where})", style="dim")
        _add_mark(out, tp.provenance)
        out.append("\n")
    for pain in stage.pain_points:
        out.append("   ✗ ", style="red")
        out.append(pain.text)
        _add_mark(out, pain.provenance)
        out.append("\n")
    for good in stage.positives:
        out.append("   ✓ ", style="green")
        out.append(good.text)
        _add_mark(out, good.provenance)
        out.append("\n")


def emotion_curve(journey: JourneyMap, lang: Lang) -> Text:
    """A small text chart: one column per stage (its number), rows +2 … -2."""
    out = Text()
    scores = [s.emotion.score if s.emotion is not None else None for s in journey.stages]
    if not any(score is not None for score in scores):
        out.append(t("map.no_emotion", lang), style="dim")
        return out
    for row in (2, 1, 0, -1, -2):
        out.append(f"{row:+d} │", style="dim")
        for score in scores:
            if score == row:
                out.append(" ● ", style=EMOTION_STYLE[row])
            elif score is None and row == 0:
                out.append(" · ", style="dim")
            else:
                out.append("   ")
        out.append("\n")
    out.append("   └" + "───" * len(scores) + "\n", style="dim")
    out.append("    " + "".join(f"{i:^3}" for i in range(1, len(scores) + 1)), style="dim")
    return out


def render_map(journey: JourneyMap, lang: Lang) -> Text:
    """The whole map pane text."""
    out = Text()
    framing = journey.framing
    if journey.persona is None and not journey.stages and not (framing.journey or framing.objective):
        out.append(t("map.empty", lang) + "\n\n", style="dim italic")
    if framing.journey:
        out.append(framing.journey, style="bold underline")
        out.append("\n")
    goal = framing.objective or framing.business_question
    if goal:
        out.append(t('map.objective', lang) + colon(lang), style="bold")
        out.append(goal)
        _add_mark(out, framing.provenance)
        out.append("\n")
    if framing.start or framing.end:
        out.append(t('map.bounds', lang) + colon(lang), style="bold")
        out.append(f"{framing.start or '…'} → {framing.end or '…'}\n")
    if journey.persona is not None:
        out.append(t('map.persona', lang) + colon(lang), style="bold")
        out.append(journey.persona.name)
        _add_mark(out, journey.persona.provenance)
        out.append("\n")
    if journey.stages:
        out.append(f"\n{t('map.stages', lang)}\n", style="bold magenta")
        for i, stage in enumerate(journey.stages, start=1):
            _stage_block(i, stage, lang, out)
        out.append(f"\n{t('map.emotion', lang)}\n", style="bold magenta")
        out.append_text(emotion_curve(journey, lang))
        out.append("\n")
    if journey.moments_of_truth:
        out.append(f"\n{t('map.moments', lang)}\n", style="bold magenta")
        for mot in journey.moments_of_truth:
            out.append(f" ★ {mot.name}")
            if mot.kind != "other":
                out.append(f" ({mot.kind})", style="dim")
            _add_mark(out, mot.provenance)
            out.append("\n")
    out.append("\n" + t("map.legend", lang), style="dim")
    return typeset(out, lang)


def count_marks(journey: JourneyMap) -> dict[str, int]:
    """How many items of each provenance the map holds (for tests and the status line)."""
    counts = {"customer": 0, "team": 0, "inferred": 0}
    for _, item in journey.items():
        counts[item.provenance] += 1
    return counts
