"""The input box: several lines, Enter sends, Ctrl+J / Alt+Enter / Shift+Enter add a line, ↑/↓ walk the
history when the cursor is on the first/last line, Tab completes slash commands."""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import TextArea

from .commands import complete

NEWLINE_KEYS = frozenset({"ctrl+j", "shift+enter", "alt+enter", "ctrl+enter", "newline"})


class PromptBox(TextArea):
    DEFAULT_CSS = """
    PromptBox { height: auto; min-height: 3; max-height: 10; border: tall $accent; }
    """

    class Submitted(Message):
        """The user pressed Enter; ``text`` is what the box held (the box is already empty: keys typed
        before the app handles this message start a new message; ``restore`` puts ``text`` back)."""

        def __init__(self, box: PromptBox, text: str) -> None:
            super().__init__()
            self.box = box
            self.text = text

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__("", id=id, soft_wrap=True, show_line_numbers=False, tab_behavior="focus",
                         placeholder=placeholder, compact=False)
        self.sent_history: list[str] = []
        self._cursor_in_history: int | None = None
        self._draft = ""

    def remember(self, text: str) -> None:
        if text.strip() and (not self.sent_history or self.sent_history[-1] != text):
            self.sent_history.append(text)
        self._cursor_in_history = None

    def restore(self, text: str) -> None:
        """Put back a message that could not be sent, before anything typed since."""
        typed_since = self.text
        self.text = text if not typed_since else text + "\n" + typed_since
        self.move_cursor(self.document.end)

    def _show_history(self, index: int | None) -> None:
        self._cursor_in_history = index
        self.text = self._draft if index is None else self.sent_history[index]
        self.move_cursor(self.document.end)

    async def _on_key(self, event: events.Key) -> None:
        key = event.key
        if key == "enter":
            event.stop()
            event.prevent_default()
            text = self.text
            self.clear()
            self._cursor_in_history = None
            self.post_message(self.Submitted(self, text))
            return
        if key in NEWLINE_KEYS:
            event.stop()
            event.prevent_default()
            start, end = self.selection
            self._replace_via_keyboard("\n", start, end)
            return
        if key == "tab" and self.text.startswith("/"):
            options = complete(self.text)
            if options:
                event.stop()
                event.prevent_default()
                self.text = _common_prefix(options) if len(options) > 1 else options[0] + " "
                self.move_cursor(self.document.end)
                if len(options) > 1:
                    self.notify("  ".join(options), timeout=4)
                return
        if key == "up" and self.sent_history and self.cursor_location[0] == 0:
            event.stop()
            event.prevent_default()
            if self._cursor_in_history is None:
                self._draft = self.text
                self._show_history(len(self.sent_history) - 1)
            elif self._cursor_in_history > 0:
                self._show_history(self._cursor_in_history - 1)
            return
        if key == "down" and self._cursor_in_history is not None and \
                self.cursor_location[0] == self.document.line_count - 1:
            event.stop()
            event.prevent_default()
            nxt = self._cursor_in_history + 1
            self._show_history(nxt if nxt < len(self.sent_history) else None)
            return
        await super()._on_key(event)


def _common_prefix(options: list[str]) -> str:
    prefix = options[0]
    for option in options[1:]:
        while not option.startswith(prefix):
            prefix = prefix[:-1]
    return prefix
