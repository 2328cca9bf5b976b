"""The phase engine: a pure state machine over the map and the method data (no model at all)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from journeybot.domain.journey_map import Emotion, JourneyMap, Note, Persona, Stage, Touchpoint
from journeybot.interview.engine import Engine, EngineState
from journeybot.method.model import PHASE_IDS


def _stages(*names: str) -> JourneyMap:
    return JourneyMap(stages=[Stage(id=f"s{i}", name=n) for i, n in enumerate(names)])


def test_starts_with_the_first_framing_question_in_both_languages() -> None:
    journey = JourneyMap()
    fr = Engine().next_question(journey, "fr")
    en = Engine().next_question(journey, "en")
    assert fr is not None and en is not None
    assert fr.phase == en.phase == "framing"
    assert fr.phase_number == 1 and fr.phase_count == 11
    assert "Pourquoi" in fr.text and "Why" in en.text
    assert fr.phase_title == "Cadrage" and en.phase_title == "Framing"


def test_questions_come_in_order_then_the_phase_moves_on() -> None:
    engine, journey = Engine(), JourneyMap()
    seen = []
    for _ in range(5):
        q = engine.next_question(journey, "en")
        assert q is not None
        seen.append((q.phase, q.kind, q.index))
        engine.answered()
    assert seen[:3] == [("framing", "question", 0), ("framing", "question", 1), ("framing", "question", 2)]
    # the framing gate is not met (empty map): its follow-up is asked, then persona starts
    assert seen[3] == ("framing", "follow_up", 0)
    assert seen[4] == ("persona", "question", 0)
    assert "framing" in engine.state.left_unmet


def test_missing_lists_the_unmet_exit_conditions() -> None:
    engine = Engine()
    labels = [r.check.label("en") for r in engine.missing(JourneyMap())]
    assert labels == ["an objective or business question", "where the journey starts", "where the journey ends"]
    done = JourneyMap.model_validate({"framing": {"objective": "x", "start": "a", "end": "b"}})
    assert engine.missing(done) == []


def test_questions_the_map_already_answers_are_skipped() -> None:
    journey = JourneyMap.model_validate(
        {"framing": {"objective": "Why", "journey": "Car insurance", "start": "a", "end": "b",
                     "team": ["Marketing"], "deliverable": "a map"}})
    engine = Engine()
    q = engine.next_question(journey, "en")
    assert q is not None and q.phase == "persona"  # nothing left to ask in framing


def test_per_stage_phases_ask_stage_by_stage_and_skip_filled_stages() -> None:
    journey = _stages("Discovery", "Purchase")
    journey.stages[0].touchpoints.append(Touchpoint(id="t0", name="Instagram ad", channel="social", online=True))
    engine = Engine()
    engine.jump("touchpoints")
    engine.state.revisit = None  # as when the interview reaches the phase on its own
    q = engine.next_question(journey, "fr")
    assert q is not None and q.index == 1 and q.focus == "Discovery"  # q0 skipped: it has a touchpoint
    engine.answered()
    q = engine.next_question(journey, "fr")
    assert q is not None and q.index == 0 and q.focus == "Purchase"
    assert "« Purchase »" in q.text and "{stage}" not in q.text


def test_a_stage_phase_before_any_stage_asks_a_generic_question() -> None:
    engine = Engine()
    engine.jump("experience")
    q = engine.next_question(JourneyMap(), "en")
    assert q is not None and q.kind == "generic" and "{stage}" not in q.text


def test_owners_are_asked_touchpoint_by_touchpoint() -> None:
    journey = _stages("Order")
    journey.stages[0].touchpoints += [
        Touchpoint(id="a", name="Checkout", channel="website", online=True, owner="Digital"),
        Touchpoint(id="b", name="Sales line", channel="phone", online=False),
    ]
    engine = Engine()
    engine.jump("owners")
    engine.state.revisit = None
    q = engine.next_question(journey, "en")
    assert q is not None and q.focus == "Sales line" and q.focus_id == "b"


def test_moves_next_back_skip_jump_and_done() -> None:
    journey = JourneyMap()
    engine = Engine()
    engine.next(journey)
    assert engine.state.phase == "persona"
    engine.back(journey)
    assert engine.state.phase == "framing"
    first = engine.next_question(journey, "en")
    engine.skip()
    second = engine.next_question(journey, "en")
    assert first is not None and second is not None and second.index == first.index + 1
    engine.jump("priorities")
    assert engine.state.phase == "priorities"
    engine.next(journey)
    assert engine.done and engine.next_question(journey, "en") is None
    engine.back(journey)
    assert engine.state.phase == "priorities"
    with pytest.raises(KeyError):
        engine.jump("nowhere")


def test_jump_asks_again_even_what_the_map_holds() -> None:
    journey = JourneyMap.model_validate({"framing": {"objective": "x", "journey": "y", "start": "a", "end": "b"}})
    engine = Engine()
    engine.jump("framing")
    q = engine.next_question(journey, "en")
    assert q is not None and q.phase == "framing" and q.index == 0


def test_walking_every_phase_ends_past_priorities() -> None:
    engine, journey = Engine(), JourneyMap()
    phases = []
    for _ in range(200):
        q = engine.next_question(journey, "fr")
        if q is None:
            break
        if q.phase not in phases:
            phases.append(q.phase)
        engine.answered()
    assert engine.done
    assert tuple(phases) == PHASE_IDS


def test_state_round_trips_through_json_and_resumes_exactly() -> None:
    journey = _stages("A", "B")
    journey.stages[0].emotion = Emotion(score=1)
    journey.stages[0].actions.append(Note(text="reads"))
    journey.persona = Persona(id="p", name="Julie")
    engine = Engine()
    for _ in range(7):
        engine.next_question(journey, "en")
        engine.answered()
    q = engine.next_question(journey, "en")
    saved = engine.state.model_dump_json()
    resumed = Engine(EngineState.model_validate_json(saved))
    assert resumed.state == engine.state
    assert resumed.next_question(journey, "en") == q


def test_the_engine_imports_no_model_or_ui_stack() -> None:
    code = ("import sys, journeybot.interview.engine as e\n"
            "bad=[m for m in sys.modules if m.split('.')[0] in ('langchain','langchain_core','textual','openai',"
            "'chromadb','xllamacpp')]\nprint(bad)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
