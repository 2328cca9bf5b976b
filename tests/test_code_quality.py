"""ruff and mypy are part of the test run: a change that breaks either fails CI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(Path(sys.executable).parent))
    assert path, f"{name} is not installed: install the test extra (pip install -e '.[test]')"
    return path


def test_ruff_is_clean() -> None:
    targets = [d for d in ("src", "tests", "bench") if (REPO / d).is_dir()]
    done = subprocess.run([_tool("ruff"), "check", *targets], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_mypy_is_clean() -> None:
    done = subprocess.run([_tool("mypy")], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
