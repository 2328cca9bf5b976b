"""The chat app in a browser, for a coach's workshop, locked the way Jupyter locks a notebook server.

textual-serve runs one app process per browser connection and relays its screen over a WebSocket.
Whoever reaches that WebSocket drives an app that runs as the coach, on the coach's files: so
`journeybot serve` lets in only the people given its link.

- **A token**: a random one per start (or ``--token`` / ``JOURNEYBOT_SERVE_TOKEN``), in the link the
  coach shares (``/?token=…``). The first visit trades it for an HttpOnly, SameSite=Strict cookie and
  reloads without it (so it does not stay in the address bar); every page, WebSocket and download
  then needs that cookie (or the token as ``?token=`` or an ``Authorization: token …`` header, for
  scripts). Only textual-serve's own static files (scripts, fonts) are public.
- **Origin and Host**: a request a browser makes from another site (``Origin`` not this server) is
  refused, so a page elsewhere cannot drive the app even with the cookie; when bound to the loopback,
  the ``Host`` header must name the loopback too (no DNS rebinding).
- **127.0.0.1 by default**; ``--host 0.0.0.0`` opens it to the network (the token still applies).
- **A cap on app processes** (``--max-sessions``, default 4): one more connection gets one sentence
  on its screen and is closed, it never starts a process.
- **What an app may touch** (journeybot.workshop): ``/import`` and ``/export`` only inside the
  workshop folder; ``/model`` is the coach's choice; each browser (a random participant cookie) sees
  and resumes only its own sessions; an export is also downloaded to the participant's browser.

Each app process gets its settings through its environment: the workshop folder, the participant id,
the address and key of the ONE embedding service (knowledge.shared_embeddings) and, with the embedded
model, of the ONE model server `journeybot serve` started for everybody (llm.factory.serve_local_model),
instead of loading its own copies of the weights.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp_jinja2
from aiohttp import WSCloseCode, WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.server import Server

from ..i18n import Lang, render

TOKEN_ENV = "JOURNEYBOT_SERVE_TOKEN"
PARTICIPANT_ENV = "JOURNEYBOT_PARTICIPANT"
_PARTICIPANT = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]", "::1")

_TEXTS: dict[str, tuple[str, str]] = {
    "token": (
        "journeybot : cette adresse demande le lien de l'atelier avec son jeton (affiché par journeybot serve).",
        "journeybot: this address needs the workshop link with its token (printed by journeybot serve).",
    ),
    "origin": (
        "journeybot : requête refusée, elle vient d'un autre site ({origin}).",
        "journeybot: request refused, it comes from another site ({origin}).",
    ),
    "host": (
        "journeybot : requête refusée, adresse inattendue ({host}) ; ouvrez le lien affiché par journeybot serve.",
        "journeybot: request refused, unexpected address ({host}); open the link printed by journeybot serve.",
    ),
    "full": (
        "journeybot : l'atelier est complet ({n} sessions ouvertes sur {n}). Fermez un onglet ouvert, ou "
        "demandez à l'animateur de relancer journeybot serve avec un --max-sessions plus grand.",
        "journeybot: the workshop is full ({n} of {n} sessions open). Close a tab you have open, or ask the "
        "coach to start journeybot serve again with a larger --max-sessions.",
    ),
}


def say(key: str, lang: Lang, **values: object) -> str:
    return render(_TEXTS, key, lang, **values)


def both(key: str, **values: object) -> str:
    """A refusal before any page is shown: the browser's language is unknown, so both."""
    return say(key, "fr", **values) + "\n" + say(key, "en", **values)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_participant() -> str:
    return secrets.token_hex(12)


def is_loopback(host: str) -> bool:
    name = host.strip("[]")
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@dataclass
class ServeOptions:
    """What `journeybot serve` was asked for."""

    command: str
    """The shell command that starts one app (its process replaces the shell: ``exec``)."""
    token: str
    host: str = "127.0.0.1"
    port: int = 8000
    max_sessions: int = 4
    lang: Lang = "fr"
    app_env: dict[str, str] = field(default_factory=dict)
    """Added to every app process's environment (workshop folder, the shared model's address)."""

    def urls(self) -> list[str]:
        """The links to give participants (a wildcard address is shown as this machine's loopback)."""
        host = self.host if self.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
        return [f"http://{shown}:{self.port}/?token={self.token}"]


