"""Proposals: one structured change list per answer; ``apply`` is pure and never leaves an invalid map."""

from __future__ import annotations

import datetime as dt

from journeybot.domain.journey_map import JourneyMap, Opportunity, Stage, Touchpoint
from journeybot.interview.proposal import (
    AddAction,
    AddEvidence,
    AddMetric,
    AddMomentOfTruth,
    AddNote,
    AddOpportunity,
    AddPainPoint,
    AddStage,
    AddTouchpoint,
    Proposal,
    ScoreOpportunity,
    SetEmotion,
    SetFraming,
    SetOwner,
    SetPersona,
    SetReviewDate,
    apply,
    apply_report,
    describe,
)


def _full_proposal() -> Proposal:
    return Proposal(phase="stages", changes=[
        SetFraming(objective="Understand drop-off", start="Old contract ends", end="First bill"),
        SetPersona(name="Sam", goals=["fast line"], motivations=["comfort"]),
        AddStage(name="Research", lifecycle="before_purchase"),
        AddStage(name="Order", lifecycle="purchase"),
        AddTouchpoint(stage="Research", name="Uswitch", channel="comparison site", online=True,
                      ownership="third_party"),
        AddTouchpoint(stage="Order", name="Sales line", channel="phone", online=False),
        SetEmotion(stage="Order", score=-1, label="anxious"),
        AddNote(stage="Order", lane="actions", text="calls the sales line"),
        AddPainPoint(stage="Order", text="long wait", effort="emotional"),
        AddNote(stage="Research", lane="positives", text="clear prices"),
        AddMetric(stage="Order", name="drop-off", value=42, unit="%", source="analytics"),
        SetOwner(touchpoint="Sales line", owner="Sales"),
        AddMomentOfTruth(name="First call", kind="FMOT", stage="order"),
        AddOpportunity(text="Call back within the hour", kind="fix"),
        ScoreOpportunity(text="call back", impact=5, reach=4, confidence=4, effort=2),
        AddAction(action="Automatic call-back", owner="Sales", kpi="time to call back", due=dt.date(2027, 3, 1)),
        SetReviewDate(date=dt.date(2027, 5, 1)),
        AddEvidence(kind="survey", text="400 answers", source="May survey"),
    ])


def test_every_kind_of_change_applies() -> None:
    journey = JourneyMap(lang="en")
    done = apply_report(journey, _full_proposal())
    new = done.journey
    assert done.refused == []
    assert [s.name for s in new.stages] == ["Research", "Order"]
    order = new.stages[1]
    assert order.touchpoints[0].owner == "Sales" and order.touchpoints[0].online is False
    assert order.emotion is not None and order.emotion.score == -1
    assert order.pain_points[0].effort == "emotional" and order.metrics[0].value == 42
    assert new.moments_of_truth[0].stage == "Order"
    assert new.opportunities[0].impact == 5 and new.opportunities[0].effort == 2
    assert new.persona is not None and new.persona.name == "Sam"
    assert new.framing.start == "Old contract ends" and new.review_date == dt.date(2027, 5, 1)
    assert new.evidence[0].kind == "survey" and new.action_plan[0].owner == "Sales"
    assert JourneyMap.model_validate(new.model_dump()) == new


def test_apply_is_pure() -> None:
    journey = JourneyMap(stages=[Stage(id="a", name="Research")])
    before = journey.model_dump()
    apply(journey, _full_proposal())
    assert journey.model_dump() == before


def test_an_invalid_change_is_refused_and_the_rest_applies() -> None:
    proposal = Proposal(phase="touchpoints", changes=[
        AddStage(name="Order"),
        AddTouchpoint(stage="Order", name="none", channel="web", online=True),  # a placeholder name
        AddTouchpoint(stage="Order", name="Checkout", channel="website", online=True),
        SetOwner(touchpoint="Nowhere", owner="Sales"),
        AddNote(stage="Order", lane="actions", text="bad \x07 bell"),
    ])
    done = apply_report(JourneyMap(), proposal)
    refused = {cid for cid, _ in done.refused}
    assert refused == {proposal.changes[1].id, proposal.changes[3].id, proposal.changes[4].id}
    assert [t.name for *_, t in done.journey.touchpoints()] == ["Checkout"]
    assert all(why for _, why in done.refused)


def test_only_the_accepted_changes_apply() -> None:
    proposal = Proposal(phase="stages", changes=[AddStage(name="A"), AddStage(name="B"), AddStage(name="C")])
    new = apply(JourneyMap(), proposal, accepted=[proposal.changes[0].id, proposal.changes[2].id])
    assert [s.name for s in new.stages] == ["A", "C"]


def test_confirming_removes_the_inferred_mark_but_headless_keeps_it() -> None:
    proposal = Proposal(phase="stages", changes=[AddStage(name="A", provenance="inferred"),
                                                 AddStage(name="B", provenance="customer")])
    confirmed = apply(JourneyMap(), proposal)
    kept = apply(JourneyMap(), proposal, confirm=False)
    assert [s.provenance for s in confirmed.stages] == ["team", "customer"]
    assert [s.provenance for s in kept.stages] == ["inferred", "customer"]


def test_a_change_for_an_unknown_stage_creates_it_and_duplicates_are_ignored() -> None:
    journey = JourneyMap(stages=[Stage(id="s", name="Order", touchpoints=[
        Touchpoint(id="t", name="Checkout", channel="website", online=True)])])
    proposal = Proposal(phase="touchpoints", changes=[
        AddTouchpoint(stage="Order", name="checkout", channel="website", online=True),
        AddTouchpoint(stage="Delivery", name="Courier", channel="in person", online=False),
        AddStage(name="order"),
    ])
    new = apply(journey, proposal)
    assert [s.name for s in new.stages] == ["Order", "Delivery"]
    assert len(new.stages[0].touchpoints) == 1


def test_score_goes_to_the_opportunity_it_names() -> None:
    journey = JourneyMap(opportunities=[Opportunity(id="a", text="Simplify the first bill"),
                                        Opportunity(id="b", text="Welcome call after installation")])
    new = apply(journey, Proposal(phase="priorities", changes=[ScoreOpportunity(text="first bill", impact=4)]))
    assert new.opportunities[0].impact == 4 and new.opportunities[1].impact is None


def test_describe_says_what_each_change_does() -> None:
    for change in _full_proposal().changes:
        assert describe(change, "fr") and describe(change, "en")
    assert "hors ligne" in describe(AddTouchpoint(stage="A", name="x", channel="phone", online=False), "fr")
    assert "(inferred)" in describe(AddStage(name="A", provenance="inferred"), "en")


def test_proposal_round_trips_as_json() -> None:
    proposal = _full_proposal()
    assert Proposal.model_validate_json(proposal.model_dump_json()) == proposal
