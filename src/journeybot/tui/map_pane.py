"""The map pane: the waiting proposals (what the model read from the last answers) above the live map."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from ..i18n import colon
from .map_render import MARK_STYLE, MARKS, render_map, typeset
from .port import ProposalView
from .texts import Lang, t

if TYPE_CHECKING:
    from ..domain.journey_map import JourneyMap


def proposal_text(proposals: Sequence[ProposalView], reading: int, lang: Lang) -> Text:
    out = Text()
    if proposals:
        first = proposals[0]
        out.append(t("proposal.title", lang), style="bold reverse")
        if len(proposals) > 1:
            out.append(f" (+{len(proposals) - 1})", style="dim")
        out.append("\n")
        if first.note:
            out.append(first.note + "\n", style="italic")
        for line in first.lines:
            out.append(" + ", style="bold")
            if line.editable or line.text == line.kind:
                out.append(line.kind)
            else:  # a change with several fields (framing, persona): its values
                out.append(line.kind.split(":")[0].rstrip() + colon(lang), style="bold")
                out.append(line.text)
            symbol = MARKS.get(line.provenance, "")
            if symbol:
                out.append(f" {symbol}", style=MARK_STYLE.get(line.provenance, ""))
            out.append("\n")
        out.append(t("proposal.keys", lang), style="dim")
    if reading:
        if proposals:
            out.append("\n")
        out.append(f"⏳ {t('proposal.waiting', lang)}", style="italic yellow")
        if reading > 1:
            out.append(f" ({reading})", style="dim")
    return typeset(out, lang)


class MapPane(VerticalScroll):
    can_focus = False  # the input box keeps the focus: a click here never swallows what is typed next

    DEFAULT_CSS = """
    MapPane { height: 2fr; border: round $accent 50%; padding: 0 1; }
    MapPane #proposal { border: tall $warning; padding: 0 1; margin-bottom: 1; height: auto; }
    MapPane #proposal.empty { display: none; }
    """

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static("", id="proposal", classes="empty")
        yield Static("", id="map")

    def show_map(self, journey: JourneyMap, lang: Lang) -> None:
        self.border_title = t("map.title", lang)
        self.query_one("#map", Static).update(render_map(journey, lang))

    def show_proposals(self, proposals: Sequence[ProposalView], reading: int, lang: Lang) -> None:
        box = self.query_one("#proposal", Static)
        box.set_class(not proposals and not reading, "empty")
        box.update(proposal_text(proposals, reading, lang))
        if proposals:
            self.scroll_home(animate=False)
