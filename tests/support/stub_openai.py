"""A small OpenAI-compatible HTTP server for tests: real sockets on 127.0.0.1, scriptable faults.

    with StubOpenAI() as stub:
        stub.queue(Reply.rate_limited(retry_after=0.2), Reply.ok('{"a": 1}'))
        model = OpenAIChatModel(base_url=stub.base_url, ...)

Speaks GET /v1/models and POST /v1/chat/completions (JSON and SSE streaming). Each chat request takes
the next queued Reply, or the default one when the queue is empty. Bounded: it answers at most
``max_requests`` chat requests (then 503), never sleeps longer than ``max_sleep`` seconds, and stops by
itself after ``lifetime`` seconds even if a test forgets to close it.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

Kind = Literal["ok", "rate_limited", "server_error", "reset", "slow", "truncated", "not_json", "status"]


@dataclass(frozen=True)
class Reply:
    """What the stub does with one chat request."""

    kind: Kind = "ok"
    content: str = '{"ok": true}'
    retry_after: str | None = None
    delay: float = 0.0
    status: int = 200
    body: str = ""
    finish_reason: str = "stop"

    @classmethod
    def ok(cls, content: str = '{"ok": true}', *, finish_reason: str = "stop") -> Reply:
        return cls("ok", content=content, finish_reason=finish_reason)

    @classmethod
    def rate_limited(cls, retry_after: float | str | None = None) -> Reply:
        return cls("rate_limited", retry_after=None if retry_after is None else str(retry_after))

    @classmethod
    def server_error(cls, status: int = 500) -> Reply:
        return cls("server_error", status=status)

    @classmethod
    def reset(cls) -> Reply:
        """Read the request, then close the connection with a TCP reset."""
        return cls("reset")

    @classmethod
    def slow(cls, delay: float, content: str = '{"ok": true}') -> Reply:
        """Answer normally, but only after ``delay`` seconds (longer than the client's timeout)."""
        return cls("slow", content=content, delay=delay)

    @classmethod
    def truncated(cls, content: str = "Une réponse coupée en plein milieu") -> Reply:
        """Start the answer, then hang up: a stream without its end, a JSON body cut short."""
        return cls("truncated", content=content)

    @classmethod
    def not_json(cls, body: str = "<html><body>502 Bad Gateway (proxy)</body></html>") -> Reply:
        """A 200 answer whose body is not JSON (a proxy page, a misconfigured server)."""
        return cls("not_json", body=body)

    @classmethod
    def error_status(cls, status: int, message: str, code: str | None = None) -> Reply:
        """An OpenAI-style error object with any HTTP status (401, 400 context too long, 404...)."""
        err = {"error": {"message": message, "type": "invalid_request_error", "code": code}}
        return cls("status", status=status, body=json.dumps(err))


@dataclass
class SeenRequest:
    method: str
    path: str
    body: dict[str, Any]
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    stub: StubOpenAI

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up (timeout tests) is expected here; keep test output clean


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    # --- plumbing -------------------------------------------------------------------------
    def _send(self, status: int, body: bytes, content_type: str = "application/json",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def _read_body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            return {"_raw": raw.decode("utf-8", "replace")}
        return data if isinstance(data, dict) else {"_raw": data}

    def _record(self, body: dict[str, Any]) -> None:
        stub = self.server.stub
        with stub._lock:
            stub.requests.append(SeenRequest(self.command, self.path, body, {k.lower(): v for k, v in self.headers.items()}))

    # --- routes ---------------------------------------------------------------------------
    def do_GET(self) -> None:
        self._record({})
        stub = self.server.stub
        if self.path.rstrip("/").endswith("/models"):
            data = {"object": "list", "data": [{"id": m, "object": "model", "owned_by": "stub"} for m in stub.models]}
            self._send(200, json.dumps(data).encode())
        else:
            self._send(404, b'{"error": {"message": "not found"}}')

    def do_POST(self) -> None:
        body = self._read_body()
        self._record(body)
        stub = self.server.stub
        if not self.path.rstrip("/").endswith("/chat/completions"):
            self._send(404, b'{"error": {"message": "not found"}}')
            return
        reply = stub._next_reply(body)
        if reply is None:
            self._send(503, b'{"error": {"message": "stub request budget spent"}}')
            return
        self._answer(reply, body)

    def _answer(self, reply: Reply, body: dict[str, Any]) -> None:
        stub = self.server.stub
        stream = bool(body.get("stream"))
        if reply.kind == "rate_limited":
            headers = {"Retry-After": reply.retry_after} if reply.retry_after is not None else {}
            err: dict[str, Any] = {"error": {"message": "Rate limit reached, slow down", "type": "requests", "code": "rate_limit_exceeded"}}
            self._send(429, json.dumps(err).encode(), headers=headers)
        elif reply.kind == "server_error":
            self._send(reply.status, json.dumps(
                {"error": {"message": "The server had an error", "type": "server_error", "code": None}}).encode())
        elif reply.kind == "status":
            self._send(reply.status, reply.body.encode())
        elif reply.kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
        elif reply.kind == "not_json":
            self._send(200, reply.body.encode(), content_type="text/html")
        elif reply.kind == "truncated":
            if stream:
                self._stream(reply, body, cut=True)
            else:
                full = json.dumps(_completion(reply.content, "stop", body)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(full)))
                self.end_headers()
                self.wfile.write(full[: len(full) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
        else:  # ok, slow
            if reply.delay:
                stub._stopped.wait(min(reply.delay, stub.max_sleep))
            if stream:
                self._stream(reply, body, cut=False)
            else:
                self._send(200, json.dumps(_completion(reply.content, reply.finish_reason, body)).encode())

    def _stream(self, reply: Reply, body: dict[str, Any], *, cut: bool) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        pieces = _pieces(reply.content)
        if cut:
            pieces = pieces[: max(1, len(pieces) // 2)]
        base = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": int(time.time()),
                "model": body.get("model", "stub-model")}

        def event(data: dict[str, Any]) -> None:
            self.wfile.write(b"data: " + json.dumps(data).encode() + b"\n\n")
            self.wfile.flush()

        try:
            event({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": None}]})
            for piece in pieces:
                event({**base, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]})
            if cut:
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}]})
            if (body.get("stream_options") or {}).get("include_usage"):
                event({**base, "choices": [], "usage": _usage(body, reply.content)})
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
        except OSError:  # the client went away: nothing to do
            pass


def _pieces(text: str) -> list[str]:
    words = text.split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]


