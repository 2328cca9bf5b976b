"""Markdown export: a document people read in a wiki, a pull request or an e-mail.

Title, framing, persona, then stage by stage (touchpoints, actions, thoughts, emotion, expectations,
pain points, positives, metrics), moments of truth, findings, ranked opportunities, action plan and
review date. Every item carries its provenance mark ([C] customer, [T] team, [?] AI-inferred), with
a legend. All user text goes through :func:`md_escape`: it cannot open a link, a heading or raw HTML.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..domain.journey_map import Item, JourneyMap, Lang, Provenance, Stage
from ..i18n import colon, format_date, quote, semicolon, typography
from ..plan import action_plan_rows, rank_opportunities, review_date
from .findings import FindingLike, fix_of
from .labels import PROVENANCE_MARK, format_emotion, format_number, item_label, moment_kind, t
from .text import md_escape as esc


def _mark(provenance: Provenance) -> str:
    return f"[{PROVENANCE_MARK[provenance]}]"


def _item(text: str, item: Item) -> str:
    return f"- {esc(text)} {_mark(item.provenance)}"


def _field(label: str, value: str | None, lang: Lang) -> list[str]:
    return [f"- **{label}**{colon(lang)}{esc(value)}"] if value else []


def _list_field(label: str, values: Sequence[str], lang: Lang) -> list[str]:
    sep = semicolon(lang)
    return [f"- **{label}**{colon(lang)}" + sep.join(esc(v) for v in values)] if values else []


def _stage(journey: JourneyMap, index: int, stage: Stage, lang: Lang) -> list[str]:
    c = colon(lang)
    head = f"### {index + 1}. {esc(stage.name)} {_mark(stage.provenance)}"
    out = [head, ""]
    if stage.lifecycle:
        out.append(f"*{t('lifecycle', lang)}{c}{t('lifecycle.' + stage.lifecycle, lang)}*")
        out.append("")
    if stage.description:
        out += [esc(stage.description), ""]
    if stage.touchpoints:
        out.append(f"**{t('touchpoints', lang)}**")
        out.append("")
        for tp in stage.touchpoints:
            bits = [esc(tp.channel), t(f"online.{str(tp.online).lower()}", lang),
                    t(f"ownership.{tp.ownership}", lang)]
            if tp.owner:
                bits.append(f"{t('owner', lang)}{c}{esc(tp.owner)}")
            if tp.invisible:
                bits.append(t("invisible", lang))
            out.append(f"- {esc(tp.name)} — {', '.join(bits)} {_mark(tp.provenance)}")
        out.append("")
    if stage.emotion is not None:
        e = stage.emotion
        label = f" ({esc(e.label)})" if e.label else ""
        out += [f"**{t('emotion', lang)}**{c}{format_emotion(e.score)}{label} {_mark(e.provenance)}", ""]
    for lane in ("actions", "thoughts", "expectations", "positives"):
        notes = getattr(stage, lane)
        if notes:
            out += [f"**{t(lane, lang)}**", ""] + [_item(n.text, n) for n in notes] + [""]
    if stage.pain_points:
        out += [f"**{t('pain_points', lang)}**", ""]
        for pp in stage.pain_points:
            extra = []
            if pp.touchpoint:
                extra.append(esc(pp.touchpoint))
            if pp.effort:
                extra.append(t(f"effort.{pp.effort}", lang))
            suffix = f" ({', '.join(extra)})" if extra else ""
            out.append(f"- {esc(pp.text)}{suffix} {_mark(pp.provenance)}")
        out.append("")
    if stage.metrics:
        out += [f"**{t('metrics', lang)}**", ""]
        for m in stage.metrics:
            value = format_number(m.value, lang) + (f" {esc(m.unit)}" if m.unit else "")
            src = f"{t('source', lang)}{c}{esc(m.source)}" if m.source else t("no_source", lang)
            period = f", {esc(m.period)}" if m.period else ""
            out.append(f"- {esc(m.name)}{c}{value} ({src}{period}) {_mark(m.provenance)}")
        out.append("")
    return out


def render_markdown(journey: JourneyMap, *, lang: Lang, findings: Sequence[FindingLike] = ()) -> str:
    c = colon(lang)
    title = journey.title or t("untitled", lang)
    out = [f"# {esc(title)}", ""]
    out.append(f"*{t('created', lang)}{c}{format_date(journey.created, lang)}*")
    out.append("")
    out.append(f"> {t('legend', lang)}{c}"
               + " · ".join(f"[{PROVENANCE_MARK[p]}] {t('legend.' + p, lang)}"
                            for p in ("customer", "team", "inferred")))
    out.append("")

    f = journey.framing
    framing = (_field(t("objective", lang), f.objective, lang) + _field(t("business_question", lang), f.business_question, lang)
               + _field(t("journey", lang), f.journey, lang)
               + (_field(t("scope", lang), t(f"scope.{f.scope}", lang), lang) if f.scope else [])
               + _field(t("start", lang), f.start, lang) + _field(t("end", lang), f.end, lang)
               + _list_field(t("team", lang), f.team, lang) + _field(t("deliverable", lang), f.deliverable, lang))
    if framing:
        out += [f"## {t('framing', lang)} {_mark(f.provenance)}", "", *framing, ""]

    p = journey.persona
    if p is not None:
        out += [f"## {t('persona', lang)}{c}{esc(p.name)} {_mark(p.provenance)}", ""]
        out += (_field(t("description", lang), p.description, lang) + _field(t("context", lang), p.context, lang)
                + _list_field(t("segments", lang), p.segments, lang)
                + _list_field(t("set_aside", lang), p.set_aside, lang) + _list_field(t("goals", lang), p.goals, lang)
                + _list_field(t("motivations", lang), [t(f"soncas.{m}", lang) for m in p.motivations], lang)
                + _list_field(t("frustrations", lang), p.frustrations, lang) + _field(t("trigger", lang), p.trigger, lang)
                + _field(t("state_of_mind", lang), p.state_of_mind, lang)
                + _list_field(t("information_sources", lang), p.information_sources, lang)
                + _list_field(t("objections", lang), p.objections, lang))
        out.append("")

    out += [f"## {t('stages', lang)}", ""]
    if not journey.stages:
        out += [t("no_stage", lang), ""]
    for i, stage in enumerate(journey.stages):
        out += _stage(journey, i, stage, lang)

    if journey.moments_of_truth:
        out += [f"## {t('moments_of_truth', lang)}", ""]
        for m in journey.moments_of_truth:
            where = f" — {t('stage', lang)}{c}{esc(m.stage)}" if m.stage else ""
            why = f". {t('why', lang)}{c}{esc(m.why)}" if m.why else ""
            ev = f". {t('evidence', lang)}{c}{esc(m.evidence)}" if m.evidence else ""
            out.append(f"- **{esc(m.name)}** ({moment_kind(m.kind, lang)}){where}{why}{ev} {_mark(m.provenance)}")
        out.append("")

    if journey.evidence:
        names = {item.id: item_label(item) for _, item in journey.items()}
        out += [f"## {t('evidence_items', lang)}", ""]
        for ev_item in journey.evidence:
            meta = [t(f"evidence_kind.{ev_item.kind}", lang)] + [
                x for x in (ev_item.source, ev_item.date and format_date(ev_item.date, lang)) if x]
            if ev_item.score is not None:
                meta.append(f"{t('score', lang).lower()} {format_number(ev_item.score, lang)}")
            links = ""
            if ev_item.links:
                named = [names.get(i, i) for i in ev_item.links]
                links = f" — {t('supports', lang)} → " + semicolon(lang).join(esc(n) for n in named)
            out.append(f"- {quote(esc(ev_item.text), lang)} ({esc(', '.join(meta))}) {_mark(ev_item.provenance)}{links}")
        out.append("")

    out += [f"## {t('findings', lang)}", ""]
    if not findings:
        out += [t("no_findings", lang), ""]
    for finding in findings:
        sev = t(f"severity.{finding.severity}", lang)
        out.append(f"- **{sev}** `{esc(finding.code)}` — {esc(finding.message)}")
        if finding.why:
            out.append(f"  - {t('why', lang)}{c}{esc(finding.why)} ({esc(finding.source)})")
        if fix_of(finding):
            out.append(f"  - {t('fix', lang)}{c}{esc(fix_of(finding))}")
    out.append("")

    out += priorities_markdown(journey, lang)
    return typography("\n".join(out), lang)


def priorities_markdown(journey: JourneyMap, lang: Lang) -> list[str]:
    """The ranked opportunities (with the score's formula), the action plan and the review date, as
    Markdown lines: the end of the Markdown export, and what the chat's /review adds to the scorecard."""
    c = colon(lang)
    out: list[str] = []
    out += [f"## {t('opportunities', lang)}", "", f"*{t('score_method', lang)}*", ""]
    ranked = rank_opportunities(journey)
    if not ranked:
        out += [t("no_opportunity", lang), ""]
    else:
        out.append(f"| {t('rank', lang)} | {t('score', lang)} | {t('kind', lang)} | {t('opportunity', lang)} "
                   f"| {t('stage', lang)} | I | R | C | E |")
        out.append("|---|---|---|---|---|---|---|---|---|")
        for r in ranked:
            o = r.opportunity
            score = format_number(r.score, lang) if r.score is not None else (
                f"{t('unscored', lang)} ({t('missing', lang)}{c}{', '.join(t(s, lang).lower() for s in r.missing)})")
            kind = t(f"kind.{o.kind}", lang) + (f", {t('lever.' + o.lever, lang)}" if o.lever else "")
            mot = f" ({t('on_moment', lang)})" if r.moment_of_truth else ""
            scales = " | ".join(str(v) if v is not None else "" for v in (o.impact, o.reach, o.confidence, o.effort))
            out.append(f"| {r.rank or '—'} | {score} | {kind} | {esc(o.text)} {_mark(o.provenance)} "
                       f"| {esc(o.stage or '')}{mot} | {scales} |")
        out.append("")

    out += [f"## {t('action_plan', lang)}", ""]
    rows = action_plan_rows(journey)
    if not rows:
        out += [t("no_action", lang), ""]
    else:
        out.append(f"| {t('action', lang)} | {t('owner', lang)} | {t('kpi', lang)} | {t('due', lang)} "
                   f"| {t('serves', lang)} |")
        out.append("|---|---|---|---|---|")
        for row in rows:
            a = row.action
            if row.opportunity is not None:
                serves = f"#{row.rank} " if row.rank else ""
                serves += esc(row.opportunity.text)
            elif row.dangling:
                serves = f"{t('unknown_opportunity', lang)} ({esc(a.opportunity or '')})"
            else:
                serves = ""
            out.append(f"| {esc(a.action)} {_mark(a.provenance)} | {esc(a.owner or '')} | {esc(a.kpi or '')} "
                       f"| {format_date(a.due, lang) if a.due else ''} | {serves} |")
        out.append("")

    when, own = review_date(journey)
    note = "" if own else f" ({t('review_default', lang)})"
    out += [f"## {t('review_date', lang)}", "", f"**{format_date(when, lang)}**{note}. {t('review_why', lang)}", ""]
    return [typography(line, lang) for line in out]
