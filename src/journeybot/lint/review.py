"""The coach's review: a scorecard of a map against the method.

It gathers three views of the same map:

1. The five KPAM criteria (seed 001), each scored 0, 1 or 2 points with the reason:
   - customer-view (criterion 1, not the internal view): 0 when pitfall internal-view fires;
     1 when fewer than 3 evidence items back the map or invented-data fires; else 2.
   - journey-not-process (criterion 2): 0 with no stage, or when half the stage names or more read as
     internal processes; 1 when process-not-journey, stops-at-purchase or no-emotions fires; else 2.
   - precise-touchpoints (criterion 3): 0 with 7 touchpoints or fewer; 1 when a stage has none or
     all are online (online-only); else 2.
   - quantified (criterion 4): 0 with no metric; 1 when a metric has no source or is inferred, or
     when fewer than half the stages carry a metric; else 2.
   - clear-priorities (criterion 5): 0 with no scored opportunity; 1 when no-action-plan or stale-map
     fires; else 2.
2. Each phase's exit check (prompts/method/phases.yaml, evaluated by method.gates.check_gate):
   met, or what is still missing.
3. The lint findings.

Score, from 0 to 100 (SCORE_* constants):

    score = 50 × KPAM points / 10  +  30 × phases met / 11
            + max(0, 20 − 5 × errors − 2 × warnings − 1 × infos)

rounded to the nearest whole number. A map that meets every criterion and every exit check and has
no finding scores 100; an empty map scores 0 + 0 + 0.

Next steps: the three most useful things to do, most useful first: what blocks (error findings and
unmet exit checks), then warnings, then infos; within each group, the earliest phase of the method
first (you cannot prioritise stages you have not mapped). One step per phase, so the three steps point at three
different places. When fewer than three problems remain, steps that carry the work on fill the list
(run the first action, bring fresh evidence to the planned review, share the map with the owners).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ..domain.journey_map import JourneyMap, Lang
from ..i18n import choose, colon, format_date, plural, typography
from ..method.catalog import phases, pitfalls
from ..method.gates import check_gate
from ..method.model import PHASE_IDS
from .finding import Finding, severity_count, severity_label
from .linter import lint
from .rules import _is_after_purchase, _q
from .text import word_list

SCORE_CRITERIA = 50
SCORE_PHASES = 30
SCORE_FINDINGS = 20
PENALTY = {"error": 5, "warning": 2, "info": 1}
MAX_STEPS = 3
MIN_EVIDENCE = 3
"""customer-view scores 2 from this many evidence items (not inferred)."""


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CriterionScore(Frozen):
    """One KPAM criterion (seed 001): 0 = not met, 1 = partly, 2 = met."""

    id: str
    title: str
    points: int = Field(ge=0, le=2)
    max_points: int = 2
    reason: str


class GateLine(Frozen):
    """One condition of a phase's exit check."""

    label: str
    met: bool
    count: int


class PhaseCheck(Frozen):
    """A phase's exit check on this map."""

    phase: str
    title: str
    met: bool
    checks: list[GateLine]
    missing: list[str] = Field(description="labels of the conditions not met yet")


class NextStep(Frozen):
    """Something useful to do next, and what it comes from (a pitfall code or a phase)."""

    text: str
    detail: str = ""
    code: str | None = None
    phase: str | None = None


class Review(Frozen):
    """The coach's scorecard of a map (see the module docstring for the formula)."""

    lang: Lang
    title: str
    score: int = Field(ge=0, le=100)
    criteria: list[CriterionScore]
    phases: list[PhaseCheck]
    findings: list[Finding]
    next_steps: list[NextStep]


def _t(lang: Lang, fr: str, en: str) -> str:
    return choose(lang, fr, en)


# --- the five KPAM criteria ------------------------------------------------------------------------


