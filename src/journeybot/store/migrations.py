"""Versioned schema migrations: an ordered list of small steps, compared against PRAGMA user_version.

Step N brings the database from version N-1 to N. Never edit a released step: append a new one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

Step = Callable[[sqlite3.Connection], None]


def _v1_initial(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE sessions (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL DEFAULT '',
            lang TEXT NOT NULL DEFAULT 'fr',
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT '{}',
            map TEXT NOT NULL DEFAULT '{}'
        )"""
    )
    db.execute(
        """CREATE TABLE messages (
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            seq INTEGER NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'system')),
            phase TEXT,
            text TEXT NOT NULL,
            created TEXT NOT NULL,
            PRIMARY KEY (session_id, seq)
        )"""
    )


def _v2_proposals(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE proposals (
            id TEXT PRIMARY KEY,
            session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            answer_seq INTEGER,
            phase TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'rejected')),
            body TEXT NOT NULL,
            created TEXT NOT NULL,
            updated TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX proposals_by_session ON proposals(session_id, status)")


def _v3_message_kind(db: sqlite3.Connection) -> None:
    # What a message was: an answer, a command, a method question, a notice (for transcripts).
    db.execute("ALTER TABLE messages ADD COLUMN kind TEXT NOT NULL DEFAULT ''")
    db.execute("CREATE INDEX sessions_by_updated ON sessions(updated)")


def _v4_session_owner(db: sqlite3.Connection) -> None:
    # Who may see a session when the app is served to a workshop ('' = the machine's own user).
    db.execute("ALTER TABLE sessions ADD COLUMN owner TEXT NOT NULL DEFAULT ''")
    db.execute("CREATE INDEX sessions_by_owner ON sessions(owner, updated)")


MIGRATIONS: list[Step] = [_v1_initial, _v2_proposals, _v3_message_kind, _v4_session_owner]
"""Step i (0-based) takes the schema from version i to i + 1."""

LATEST = len(MIGRATIONS)


def migrate(db: sqlite3.Connection, steps: list[Step] | None = None) -> int:
    """Apply the missing steps, each in its own transaction; safe when several processes start at
    once (the version is re-read under the write lock). Returns the final version."""
    steps = MIGRATIONS if steps is None else steps
    while True:
        db.execute("BEGIN IMMEDIATE")
        try:
            version = int(db.execute("PRAGMA user_version").fetchone()[0])
            if version >= len(steps):
                db.execute("COMMIT")
                return version
            steps[version](db)
            db.execute(f"PRAGMA user_version = {version + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
