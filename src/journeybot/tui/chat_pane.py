"""The chat pane: the conversation as Markdown messages, the bot's replies streamed as they come."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.widgets import Markdown, Static

from .texts import Lang, t


class ChatMessage(Markdown):
    """One message; ``role`` is 'bot', 'user', 'note' (a system notice) or 'error'."""

    DEFAULT_CSS = """
    ChatMessage { margin: 0 0 1 0; padding: 0 1; }
    ChatMessage > MarkdownBlock:last-child { margin-bottom: 0; }
    ChatMessage.user { background: $primary 15%; border-left: thick $primary; }
    ChatMessage.bot { border-left: thick $accent; }
    ChatMessage.note { color: $text-muted; border-left: thick $panel; }
    ChatMessage.error { background: $error 15%; border-left: thick $error; }
    """

    def __init__(self, text: str, role: str) -> None:
        super().__init__(text, classes=role)
        self.role = role
        self.text = text


def hard_breaks(text: str) -> str:
    """Keep the line breaks of plain text in Markdown (a lone newline would join the lines)."""
    out: list[str] = []
    for line in text.split("\n"):
        if out and out[-1].strip() and line.strip() and not out[-1].endswith("  "):
            out[-1] += "  "
        out.append(line)
    return "\n".join(out)


class ChatPane(VerticalScroll):
    can_focus = False  # the input box keeps the focus: a click here never swallows what is typed next

    DEFAULT_CSS = """
    ChatPane { height: 1fr; padding: 0 1; }
    """

    def on_mount(self) -> None:
        self.anchor()

    def add(self, text: str, role: str = "bot") -> ChatMessage:
        message = ChatMessage(hard_breaks(text), role)
        message.text = text
        self.mount(message)
        return message

    def add_user(self, text: str, lang: Lang) -> ChatMessage:
        quoted = "\n".join(line for line in text.splitlines())
        return self.add(f"**{t('you', lang)}** — {quoted}", "user")

    def transcript(self) -> list[tuple[str, str]]:
        """(role, text) of every message, in order (used by tests and the browser check)."""
        return [(m.role, m.text) for m in self.query(ChatMessage)]


class StatusLine(Static):
    """One line under the chat: what is loading or running (model, index, reading an answer)."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; color: $text-muted; }
    StatusLine.busy { color: $warning; }
    StatusLine.failed { color: $error; }
    """
