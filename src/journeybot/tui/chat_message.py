"""One chat message rendered as Markdown. Imported on the first message the session sends, after the
first paint: Textual's Markdown widget brings markdown-it and Pygments (a tenth of the start-up)."""

from __future__ import annotations

from textual.widgets import Markdown

from .chat_pane import MESSAGE_CSS


class ChatMessage(Markdown):
    """One message; ``role`` is 'bot', 'user', 'note' (a system notice) or 'error'."""

    DEFAULT_CSS = MESSAGE_CSS.format(cls="ChatMessage") + """
    ChatMessage > MarkdownBlock:last-child { margin-bottom: 0; }
    """

    def __init__(self, text: str, role: str) -> None:
        super().__init__(text, classes=f"{role} chat-message")
        self.role = role
        self.text = text
