"""A map in progress is judged only on what its interview has reached: the rest is "not yet".

The interview writes the phases it went through into the map (``phases_done``); lint of that map,
in the chat or once exported, keeps a pitfall pending until one of its phases is done. A finished
map, or one made elsewhere (no ``phases_done``), is judged whole."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from journeybot.cli.main import app
from journeybot.domain.map_file import dump_map, load_map, parse_map_text
from journeybot.interview.engine import Engine, EngineState
from journeybot.interview.session import Interview
from journeybot.lint import lint
from journeybot.method.model import PHASE_IDS
from journeybot.store import SessionStore, load_session_map

ROOT = Path(__file__).resolve().parent.parent
WORKSHOP = ROOT / "examples" / "flawed" / "draft-workshop.fr.json"
runner = CliRunner()


def test_a_map_without_progress_is_judged_whole() -> None:
    journey = load_map(WORKSHOP)
    assert journey.phases_done is None
    found = lint(journey, "fr")
    assert found and not any(f.pending for f in found)


def test_a_map_in_progress_keeps_the_pitfalls_of_phases_ahead_pending() -> None:
    journey = load_map(WORKSHOP).model_copy(update={"phases_done": ["framing", "persona", "evidence", "stages"]})
    found = {f.code: f for f in lint(journey, "fr")}
    # judged: their phase is done
    assert not found["internal-view"].pending and not found["stops-at-purchase"].pending
    assert not found["process-not-journey"].pending and not found["no-persona"].pending
    # not yet: nothing could have supplied them
    for code in ("no-numbers", "no-owners", "no-action-plan", "no-emotions", "too-coarse"):
        assert found[code].pending, code
    # the same map, finished: every phase done, nothing pending
    finished = journey.model_copy(update={"phases_done": list(PHASE_IDS)})
    assert not any(f.pending for f in lint(finished, "fr"))


def test_progress_survives_the_file_and_a_map_from_elsewhere_dumps_as_before() -> None:
    journey = load_map(WORKSHOP)
    assert "phases_done" not in json.loads(dump_map(journey))
    stamped = journey.model_copy(update={"phases_done": ["framing", "persona"]})
    again = parse_map_text(dump_map(stamped), source="test")
    assert again.phases_done == ["framing", "persona"]


def test_lint_cli_says_not_yet_and_exits_on_due_errors_only(tmp_path: Path) -> None:
    data = json.loads(WORKSHOP.read_text(encoding="utf-8"))
    data["phases_done"] = ["framing"]
    path = tmp_path / "in-progress.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(app, ["lint", str(path), "--lang", "en"])
    assert "NOT YET (map in progress; phases done: Framing)" in result.stdout
    assert "[no-numbers]" in result.stdout.split("NOT YET")[1]
    assert "[fuzzy-boundaries]" in result.stdout.split("NOT YET")[0]  # framing is done: judged now
    # internal-view (an error) waits for the evidence phase: no error is due yet
    assert result.exit_code == 0
    found = json.loads(runner.invoke(app, ["lint", str(path), "--format", "json"]).stdout)
    assert {f["code"] for f in found if f["pending"]} >= {"internal-view", "no-numbers"}
    data["phases_done"] = ["framing", "persona", "evidence"]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(app, ["lint", str(path), "--lang", "en"]).exit_code == 1


def test_the_engine_counts_a_phase_passed_once_the_interview_went_beyond_it() -> None:
    engine = Engine(EngineState())
    assert engine.phases_passed() == []
    engine.jump("stages")
    engine.state.asked.append("stages/list@")
    assert engine.phases_passed() == ["framing", "persona", "evidence"]
    engine.jump("persona")  # a jump back does not undo what was passed
    assert engine.phases_passed() == ["framing", "persona", "evidence"]
    engine.state.phase = None
    assert engine.phases_passed() == list(PHASE_IDS)


def test_the_interview_stamps_its_progress_into_the_saved_map(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "sessions.db")
    interview = Interview.start(store, lang="en")
    interview.opening()
    interview.submit("/phase evidence")
    interview.submit("/next")
    saved = load_session_map(interview.session_id, store.path)
    assert saved.phases_done is not None and "persona" in saved.phases_done
    assert "evidence" in saved.phases_done  # left by /next, unmet
    pending = {f.code for f in interview.findings() if f.pending}
    due = {w.code for w in interview.warnings()}
    assert "no-numbers" in pending and "no-numbers" not in due
    assert "no-persona" in due  # the persona phase is behind
