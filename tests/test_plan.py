"""Prioritisation and the action plan (journeybot.plan): pure functions over a map."""

from __future__ import annotations

import ast
import datetime as dt
import subprocess
import sys

import pytest

from journeybot.domain.journey_map import Action, JourneyMap, MomentOfTruth, Opportunity
from journeybot.export.sample import sample_map
from journeybot.plan import (
    action_plan_rows,
    default_review_date,
    priority_score,
    rank_opportunities,
    review_date,
)
from journeybot.text import add_months


def _opp(oid: str, *, stage: str | None = None, **scales: int) -> Opportunity:
    return Opportunity(id=oid, text=f"opportunity {oid}", stage=stage, **scales)  # type: ignore[arg-type]


def test_score_is_impact_reach_confidence_over_effort() -> None:
    assert priority_score(_opp("a", impact=5, reach=4, confidence=3, effort=2)) == 30.0
    assert priority_score(_opp("b", impact=1, reach=1, confidence=1, effort=5)) == 0.2
    assert priority_score(_opp("c", impact=5, reach=5, confidence=5, effort=1)) == 125.0
    assert priority_score(_opp("d", impact=4, reach=2, confidence=4, effort=3)) == 10.67
    assert priority_score(_opp("e", impact=5, reach=5, confidence=5)) is None


def test_ranking_puts_best_first_and_unscored_last_with_what_is_missing() -> None:
    journey = JourneyMap(opportunities=[
        _opp("low", impact=1, reach=2, confidence=2, effort=4),
        _opp("half", impact=4, reach=3),
        _opp("high", impact=5, reach=5, confidence=4, effort=2),
        _opp("none"),
    ])
    ranked = rank_opportunities(journey)
    assert [r.opportunity.id for r in ranked] == ["high", "low", "half", "none"]
    assert [r.rank for r in ranked] == [1, 2, None, None]
    assert ranked[0].score == 50.0 and ranked[1].score == 1.0
    assert ranked[2].missing == ("confidence", "effort")
    assert ranked[3].missing == ("impact", "reach", "confidence", "effort")
    assert ranked[2].index == 1


def test_ties_go_to_moments_of_truth_then_lower_effort() -> None:
    journey = JourneyMap(
        moments_of_truth=[MomentOfTruth(name="Validation", stage="Souscription")],
        opportunities=[
            _opp("plain", stage="Découverte", impact=4, reach=2, confidence=2, effort=2),   # 8
            _opp("mot", stage="souscription", impact=4, reach=2, confidence=2, effort=2),   # 8, on a MoT
            _opp("cheap", stage="Découverte", impact=2, reach=2, confidence=2, effort=1),   # 8, effort 1
        ],
    )
    ranked = rank_opportunities(journey)
    assert [r.opportunity.id for r in ranked] == ["mot", "cheap", "plain"]
    assert ranked[0].moment_of_truth and not ranked[1].moment_of_truth
    assert [r.rank for r in ranked] == [1, 2, 3]


def test_empty_map_ranks_nothing() -> None:
    assert rank_opportunities(JourneyMap()) == []
    assert action_plan_rows(JourneyMap()) == []


def test_review_date_is_six_months_after_creation() -> None:
    assert default_review_date(JourneyMap(created=dt.date(2026, 9, 15))) == dt.date(2027, 3, 15)
    assert default_review_date(JourneyMap(created=dt.date(2026, 8, 31))) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert add_months(dt.date(2026, 12, 1), 1) == dt.date(2027, 1, 1)
    own = JourneyMap(created=dt.date(2026, 1, 1), review_date=dt.date(2026, 4, 1))
    assert review_date(own) == (dt.date(2026, 4, 1), True)
    assert review_date(JourneyMap(created=dt.date(2026, 1, 1))) == (dt.date(2026, 7, 1), False)


def test_action_plan_rows_join_actions_to_ranked_opportunities() -> None:
    journey = JourneyMap(
        opportunities=[
            _opp("o1", impact=1, reach=1, confidence=1, effort=1),
            _opp("o2", impact=5, reach=5, confidence=5, effort=1),
            _opp("o3"),
        ],
        action_plan=[
            Action(action="orphan"),
            Action(action="for o1", opportunity="o1", owner="Marketing"),
            Action(action="ghost", opportunity="missing-id"),
            Action(action="for o3", opportunity="o3"),
            Action(action="for o2", opportunity="o2", kpi="NPS", due=dt.date(2027, 1, 1)),
        ],
    )
    rows = action_plan_rows(journey)
    assert [r.action.action for r in rows] == ["for o2", "for o1", "for o3", "orphan", "ghost"]
    assert [r.rank for r in rows] == [1, 2, None, None, None]
    assert rows[0].score == 125.0 and rows[0].kpi == "NPS" and rows[0].due == dt.date(2027, 1, 1)
    assert rows[1].owner == "Marketing"
    assert rows[2].opportunity is not None and rows[2].opportunity.id == "o3"
    assert [r.dangling for r in rows] == [False, False, False, False, True]


def test_sample_map_ranking_is_stable() -> None:
    ranked = rank_opportunities(sample_map())
    assert [(r.opportunity.id, r.score) for r in ranked] == [
        ("op-tarifs", 45.0), ("op-suivi", 40.0), ("op-rappel", 10.67), ("op-bienvenue", None)]


@pytest.mark.parametrize("module", ["journeybot.plan"])
def test_plan_imports_only_the_domain_and_the_text_toolkit(module: str) -> None:
    code = (f"import sys, {module}\n"
            "print(sorted(m for m in sys.modules if m.startswith('journeybot')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = ast.literal_eval(done.stdout.strip())
    # i18n and the text toolkit are leaves every layer may use (the map's Lang type, add_months).
    assert all(m.startswith(("journeybot.plan", "journeybot.domain", "journeybot.text"))
               or m in ("journeybot", "journeybot.i18n")
               for m in loaded), loaded
