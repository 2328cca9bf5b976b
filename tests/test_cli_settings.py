"""Every command reads its settings the same way: flag > JOURNEYBOT_* environment > config.toml.

`lang = "en"` in config.toml makes `phases`, `lint`, `review`, `export md` and the chat English, even
for a French map; the environment and the flag still win over the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeybot import paths
from journeybot.cli.main import app
from journeybot.tui.app import make_app

REPO = Path(__file__).resolve().parent.parent
FRENCH_MAP = str(REPO / "examples" / "mutuelle-optique-enfants.fr.json")
FLAWED_FRENCH_MAP = str(REPO / "examples" / "flawed" / "too-coarse.fr.json")
runner = CliRunner()

COMMANDS: dict[str, tuple[list[str], str, str]] = {
    # name: (arguments, a line only the English output has, one only the French output has)
    "phases": (["phases"], "Exit check", "Condition de sortie"),
    "lint": (["lint", FLAWED_FRENCH_MAP], "Why", "Pourquoi"),
    "review": (["review", FRENCH_MAP], "Coach's review", "Revue du coach"),
    "export md": (["export", FRENCH_MAP, "--format", "md", "-o", "-"], "## Stages", "## Étapes"),
}


def _config(text: str) -> None:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("name", COMMANDS)
def test_lang_in_config_toml_reaches_the_command(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    args, english, french = COMMANDS[name]
    before = runner.invoke(app, args)
    assert french in before.stdout and english not in before.stdout  # a French map, no setting: French

    _config('lang = "en"\n')
    result = runner.invoke(app, args)
    assert result.exit_code in (0, 1), result.output  # lint exits 1 when it finds an error
    assert english in result.stdout and french not in result.stdout

    monkeypatch.setenv("JOURNEYBOT_LANG", "fr")  # the environment beats the file
    assert french in runner.invoke(app, args).stdout
    assert english in runner.invoke(app, [*args, "--lang", "en"]).stdout  # and the flag beats both


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_lang_in_config_toml_reaches_the_chat() -> None:
    _config('lang = "en"\nmodel = "none"\n')
    chat = make_app()
    chat.load_backends = False  # no index build: only the first screen matters here
    async with chat.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        first = next(text for role, text in chat.chat.transcript() if role == "bot")
    assert "Phase 1/11 — Framing" in first and "Hello!" in first
    assert chat.settings.backend == "none"


def test_a_broken_config_file_stops_every_command_with_one_sentence() -> None:
    _config('lang = "klingon"\n')
    for args in (["phases"], ["review", FRENCH_MAP]):
        result = runner.invoke(app, args)
        assert result.exit_code == 2
        assert "lang" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("lang", "said"), [("fr", "n'est pas un fichier de modèle GGUF"),
                                            ("en", "is not a GGUF model file")])
def test_a_model_path_that_is_not_a_gguf_file_stops_the_interview_in_the_user_language(
        lang: str, said: str, tmp_path: Path) -> None:
    fake = tmp_path / "model.gguf"
    fake.write_text("not a model", encoding="utf-8")
    answers = REPO / "examples" / "interviews" / "broadband.en.yaml"
    result = runner.invoke(app, ["interview", "--answers", str(answers), "--out", str(tmp_path / "map.json"),
                                 "--model-path", str(fake), "--lang", lang])
    assert result.exit_code == 1 and said in result.output and "Traceback" not in result.output
    assert not (tmp_path / "map.json").exists()
