"""The README's start command, as a user runs it: the `journeybot` console script in a real terminal
(tmux, installed by .ci/run; skipped with the apt line where it is missing), without a model. The first question and the input box are painted, and
the session it opened right after the first paint is saved."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

from journeybot.store import SessionStore
from tests.support import system_tools


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


def test_the_console_script_paints_the_first_question_in_a_real_terminal(tmp_path: Path) -> None:
    system_tools.tmux()
    script = Path(sys.executable).parent / "journeybot"
    assert script.exists(), f"{script} is missing: install the package (pip install -e .)"
    home = tmp_path / "jb"
    env = {"JOURNEYBOT_HOME": str(home), "HOME": str(tmp_path), "TERM": "xterm-256color",
           "PATH": os.environ.get("PATH", "")}
    shell = "env -i " + " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()) + " " + shlex.join(
        [str(script), "--model", "none", "--lang", "en"])
    session = f"jbtest{os.getpid()}"
    _tmux("kill-session", "-t", session)
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", shell], check=True)
    try:
        deadline = time.monotonic() + 60
        screen = ""
        while time.monotonic() < deadline:
            screen = _tmux("capture-pane", "-p", "-t", session)
            if "Phase 1/11" in screen and "Your answer" in screen and "Hello!" in screen:
                break
            time.sleep(0.1)
        assert "Phase 1/11" in screen and "Your answer" in screen, screen
        assert "Traceback" not in screen
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list(home.rglob("sessions.db")):
            time.sleep(0.1)
        databases = list(home.rglob("sessions.db"))
        assert databases, "the session was not opened after the first paint"
        time.sleep(0.5)
        with SessionStore(databases[0]) as store:
            assert len(store.sessions()) == 1
        _tmux("send-keys", "-t", session, "C-q")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and session in _tmux("list-sessions", "-F", "#{session_name}"):
            time.sleep(0.1)
        assert session not in _tmux("list-sessions", "-F", "#{session_name}"), "Ctrl+Q did not quit"
    finally:
        _tmux("kill-session", "-t", session)
