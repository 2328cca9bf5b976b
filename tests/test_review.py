"""The coach's review: KPAM criteria, phase exit checks, the documented score and next steps."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from journeybot.domain.journey_map import JourneyMap
from journeybot.domain.map_file import load_map, parse_map
from journeybot.lint import Review, lint, render_review_text, review
from journeybot.lint.review import PENALTY, score_of
from journeybot.method.catalog import phases

REPO = Path(__file__).resolve().parent.parent
EN = REPO / "examples" / "physio-online-booking.en.json"
FR = REPO / "examples" / "mutuelle-optique-enfants.fr.json"


def _data(path: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return copy.deepcopy(loaded)


def _criterion(rv: Review, cid: str) -> int:
    return next(c.points for c in rv.criteria if c.id == cid)


@pytest.mark.parametrize("path", [EN, FR], ids=["en", "fr"])
def test_a_complete_clean_map_scores_100_and_meets_every_exit_check(path: Path) -> None:
    rv = review(load_map(path), "en")
    assert rv.score == 100
    assert [c.points for c in rv.criteria] == [2, 2, 2, 2, 2]
    assert [p.phase for p in rv.phases] == [p.id for p in phases()]
    assert all(p.met and not p.missing for p in rv.phases)
    assert rv.findings == []
    assert len(rv.next_steps) == 3
    first_action = load_map(path).action_plan[0].action
    assert first_action in rv.next_steps[0].text


def test_an_empty_map_scores_almost_nothing_and_starts_with_framing() -> None:
    rv = review(JourneyMap(), "en")
    assert [c.points for c in rv.criteria] == [0, 0, 0, 0, 0]
    assert rv.score <= 5
    assert [s.phase for s in rv.next_steps] == ["framing", "persona", "evidence"]
    assert "where the journey starts" in rv.next_steps[0].text


def test_the_score_follows_the_documented_formula() -> None:
    rv = review(load_map(REPO / "examples" / "flawed" / "ai-draft.en.json"), "en")
    points = sum(c.points for c in rv.criteria)
    met = sum(1 for p in rv.phases if p.met)
    penalty = sum(PENALTY[f.severity] for f in rv.findings)
    expected = round(50 * points / 10 + 30 * met / len(rv.phases) + max(0, 20 - penalty))
    assert rv.score == expected
    assert score_of(rv.criteria, rv.phases, rv.findings) == expected
    assert 0 < rv.score < 100


def test_one_warning_costs_two_points() -> None:
    data = _data(EN)
    data["review_date"] = "2027-09-01"
    rv = review(parse_map(data))
    assert [f.code for f in rv.findings] == ["stale-map"]
    # stale-map: criterion 5 drops to 1 point (-5) and the warning costs 2.
    assert rv.score == 100 - 5 - 2


def test_missing_exit_check_names_what_is_missing() -> None:
    data = _data(EN)
    for stage in data["stages"]:
        stage["metrics"] = []
    rv = review(parse_map(data), "fr")
    metrics = next(p for p in rv.phases if p.phase == "metrics")
    assert not metrics.met
    assert metrics.missing == [next(c.label("fr") for c in phases()[8].gate if c.selector == "metrics")]
    assert _criterion(rv, "quantified") == 0


@pytest.mark.parametrize(("change", "criterion", "points"), [
    (lambda d: d.update(evidence=d["evidence"][:2]), "customer-view", 1),
    (lambda d: d["stages"][0]["metrics"][0].update(provenance="inferred"), "customer-view", 1),
    (lambda d: [s.update(name=f"Validation du dossier {i}") for i, s in enumerate(d["stages"])], "journey-not-process", 0),
    (lambda d: d["stages"][3].update(name="Qualification du lead"), "journey-not-process", 1),
    (lambda d: d["stages"][2].update(touchpoints=[]), "precise-touchpoints", 1),
    (lambda d: [s.update(metrics=[]) for s in d["stages"][:5]], "quantified", 1),
    (lambda d: [a.update(owner=None) for a in d["action_plan"]], "clear-priorities", 1),
])
def test_each_kpam_criterion_drops_when_its_rule_is_broken(change: Any, criterion: str, points: int) -> None:
    data = _data(EN)
    change(data)
    assert _criterion(review(parse_map(data)), criterion) == points


def test_next_steps_put_blocking_problems_first_one_per_phase() -> None:
    data = _data(EN)
    data["review_date"] = None          # warning, priorities phase (and an unmet exit check)
    data["persona"]["name"] = "Users"   # error, persona phase
    data["stages"][1]["touchpoints"][1]["owner"] = None  # warning, owners phase
    rv = review(parse_map(data), "en")
    assert rv.next_steps[0].code == "no-persona"
    assert rv.next_steps[0].detail.startswith("The persona \"Users\"")
    phases_of_steps = [s.phase for s in rv.next_steps]
    assert len(set(phases_of_steps)) == len(phases_of_steps)
    assert "priorities" in phases_of_steps


def test_review_is_written_in_the_requested_language() -> None:
    journey = load_map(REPO / "examples" / "flawed" / "draft-workshop.fr.json")
    fr, en = review(journey, "fr"), review(journey, "en")
    assert fr.score == en.score
    assert [f.code for f in fr.findings] == [f.code for f in lint(journey)]
    assert fr.criteria[0].title != en.criteria[0].title
    text_fr = render_review_text(fr, "fr")
    text_en = render_review_text(en, "en")
    assert "Prochaines étapes" in text_fr and "Next steps" in text_en
    assert f"Score\u00a0: {fr.score}/100" in text_fr  # French typography: no break before the colon
    assert "[erreur] internal-view\u00a0: " in text_fr and "[error] internal-view: " in text_en
    assert "internal-view" in text_en and "Calcul du score" in text_fr


def test_render_shows_unmet_checks_and_every_criterion() -> None:
    rv = review(JourneyMap(title="Draft"), "en")
    text = render_review_text(rv, "en")
    assert text.count("[0/2]") == 5
    assert "[ ] Framing — missing:" in text
    assert "How the score is computed" in text


def test_review_round_trips_as_json() -> None:
    rv = review(load_map(FR), "fr")
    again = Review.model_validate_json(rv.model_dump_json())
    assert again == rv


def test_a_nearly_clean_map_still_gets_three_steps_the_problem_first() -> None:
    data = _data(EN)
    data["stages"][1]["touchpoints"][1]["owner"] = None
    rv = review(parse_map(data), "en")
    assert [s.phase for s in rv.next_steps] == ["owners", None, None]
    assert "owner" in rv.next_steps[0].text
    assert "March 1, 2027" in rv.next_steps[1].text


def test_unconfirmed_evidence_does_not_meet_the_evidence_exit_check() -> None:
    data = _data(EN)
    data["evidence"] = [dict(data["evidence"][0], provenance="inferred")]
    rv = review(parse_map(data))
    evidence = next(p for p in rv.phases if p.phase == "evidence")
    assert not evidence.met
    data["evidence"][0]["provenance"] = "customer"
    assert next(p for p in review(parse_map(data)).phases if p.phase == "evidence").met
