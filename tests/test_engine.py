"""The phase engine: a pure state machine over the map and the method data (no model at all).

Questions are named by stable ids (prompts/method/phases.yaml), never by position: keys are
``phase/question_id@focus``. Saved states of version 1 (keys by position) are migrated."""

from __future__ import annotations

import subprocess
import sys

import pytest

from journeybot.domain.journey_map import Emotion, JourneyMap, Note, Persona, Stage, Touchpoint
from journeybot.interview.engine import COUNTERS, Engine, EngineState, migrate_state
from journeybot.method import catalog
from journeybot.method.model import PHASE_IDS
from tests.support.text import plain


def _stages(*names: str) -> JourneyMap:
    return JourneyMap(stages=[Stage(id=f"s{i}", name=n) for i, n in enumerate(names)])


# --- the method data ------------------------------------------------------------------------------


def test_every_question_has_a_unique_id_what_it_fills_and_known_skip_counters() -> None:
    for phase in catalog.phases():
        ids = [q.id for q in (*phase.questions, *phase.follow_ups)]
        assert len(ids) == len(set(ids)), phase.id
        for q in (*phase.questions, *phase.follow_ups):
            assert q.fills, f"{phase.id}.{q.id} fills nothing"
            unknown = set(q.skip_when) - COUNTERS
            assert not unknown, f"{phase.id}.{q.id}: unknown skip_when {unknown}"
            assert phase.question(q.id) is q and phase.question(f"{phase.id}.{q.id}") is q
        assert phase.question("nope") is None


def test_the_question_ids_the_readers_rely_on() -> None:
    """The ids named by the readers, the engine's data and the version-1 migration, in their order (a phase
    may gain questions: they do not change these)."""
    def in_order(have: list[str], wanted: list[str]) -> bool:
        it = iter(have)
        return all(any(w == h for h in it) for w in wanted)

    wanted = {
        "framing": (["why", "journey", "bounds"], ["team"]),
        "persona": (["who", "trigger", "frustrations"], ["motives", "sources"]),
        "evidence": (["sources", "quote"], ["assumptions"]),
        "stages": (["list", "after"], ["words"]),
        "touchpoints": (["where", "invisible"], ["offline"]),
        "experience": (["feel"], []),
        "pain_points": (["pains", "positives"], ["effort"]),
        "moments_of_truth": (["which"], ["kind"]),
        "metrics": (["numbers"], ["where"]),
        "owners": (["owner"], []),
        "priorities": (["opportunities", "scores", "actions"], ["review"]),
    }
    for phase in catalog.phases():
        questions, follow_ups = wanted[phase.id]
        assert in_order([q.id for q in phase.questions], questions), phase.id
        assert in_order([q.id for q in phase.follow_ups], follow_ups), phase.id
    bounds = catalog.phase("framing").question("bounds")
    assert bounds is not None and bounds.fills == ["start", "end"]
    assert bounds.skip_when == ["framing.start", "framing.end"]


# --- asking ------------------------------------------------------------------------------------------


def test_starts_with_the_first_framing_question_in_both_languages() -> None:
    journey = JourneyMap()
    fr = Engine().next_question(journey, "fr")
    en = Engine().next_question(journey, "en")
    assert fr is not None and en is not None
    assert fr.phase == en.phase == "framing"
    assert fr.id == en.id == "why" and fr.key == "framing/why@"
    assert fr.fills == ("objective", "business_question")
    assert fr.phase_number == 1 and fr.phase_count == 11
    assert "Pourquoi" in fr.text and "Why" in en.text
    assert fr.phase_title == "Cadrage" and en.phase_title == "Framing"


def test_questions_come_in_order_then_the_phase_moves_on() -> None:
    engine, journey = Engine(), JourneyMap()
    seen = []
    for _ in range(5):
        q = engine.next_question(journey, "en")
        assert q is not None
        seen.append((q.phase, q.kind, q.id))
        engine.answered()
    assert seen[:3] == [("framing", "question", "why"), ("framing", "question", "journey"),
                        ("framing", "question", "bounds")]
    # the framing gate is not met (empty map): its follow-up is asked, then persona starts
    assert seen[3] == ("framing", "follow_up", "team")
    assert seen[4] == ("persona", "question", "who")
    assert "framing" in engine.state.left_unmet
    assert engine.state.asked[:4] == ["framing/why@", "framing/journey@", "framing/bounds@", "framing/team@"]
    assert engine.state.shown == 5 and engine.state.answers == {"framing": 4, "persona": 1}


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
    assert engine.state.reasked == 0


