"""Run every pitfall rule over a map and explain what it finds with the catalogue's words."""

from __future__ import annotations

from collections.abc import Collection

from ..domain.journey_map import JourneyMap, Lang
from ..method.catalog import pitfalls
from .finding import SEVERITY_ORDER, Finding
from .rules import RULES


def check_rules_cover_catalogue() -> None:
    """Every code of pitfalls.yaml has exactly one rule, and no rule is outside the catalogue."""
    codes = set(pitfalls())
    if codes != set(RULES):
        missing = sorted(codes - set(RULES))
        extra = sorted(set(RULES) - codes)
        raise RuntimeError(f"lint rules and pitfalls.yaml disagree: no rule for {missing}, no entry for {extra}")


def is_due(phases: Collection[str], phases_done: Collection[str] | None) -> bool:
    """A pitfall is judged once the interview has gone through one of the phases that could supply
    what it needs. A map without ``phases_done`` (finished, or made elsewhere) is judged whole."""
    return phases_done is None or not phases or any(p in phases_done for p in phases)


def lint(journey: JourneyMap, lang: Lang = "en") -> list[Finding]:
    """Every pitfall found in ``journey``, errors first, then warnings, then infos; within a
    severity, in catalogue order. Pure and deterministic: the same map gives the same findings.

    On a map still in progress (``phases_done`` says which phases the interview went through), a
    pitfall whose phases have not been reached yet is returned with ``pending=True``: "not yet",
    not a fault of the map."""
    check_rules_cover_catalogue()
    findings: list[Finding] = []
    for code, pitfall in pitfalls().items():
        hit = RULES[code](journey, lang)
        if hit is None:
            continue
        findings.append(
            Finding(
                code=code,
                severity=pitfall.severity,
                title=pitfall.title(lang),
                message=hit.message,
                why=pitfall.why(lang),
                fix=pitfall.fix(lang),
                source=pitfall.source,
                items=list(hit.items),
                phases=list(pitfall.phases),
                pending=not is_due(pitfall.phases, journey.phases_done),
            )
        )
    findings.sort(key=lambda f: SEVERITY_ORDER[f.severity])
    return findings
