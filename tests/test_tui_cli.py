"""`journeybot` (no sub-command) and `journeybot serve` on the command line: options, clean errors."""

from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from typing import Any

import pytest
from typer.testing import CliRunner

from journeybot.cli.entry import chat_options
from journeybot.cli.main import app
from journeybot.settings import Settings
from journeybot.tui.app import JourneyApp

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def test_help_lists_the_chat_options_and_serve() -> None:
    result = CliRunner().invoke(app, ["--help"])
    assert result.exit_code == 0
    for word in ("--model", "--base-url", "--lang", "--session", "serve"):
        assert word in result.output
    serve = CliRunner().invoke(app, ["serve", "--help"])
    assert "--port" in serve.output and "--host" in serve.output


def test_options_before_a_sub_command_apply_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYBOT_LANG", "fr")  # also makes monkeypatch restore it afterwards
    result = CliRunner().invoke(app, ["--lang", "en", "sessions"])
    assert result.exit_code == 0, result.output
    assert "No saved session" in result.output and "Aucune" not in result.output


def test_bad_settings_fail_with_one_sentence_before_any_ui() -> None:
    result = CliRunner().invoke(app, ["--model", "gpt-banana"])
    assert result.exit_code == 2
    assert "model" in result.output and "Traceback" not in result.output
    served = CliRunner().invoke(app, ["serve", "--port", "0"])
    assert served.exit_code == 2 and "Traceback" not in served.output


async def test_an_unknown_session_says_so_and_starts_a_new_interview() -> None:
    app_ = JourneyApp(Settings(model="none"), lang="en", session_id="does-not-exist",
                      model_factory=lambda s, p: None, retriever_factory=lambda s, p: None)
    async with app_.run_test() as pilot:
        await pilot.pause()
        roles: list[tuple[str, Any]] = app_.chat.transcript()
        errors = [text for role, text in roles if role == "error"]
        assert errors and "does-not-exist" in errors[0] and "Could not open the session" in errors[0]
        assert app_.conversation is not None and app_.session_id != "does-not-exist"
        assert "Phase 1/11" in roles[-1][1]


@pytest.mark.parametrize(("argv", "expected"), [
    ([], {}),
    (["--model", "none"], {"--model": "none"}),
    (["--lang=en", "--session", "abc123"], {"--lang": "en", "--session": "abc123"}),
    (["--base-url", "http://127.0.0.1:8080/v1", "--model", "openai"],
     {"--base-url": "http://127.0.0.1:8080/v1", "--model": "openai"}),
    (["sessions"], None),                  # a sub-command
    (["--lang", "en", "sessions"], None),  # options before a sub-command
    (["--help"], None),
    (["--model"], None),                   # a missing value: the full command line explains
    (["--model", "--lang", "en"], None),
    (["--lang", "de"], None),              # a wrong value: the full command line explains
    (["--model", "none", "--model", "local"], None),
    (["--model="], None),
])
def test_the_entry_point_knows_a_plain_chat_from_anything_else(argv: list[str], expected: object) -> None:
    assert chat_options(argv) == expected


def _entry(argv: list[str]) -> dict[str, Any]:
    script = (
        "import json, sys\nfrom journeybot.cli import entry\ncode = 0\n"
        f"try:\n    entry.run({argv!r})\nexcept SystemExit as exit_:\n    code = exit_.code\n"
        "print(json.dumps({'code': code, 'typer': 'typer' in sys.modules}))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120)
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["stderr"] = done.stderr
    return result


def test_a_plain_chat_starts_without_the_command_line_framework_and_fails_the_same_way() -> None:
    fast = _entry(["--model", "gpt-banana"])
    assert fast["typer"] is False
    assert fast["code"] == 2 and "model" in fast["stderr"] and "Traceback" not in fast["stderr"]
    full = _entry(["--lang", "de"])  # not a plain chat: Typer explains the bad value
    assert full["typer"] is True
    assert full["code"] == 2 and "--lang" in full["stderr"] and "Traceback" not in full["stderr"]


def test_version_is_printed_on_both_paths_without_loading_the_command_line() -> None:
    from journeybot import __version__

    fast = subprocess.run([sys.executable, "-c", "import sys; from journeybot.cli.entry import run; run(['--version']);"
                           " print(sorted(m for m in sys.modules if m.startswith(('typer', 'textual', 'pydantic'))))"],
                          capture_output=True, text=True, check=True, timeout=60)
    assert fast.stdout.splitlines() == [f"journeybot {__version__}", "[]"]
    full = CliRunner().invoke(app, ["--version"])
    assert full.exit_code == 0 and full.output.strip() == f"journeybot {__version__}"
    assert __version__ == importlib.metadata.version("journeybot")  # one version, read by the build


@pytest.mark.parametrize("args", [["--help"], ["evidence", "import", "--help"], ["lint", "--help"]])
def test_help_shows_no_type_next_to_a_flag(args: list[str]) -> None:
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0
    assert "<bool>" not in result.output and "--help" in result.output