def _criteria(m: JourneyMap, codes: set[str], lang: Lang) -> list[CriterionScore]:
    out: list[CriterionScore] = []

    # 1. customer view, not the internal view
    evidence = sum(1 for e in m.evidence if e.provenance != "inferred")
    if "internal-view" in codes:
        pts, why = 0, _t(lang, "rien dans la carte ne vient des clients (aucune preuve, aucun élément « client »)",
                         "nothing in the map comes from customers (no evidence, no \"customer\" item)")
    elif "invented-data" in codes:
        pts, why = 1, _t(lang, "des éléments inventés par l'assistant ne sont pas encore confirmés",
                         "items made up by the assistant are not confirmed yet")
    elif evidence < MIN_EVIDENCE:
        pts, why = 1, _t(lang, f"{evidence} {plural(evidence, lang, 'preuve', 'preuves')} client seulement "
                               f"(au moins {MIN_EVIDENCE} attendues)",
                         f"only {evidence} {plural(evidence, lang, 'piece', 'pieces')} of customer evidence "
                         f"(at least {MIN_EVIDENCE} expected)")
    else:
        pts, why = 2, _t(lang, f"{evidence} preuves client appuient la carte", f"{evidence} pieces of customer evidence back the map")
    out.append(CriterionScore(id="customer-view", points=pts, reason=why,
                              title=_t(lang, "Le point de vue du client, pas la vision interne",
                                       "The customer's view, not the internal view")))

    # 2. a journey, not a process chart
    process_words = word_list("internal_process")
    process_stages = [hit for hit in process_words.find_each([s.name for s in m.stages]) if hit]
    if not m.stages:
        pts, why = 0, _t(lang, "aucune étape n'est encore décrite", "no stage is described yet")
    elif len(process_stages) * 2 >= len(m.stages):
        pts, why = 0, _t(lang, f"{len(process_stages)} {plural(len(process_stages), lang, 'étape', 'étapes')} sur "
                               f"{len(m.stages)} " + plural(len(process_stages), lang, "est un processus interne",
                                                            "sont des processus internes"),
                         f"{len(process_stages)} of {len(m.stages)} "
                         + plural(len(m.stages), lang, "stage is an internal process", "stages are internal processes"))
    else:
        issues = []
        if "process-not-journey" in codes:
            issues.append(_t(lang, "des noms de processus internes", "internal process names"))
        if "stops-at-purchase" in codes:
            issues.append(_t(lang, "rien après l'achat", "nothing after the purchase"))
        if "no-emotions" in codes:
            issues.append(_t(lang, "aucune émotion", "no emotion"))
        if issues:
            pts, why = 1, ", ".join(issues)
        else:
            after = sum(1 for s in m.stages if _is_after_purchase(s))
            pts, why = 2, _t(lang, f"{len(m.stages)} {plural(len(m.stages), lang, 'étape vécue', 'étapes vécues')} "
                                   f"par le client, dont {after} après l'achat",
                             f"{len(m.stages)} {plural(len(m.stages), lang, 'stage', 'stages')} as the customer "
                             f"lives them, {after} after the purchase")
    out.append(CriterionScore(id="journey-not-process", points=pts, reason=why,
                              title=_t(lang, "Un parcours, pas une cartographie des processus",
                                       "A journey, not a process chart")))

    # 3. precise touchpoints
    count = sum(len(s.touchpoints) for s in m.stages)
    empty = [s.name for s in m.stages if not s.touchpoints]
    if count <= 7:
        pts, why = 0, _t(lang, f"{count} {plural(count, lang, 'point', 'points')} de contact, c'est trop grossier "
                               "(8 au moins)",
                         f"{count} {plural(count, lang, 'touchpoint', 'touchpoints')} is too coarse (at least 8)")
    elif empty:
        pts, why = 1, _t(lang, f"{count} points de contact, mais "
                               + plural(len(empty), lang, "1 étape n'en a aucun", f"{len(empty)} étapes n'en ont aucun"),
                         f"{count} touchpoints, but "
                         + plural(len(empty), lang, "1 stage has none", f"{len(empty)} stages have none"))
    elif "online-only" in codes:
        pts, why = 1, _t(lang, f"{count} points de contact, tous en ligne", f"{count} touchpoints, all online")
    else:
        offline = sum(1 for s in m.stages for t in s.touchpoints if not t.online)
        pts, why = 2, _t(lang, f"{count} points de contact précis, dont {offline} hors ligne",
                         f"{count} precise touchpoints, {offline} of them offline")
    out.append(CriterionScore(id="precise-touchpoints", points=pts, reason=why,
                              title=_t(lang, "Des points de contact précis", "Precise touchpoints")))

    # 4. quantified
    metrics = [x for _, x in m.metrics()]
    weak = [x for x in metrics if not x.source or x.provenance == "inferred"]
    measured = sum(1 for s in m.stages if s.metrics)
    if not metrics:
        pts, why = 0, _t(lang, "aucun chiffre", "no number")
    elif weak:
        pts, why = 1, _t(lang, f"{len(weak)} {plural(len(weak), lang, 'chiffre', 'chiffres')} sur {len(metrics)} "
                               + plural(len(weak), lang, "sans source ou non confirmé", "sans source ou non confirmés"),
                         f"{len(weak)} of {len(metrics)} {plural(len(metrics), lang, 'metric', 'metrics')} "
                         "unsourced or unconfirmed")
    elif measured * 2 < len(m.stages):
        pts, why = 1, _t(lang, plural(measured, lang, f"{measured} seule étape", f"seules {measured} étapes")
                               + f" sur {len(m.stages)} " + plural(measured, lang, "est mesurée", "sont mesurées"),
                         f"only {measured} of {len(m.stages)} stages "
                         + plural(measured, lang, "is measured", "are measured"))
    else:
        pts, why = 2, _t(lang, f"{len(metrics)} {plural(len(metrics), lang, 'chiffre sourcé', 'chiffres sourcés')} "
                               f"sur {measured} {plural(measured, lang, 'étape', 'étapes')}",
                         f"{len(metrics)} sourced {plural(len(metrics), lang, 'metric', 'metrics')} across "
                         f"{measured} {plural(measured, lang, 'stage', 'stages')}")
    out.append(CriterionScore(id="quantified", points=pts, reason=why,
                              title=_t(lang, "Quantifié", "Quantified")))

    # 5. clear priorities
    scored = sum(1 for o in m.opportunities if o.scored)
    if not scored:
        pts, why = 0, _t(lang, "aucune opportunité notée", "no scored opportunity")
    elif "no-action-plan" in codes or "stale-map" in codes:
        missing = []
        if "no-action-plan" in codes:
            missing.append(_t(lang, "un plan d'action complet (responsables, indicateurs)",
                              "a complete action plan (owners, KPIs)"))
        if "stale-map" in codes:
            missing.append(_t(lang, "une révision sous six mois", "a review within six months"))
        pts, why = 1, _t(lang, f"{_scored(scored, lang)}, mais il manque ", f"{_scored(scored, lang)}, but missing ") + \
            _t(lang, " et ", " and ").join(missing)
    else:
        actions = len(m.action_plan)
        pts, why = 2, _t(lang, f"{_scored(scored, lang)} et {actions} "
                               f"{plural(actions, lang, 'action avec responsable', 'actions avec responsable')}",
                         f"{_scored(scored, lang)} and {actions} "
                         f"{plural(actions, lang, 'owned action', 'owned actions')}")
    out.append(CriterionScore(id="clear-priorities", points=pts, reason=why,
                              title=_t(lang, "Des priorités claires", "Clear priorities")))
    return out


