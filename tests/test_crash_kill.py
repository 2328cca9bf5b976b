"""Crash safety: a headless interview killed with SIGKILL at random moments, then resumed, loses nothing.

The interview runs in a real process (tests/support/crash_driver.py: the headless loop of `journeybot
interview`, plus resume); the test kills it at >= 50 moments drawn from a seeded RNG, spread over the run
(most after start-up, some during start-up and database opening). After every kill: every answer the
process reported as committed is in the database, exactly once and in order; every saved map loads.
Each interview is resumed until it reaches its end; its final map is then the same as an interview that
was never interrupted (the same stages, touchpoints, emotions... every reading applied exactly once).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from journeybot.domain.map_file import parse_map_text
from journeybot.interview.headless import load_answers
from journeybot.store import SessionStore
from tests.support import crash_driver

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "interviews"
INTERVIEWS = [EXAMPLES / "broadband.en.yaml", EXAMPLES / "assurance-auto.fr.yaml"]
KILLS = 50
SEED = 20261123


def normalised(map_json: str) -> Any:
    """The map without what differs between two runs of the same interview (ids, timestamps)."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items()
                    if k not in ("id", "created", "updated") and not k.endswith(("_id", "_ids"))}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(json.loads(map_json))


class Zygote:
    """The driver in --zygote mode: forks one interview process per RUN; its output lines, as they come."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.support.crash_driver", "--zygote"], cwd=REPO,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.lines: list[str] = []
        self.changed = threading.Condition()
        self.errors: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_errors, daemon=True).start()
        assert self.wait_for(lambda lines: "ZYGOTE" in lines, 0, 60)

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self.changed:
                self.lines.append(line.strip())
                self.changed.notify_all()
        with self.changed:
            self.lines.append("GONE")
            self.changed.notify_all()

    def _read_errors(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.errors.append(line)

    def wait_for(self, ok: Any, since: int, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: ok(self.lines[since:]) or "GONE" in self.lines[since:], timeout) \
                and ok(self.lines[since:])

    def run(self, db: Path, answers: Path, session: str | None) -> tuple[int, int]:
        """Start one interview process; returns its pid and where its lines start."""
        since = len(self.lines)
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"RUN {db} {answers} {session or ''}\n")
        self.proc.stdin.flush()
        assert self.wait_for(lambda lines: any(x.startswith("PID ") for x in lines), since, 60)
        pid = int(next(x for x in self.lines[since:] if x.startswith("PID ")).split()[1])
        return pid, since

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(30)


def stored_answers(db: Path, session: str) -> dict[str, list[str]]:
    con = sqlite3.connect(db, timeout=30)
    try:
        rows = con.execute("SELECT phase, text FROM messages WHERE session_id = ? AND role = 'user' AND kind = 'answer'"
                           " ORDER BY seq", (session,)).fetchall()
    finally:
        con.close()
    out: dict[str, list[str]] = defaultdict(list)
    for phase, text in rows:
        out[phase].append(text)
    return out


def saved_maps(db: Path) -> dict[str, str]:
    con = sqlite3.connect(db, timeout=30)
    try:
        return {sid: text for sid, text in con.execute("SELECT id, map FROM sessions").fetchall()}
    finally:
        con.close()


def test_kill_9_at_random_moments_then_resume_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    zygote = Zygote()
    references: dict[Path, Any] = {}
    turn = 0.0  # seconds one answer takes on this machine, from the uninterrupted runs
    for path in INTERVIEWS:  # an uninterrupted run of each interview
        db = tmp_path / f"reference-{path.stem}.db"
        started = time.perf_counter()
        pid, since = zygote.run(db, path, None)
        assert zygote.wait_for(lambda lines, p=pid: f"EXIT {p} 0" in lines, since, 120), zygote.errors
        answers = sum(len(v) for v in load_answers(path).answers.values())
        turn = max(turn, (time.perf_counter() - started) / answers)
        references[path] = normalised(next(iter(saved_maps(db).values())))
    kills = 0
    moments: list[float] = []  # where in the interview each kill fell (0 = start, 1 = last answer)
    campaign = 0
    while kills < KILLS:
        answers_path = INTERVIEWS[campaign % len(INTERVIEWS)]
        expected = load_answers(answers_path).answers
        total = sum(len(v) for v in expected.values())
        db = tmp_path / f"campaign-{campaign}.db"
        campaign += 1
        session: str | None = None
        committed: set[tuple[str, int]] = set()
        history: list[list[str]] = []
        for _attempt in range(100):
            stored_before = sum(len(v) for v in stored_answers(db, session).values()) if session else 0
            # the kill: once the process has committed `target` more answers, then within one turn (timed
            # on this machine above, so a fast machine does not carry the kill several answers further):
            # it falls anywhere in the turn: storing, reading, applying, saving. A target past the end lets
            # the run finish; target 0 falls in the opening: database, session, first turn.
            target = rng.randint(0, total - stored_before + 2)
            pid, since = zygote.run(db, answers_path, session)

            def reached(lines: list[str], t: int = target, p: int = pid) -> bool:
                return sum(1 for x in lines if x.startswith("COMMITTED")) >= t or any(
                    x.startswith(f"EXIT {p} ") for x in lines)

            assert zygote.wait_for(reached, since, 120), zygote.errors
            time.sleep(rng.uniform(0, turn))
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            assert zygote.wait_for(lambda lines, p=pid: any(x.startswith(f"EXIT {p} ") for x in lines), since, 60)
            lines = zygote.lines[since:]
            history.append(lines)
            status = int(next(x for x in lines if x.startswith(f"EXIT {pid} ")).split()[2])
            finished = any(x.startswith("DONE") for x in lines)
            assert status in (0, -signal.SIGKILL), zygote.errors
            if status == -signal.SIGKILL:
                kills += 1
            for line in lines:
                word, *rest = line.split()
                if word == "SESSION":
                    session = rest[0]
                elif word == "COMMITTED":
                    committed.add((rest[0], int(rest[1])))
            # every saved map loads, whatever the moment of the kill
            for sid, text in saved_maps(db).items() if db.exists() else []:
                parse_map_text(text, source=sid)
            if session is None:
                continue  # killed before the session existed: start again
            stored = stored_answers(db, session)
            for phase, texts in stored.items():  # exactly once, in order: a prefix of the file's answers
                assert texts == [t.strip() for t in expected[phase][: len(texts)]], (phase, dict(stored), history)
            for phase, n in committed:  # what the process said was committed is there
                assert len(stored.get(phase, [])) > n, (phase, n)
            if status == -signal.SIGKILL:
                moments.append(sum(len(v) for v in stored.values()) / total)
            if finished and status == 0:
                break
        else:
            pytest.fail("the interview never reached its end")
        assert session is not None
        assert normalised(saved_maps(db)[session]) == references[answers_path]
        assert sum(len(v) for v in stored_answers(db, session).values()) == total
    zygote.close()
    assert not [e for e in zygote.errors if "Traceback" in e or "locked" in e], zygote.errors
    assert kills >= KILLS
    # the kills were spread over the whole interview, not bunched at its start
    assert min(moments) <= 0.15 and max(moments) >= 0.85, sorted(moments)
    assert len({round(m, 1) for m in moments}) >= 8, sorted(moments)


def test_kill_9_during_start_up_and_database_creation(tmp_path: Path) -> None:
    """Fresh processes killed while importing, creating and migrating the database or opening the session."""
    rng = random.Random(SEED + 1)
    answers = INTERVIEWS[1]
    db = tmp_path / "fresh.db"
    args = [sys.executable, "-m", "tests.support.crash_driver", str(db), str(answers)]
    for _ in range(6):
        proc = subprocess.Popen(args, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.2, 1.6))
        proc.kill()
        proc.wait(30)
        if db.exists():
            for sid, text in saved_maps(db).items():
                parse_map_text(text, source=sid)
    done = subprocess.run(args, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == f"DONE {sum(len(v) for v in load_answers(answers).answers.values())}"
    store = SessionStore(db)
    try:
        assert store.sessions()  # the database works after all those deaths
    finally:
        store.close()


class _Killed(BaseException):
    """The process dies here (nothing after this line runs, nothing is rolled back by Python code)."""


def _killed_then_resumed(db: Path, answers: Path, monkeypatch: pytest.MonkeyPatch,
                         capsys: pytest.CaptureFixture[str], target: Any, name: str, dying: Any) -> str:
    """Run the interview with ``target.name`` replaced by ``dying`` (which raises _Killed), then resume
    the session it started with the real one; the session id."""
    real = getattr(target, name)
    capsys.readouterr()
    monkeypatch.setattr(target, name, dying)
    with pytest.raises(_Killed):
        crash_driver.run(db, answers, None)
    monkeypatch.setattr(target, name, real)
    session = next(line.split()[1] for line in capsys.readouterr().out.splitlines() if line.startswith("SESSION"))
    assert crash_driver.run(db, answers, session) == 0
    return session


def test_a_death_between_marking_a_reading_accepted_and_saving_the_map_loses_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The narrowest window of `accept`: the deterministic version of a kill that falls inside it."""
    answers = INTERVIEWS[0]
    reference_db = tmp_path / "reference.db"
    assert crash_driver.run(reference_db, answers, None) == 0
    reference = normalised(next(iter(saved_maps(reference_db).values())))
    capsys.readouterr()
    db = tmp_path / "crash.db"
    real_save = SessionStore.save
    saves_with_map = 0

    def dying_save(self: SessionStore, session_id: str, **kw: Any) -> None:
        nonlocal saves_with_map
        if kw.get("map_json") is not None:
            saves_with_map += 1
            if saves_with_map == 3:  # the third reading: framing's third answer, mid-accept
                raise _Killed
        real_save(self, session_id, **kw)

    session = _killed_then_resumed(db, answers, monkeypatch, capsys, SessionStore, "save", dying_save)
    assert normalised(saved_maps(db)[session]) == reference