@pytest.mark.parametrize(("framing", "expected"), [
    ({"objective": "x"}, "journey"),
    ({"objective": "x", "scope": "macro"}, "bounds"),  # a scope answers "which journey" too
    ({"objective": "x", "journey": "y", "start": "a"}, "bounds"),  # both ends are needed to skip it
    ({"journey": "y", "start": "a", "end": "b"}, "why"),
    ({"objective": "x", "journey": "y", "start": "a", "end": "b"}, "team"),
])
def test_each_question_is_skipped_only_when_all_it_asks_for_is_held(framing: dict[str, str], expected: str) -> None:
    q = Engine().next_question(JourneyMap.model_validate({"framing": framing}), "en")
    assert q is not None and q.phase == "framing" and q.id == expected


def test_per_stage_phases_ask_stage_by_stage_and_skip_filled_stages() -> None:
    journey = _stages("Discovery", "Purchase")
    journey.stages[0].touchpoints.append(Touchpoint(id="t0", name="Instagram ad", channel="social", online=True))
    engine = Engine()
    engine.jump("touchpoints")
    engine.state.revisit = None  # as when the interview reaches the phase on its own
    q = engine.next_question(journey, "fr")
    # "where" is skipped for Discovery: it has a touchpoint
    assert q is not None and q.id == "invisible" and q.focus == "Discovery" and q.key == "touchpoints/invisible@s0"
    engine.answered()
    q = engine.next_question(journey, "fr")
    assert q is not None and q.id == "where" and q.focus == "Purchase" and q.focus_id == "s1"
    assert "« Purchase »" in plain(q.text) and "{stage}" not in q.text


def test_a_stage_phase_before_any_stage_asks_a_generic_question() -> None:
    engine = Engine()
    engine.jump("experience")
    q = engine.next_question(JourneyMap(), "en")
    assert q is not None and q.kind == "generic" and q.id == "generic" and "{stage}" not in q.text
    assert q.key == "experience/generic@"


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
    assert q is not None and q.focus == "Sales line" and q.focus_id == "b" and q.key == "owners/owner@b"


def test_held_says_whether_the_map_answers_a_question() -> None:
    engine = Engine()
    empty = JourneyMap()
    bounded = JourneyMap.model_validate({"framing": {"start": "a", "end": "b"}})
    assert not engine.held("framing/bounds@", empty) and engine.held("framing/bounds@", bounded)
    assert not engine.held("framing/why@", bounded)
    stages = _stages("Discovery", "Purchase")
    stages.stages[1].touchpoints.append(Touchpoint(id="t", name="Shop", channel="store", online=False))
    assert engine.held("touchpoints/where@s1", stages) and not engine.held("touchpoints/where@s0", stages)
    # never held: a question that is always asked, a generic question, a key that names nothing
    assert not engine.held("stages/words@", stages)
    assert not engine.held("experience/generic@", stages)
    assert not engine.held("nowhere/why@", stages) and not engine.held("garbage", stages)


def test_a_question_shown_while_the_map_holds_its_answer_is_counted() -> None:
    journey = JourneyMap.model_validate({"framing": {"objective": "x", "journey": "y", "start": "a", "end": "b"}})
    engine = Engine()
    engine.jump("framing")  # a jump asks again even what the map holds
    q = engine.next_question(journey, "en")
    assert q is not None and q.id == "why"
    assert engine.state.shown == 1 and engine.state.reasked == 1


def test_question_in_phase_never_leaves_the_phase() -> None:
    journey = JourneyMap.model_validate(
        {"framing": {"objective": "x", "journey": "y", "start": "a", "end": "b", "team": ["Me"], "deliverable": "a map"}})
    engine = Engine()
    assert engine.question_in_phase(journey, "en") is None
    assert engine.state.phase == "framing"  # next_question is what moves on
    q = engine.next_question(journey, "en")
    assert q is not None and q.phase == "persona"