def _usage(body: dict[str, Any], content: str) -> dict[str, int]:
    prompt = sum(len(str(m.get("content", "")).split()) for m in body.get("messages", []) if isinstance(m, dict))
    completion = len(content.split())
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _completion(content: str, finish_reason: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "stub-model"),
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish_reason}],
        "usage": _usage(body, content),
    }


class StubOpenAI:
    """The stub server; use it as a context manager."""

    def __init__(self, *, default: Reply | Callable[[dict[str, Any]], Reply] | None = None,
                 models: tuple[str, ...] = ("stub-model",), max_requests: int = 500,
                 max_sleep: float = 10.0, lifetime: float = 120.0) -> None:
        self.default: Reply | Callable[[dict[str, Any]], Reply] = default or Reply.ok()
        self.models = models
        self.max_requests = max_requests
        self.max_sleep = max_sleep
        self.lifetime = lifetime
        self.requests: list[SeenRequest] = []
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._timer: threading.Timer | None = None
        self._chat_count = 0

    # --- scripting -----------------------------------------------------------------------
    def queue(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def set_default(self, reply: Reply | Callable[[dict[str, Any]], Reply]) -> None:
        with self._lock:
            self.default = reply

    def chat_requests(self) -> list[SeenRequest]:
        with self._lock:
            return [r for r in self.requests if r.method == "POST"]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()
            self._queue.clear()

    def _next_reply(self, body: dict[str, Any]) -> Reply | None:
        with self._lock:
            self._chat_count += 1
            if self._chat_count > self.max_requests:
                return None
            if self._queue:
                return self._queue.popleft()
            default = self.default
        return default(body) if callable(default) else default

    # --- lifecycle -----------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None, "the stub is not running"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> StubOpenAI:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.stub = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        if self.lifetime:
            self._timer = threading.Timer(self.lifetime, self.stop)
            self._timer.daemon = True
            self._timer.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        if self._timer is not None and self._timer is not threading.current_thread():
            self._timer.cancel()
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def __enter__(self) -> StubOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
