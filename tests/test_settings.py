"""Settings: command-line flag > environment > config.toml, with one sentence for what is wrong."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from journeybot import paths
from journeybot.settings import SettingsError, load_settings


def _config(text: str) -> Path:
    path = paths.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_source() -> None:
    settings = load_settings()
    assert (settings.model, settings.lang, settings.backend, settings.api_key) == ("local", "fr", "local", None)


def test_a_flag_beats_the_environment_which_beats_the_config_file(monkeypatch: pytest.MonkeyPatch) -> None:
    _config('lang = "en"\nmodel = "local-small"\nmax_retries = 5\n')
    assert (load_settings().lang, load_settings().model, load_settings().max_retries) == ("en", "local-small", 5)
    monkeypatch.setenv("JOURNEYBOT_LANG", "fr")
    monkeypatch.setenv("journeybot_model", "none")  # any case, as people type them
    settings = load_settings()
    assert (settings.lang, settings.model, settings.max_retries) == ("fr", "none", 5)
    assert load_settings(lang="en", model=None).lang == "en"  # None means 'not given'
    assert load_settings(lang="en").model == "none"


def test_openai_variables_and_their_journeybot_twins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-from-openai")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    settings = load_settings()
    assert settings.api_key is not None and settings.api_key.get_secret_value() == "sk-from-openai"
    assert "sk-from-openai" not in repr(settings) and "sk-from-openai" not in str(settings.model_dump())
    assert settings.backend == "openai"  # a base URL with the default model means that server
    monkeypatch.setenv("JOURNEYBOT_API_KEY", "sk-journeybot")
    key = load_settings().api_key
    assert key is not None and key.get_secret_value() == "sk-journeybot"
    assert load_settings(model="local").backend == "local"  # an explicit model is kept


def test_a_list_comes_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("JOURNEYBOT_EXTRA_DOCS", json.dumps([str(tmp_path)]))
    assert load_settings().extra_docs == [tmp_path]
    monkeypatch.setenv("JOURNEYBOT_EXTRA_DOCS", str(tmp_path))
    with pytest.raises(SettingsError, match="JOURNEYBOT_EXTRA_DOCS: not a JSON list"):
        load_settings()


def test_bad_values_and_a_broken_config_file_are_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SettingsError, match="model"):
        load_settings(model="gpt-banana")
    monkeypatch.setenv("JOURNEYBOT_MAX_RETRIES", "99")
    with pytest.raises(SettingsError, match="max_retries"):
        load_settings()
    monkeypatch.delenv("JOURNEYBOT_MAX_RETRIES")
    path = _config("lang = \n")
    with pytest.raises(SettingsError, match=str(path.name)):
        load_settings()


def test_a_choice_is_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JOURNEYBOT_LANG", " EN ")
    _config('model = "None"\n')
    settings = load_settings()
    assert (settings.lang, settings.model) == ("en", "none")
