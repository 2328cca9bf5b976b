"""Exports people open: JSON, Markdown, CSV, standalone HTML, Mermaid and CJML.

``export_map(journey, fmt, lang=..., findings=None)`` returns the file's content: ``bytes`` for CSV
(its encoding, UTF-8 with BOM, is part of the format), ``str`` for every other format. When
``findings`` is None the method linter runs on the map (``journeybot.lint.lint``); pass a list to
show exactly those findings. JSON, Mermaid and CJML do not show findings.

One module per format (``to_json``, ``to_markdown``, ``to_csv``, ``to_html``, ``to_mermaid``,
``to_cjml``); they import only the domain, the plan and jinja2 (HTML), so exporting stays fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, get_args

from ..domain.journey_map import JourneyMap, Lang
from .findings import FindingLike, lint_findings

ExportFormat = Literal["json", "md", "csv", "html", "mermaid", "cjml"]
FORMATS: tuple[ExportFormat, ...] = get_args(ExportFormat)

EXTENSIONS: dict[ExportFormat, str] = {
    "json": ".json", "md": ".md", "csv": ".csv", "html": ".html", "mermaid": ".mmd", "cjml": ".cjml.xml",
}
"""The usual file extension of each format (for default file names)."""

_WITH_FINDINGS: frozenset[str] = frozenset({"md", "html"})
_ALIASES: dict[str, ExportFormat] = {"markdown": "md", "mmd": "mermaid", "xml": "cjml", "htm": "html"}


def normalise_format(fmt: str) -> ExportFormat:
    """``"HTML"`` → ``"html"``, ``"markdown"`` → ``"md"``…; ValueError for an unknown format."""
    key = fmt.strip().lower().lstrip(".")
    for known in FORMATS:
        if key == known:
            return known
    if key in _ALIASES:
        return _ALIASES[key]
    raise ValueError(f"unknown export format {fmt!r} (one of: {', '.join(FORMATS)})")


def export_map(
    journey: JourneyMap,
    fmt: ExportFormat | str,
    *,
    lang: Lang,
    findings: Sequence[FindingLike] | None = None,
    csv_separator: str | None = None,
) -> str | bytes:
    """The map in format ``fmt`` (a name of :data:`FORMATS` or an alias such as ``markdown``), with
    labels in ``lang`` (user text is never translated). ValueError for an unknown format."""
    fmt = normalise_format(fmt)
    if fmt in _WITH_FINDINGS and findings is None:
        findings = lint_findings(journey, lang)
    shown: Sequence[FindingLike] = findings or ()
    if fmt == "json":
        from .to_json import render_json

        return render_json(journey)
    if fmt == "md":
        from .to_markdown import render_markdown

        return render_markdown(journey, lang=lang, findings=shown)
    if fmt == "csv":
        from .to_csv import render_csv

        return render_csv(journey, lang=lang, separator=csv_separator)
    if fmt == "html":
        from .to_html import render_html

        return render_html(journey, lang=lang, findings=shown)
    if fmt == "mermaid":
        from .to_mermaid import render_mermaid

        return render_mermaid(journey, lang=lang)
    from .to_cjml import render_cjml

    return render_cjml(journey, lang=lang)


__all__ = ["EXTENSIONS", "FORMATS", "ExportFormat", "FindingLike", "export_map", "normalise_format"]
