"""Files that hold the user's answers are the owner's only: sessions.db and its -wal/-shm files 0600,
the data folder and the logs folder 0700, the log file 0600 (maps and transcripts already are 0600).
Checked with a permissive umask (022, the usual one), where the default would be 0644/0755."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from journeybot import paths
from journeybot.domain.journey_map import JourneyMap
from journeybot.domain.map_file import dump_map
from journeybot.store import SessionStore
from journeybot.store.sessions import default_path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def test_the_sessions_database_and_its_wal_files_are_the_owners_only(umask_022: None) -> None:
    store = SessionStore()
    try:
        sid = store.create_session(title="t", lang="fr", state={}, map_json=dump_map(JourneyMap()))
        store.add_message(sid, "user", "Mon objectif confidentiel")
        db = default_path()
        wal, shm = db.with_name("sessions.db-wal"), db.with_name("sessions.db-shm")
        assert wal.exists() and shm.exists()
        assert (mode(db), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
        assert mode(paths.data_dir()) == 0o700
    finally:
        store.close()


def test_an_older_world_readable_database_is_narrowed(tmp_path: Path, umask_022: None) -> None:
    db = tmp_path / "old.db"
    SessionStore(db).close()
    os.chmod(db, 0o644)
    os.chmod(tmp_path, 0o755)
    SessionStore(db).close()
    assert mode(db) == 0o600
    assert mode(tmp_path) == 0o755  # a folder the user chose is left as it is


def test_a_data_folder_made_0755_by_an_older_version_is_narrowed(umask_022: None) -> None:
    folder = paths.data_dir()
    os.chmod(folder, 0o755)
    assert mode(paths.data_dir()) == 0o700


def test_the_ui_log_folder_and_file_are_the_owners_only(tmp_path: Path) -> None:
    # In a child process with umask 022: the log is set up when the app mounts.
    code = ("import os; os.umask(0o022)\n"
            "from journeybot.tui import app\n"
            "app._setup_logging(); app.log.warning('x')\n"
            "print(app.log_file())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          env=os.environ.copy())
    assert done.returncode == 0, done.stderr
    log = Path(done.stdout.strip())
    assert mode(log) == 0o600 and mode(log.parent) == 0o700
