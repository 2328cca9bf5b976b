"""``/export FORMAT [FILE]``: write the map through journeybot.export next to the user's files, or,
served to a workshop, inside the workshop folder only (journeybot.workshop)."""

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
                   session_id: str, cwd: Path | None = None, workdir: Path | None = None) -> Path:
    """Render ``journey`` as ``fmt`` and write it atomically; returns the absolute path written.
    With ``workdir`` (served mode) the file goes inside that folder and nowhere else.
    Raises ValueError (unknown format, a folder as target, a name leading out of the workshop folder:
    WorkshopPathError) or OSError with a plain message."""
    from ..export import export_map, normalise_format
    from ..workshop import confined

    fmt = normalise_format(fmt)
    if workdir is not None:
        path = confined(workdir, target or default_name(session_id, fmt))
    else:
        base = cwd or Path.cwd()
        path = Path(target).expanduser() if target else base / default_name(session_id, fmt)
        if not path.is_absolute():
            path = base / path
    content = export_map(journey, fmt, lang=lang, findings=list(findings))
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
