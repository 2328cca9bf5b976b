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
    if kind == "data":  # answers, sessions, logs: the owner's only, even if an older version made it 0755
        private_dir(path)
        narrow(path, 0o700)
    path.mkdir(parents=True, exist_ok=True)
    return path


def data_dir() -> Path:
    """Sessions database, the Chroma index, logs (0700: the owner's only)."""
    return _dir("data")


def config_dir() -> Path:
    """config.toml."""
    return _dir("config")


def cache_dir() -> Path:
    """Assembled model weights and other things that can be rebuilt."""
    return _dir("cache")


def config_file() -> Path:
    return config_dir() / "config.toml"


def private_dir(path: Path) -> Path:
    """``path``, created if needed as a folder only its owner may enter (0700). An existing folder is
    left as it is (it may be shared on purpose: /tmp, a project folder)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file only its owner may read or write (0600), created empty if needed."""
    private_dir(path.parent)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o600))
    narrow(path, 0o600)
    return path


def narrow(path: Path, mode: int) -> None:
    """Take away the rights beyond ``mode`` from an existing file or folder of ours (never creates it:
    SQLite's -shm file must not be re-created behind another process's back)."""
    try:
        st = path.stat()
        if st.st_mode & 0o777 & ~mode and st.st_uid == os.getuid():
            os.chmod(path, st.st_mode & mode)
    except (OSError, AttributeError):  # not ours, or no POSIX rights (Windows): leave it
        pass
