"""Where journeybot's own data lives: prompts/ (the method as data) and knowledge/ (method documents).

In a wheel they are packaged under ``journeybot/_data``; in a source checkout (editable install)
they are the top-level folders of the repository.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_PACKAGE = Path(__file__).resolve().parent


@cache
def data_dir(name: str) -> Path:
    """The folder ``prompts`` or ``knowledge``, wherever this installation keeps it."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"journeybot data folder '{name}' is missing from this installation")


def prompts_dir() -> Path:
    return data_dir("prompts")


def knowledge_dir() -> Path:
    return data_dir("knowledge")


def load_yaml(path: Path) -> Any:
    """A YAML file of ours, read with libyaml's safe loader when PyYAML has it (about 10x faster than
    the pure-Python one: the chat reads these files while it starts)."""
    with path.open(encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_SafeLoader)
