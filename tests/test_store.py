"""The SQLite session store: migrations, resume, concurrent writers (threads and processes)."""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.queues
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from journeybot.domain.journey_map import JourneyMap, Stage
from journeybot.domain.map_file import MapFileError, dump_map
from journeybot.store import SessionNotFound, SessionStore, load_session_map
from journeybot.store.migrations import LATEST, MIGRATIONS, migrate


def _session(store: SessionStore, title: str = "t") -> str:
    return store.create_session(title=title, lang="fr", state={"engine": {}}, map_json=dump_map(JourneyMap()))


def test_a_new_database_is_at_the_latest_version_in_wal_mode(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.db")
    store.close()
    db = sqlite3.connect(tmp_path / "s.db")
    assert db.execute("PRAGMA user_version").fetchone()[0] == LATEST
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"sessions", "messages", "proposals"} <= tables


def test_an_old_database_is_upgraded_step_by_step_keeping_its_data(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    db = sqlite3.connect(path, isolation_level=None)
    migrate(db, MIGRATIONS[:1])  # a database written by the first release
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    db.execute("INSERT INTO sessions (id, title, lang, created, updated, state, map) VALUES "
               "('abc', 'old', 'fr', 'x', 'x', '{}', ?)", (dump_map(JourneyMap(title="kept")),))
    db.execute("INSERT INTO messages (session_id, seq, role, phase, text, created) VALUES "
               "('abc', 1, 'user', 'framing', 'hello', 'x')")
    db.close()
    store = SessionStore(path)
    assert [m.text for m in store.messages("abc")] == ["hello"]
    assert store.messages("abc")[0].kind == ""
    store.add_proposal("abc", "p1", phase="framing", answer_seq=1, body="{}")
    assert store.proposals("abc")[0].status == "pending"
    store.close()
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == LATEST


def test_migrating_twice_does_nothing(tmp_path: Path) -> None:
    SessionStore(tmp_path / "s.db").close()
    db = sqlite3.connect(tmp_path / "s.db", isolation_level=None)
    assert migrate(db) == LATEST


def test_messages_are_numbered_and_the_session_saved_in_one_transaction(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.db")
    sid = _session(store)
    assert store.add_message(sid, "user", "a", phase="framing", kind="answer") == 1
    assert store.add_message(sid, "assistant", "b") == 2
    journey = JourneyMap(stages=[Stage(id="x", name="Order")])
    store.save(sid, state={"engine": {"phase": "stages"}}, map_json=dump_map(journey), title="New")
    record = store.session(sid)
    assert record.title == "New" and record.state["engine"]["phase"] == "stages"
    assert load_session_map(sid, tmp_path / "s.db") == journey
    info = store.sessions()[0]
    assert info.id == sid and info.messages == 1 and info.phase == "stages"


def test_unknown_sessions_and_prefixes(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.db")
    sid = _session(store)
    assert store.resolve(sid[:5]) == sid
    with pytest.raises(SessionNotFound):
        store.session("nope")
    with pytest.raises(SessionNotFound):
        store.add_message("nope", "user", "x")
    with pytest.raises(SessionNotFound):
        store.save("nope", title="x")
    with pytest.raises(SessionNotFound):
        load_session_map("nope", tmp_path / "s.db")


def test_a_broken_saved_map_is_a_clear_error(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.db")
    sid = _session(store)
    store.save(sid, map_json='{"stages": "oops"}')
    with pytest.raises(MapFileError) as err:
        load_session_map(sid, tmp_path / "s.db")
    assert "stages" in str(err.value)


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    from journeybot.store import StoreError

    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError):
        SessionStore(bad)


def test_ten_threads_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    setup = SessionStore(path)
    ids = [_session(setup, f"s{i}") for i in range(10)]
    setup.close()
    errors: list[BaseException] = []

    def work(sid: str) -> None:
        try:
            store = SessionStore(path)  # one connection per writer, as separate app instances
            for n in range(30):
                store.add_message(sid, "user", f"{sid}-{n}", phase="stages", kind="answer")
                store.save(sid, state={"n": n}, map_json=dump_map(JourneyMap(title=f"{n}")))
            store.close()
        except BaseException as err:  # collected and asserted below
            errors.append(err)

    threads = [threading.Thread(target=work, args=(sid,)) for sid in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    store = SessionStore(path)
    for sid in ids:
        assert [m.text for m in store.messages(sid)] == [f"{sid}-{n}" for n in range(30)]
        assert store.session(sid).state == {"n": 29}


def test_one_store_shared_by_threads(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "s.db")
    sid = _session(store)

    def work(k: int) -> None:
        for n in range(20):
            store.add_message(sid, "user", f"{k}-{n}")

    threads = [threading.Thread(target=work, args=(k,)) for k in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    messages = store.messages(sid)
    assert len(messages) == 200 and [m.seq for m in messages] == list(range(1, 201))


_WRITER = """
import sys
from journeybot.store import SessionStore
from journeybot.domain.journey_map import JourneyMap
from journeybot.domain.map_file import dump_map
path, sid = sys.argv[1], sys.argv[2]
store = SessionStore(path)
for n in range(25):
    store.add_message(sid, "user", f"{sid}-{n}", kind="answer")
    store.save(sid, state={"n": n}, map_json=dump_map(JourneyMap(title=str(n))))
print("ok")
"""


def test_ten_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    setup = SessionStore(path)
    ids = [_session(setup, f"p{i}") for i in range(10)]
    setup.close()
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(path), sid], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for sid in ids]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-500:] for o in outs]
    store = SessionStore(path)
    for sid in ids:
        assert len(store.messages(sid)) == 25
        assert json.loads(store.session(sid).map_json)["title"] == "24"


def test_processes_opening_a_fresh_database_at_once_migrate_it_once(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    code = "import sys; from journeybot.store import SessionStore; SessionStore(sys.argv[1]).close(); print('ok')"
    procs = [subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(6)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1][-500:] for o in outs]
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == LATEST


def _open_and_close(path: str, errors: multiprocessing.queues.Queue[str]) -> None:
    try:
        SessionStore(path).close()
    except Exception as err:  # reported to the parent, which fails the test with it
        errors.put(str(err))


def test_many_rounds_of_processes_racing_to_create_a_database_never_see_it_locked(tmp_path: Path) -> None:
    # The switch to WAL is where SQLite answers "database is locked" at once instead of waiting; with
    # eight processes on a fresh file that happened about once in a hundred rounds before it was retried.
    ctx = multiprocessing.get_context("fork")
    errors: multiprocessing.queues.Queue[str] = ctx.Queue()
    for round_ in range(250):
        path = str(tmp_path / f"race{round_}.db")
        procs = [ctx.Process(target=_open_and_close, args=(path, errors)) for _ in range(8)]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join(timeout=60)
        assert all(proc.exitcode == 0 for proc in procs)
    found = []
    while not errors.empty():
        found.append(errors.get())
    assert found == []
