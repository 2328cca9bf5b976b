"""`journeybot` (no sub-command) and `journeybot serve` on the command line: options, clean errors."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

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