def test_ensure_phase_keeps_what_was_asked_and_skips_what_the_map_holds() -> None:
    engine = Engine()
    journey = JourneyMap()
    engine.next_question(journey, "en")
    engine.answered()  # framing/why asked
    engine.ensure_phase("stages")
    assert engine.state.phase == "stages" and engine.state.revisit is None
    engine.ensure_phase("framing")
    q = engine.next_question(journey, "en")
    assert q is not None and q.id == "journey"  # "why" stays asked: ensure_phase is no revisit
    engine.ensure_phase("framing")  # already there: nothing moves
    assert engine.state.current == "framing/journey@"
    with pytest.raises(KeyError):
        engine.ensure_phase("nowhere")


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
    assert first is not None and second is not None and (first.id, second.id) == ("why", "journey")
    assert "framing/why@" in engine.state.asked and engine.state.answers.get("framing", 0) == 0  # skipped, not answered
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
    engine.next_question(journey, "en")  # persona/who: framing is held
    engine.answered()
    engine.jump("framing")
    q = engine.next_question(journey, "en")
    assert q is not None and q.phase == "framing" and q.id == "why"


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
    assert '"version":2' in saved.replace(" ", "")
    resumed = Engine(EngineState.model_validate_json(saved))
    assert resumed.state == engine.state
    assert resumed.next_question(journey, "en") == q


def test_a_question_whose_focus_was_renamed_keeps_its_text() -> None:
    journey = _stages("Discovery")
    engine = Engine()
    engine.jump("touchpoints")
    q = engine.next_question(journey, "en")
    assert q is not None and q.focus_id == "s0"
    renamed = _stages("Finding us")
    again = engine.current_question(renamed, "en")
    assert again is not None and again.key == q.key and again.id == q.id


# --- saved states of version 1 ---------------------------------------------------------------------

V1 = {"version": 1, "phase": "persona", "current": "persona/question1@",
      "asked": ["framing/question0@", "framing/question1@", "framing/question2@", "framing/follow_up0@",
                "persona/question0@", "touchpoints/question0@s1", "experience/generic0@"],
      "revisit": None, "left_unmet": ["framing"], "answers": {"framing": 4, "persona": 1}}


def test_a_version_1_state_is_rewritten_with_question_ids() -> None:
    migrated = migrate_state(V1)
    assert migrated["version"] == 2
    assert migrated["current"] == "persona/trigger@"
    assert migrated["asked"] == ["framing/why@", "framing/journey@", "framing/bounds@", "framing/team@",
                                 "persona/who@", "touchpoints/where@s1", "experience/generic@"]
    assert migrated["left_unmet"] == ["framing"] and migrated["answers"] == {"framing": 4, "persona": 1}
    state = EngineState.model_validate(migrated)
    q = Engine(state).next_question(JourneyMap(), "en")
    assert q is not None and q.key == "persona/trigger@"  # the same question as before the migration
    assert V1["current"] == "persona/question1@"  # the saved data itself is not changed in place


def test_a_state_without_version_is_version_1_and_a_version_2_state_is_left_alone() -> None:
    old = {k: v for k, v in V1.items() if k != "version"}
    assert migrate_state(old)["current"] == "persona/trigger@"
    current = Engine().state.model_dump(mode="json")
    assert migrate_state(current) == current
    assert migrate_state(migrate_state(V1)) == migrate_state(V1)


def test_a_version_1_key_beyond_the_questions_stays_a_key_that_names_nothing() -> None:
    migrated = migrate_state({"version": 1, "phase": "framing", "current": "framing/question9@", "asked": []})
    state = EngineState.model_validate(migrated)
    q = Engine(state).next_question(JourneyMap(), "en")
    assert q is not None and q.id == "why"  # the unknown question is dropped, the interview goes on


def test_a_version_1_state_is_refused_without_migration() -> None:
    with pytest.raises(ValueError):
        EngineState.model_validate(V1)


def test_the_engine_imports_no_model_or_ui_stack() -> None:
    code = ("import sys, journeybot.interview.engine as e\n"
            "bad=[m for m in sys.modules if m.split('.')[0] in ('langchain','langchain_core','textual','openai',"
            "'chromadb','xllamacpp')]\nprint(bad)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
