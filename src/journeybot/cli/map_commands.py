"""Map-level commands: `journeybot schema`, `phases`, `lint MAP.json`, `review MAP.json`.

They read a map file, never change it, and need neither a model nor the knowledge index, so they
import only the pure layers (domain, method, lint) and start fast.

Exit codes: 0 = done (for `lint`: no error-severity finding), 1 = `lint` found at least one
error-severity pitfall, 2 = the map file cannot be used (every problem is printed with its path).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer

from ..domain.journey_map import JourneyMap, Lang
from ..i18n import choose, colon, typography
from .common import FormatOption, LangOption, fail_map, out, output_lang, resolve_lang

if TYPE_CHECKING:
    from ..lint import Finding

MapArgument = Annotated[str, typer.Argument(help="A journey map file (JSON).", metavar="MAP", show_default=False)]

def _load(path: str, lang: Lang) -> JourneyMap:
    from ..domain.map_file import MapFileError, load_map

    try:
        return load_map(path, lang=lang)
    except MapFileError as err:
        fail_map(err, lang)


def schema_command() -> None:
    """Print the JSON Schema of a journey map file (draft 2020-12)."""
    from ..domain.journey_map import json_schema

    out(json.dumps(json_schema(), indent=2, ensure_ascii=False))


def phases_command(lang: LangOption = None) -> None:
    """List the 11 interview phases: id, title, goal and exit check."""
    from ..method.catalog import phases

    chosen = resolve_lang(lang)
    goal = "Objectif" if chosen == "fr" else "Goal"
    gate = "Condition de sortie" if chosen == "fr" else "Exit check"
    sep = colon(chosen)
    blocks = []
    for i, ph in enumerate(phases(), 1):
        checks = "; ".join(c.label(chosen) for c in ph.gate)
        blocks.append(
            f"{i:>2}. {ph.id} — {ph.title(chosen)}\n"
            f"    {goal}{sep}{ph.goal(chosen)}\n"
            f"    {gate}{sep}{checks}"
        )
    out(typography("\n\n".join(blocks), chosen))


def _lint_text(path: str, items: list[Finding], lang: Lang) -> str:
    from ..lint.finding import severity_count, severity_heading

    if not items:
        return choose(lang, f"{path} : aucun piège repéré.", f"{path}: no pitfall found.")
    c = colon(lang)
    tally = ", ".join(severity_count(sum(1 for f in items if f.severity == sev), sev, lang)
                      for sev in ("error", "warning", "info"))
    labels = (("Éléments", "Pourquoi", "Que faire", "Source") if lang == "fr"
              else ("Items", "Why", "Fix", "Source"))
    lines = [f"{path}{c}{tally}"]
    for severity in ("error", "warning", "info"):
        group = [f for f in items if f.severity == severity]
        if not group:
            continue
        lines.append("")
        lines.append(severity_heading(severity, lang))
        for f in group:
            lines.append(f"  [{f.code}] {f.title}")
            lines.append(f"    {f.message}")
            if f.items:
                shown = ", ".join(f.items[:8]) + (" ..." if len(f.items) > 8 else "")
                lines.append(f"    {labels[0]}{c}{shown}")
            lines.append(f"    {labels[1]}{c}{f.why}")
            lines.append(f"    {labels[2]}{c}{f.fix}")
            lines.append(f"    {labels[3]}{c}{f.source}")
    return typography("\n".join(lines), lang)


def _not_yet_text(pending: list[Finding], journey: JourneyMap, lang: Lang) -> str:
    """The pitfalls a map in progress cannot be judged on yet, each with the phase that will tell."""
    from ..method.catalog import phases

    titles: dict[str, str] = {p.id: p.title(lang) for p in phases()}
    done = ", ".join(titles.get(p, p) for p in journey.phases_done or []) or "—"
    head = (f"PAS ENCORE (carte en cours ; phases faites : {done})" if lang == "fr"
            else f"NOT YET (map in progress; phases done: {done})")
    lines = ["", "", head]
    for f in pending:
        ahead = ", ".join(titles.get(p, p) for p in f.phases)
        lines.append(f"  [{f.code}] {f.title} — " + (f"jugé après : {ahead}" if lang == "fr" else f"judged after: {ahead}"))
    return "\n".join(lines)


def lint_command(path: MapArgument, fmt: FormatOption = "text", lang: LangOption = None) -> None:
    """Check a map against the method's pitfalls, with why and fix.

    Each pitfall found is explained: why it matters, what to do, and the source.

    Messages are in --lang, else JOURNEYBOT_LANG, else lang in config.toml, else the map's own language.

    A map saved by an interview still in progress records the phases it went through: a pitfall whose
    phases are still ahead is listed as "not yet" (pending in JSON), not as a fault.

    Exit code: 0 when no error-severity pitfall is found (warnings allowed), 1 when at least one error-severity pitfall is found, 2 when the file cannot be read as a journey map (every problem is printed with its JSON path).
    """
    from ..lint import lint

    journey = _load(path, resolve_lang(lang))
    chosen = output_lang(lang, journey)
    findings = lint(journey, chosen)
    due = [f for f in findings if not f.pending]
    pending = [f for f in findings if f.pending]
    if fmt == "json":
        out(json.dumps([f.model_dump(mode="json") for f in findings], indent=2, ensure_ascii=False))
    else:
        out(_lint_text(path, due, chosen) + (_not_yet_text(pending, journey, chosen) if pending else ""))
    if any(f.severity == "error" for f in due):
        raise typer.Exit(1)


def review_command(path: MapArgument, fmt: FormatOption = "text", lang: LangOption = None) -> None:
    """A coach's review of a map: KPAM criteria, score, next steps.

    It scores the five KPAM criteria (seed 001), shows each phase's exit check (met, or what is missing), gives a score out of 100 (the formula is printed with it) and the three most useful next steps.

    Messages are in --lang, else JOURNEYBOT_LANG, else lang in config.toml, else the map's own language.

    Exit code: 0 when the review is printed, 2 when the file cannot be read as a journey map.
    """
    from ..lint import render_review_text, review

    journey = _load(path, resolve_lang(lang))
    chosen = output_lang(lang, journey)
    result = review(journey, chosen)
    if fmt == "json":
        out(json.dumps(result.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        out(render_review_text(result, chosen))


def register(app: typer.Typer) -> None:
    """Add this group's commands to the app."""
    app.command("schema")(schema_command)
    app.command("phases")(phases_command)
    app.command("lint")(lint_command)
    app.command("review")(review_command)