def test_a_death_between_an_answer_and_the_next_question_keeps_each_answer_in_its_phase(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Killed after an answer is committed (with the engine's move) but before the next question is worked
    out: on resume the next answer of the same phase must still be stored under that phase, even when the
    phase has run out of template questions."""
    from journeybot.interview.engine import Engine

    answers = INTERVIEWS[0]
    expected = load_answers(answers).answers
    reference_db = tmp_path / "reference.db"
    assert crash_driver.run(reference_db, answers, None) == 0
    reference = normalised(next(iter(saved_maps(reference_db).values())))
    real_next = Engine.next_question
    order = [(phase, n) for phase, texts in expected.items() for n in range(len(texts))]
    # the answers followed by another answer of the same phase (where the bug would show)
    targets = [k for k, (phase, n) in enumerate(order, 1) if n + 1 < len(expected[phase])]
    for k in targets[::2]:
        submits = 0

        def dying_next(self: Engine, journey: Any, lang: Any, k: int = k) -> Any:
            nonlocal submits
            if sys._getframe(1).f_code.co_name == "submit":
                submits += 1
                if submits == k:
                    raise _Killed
            return real_next(self, journey, lang)

        db = tmp_path / f"crash-{k}.db"
        session = _killed_then_resumed(db, answers, monkeypatch, capsys, Engine, "next_question", dying_next)
        stored = stored_answers(db, session)
        assert {p: v for p, v in stored.items()} == {p: [t.strip() for t in v] for p, v in expected.items()}, k
        assert normalised(saved_maps(db)[session]) == reference, k