def _scored(n: int, lang: Lang) -> str:
    """« 2 opportunités notées », "1 scored opportunity"."""
    return _t(lang, f"{n} {plural(n, lang, 'opportunité notée', 'opportunités notées')}",
              f"{n} scored {plural(n, lang, 'opportunity', 'opportunities')}")


# --- phases, score, next steps ---------------------------------------------------------------------


def _phase_checks(m: JourneyMap, lang: Lang) -> list[PhaseCheck]:
    out: list[PhaseCheck] = []
    for ph in phases():
        lines = [GateLine(label=r.check.label(lang), met=r.met, count=r.count) for r in check_gate(ph, m)]
        out.append(PhaseCheck(
            phase=ph.id, title=ph.title(lang), met=all(line.met for line in lines), checks=lines,
            missing=[line.label for line in lines if not line.met],
        ))
    return out


def score_of(criteria: list[CriterionScore], checks: list[PhaseCheck], findings: list[Finding]) -> int:
    """The documented 0-100 score (module docstring)."""
    points = sum(c.points for c in criteria)
    maximum = sum(c.max_points for c in criteria) or 1
    met = sum(1 for c in checks if c.met)
    penalty = sum(PENALTY[f.severity] for f in findings)
    total = (SCORE_CRITERIA * points / maximum
             + (SCORE_PHASES * met / len(checks) if checks else 0)
             + max(0, SCORE_FINDINGS - penalty))
    return max(0, min(100, round(total)))


_PHASE_INDEX: dict[str, int] = {pid: i for i, pid in enumerate(PHASE_IDS)}


def _phase_index(phase_id: str) -> int:
    return _PHASE_INDEX.get(phase_id, len(PHASE_IDS))


