"""A real `journeybot serve` on 127.0.0.1 for tests and benches, and a WebSocket client that drives one
participant's app the way a browser does (textual-serve's protocol: ["stdin", keys], ["resize", …]).

    with Served(tmp_path, "--max-sessions", "2") as served:
        async with Participant(served) as p:
            await p.screen_shows("journeybot")
            await p.type("/export md carte.md")
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import aiohttp

TOKEN = "workshop-token-0123456789abcdef"
_ANSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()=>][0-9A-Za-z]?")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def screen_text(raw: bytes) -> str:
    """What a terminal fed these bytes would show, roughly: the text without escape sequences."""
    return _ANSI.sub("", raw.decode("utf-8", "replace"))


class Served:
    """`journeybot serve` in its own process group (stopped, with every app it started, on exit)."""

    def __init__(self, home: Path, *args: str, model: str = "none", lang: str = "en", token: str = TOKEN,
                 env: dict[str, str] | None = None, start_timeout: float = 120.0) -> None:
        self.port = free_port()
        self.token = token
        self.workdir = home / "workshop"
        self.base = f"http://127.0.0.1:{self.port}"
        self.args = ["serve", "--port", str(self.port), "--token", token, "--model", model, "--lang", lang,
                     "--workdir", str(self.workdir), *args]
        self.env = {**os.environ, **(env or {})}
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = home / "serve.log"

    def __enter__(self) -> Served:
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "journeybot", *self.args], env=self.env,
                                         stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        ends = time.monotonic() + self.start_timeout
        while time.monotonic() < ends:
            if self.proc.poll() is not None:
                raise RuntimeError(f"journeybot serve stopped: {self.log.read_text(errors='replace')}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError(f"journeybot serve did not listen in {self.start_timeout} s: {self.log.read_text()}")

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # any app process left behind
        self.proc.wait(timeout=10)

    def processes(self) -> list[int]:
        """Every process of the server's group that is alive (the server, the model, the apps)."""
        assert self.proc is not None
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == self.proc.pid and fields[0] != "Z":  # pgid (group), not a zombie
                found.append(int(entry.name))
        return sorted(found)


class Participant:
    """One browser: opens the workshop link (the token becomes a cookie), then the app's WebSocket."""

    def __init__(self, served: Served, *, token: str | None = TOKEN, origin: str | None = "self",
                 width: int = 400, height: int = 60) -> None:  # wide: no sentence wraps
        self.served = served
        self.token = token
        self.origin = served.base if origin == "self" else origin
        self.size = (width, height)
        self.raw = bytearray()
        self.closed: int | None = None
        self._session: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._reader: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Participant:
        self._session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        if self.token is not None:
            async with self._session.get(f"{self.served.base}/?token={self.token}") as page:
                await page.read()
        headers = {"Origin": self.origin} if self.origin else {}
        width, height = self.size
        self._ws = await self._session.ws_connect(f"{self.served.base}/ws?width={width}&height={height}",
                                                  headers=headers, autoping=True)
        self._reader = asyncio.create_task(self._read())
        return self

    async def __aexit__(self, *exc: Any) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
        if self._session is not None:
            await self._session.close()

    async def _read(self) -> None:
        assert self._ws is not None
        async for message in self._ws:
            if message.type == aiohttp.WSMsgType.BINARY:
                self.raw += message.data
            elif message.type == aiohttp.WSMsgType.TEXT:
                self.raw += message.data.encode()
        self.closed = self._ws.close_code

    @property
    def participant_id(self) -> str:
        """The browser's participant cookie (its sessions' owner in sessions.db)."""
        assert self._session is not None
        for cookie in self._session.cookie_jar:
            if cookie.key == f"journeybot_participant_{self.served.port}":
                return cookie.value
        return ""

    @property
    def text(self) -> str:
        return screen_text(bytes(self.raw))

    async def screen_shows(self, *words: str, timeout: float = 90.0) -> str:
        """Wait until the screen has shown all ``words``; the text so far."""
        ends = time.monotonic() + timeout
        while time.monotonic() < ends:
            text = self.text
            if all(w in text for w in words):
                return text
            if self.closed is not None:
                break
            await asyncio.sleep(0.1)
        raise AssertionError(f"the screen never showed {words!r}; it showed: {self.text[-3000:]!r}")

    async def wait_closed(self, timeout: float = 30.0) -> int | None:
        ends = time.monotonic() + timeout
        while self.closed is None and time.monotonic() < ends:
            await asyncio.sleep(0.05)
        return self.closed

    async def type(self, text: str, *, enter: bool = True) -> None:
        assert self._ws is not None
        await self._ws.send_json(["stdin", text + ("\r" if enter else "")])

    async def clear(self, placeholder: str = "Your answer (Enter sends", timeout: float = 30.0) -> None:
        """Empty the prompt (a refused command goes back into it): Ctrl+E, Ctrl+U, until the screen shows
        the empty prompt's placeholder again (the keys may reach the box before the refused text does)."""
        ends = time.monotonic() + timeout
        while time.monotonic() < ends:
            mark = len(self.raw)
            await self.type("\x05\x15", enter=False)
            for _ in range(20):
                await asyncio.sleep(0.1)
                if placeholder in screen_text(bytes(self.raw[mark:])):
                    return
        raise AssertionError(f"the prompt never emptied: {self.text[-1000:]!r}")
