"""The chat pane: the conversation as Markdown messages, the bot's replies streamed as they come."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from .texts import Lang, t

if TYPE_CHECKING:
    from .chat_message import ChatMessage

MESSAGE_CSS = """
{cls} {{ margin: 0 0 1 0; padding: 0 1; }}
{cls}.user {{ background: $primary 15%; border-left: thick $primary; }}
{cls}.bot {{ border-left: thick $accent; }}
{cls}.note {{ color: $text-muted; border-left: thick $panel; }}
{cls}.error {{ background: $error 15%; border-left: thick $error; }}
"""
"""The look of a message, shared by the Markdown messages (chat_message) and the plain first one."""


class PlainMessage(Static):
    """A message shown as plain text: a new interview's first question, painted from the method data
    before the session (and the Markdown widget) are loaded. The session's own opening replaces it."""

    DEFAULT_CSS = MESSAGE_CSS.format(cls="PlainMessage")

    def __init__(self, text: str, role: str) -> None:
        super().__init__(Text(text), classes=f"{role} chat-message")
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


def _message_class() -> type[ChatMessage]:
    from .chat_message import ChatMessage

    return ChatMessage


class ChatPane(VerticalScroll):
    can_focus = False  # the input box keeps the focus: a click here never swallows what is typed next

    DEFAULT_CSS = """
    ChatPane { height: 1fr; padding: 0 1; }
    """

    def on_mount(self) -> None:
        self.anchor()

    def add(self, text: str, role: str = "bot") -> ChatMessage:
        message = _message_class()(hard_breaks(text), role)
        message.text = text
        self.mount(message)
        return message

    def add_plain(self, text: str, role: str = "bot") -> PlainMessage:
        message = PlainMessage(text, role)
        self.mount(message)
        return message

    def add_user(self, text: str, lang: Lang) -> ChatMessage:
        quoted = "\n".join(line for line in text.splitlines())
        return self.add(f"**{t('you', lang)}** — {quoted}", "user")

    def transcript(self) -> list[tuple[str, str]]:
        """(role, text) of every message, in order (used by tests and the browser check)."""
        kinds = (PlainMessage, _message_class())
        return [(m.role, m.text) for m in self.children if isinstance(m, kinds)]


class StatusLine(Static):
    """One line under the chat: what is loading or running (model, index, reading an answer)."""

    DEFAULT_CSS = """
    StatusLine { height: 1; padding: 0 1; color: $text-muted; }
    StatusLine.busy { color: $warning; }
    StatusLine.failed { color: $error; }
    """
