"""The user's folders. ``JOURNEYBOT_HOME`` overrides every one of them (tests point it at a temp dir)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "journeybot"


def _home() -> Path | None:
    value = os.environ.get("JOURNEYBOT_HOME", "").strip()
    return Path(value).expanduser() if value else None


def _dir(kind: str) -> Path:
    home = _home()
    if home is not None:
        path = home / kind
    elif kind == "data":
        path = Path(platformdirs.user_data_dir(APP))
    elif kind == "config":
        path = Path(platformdirs.user_config_dir(APP))
    elif kind == "cache":
        path = Path(platformdirs.user_cache_dir(APP))
    else:
        raise ValueError(kind)
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """Sessions database, the Chroma index."""
    return _dir("data")


def config_dir() -> Path:
    """config.toml."""
    return _dir("config")


def cache_dir() -> Path:
    """Assembled model weights and other things that can be rebuilt."""
    return _dir("cache")


def config_file() -> Path:
    return config_dir() / "config.toml"
