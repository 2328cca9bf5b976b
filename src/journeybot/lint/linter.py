"""Run every pitfall rule over a map and explain what it finds with the catalogue's words."""

from __future__ import annotations

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


def lint(journey: JourneyMap, lang: Lang = "en") -> list[Finding]:
    """Every pitfall found in ``journey``, errors first, then warnings, then infos; within a
    severity, in catalogue order. Pure and deterministic: the same map gives the same findings."""
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
            )
        )
    findings.sort(key=lambda f: SEVERITY_ORDER[f.severity])
    return findings
