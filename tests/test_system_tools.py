"""Tests that drive Chromium or tmux skip (with the apt line) where those programs are missing, fail
instead when JOURNEYBOT_REQUIRE_SYSTEM_TOOLS=1 (CI), and nothing else in the suite may skip."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support import system_tools

TESTS = Path(__file__).resolve().parent


@pytest.fixture
def empty_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PATH on which no program is found."""
    monkeypatch.setenv("PATH", str(tmp_path))


@pytest.mark.parametrize("lookup", [system_tools.chromium, system_tools.tmux])
def test_a_missing_program_skips_with_the_install_line(empty_path: None, monkeypatch: pytest.MonkeyPatch,
                                                       lookup: object) -> None:
    monkeypatch.delenv(system_tools.REQUIRE_VAR, raising=False)
    with pytest.raises(pytest.skip.Exception) as caught:
        lookup()  # type: ignore[operator]
    assert "apt-get install -y chromium chromium-driver tmux" in str(caught.value)
    assert "not installed" in str(caught.value)


@pytest.mark.parametrize("lookup", [system_tools.chromium, system_tools.tmux])
def test_a_missing_program_fails_when_system_tools_are_required(empty_path: None, monkeypatch: pytest.MonkeyPatch,
                                                                lookup: object) -> None:
    monkeypatch.setenv(system_tools.REQUIRE_VAR, "1")
    with pytest.raises(pytest.fail.Exception) as caught:
        lookup()  # type: ignore[operator]
    assert "apt-get install -y" in str(caught.value) and system_tools.REQUIRE_VAR in str(caught.value)


def test_a_present_program_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    program = tmp_path / "tmux"
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv(system_tools.REQUIRE_VAR, "1")
    assert system_tools.tmux() == str(program)


def test_ci_requires_the_system_tools_after_installing_them() -> None:
    ci = (TESTS.parent / ".ci" / "run").read_text(encoding="utf-8")
    install = ci.index("apt-get install")
    assert re.search(rf"export {system_tools.REQUIRE_VAR}=1", ci[install:]), "set after the apt install"


def test_nothing_else_skips() -> None:
    """Only tests/support/system_tools.py may skip (or mark tests skip/xfail)."""
    pattern = re.compile(r"pytest\.(skip|importorskip|xfail)\b|mark\.(skip|skipif|xfail)\b|unittest\.skip")
    helper = TESTS / "support" / "system_tools.py"
    offenders = [f"{path.relative_to(TESTS)}:{n}" for path in sorted(TESTS.rglob("*.py"))
                 if path not in (helper, Path(__file__).resolve())
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                 if pattern.search(line)]
    assert offenders == []
