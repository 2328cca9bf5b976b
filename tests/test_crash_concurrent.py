"""Ten interviews writing to the same sessions database at once (a workshop: `journeybot serve` gives each
browser its own process; the app itself writes from worker threads): no lost write, no "database is locked".

Processes: ten `journeybot interview` commands started together on one JOURNEYBOT_HOME. Threads: ten headless
interviews in one process, half with their own connection, half sharing one store. Afterwards every
session holds every answer of its file, in order, and a valid map holding every fact a run of the file
alone keeps (all of them but at most one for these two clean examples).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from journeybot.domain.map_file import load_map, parse_map_text
from journeybot.interview.facts import check_facts, load_facts
from journeybot.interview.headless import load_answers, run_headless
from journeybot.store import SessionStore

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "interviews"
INTERVIEWS = [EXAMPLES / "broadband.en.yaml", EXAMPLES / "assurance-auto.fr.yaml"]
SESSIONS = 10


def facts_of(answers: Path) -> dict[str, object]:
    return load_facts(answers.with_name(answers.name.replace(".yaml", ".facts.yaml")))


_ALONE: dict[str, list[str]] = {}


def missing_alone(answers: Path) -> list[str]:
    """The facts a run of the file alone, on its own database, does not keep (each clean example keeps all but
    at most one): ten runs at once must keep exactly what one run keeps."""
    if answers.name not in _ALONE:
        import tempfile

        parsed = load_answers(answers)
        with tempfile.TemporaryDirectory() as tmp:
            store = SessionStore(Path(tmp) / "alone.db")
            try:
                journey = run_headless(parsed, store, lang=parsed.lang or "fr", model=None).journey
            finally:
                store.close()
        report = check_facts(journey, facts_of(answers))
        assert report.kept >= report.total - 1, report.missing
        _ALONE[answers.name] = report.missing
    return _ALONE[answers.name]


def check_database(store: SessionStore, titles: dict[str, Path]) -> None:
    sessions = store.sessions()
    assert len(sessions) == SESSIONS
    for info in sessions:
        answers_path = titles[info.id]
        expected = [t.strip() for texts in load_answers(answers_path).answers.values() for t in texts]
        stored = [m.text for m in store.messages(info.id) if m.role == "user" and m.kind == "answer"]
        assert stored == expected, info.id
        seqs = [m.seq for m in store.messages(info.id)]
        assert seqs == list(range(1, len(seqs) + 1))  # no gap, no duplicate
        journey = parse_map_text(store.session(info.id).map_json)
        assert check_facts(journey, facts_of(answers_path)).missing == missing_alone(answers_path), info.id


def test_ten_processes_at_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "workshop"
    env = {**os.environ, "JOURNEYBOT_HOME": str(home)}
    procs = []
    for i in range(SESSIONS):
        answers = INTERVIEWS[i % 2]
        out = tmp_path / f"map-{i}.json"
        procs.append((answers, out, subprocess.Popen(
            [sys.executable, "-m", "journeybot", "interview", "--answers", str(answers), "--out", str(out),
             "--model", "none"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)))
    titles: dict[str, Path] = {}
    for answers, out, proc in procs:
        stdout, stderr = proc.communicate(timeout=240)
        assert proc.returncode == 0, stderr
        assert "locked" not in stdout + stderr and "Traceback" not in stdout + stderr
        session = stdout.split("session ")[1].split()[0]
        titles[session] = answers
        assert check_facts(load_map(out), facts_of(answers)).missing == missing_alone(answers)
    assert len(titles) == SESSIONS
    monkeypatch.setenv("JOURNEYBOT_HOME", str(home))
    store = SessionStore()  # the database the ten processes wrote to
    try:
        check_database(store, titles)
    finally:
        store.close()


def test_ten_threads_at_once(tmp_path: Path) -> None:
    db = tmp_path / "sessions.db"
    shared = SessionStore(db)
    barrier = threading.Barrier(SESSIONS)
    errors: list[BaseException] = []
    titles: dict[str, Path] = {}

    def interview(i: int) -> None:
        answers_path = INTERVIEWS[i % 2]
        answers = load_answers(answers_path)
        store = shared if i % 2 else SessionStore(db)
        try:
            barrier.wait(30)
            result = run_headless(answers, store, lang=answers.lang or "fr", model=None)
            titles[result.session_id] = answers_path
        except BaseException as err:  # reported below, with the thread's number
            errors.append(err)
        finally:
            if store is not shared:
                store.close()

    threads = [threading.Thread(target=interview, args=(i,)) for i in range(SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(240)
    assert errors == []
    assert len(titles) == SESSIONS
    try:
        check_database(shared, titles)
    finally:
        shared.close()
