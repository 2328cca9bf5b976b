"""Modal screens: help, why (method passage + source), sessions list, proposal editor."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, DataTable, Input, Label

from .texts import Lang, t


class TextScreen(ModalScreen[None]):
    """A Markdown page over the chat (help, why, the whole map, a review); Escape/Enter/q close it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss_screen", show=False),
        Binding("enter", "dismiss_screen", show=False),
        Binding("q", "dismiss_screen", show=False),
    ]
    DEFAULT_CSS = """
    TextScreen { align: center middle; }
    TextScreen > Vertical { width: 90%; max-width: 110; height: 85%; border: thick $accent;
                            background: $surface; padding: 0 1; }
    TextScreen VerticalScroll { height: 1fr; }
    TextScreen .hint { color: $text-muted; height: 1; }
    """

    def __init__(self, title: str, markdown: str, lang: Lang) -> None:
        super().__init__()
        self.title_text = title
        self.markdown = markdown
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = self.title_text
            with VerticalScroll():
                from textual.widgets import Markdown  # loaded when a page is first opened

                yield Markdown(self.markdown, id="page")
            yield Label(t("why.close", self.lang), classes="hint")

    def action_dismiss_screen(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class SessionRow:
    id: str
    title: str
    phase: str
    updated: str


class SessionsScreen(ModalScreen[str | None]):
    """Past interviews; Enter resumes the highlighted one (returns its id), Escape returns None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]
    DEFAULT_CSS = """
    SessionsScreen { align: center middle; }
    SessionsScreen > Vertical { width: 90%; max-width: 120; height: 80%; border: thick $accent;
                                background: $surface; padding: 0 1; }
    SessionsScreen DataTable { height: 1fr; }
    SessionsScreen .hint { color: $text-muted; height: 1; }
    """

    def __init__(self, rows: Sequence[SessionRow], lang: Lang) -> None:
        super().__init__()
        self.rows = list(rows)
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = t("sessions.title", self.lang)
            if not self.rows:
                yield Label(t("sessions.none", self.lang))
            table: DataTable[str] = DataTable(cursor_type="row", id="sessions")
            yield table
            yield Label(t("sessions.help", self.lang), classes="hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        lang = self.lang
        table.add_columns(t("sessions.col.id", lang), t("sessions.col.title", lang),
                          t("sessions.col.phase", lang), t("sessions.col.updated", lang))
        for row in self.rows:
            table.add_row(row.id, row.title, row.phase, row.updated, key=row.id)
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(event.row_key.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


@dataclass(frozen=True)
class EditableItem:
    """One line of a proposal in the editor: ``key`` identifies it for the caller."""

    key: str
    kind: str
    text: str
    editable: bool = True


class ProposalScreen(ModalScreen[dict[str, str] | None]):
    """Tick/untick each proposed item and correct its text. Returns {key: text} of the kept items,
    or None when cancelled (the proposal stays pending)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False), Binding("ctrl+s", "apply", show=False)]
    DEFAULT_CSS = """
    ProposalScreen { align: center middle; }
    ProposalScreen > Vertical { width: 90%; max-width: 110; height: auto; max-height: 85%;
                                border: thick $accent; background: $surface; padding: 0 1; }
    ProposalScreen VerticalScroll { height: auto; max-height: 30; }
    ProposalScreen .row { height: auto; }
    ProposalScreen .row Checkbox { width: auto; min-width: 20; }
    ProposalScreen .row Input { width: 1fr; }
    ProposalScreen .buttons { height: auto; align: right middle; }
    """

    def __init__(self, items: Sequence[EditableItem], lang: Lang) -> None:
        super().__init__()
        self.items = list(items)
        self.lang = lang

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = t("proposal.edit_title", self.lang)
            yield Label(t("proposal.edit_help", self.lang))
            with VerticalScroll():
                for i, item in enumerate(self.items):
                    with Horizontal(classes="row"):
                        yield Checkbox(item.kind, value=True, id=f"keep-{i}")
                        yield Input(item.text, id=f"text-{i}", disabled=not item.editable)
            with Horizontal(classes="buttons"):
                yield Button(t("proposal.apply", self.lang), variant="primary", id="apply")
                yield Button(t("proposal.cancel", self.lang), id="cancel")

    def on_mount(self) -> None:
        if self.items:
            self.query_one("#keep-0", Checkbox).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "apply":
            self.action_apply()
        else:
            self.action_cancel()

    def action_apply(self) -> None:
        kept: dict[str, str] = {}
        for i, item in enumerate(self.items):
            if self.query_one(f"#keep-{i}", Checkbox).value:
                text = self.query_one(f"#text-{i}", Input).value.strip()
                kept[item.key] = text or item.text
        self.dismiss(kept)

    def action_cancel(self) -> None:
        self.dismiss(None)
