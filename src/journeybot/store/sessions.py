"""Interview sessions in SQLite (WAL): the messages, the map, the engine state and the proposals.

Every write is one short transaction (BEGIN IMMEDIATE), so several threads or processes can write to
the same database at once (a workshop served to a browser); a busy database is waited for, not
failed. A user's message is committed before anything slow happens. The API key is never stored:
nothing here receives settings. The database and its folder are the owner's only (0600, 0700).
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import paths
from ..domain.journey_map import JourneyMap
from ..domain.map_file import MapFileError, parse_map_text
from ..errors import JourneybotError
from .migrations import migrate

BUSY_TIMEOUT_MS = 30_000


def _use_wal(db: sqlite3.Connection) -> None:
    """Switch the database to WAL once. Several processes opening a fresh database at the same moment
    race for that switch, and SQLite answers "database is locked" at once to the losers instead of
    waiting (the busy timeout is not applied there): retry until the busy deadline."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = 0.005
    while True:
        try:
            if str(db.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as err:
            if getattr(err, "sqlite_errorcode", sqlite3.SQLITE_BUSY) & 0xFF != sqlite3.SQLITE_BUSY \
                    or time.monotonic() + pause > deadline:
                raise
            time.sleep(pause + random.uniform(0, pause))
            pause = min(pause * 2, 0.2)


class StoreError(JourneybotError):
    """The sessions database cannot be used (one plain sentence)."""


class SessionNotFound(StoreError):
    def __init__(self, session_id: str):
        super().__init__(f"no session '{session_id}' (see: journeybot sessions)",
                         f"pas de session « {session_id} » (voir : journeybot sessions)")
        self.session_id = session_id


@dataclass(frozen=True)
class SessionInfo:
    id: str
    title: str
    lang: str
    created: str
    updated: str
    messages: int
    phase: str | None


@dataclass(frozen=True)
class SessionRecord:
    id: str
    title: str
    lang: str
    created: str
    updated: str
    state: dict[str, Any]
    map_json: str


@dataclass(frozen=True)
class StoredMessage:
    seq: int
    role: str
    phase: str | None
    text: str
    created: str
    kind: str


@dataclass(frozen=True)
class StoredProposal:
    id: str
    answer_seq: int | None
    phase: str
    status: str
    body: str


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def default_path() -> Path:
    return paths.data_dir() / "sessions.db"


class SessionStore:
    """One connection, shared by the threads of a process behind a lock.

    ``owner``: served to a workshop (`journeybot serve`), each participant's app opens the store with
    its browser's id: it creates sessions under that owner and sees, resumes and lists only those (the
    others' are "not found"). None (the chat in a terminal, every CLI command) sees every session."""

    def __init__(self, path: str | Path | None = None, *, owner: str | None = None):
        self.path = Path(path) if path is not None else default_path()
        self.owner = owner
        self._lock = threading.RLock()
        try:
            # Answers are private: the database (and the -wal/-shm files SQLite creates with the
            # database's own rights) is readable by its owner only, in a folder only they may enter.
            paths.private_file(self.path)
            self._db = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
            self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _use_wal(self._db)
            self._db.execute("PRAGMA foreign_keys = ON")
            self._db.execute("PRAGMA synchronous = NORMAL")
            migrate(self._db)
            for suffix in ("-wal", "-shm"):  # left wider by an older journeybot; never created here
                paths.narrow(self.path.with_name(self.path.name + suffix), 0o600)
        except sqlite3.DatabaseError as err:
            raise StoreError(f"cannot open the sessions database {self.path}: {err}") from None
        except OSError as err:
            raise StoreError(f"cannot open the sessions database {self.path}: {err.strerror or err}") from None

    # --- plumbing ------------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return list(self._db.execute(sql, args).fetchall())

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- sessions -------------------------------------------------------------------------------

    def create_session(self, *, title: str, lang: str, state: dict[str, Any], map_json: str) -> str:
        session_id = uuid.uuid4().hex[:12]
        now = _now()
        with self._write() as db:
            db.execute(
                "INSERT INTO sessions (id, title, lang, created, updated, state, map, owner) VALUES (?,?,?,?,?,?,?,?)",
                (session_id, title, lang, now, now, json.dumps(state), map_json, self.owner or ""),
            )
        return session_id

    def resolve(self, session_id: str) -> str:
        """The full id of a session given its id or a unique prefix of it."""
        key = session_id.strip()
        mine, args = self._mine()
        rows = self._read(f"SELECT id FROM sessions WHERE id = ?{mine}", (key, *args))
        if not rows and key:
            pattern = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            rows = self._read(f"SELECT id FROM sessions WHERE id LIKE ? ESCAPE '\\'{mine}", (pattern, *args))
        if len(rows) != 1:
            raise SessionNotFound(session_id)
        return str(rows[0][0])

    def session(self, session_id: str) -> SessionRecord:
        sid = self.resolve(session_id)
        rows = self._read("SELECT id, title, lang, created, updated, state, map FROM sessions WHERE id = ?", (sid,))
        if not rows:
            raise SessionNotFound(session_id)
        r = rows[0]
        return SessionRecord(r[0], r[1], r[2], r[3], r[4], json.loads(r[5] or "{}"), r[6])

    def _mine(self) -> tuple[str, tuple[str, ...]]:
        """The SQL condition (and its argument) that keeps an owner's sessions only."""
        return ("", ()) if self.owner is None else (" AND owner = ?", (self.owner,))

    def sessions(self) -> list[SessionInfo]:
        mine, args = self._mine()
        rows = self._read(
            "SELECT s.id, s.title, s.lang, s.created, s.updated, s.state,"
            " (SELECT COUNT(*) FROM messages m WHERE m.session_id = s.id AND m.role = 'user')"
            f" FROM sessions s WHERE 1 = 1{mine} ORDER BY s.updated DESC", args
        )
        out = []
        for r in rows:
            try:
                phase = json.loads(r[5] or "{}").get("engine", {}).get("phase")
            except (ValueError, AttributeError):
                phase = None
            out.append(SessionInfo(r[0], r[1], r[2], r[3], r[4], int(r[6]), phase))
        return out

    def save(self, session_id: str, *, state: dict[str, Any] | None = None, map_json: str | None = None,
             title: str | None = None, lang: str | None = None,
             proposals: list[tuple[str, str]] | None = None) -> None:
        """Save what changed in ONE transaction: engine state, map, title, proposal statuses."""
        with self._write() as db:
            sets, args = ["updated = ?"], [_now()]
            for col, value in (("state", None if state is None else json.dumps(state)), ("map", map_json),
                               ("title", title), ("lang", lang)):
                if value is not None:
                    sets.append(f"{col} = ?")
                    args.append(value)
            cur = db.execute(f"UPDATE sessions SET {', '.join(sets)} WHERE id = ?", (*args, session_id))
            if cur.rowcount != 1:
                raise SessionNotFound(session_id)
            for pid, status in proposals or []:
                db.execute("UPDATE proposals SET status = ?, updated = ? WHERE id = ?", (status, _now(), pid))

    def delete_session(self, session_id: str) -> None:
        sid = self.resolve(session_id)
        with self._write() as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (sid,))

    # --- messages -------------------------------------------------------------------------------

    def add_message(self, session_id: str, role: str, text: str, *, phase: str | None = None,
                    kind: str = "") -> int:
        """Append a message and commit it at once; returns its sequence number in the session."""
        with self._write() as db:
            row = db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE session_id = ?",
                             (session_id,)).fetchone()
            seq = int(row[0])
            try:
                db.execute(
                    "INSERT INTO messages (session_id, seq, role, phase, text, created, kind)"
                    " VALUES (?,?,?,?,?,?,?)",
                    (session_id, seq, role, phase, text, _now(), kind),
                )
            except sqlite3.IntegrityError as err:
                raise SessionNotFound(session_id) from err
            db.execute("UPDATE sessions SET updated = ? WHERE id = ?", (_now(), session_id))
        return seq

    def messages(self, session_id: str) -> list[StoredMessage]:
        sid = self.resolve(session_id)
        rows = self._read(
            "SELECT seq, role, phase, text, created, kind FROM messages WHERE session_id = ? ORDER BY seq", (sid,)
        )
        return [StoredMessage(int(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in rows]

    # --- proposals -----------------------------------------------------------------------------

    def add_proposal(self, session_id: str, proposal_id: str, *, phase: str, answer_seq: int | None,
                     body: str, status: str = "pending") -> None:
        now = _now()
        with self._write() as db:
            db.execute(
                "INSERT OR REPLACE INTO proposals (id, session_id, answer_seq, phase, status, body, created, updated)"
                " VALUES (?,?,?,?,?,?,?,?)",
                (proposal_id, session_id, answer_seq, phase, status, body, now, now),
            )

    def proposals(self, session_id: str, status: str | None = None) -> list[StoredProposal]:
        sql = "SELECT id, answer_seq, phase, status, body FROM proposals WHERE session_id = ?"
        args: tuple[Any, ...] = (session_id,)
        if status is not None:
            sql += " AND status = ?"
            args = (session_id, status)
        rows = self._read(sql + " ORDER BY created", args)
        return [StoredProposal(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def load_session_map(session_id: str, path: str | Path | None = None) -> JourneyMap:
    """The saved map of a session (for ``journeybot export SESSION_ID``).

    Raises SessionNotFound for an unknown id, MapFileError if the saved map is unreadable."""
    store = SessionStore(path)
    try:
        record = store.session(session_id)
    finally:
        store.close()
    try:
        return parse_map_text(record.map_json, source=f"session {record.id}")
    except MapFileError:
        raise
