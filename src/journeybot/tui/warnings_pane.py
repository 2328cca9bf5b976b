"""The warnings pane: the map's current pitfall findings, each with the method's reason and source."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from .texts import Lang, t

if TYPE_CHECKING:  # the export package is not imported at start-up: annotations only
    from ..export.findings import FindingText as FindingLike


SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
SEVERITY_ICON = {"error": "✗", "warning": "⚠", "info": "ℹ"}


def finding_text(finding: FindingLike, lang: Lang) -> Text:
    out = Text()
    style = SEVERITY_STYLE.get(finding.severity, "")
    out.append(f"{SEVERITY_ICON.get(finding.severity, '•')} ", style=style)
    out.append(finding.message, style=style)
    out.append(f" [{finding.code}]\n", style="dim")
    out.append(f"  {t('warnings.why', lang)}{' :' if lang == 'fr' else ':'} ", style="italic")
    out.append(finding.why)
    out.append(f"\n  — {finding.source}", style="dim")
    return out


class WarningsPane(VerticalScroll):
    can_focus = False  # the input box keeps the focus: a click here never swallows what is typed next

    DEFAULT_CSS = """
    WarningsPane { height: 1fr; border: round $warning 50%; padding: 0 1; }
    WarningsPane > Static { margin-bottom: 1; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.findings: list[FindingLike] = []

    def show(self, findings: Sequence[FindingLike], lang: Lang) -> None:
        self.findings = list(findings)
        self.border_title = f"{t('warnings.title', lang)} ({len(self.findings)})"
        self.remove_children()
        if not self.findings:
            self.mount(Static(Text(t("warnings.none", lang), style="dim")))
            return
        self.mount_all([Static(finding_text(f, lang), classes=f"finding {f.severity}") for f in self.findings])
