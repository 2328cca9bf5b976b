"""``/export FORMAT [FILE]``: write the map through journeybot.export next to the user's files."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..domain.map_file import write_atomic
from .texts import Lang

EXTENSIONS = {"json": "json", "md": "md", "markdown": "md", "html": "html", "csv": "csv",
              "mermaid": "mmd", "cjml": "xml"}


def default_name(session_id: str, fmt: str) -> str:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "-", session_id) or "map"
    return f"journey-{safe}.{EXTENSIONS.get(fmt, fmt)}"


def export_to_file(journey: Any, fmt: str, target: str | None, *, lang: Lang, findings: Sequence[Any],
                   session_id: str, cwd: Path | None = None) -> Path:
    """Render ``journey`` as ``fmt`` and write it atomically; returns the absolute path written.
    Raises ValueError (unknown format, a folder as target) or OSError with a plain message."""
    from ..export import export_map

    fmt = fmt.lower()
    content = export_map(journey, fmt, lang=lang, findings=list(findings))
    base = cwd or Path.cwd()
    path = Path(target).expanduser() if target else base / default_name(session_id, fmt)
    if not path.is_absolute():
        path = base / path
    if path.is_dir():
        raise ValueError(f"{path} is a folder" if lang == "en" else f"{path} est un dossier")
    data = content if isinstance(content, str) else bytes(content).decode("utf-8")
    write_atomic(path, data)
    return path.resolve()
