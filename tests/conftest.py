"""Test-wide guards: every test runs with its own journeybot home and HOME (never the real one),
with no OpenAI settings leaking in from the developer's environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("JOURNEYBOT_HOME", str(home / "journeybot"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("ANONYMIZED_TELEMETRY", "False")
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "JOURNEYBOT_MODEL", "JOURNEYBOT_BASE_URL",
                "JOURNEYBOT_API_KEY", "JOURNEYBOT_LANG", "JOURNEYBOT_CHROMA_URL"):
        monkeypatch.delenv(var, raising=False)
    yield home
