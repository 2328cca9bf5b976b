"""The chat app in a browser: textual-serve starts one app process per browser tab."""

from __future__ import annotations

from typing import Any


def make_server(command: str, *, host: str = "127.0.0.1", port: int = 8000) -> Any:
    """A textual-serve Server that runs ``command`` (a shell command line starting the app)."""
    from textual_serve.server import Server

    return Server(command, host=host, port=port, title="journeybot")
