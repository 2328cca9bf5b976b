"""Mermaid export: a ``journey`` diagram (renders in GitHub, GitLab, Notion, Obsidian, Confluence
plugins and mermaid.live).

    journey
        title <map title>
        section <stage>
          <touchpoint>: <score>: <persona>, <owner>

Mermaid journey scores run from 1 to 5; the map's emotion (−2..+2, recorded per stage) maps onto
them as ``emotion + 3`` (−2 → 1, 0 → 3, +2 → 5). A stage without a recorded emotion gets 3 and a
``%%`` comment saying so (Mermaid needs a score; the comment keeps the gap visible). A stage without
touchpoints gets one task named after the stage, since an empty section shows nothing.

Mermaid's journey syntax has no escaping: ``:`` separates a task from its score, ``,`` separates
actors, ``;`` and ``#`` end or start statements and entities, ``%%`` opens a comment, and a newline ends
the line. :func:`clean` replaces these characters in user text (``:`` → ``-``, ``;`` → ``,``,
``#`` → ``n°``, ``%%`` → ``%``, newlines → space) and strips ``{ } < >``.
"""

from __future__ import annotations

import re

from ..domain.journey_map import JourneyMap, Lang
from .labels import t

_DROP = re.compile(r"[{}<>`\"]")
_PERCENTS = re.compile(r"%{2,}")


def clean(text: str, *, actor: bool = False) -> str:
    """User text made safe for one Mermaid journey field (never empty)."""
    text = " ".join(text.split())
    text = text.replace(":", " -").replace(";", ",").replace("#", "n°")
    text = _PERCENTS.sub("%", text)
    text = _DROP.sub("", text)
    if actor:
        text = text.replace(",", " ")
    text = " ".join(text.split()).strip(" -,")
    return text or "?"


def mermaid_score(emotion: int | None) -> int:
    """−2..+2 → 1..5; no emotion → 3 (neutral middle)."""
    return 3 if emotion is None else emotion + 3


def render_mermaid(journey: JourneyMap, *, lang: Lang) -> str:
    customer = clean(journey.persona.name, actor=True) if journey.persona else t("customer", lang)
    lines = ["journey", f"    title {clean(journey.title or t('untitled', lang))}"]
    for stage in journey.stages:
        lines.append(f"    section {clean(stage.name)}")
        score = mermaid_score(stage.emotion.score if stage.emotion else None)
        if stage.emotion is None:
            lines.append(f"      %% {clean(t('emotion', lang))} - {clean(t('empty_lane', lang))}")
        tasks = [(tp.name, tp.owner) for tp in stage.touchpoints] or [(stage.name, None)]
        for name, owner in tasks:
            actors = [customer] + ([clean(owner, actor=True)] if owner else [])
            lines.append(f"      {clean(name)}: {score}: {', '.join(actors)}")
    return "\n".join(lines) + "\n"