class ParticipantApp(AppService):
    """One participant's app process: textual-serve's, with the participant's environment."""

    def __init__(self, *args: Any, env: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.extra_env = env

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width=width, height=height)
        environment.pop(TOKEN_ENV, None)  # the app has no use for the door's key
        environment.update(self.extra_env)
        return environment


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WorkshopServer(Server):
    """textual-serve's Server with the locks described in the module docstring."""

    def __init__(self, options: ServeOptions) -> None:
        super().__init__(options.command, host=options.host, port=options.port, title="journeybot")
        self.options = options
        self.active = 0
        """App processes running now (WebSocket connections being served)."""
        self.refused: dict[str, int] = {"token": 0, "origin": 0, "host": 0, "full": 0}
        self._cookie = f"journeybot_token_{options.port}"
        self._participant_cookie = f"journeybot_participant_{options.port}"
        hosts = {options.host, *LOOPBACK_NAMES} if is_loopback(options.host) else set()
        self._hosts = {f"{h}:{options.port}" for h in hosts} | ({"localhost"} if options.port == 80 else set())

    # --- logging: quiet, and never the token ----------------------------------------------------
    def initialize_logging(self) -> None:
        super().initialize_logging()
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # request lines carry ?token=

    async def on_startup(self, app: web.Application) -> None:
        pass  # journeybot serve prints the link itself (textual-serve's banner has no token in it)

    # --- the app: every route behind the guard ----------------------------------------------------
    async def _make_app(self) -> web.Application:
        app = await super()._make_app()

        @web.middleware
        async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
            problem = self.refusal(request)
            if problem is not None:
                key, text = problem
                self.refused[key] += 1
                return web.Response(status=403, text=text + "\n", headers={"Cache-Control": "no-store"})
            response = await handler(request)
            response.headers.setdefault("X-Frame-Options", "DENY")
            response.headers.setdefault("Referrer-Policy", "no-referrer")
            return response

        app.middlewares.append(guard)
        return app

    def refusal(self, request: web.Request) -> tuple[str, str] | None:
        """(kind, sentence) when this request must be refused, else None."""
        if self._hosts and request.host.lower() not in self._hosts:
            return "host", both("host", host=request.host[:80])
        origin = request.headers.get("Origin")
        if origin is not None and origin.rstrip("/").lower() != f"{request.scheme}://{request.host}".lower():
            return "origin", both("origin", origin=origin[:80])
        if request.path.startswith("/static/"):
            return None  # textual-serve's own scripts and fonts: nothing of the coach's
        if not self._has_token(request):
            return "token", both("token")
        return None

    def _has_token(self, request: web.Request) -> bool:
        header = request.headers.get("Authorization", "")
        given = [request.query.get("token", ""), request.cookies.get(self._cookie, ""),
                 header.split(" ", 1)[1] if header.lower().startswith(("token ", "bearer ")) else ""]
        expected = self.options.token.encode()
        return any(g and hmac.compare_digest(g.encode(), expected) for g in given)

    # --- the page --------------------------------------------------------------------------------
    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        if "token" in request.query:  # trade the token in the link for a cookie, and drop it from the address
            found = web.Response(status=302, headers={"Location": "/", "Cache-Control": "no-store"})
            found.set_cookie(self._cookie, self.options.token, secure=request.secure, httponly=True,
                             samesite="Strict", path="/")
            if not _PARTICIPANT.match(request.cookies.get(self._participant_cookie, "")):
                found.set_cookie(self._participant_cookie, new_participant(), max_age=30 * 86400,
                                 secure=request.secure, httponly=True, samesite="Strict", path="/")
            return found
        base = f"{request.scheme}://{request.host}"
        font_size = request.query.get("fontsize", "16")
        context = {
            "font_size": int(font_size) if font_size.isdigit() and int(font_size) < 100 else 16,
            # the page's own address, not the bind address: a page opened as localhost talks to localhost
            "app_websocket_url": ("wss://" if request.secure else "ws://") + f"{request.host}/ws",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.headers["Cache-Control"] = "no-store"
        return response

    # --- one app per connection, at most max_sessions -------------------------------------------
    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        if self.active >= self.options.max_sessions:
            self.refused["full"] += 1
            return await self._refuse_full(request)
        self.active += 1  # no await since the check: the event loop makes this atomic
        try:
            return await self._run_app(request)
        finally:
            self.active -= 1

    async def _refuse_full(self, request: web.Request) -> web.WebSocketResponse:
        websocket = web.WebSocketResponse()
        await websocket.prepare(request)
        text = say("full", self.options.lang, n=self.options.max_sessions)
        await websocket.send_bytes(("\r\n  " + text + "\r\n").encode())  # shown on the page's terminal
        await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"workshop full")
        return websocket

    async def _run_app(self, request: web.Request) -> web.WebSocketResponse:
        """textual-serve's handle_websocket, with the participant's environment."""
        websocket = web.WebSocketResponse(heartbeat=15)
        participant = request.cookies.get(self._participant_cookie, "")
        if not _PARTICIPANT.match(participant):
            participant = new_participant()  # no cookie: a participant of this connection only
        width = _int(request.query.get("width"), 80)
        height = _int(request.query.get("height"), 24)
        app_service: AppService | None = None
        try:
            await websocket.prepare(request)
            app_service = ParticipantApp(
                self.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                close=websocket.close, download_manager=self.download_manager, debug=self.debug,
                env={**self.options.app_env, PARTICIPANT_ENV: participant},
            )
            await app_service.start(width, height)
            try:
                await self._relay(websocket, app_service)
            finally:
                await app_service.stop()
        except asyncio.CancelledError:
            await websocket.close()
        except Exception:
            logging.getLogger("journeybot.serve").exception("app session failed")
        finally:
            if app_service is not None:
                await app_service.stop()
        return websocket

    async def _relay(self, websocket: web.WebSocketResponse, app_service: AppService) -> None:
        """The browser's keys and size to the app (textual-serve's protocol), ignoring malformed frames."""
        async for message in websocket:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                envelope = message.json()
                kind, data = envelope[0], envelope[1]
                if kind == "stdin" and isinstance(data, str):
                    await app_service.send_bytes(data.encode("utf-8"))
                elif kind == "resize" and isinstance(data, dict):
                    await app_service.set_terminal_size(_int(data.get("width"), 80), _int(data.get("height"), 24))
                elif kind == "ping":
                    await websocket.send_json(["pong", data])
                elif kind == "blur":
                    await app_service.blur()
                elif kind == "focus":
                    await app_service.focus()
            except (ValueError, TypeError, IndexError, KeyError):
                continue


def _int(value: object, default: int) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return default
    return number if 1 <= number <= 1000 else default


def make_server(options: ServeOptions) -> WorkshopServer:
    """The locked textual-serve server for ``options``."""
    return WorkshopServer(options)
