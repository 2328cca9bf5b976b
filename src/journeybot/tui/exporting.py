"""``/export FORMAT [FILE]``: write the map through journeybot.export next to the user's files."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..domain.map_file import write_atomic
from .texts import Lang


def default_name(session_id: str, fmt: str) -> str:
    """journey-<session>.<ext> (``fmt`` already normalised by journeybot.export)."""
    from ..export import EXTENSIONS

    safe = re.sub(r"[^A-Za-z0-9_.-]", "-", session_id) or "map"
    ext = str(EXTENSIONS.get(fmt, fmt)).lstrip(".")  # type: ignore[call-overload]
    return f"journey-{safe}.{ext}"


def export_to_file(journey: Any, fmt: str, target: str | None, *, lang: Lang, findings: Sequence[Any],
                   session_id: str, cwd: Path | None = None) -> Path:
    """Render ``journey`` as ``fmt`` and write it atomically; returns the absolute path written.
    Raises ValueError (unknown format, a folder as target) or OSError with a plain message."""
    from ..export import export_map, normalise_format

    fmt = normalise_format(fmt)
    content = export_map(journey, fmt, lang=lang, findings=list(findings))
    base = cwd or Path.cwd()
    path = Path(target).expanduser() if target else base / default_name(session_id, fmt)
    if not path.is_absolute():
        path = base / path
    if path.is_dir():
        raise ValueError(f"{path} is a folder" if lang == "en" else f"{path} est un dossier")
    if isinstance(content, str):
        write_atomic(path, content)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.part")
        tmp.write_bytes(content)
        tmp.replace(path)
    return path.resolve()
