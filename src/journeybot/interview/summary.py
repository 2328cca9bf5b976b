"""A compact, bounded summary of the map: names only, capped (what the model sees each turn, and /map)."""

from __future__ import annotations

from ..domain.journey_map import JourneyMap, Lang
from ..i18n import count

MAX_STAGES = 12
MAX_NAMES = 4
MAX_CHARS = 600
PROMPT_CHARS = 160
"""What the model sees of the map each turn: a few names, so the prompt does not grow with the map."""


def _cap(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def prompt_summary(journey: JourneyMap, phase: str, *, budget: int = PROMPT_CHARS) -> str:
    """The map as the extraction prompt needs it: stage names (the model must name the stage an item
    belongs to), and touchpoint names in the phases that refer to them; at most ``budget`` characters
    whatever the map holds."""
    parts: list[str] = []
    if phase in ("owners", "metrics"):
        names = [_cap(t.name, 30) for *_, t in journey.touchpoints()]
        if names:
            parts.append("Touchpoints: " + "; ".join(names))
    if journey.stages and phase not in ("framing", "persona", "evidence"):
        parts.insert(0, "Stages: " + "; ".join(_cap(s.name, 30) for s in journey.stages))
    text = "\n".join(parts)
    if len(text) <= budget:
        return text
    return text[: budget - 1].rsplit(";", 1)[0] + "…"


def summarize_map(journey: JourneyMap, lang: Lang, *, detailed: bool = False) -> str:
    """Stage names (with a few touchpoint names each) and the persona's name. Bounded in size
    whatever the map holds, so the per-turn prompt does not grow with the interview."""
    fr = lang == "fr"
    lines: list[str] = []
    if journey.persona is not None:
        lines.append(("Persona : " if fr else "Persona: ") + _cap(journey.persona.name))
    stages = journey.stages if detailed else journey.stages[:MAX_STAGES]
    if stages:
        lines.append("Étapes :" if fr else "Stages:")
    for i, stage in enumerate(stages, 1):
        names = [_cap(t.name, 30) for t in stage.touchpoints]
        shown = names if detailed else names[:MAX_NAMES]
        more = len(names) - len(shown)
        line = f"{i}. {_cap(stage.name)}"
        if shown:
            line += " — " + ", ".join(shown) + (f" (+{more})" if more else "")
        if detailed:
            if stage.emotion is not None:
                line += f" [{stage.emotion.score:+d} {stage.emotion.label}]".rstrip()
            extra = []
            if stage.pain_points:
                extra.append(count(len(stage.pain_points), lang, ("irritant", "irritants"), ("pain point", "pain points")))
            if stage.positives:
                extra.append(count(len(stage.positives), lang, ("positif", "positifs"), ("positive", "positives")))
            if stage.metrics:
                extra.append(count(len(stage.metrics), lang, ("chiffre", "chiffres"), ("metric", "metrics")))
            if extra:
                line += " · " + ", ".join(extra)
        lines.append(line)
    if not detailed and len(journey.stages) > MAX_STAGES:
        lines.append(f"(+{len(journey.stages) - MAX_STAGES})")
    if detailed:
        if journey.moments_of_truth:
            lines.append(("Moments de vérité : " if fr else "Moments of truth: ")
                         + ", ".join(_cap(m.name) for m in journey.moments_of_truth))
        if journey.opportunities:
            lines.append(("Opportunités : " if fr else "Opportunities: ") + str(len(journey.opportunities)))
        if journey.action_plan:
            lines.append(("Plan d'action : " if fr else "Action plan: ") + str(len(journey.action_plan)))
        if not lines:
            return "La carte est vide pour l'instant." if fr else "The map is empty so far."
        return "\n".join(lines)
    text = "\n".join(lines)
    return text if len(text) <= MAX_CHARS else text[: MAX_CHARS - 1] + "…"