def _next_steps(m: JourneyMap, findings: list[Finding], checks: list[PhaseCheck], lang: Lang) -> list[NextStep]:
    rank = {"error": 0, "warning": 1, "info": 2}
    catalogue = pitfalls()
    candidates: list[tuple[int, int, str, NextStep]] = []
    for f in findings:
        first = min(catalogue[f.code].phases, key=_phase_index)
        candidates.append((rank[f.severity], _phase_index(first), first,
                           NextStep(text=f.fix, detail=f.message, code=f.code, phase=first)))
    for c in checks:
        if c.met:
            continue
        text = _t(lang, f"Terminez la phase « {c.title} » : il manque {', '.join(c.missing)}.",
                  f"Finish the \"{c.title}\" phase: still missing {', '.join(c.missing)}.")
        candidates.append((0, _phase_index(c.phase), c.phase, NextStep(text=text, phase=c.phase)))
    candidates.sort(key=lambda c: (c[0], c[1]))
    steps: list[NextStep] = []
    covered: set[str] = set()
    for _, _, phase_id, step in candidates:
        if phase_id in covered:
            continue
        covered.add(phase_id)
        steps.append(step)
        if len(steps) == MAX_STEPS:
            return steps
    # Little or nothing left to fix: carry the work on.
    if m.action_plan and not steps:
        action = m.action_plan[0]
        who = f" ({action.owner})" if action.owner else ""
        steps.append(NextStep(text=_t(lang, f"Lancez la première action : {_q(lang, action.action)}{who}.",
                                      f"Start the first action: {_q(lang, action.action)}{who}.")))
    if m.review_date is not None and m.evidence:
        day = format_date(m.review_date, lang)
        steps.append(NextStep(text=_t(
            lang,
            f"Rapportez de nouvelles preuves clients (entretiens, dernier NPS) avant la révision du {day}.",
            f"Bring fresh customer evidence (interviews, latest NPS) to the review on {day}.")))
    if any(s.touchpoints for s in m.stages):
        steps.append(NextStep(text=_t(
            lang,
            "Partagez la carte avec chaque équipe responsable d'un point de contact et recueillez leurs retours.",
            "Share the map with every team that owns a touchpoint and collect their feedback.")))
    return steps[:MAX_STEPS]


def review(journey: JourneyMap, lang: Lang = "en") -> Review:
    """The coach's scorecard of ``journey`` (pure: the same map always gives the same review)."""
    findings = [f for f in lint(journey, lang) if not f.pending]  # "not yet" is no fault of a map in progress
    codes = {f.code for f in findings}
    criteria = _criteria(journey, codes, lang)
    checks = _phase_checks(journey, lang)
    return Review(
        lang=lang,
        title=journey.title,
        score=score_of(criteria, checks, findings),
        criteria=criteria,
        phases=checks,
        findings=findings,
        next_steps=_next_steps(journey, findings, checks, lang),
    )


# --- text rendering --------------------------------------------------------------------------------


def render_review_text(rv: Review, lang: Lang = "en") -> str:
    """The review as plain text for a terminal (no colour codes, no markup)."""
    lines: list[str] = []
    head = _t(lang, "Revue du coach", "Coach's review")
    lines.append(f"{head} — {_q(lang, rv.title)}" if rv.title else head)
    lines.append(_t(lang, f"Score : {rv.score}/100", f"Score: {rv.score}/100"))
    lines.append("")
    points = sum(c.points for c in rv.criteria)
    lines.append(_t(lang, f"Les cinq critères KPAM (001) : {points}/10", f"The five KPAM criteria (001): {points}/10"))
    for c in rv.criteria:
        lines.append(f"  [{c.points}/{c.max_points}] {c.title} — {c.reason}")
    lines.append("")
    met = sum(1 for p in rv.phases if p.met)
    lines.append(_t(lang, f"Conditions de sortie des phases : {met}/{len(rv.phases)}",
                    f"Phase exit checks: {met}/{len(rv.phases)}"))
    for p in rv.phases:
        if p.met:
            lines.append(f"  [x] {p.title}")
        else:
            lines.append(f"  [ ] {p.title} — " + _t(lang, "manque : ", "missing: ") + ", ".join(p.missing))
    lines.append("")
    errors = sum(1 for f in rv.findings if f.severity == "error")
    warnings = sum(1 for f in rv.findings if f.severity == "warning")
    if rv.findings:
        tally = f"{severity_count(errors, 'error', lang)}, {severity_count(warnings, 'warning', lang)}"
        lines.append(_t(lang, f"Pièges repérés : {tally}", f"Pitfalls found: {tally}"))
        for f in rv.findings:
            lines.append(f"  - [{severity_label(f.severity, lang)}] {f.code}{colon(lang)}{f.message}")
    else:
        lines.append(_t(lang, "Pièges repérés : aucun", "Pitfalls found: none"))
    lines.append("")
    lines.append(_t(lang, "Prochaines étapes", "Next steps"))
    for i, step in enumerate(rv.next_steps, 1):
        lines.append(f"  {i}. {step.text}")
        if step.detail:
            lines.append("     " + _t(lang, "Constat : ", "Now: ") + step.detail)
    lines.append("")
    lines.append(_t(
        lang,
        "Calcul du score : 50 × points KPAM / 10 + 30 × phases validées / 11 + (20 − 5 par erreur "
        "− 2 par avertissement − 1 par info, au moins 0).",
        "How the score is computed: 50 × KPAM points / 10 + 30 × phases met / 11 + (20 − 5 per error "
        "− 2 per warning − 1 per info, at least 0).",
    ))
    return typography("\n".join(lines), lang) + "\n"
