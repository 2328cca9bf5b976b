"""The warnings pane: the map's current pitfall findings, each with the method's reason and source."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..i18n import colon
from .map_render import typeset
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
    out.append(f"  {t('warnings.why', lang)}{colon(lang)}", style="italic")
    out.append(finding.why)
    out.append(f"\n  — {finding.source}", style="dim")
    return typeset(out, lang)


class WarningsPane(VerticalScroll):
    can_focus = False  # the input box keeps the focus: a click here never swallows what is typed next

    DEFAULT_CSS = """
    WarningsPane { height: 1fr; border: round $warning 50%; padding: 0 1; }
    WarningsPane > Static { margin-bottom: 1; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.findings: list[FindingLike] = []
        self.later = 0

    def show(self, findings: Sequence[FindingLike], lang: Lang, *, later: int = 0) -> None:
        """The findings due now (their phase is passed), and how many wait for later phases: a
        first-time user is not told about a missing action plan while still framing the map."""
        self.findings = list(findings)
        self.later = later
        self.border_title = f"{t('warnings.title', lang)} ({len(self.findings)})"
        self.remove_children()
        widgets = [Static(finding_text(f, lang), classes=f"finding {f.severity}") for f in self.findings]
        if not self.findings:
            widgets.append(Static(Text(t("warnings.none_yet" if later else "warnings.none", lang), style="dim")))
        if later:
            widgets.append(Static(Text(t("warnings.later", lang, n=later), style="dim italic"), classes="later"))
        self.mount_all(widgets)
