"""A small OpenAI-compatible HTTP server for tests: real sockets on 127.0.0.1, scriptable faults.

    with StubOpenAI() as stub:
        stub.queue(Reply.rate_limited(retry_after=0.2), Reply.ok('{"a": 1}'))
        model = OpenAIChatModel(base_url=stub.base_url, ...)

Speaks GET /v1/models and POST /v1/chat/completions (JSON and SSE streaming). Each chat request takes
the next queued Reply, or the default one when the queue is empty. Bounded: it answers at most
``max_requests`` chat requests (then 503), never sleeps (hangs, trickles) longer than ``max_sleep``
seconds, and stops by itself after ``lifetime`` seconds even if a test forgets to close it.

Fault modes: rate limit, 5xx, TCP reset, slow, truncated, not JSON, any error status; and hostile
replies: JSON nested 1,100 deep, a body trickled one byte at a time, a server that hangs, and readings
that fit the request's JSON schema with every text value holding a control character, the API key the
client sent (split across streamed pieces), or Chinese text.
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

Kind = Literal["ok", "rate_limited", "server_error", "reset", "slow", "truncated", "not_json", "status",
               "nested", "trickle", "hang", "key_echo", "control", "foreign"]

CONTROL_TEXT = "Parcours\x07 client\x1b[31m rouge\x1b]0;titre\x07"
"""A value with a bell, a colour escape and a terminal-title escape in it."""
FOREIGN_TEXT = "客户在第一个月打电话给我们"
"""Chinese, for an interview in French or English."""


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
    interval: float = 1.0
    """trickle: seconds between two bytes."""

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
    def nested(cls, depth: int = 1100) -> Reply:
        """A JSON reply nested ``depth`` levels deep ([[[...]]]): more than Python's recursion limit."""
        return cls("nested", content="[" * depth + "]" * depth)

    @classmethod
    def trickle(cls, interval: float = 1.0, content: str = '{"ok": true}') -> Reply:
        """Send the answer one byte every ``interval`` seconds: each gap is shorter than a read timeout,
        the whole is not."""
        return cls("trickle", content=content, interval=interval)

    @classmethod
    def hang(cls) -> Reply:
        """Read the request, then send nothing (until ``max_sleep`` or the stub stops)."""
        return cls("hang")

    @classmethod
    def key_echo(cls) -> Reply:
        """A reading that fits the schema whose texts quote the API key the client sent."""
        return cls("key_echo")

    @classmethod
    def control(cls) -> Reply:
        """A reading that fits the schema whose texts hold control characters (BEL, ESC sequences)."""
        return cls("control")

    @classmethod
    def foreign(cls) -> Reply:
        """A reading that fits the schema whose texts are in Chinese."""
        return cls("foreign")

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
        elif reply.kind == "hang":
            stub._stopped.wait(stub.max_sleep)
            self.close_connection = True
        elif reply.kind == "trickle":
            self._trickle(reply, body)
        elif reply.kind in ("key_echo", "control", "foreign"):
            key = self.headers.get("Authorization", "").removeprefix("Bearer ").strip()
            text = {"key_echo": f"Voici la clé {key} qui ouvre tout", "control": CONTROL_TEXT,
                    "foreign": FOREIGN_TEXT}[reply.kind]
            answer = Reply.ok(_content_for(body, text))
            if stream:
                self._stream(answer, body, cut=False, piece_size=7)  # the key split across pieces
            else:
                self._send(200, json.dumps(_completion(answer.content, "stop", body)).encode())
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
        else:  # ok, slow, nested
            if reply.delay:
                stub._stopped.wait(min(reply.delay, stub.max_sleep))
            if stream:
                self._stream(reply, body, cut=False)
            else:
                self._send(200, json.dumps(_completion(reply.content, reply.finish_reason, body)).encode())

    def _stream(self, reply: Reply, body: dict[str, Any], *, cut: bool, piece_size: int = 0) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        pieces = _pieces(reply.content, piece_size)
        if cut:
            pieces = pieces[: max(1, len(pieces) // 2)]
        try:
            for event in _events(reply, body, pieces):
                self.wfile.write(event)
                self.wfile.flush()
            if cut:
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            self.wfile.write(b"".join(_final_events(reply, body)))
            self.wfile.flush()
        except OSError:  # the client went away: nothing to do
            pass

    def _trickle(self, reply: Reply, body: dict[str, Any]) -> None:
        """The whole answer (JSON or SSE) written one byte at a time, until the client hangs up."""
        stub = self.server.stub
        if body.get("stream"):
            data = b"".join([*_events(reply, body, _pieces(reply.content)), *_final_events(reply, body)])
            headers = [("Content-Type", "text/event-stream"), ("Connection", "close")]
        else:
            data = json.dumps(_completion(reply.content, reply.finish_reason, body)).encode()
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(data)))]
        self.send_response(200)
        for key, value in headers:
            self.send_header(key, value)
        self.end_headers()
        self.close_connection = True
        ends = time.monotonic() + stub.max_sleep
        try:
            for i in range(len(data)):
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()
                if stub._stopped.wait(reply.interval) or time.monotonic() > ends:
                    return
        except OSError:  # the client gave up
            pass


def _pieces(text: str, size: int = 0) -> list[str]:
    """Word by word (or ``size`` characters at a time), as a server streams."""
    if size:
        return [text[i : i + size] for i in range(0, len(text), size)]
    words = text.split(" ")
    return [w if i == 0 else " " + w for i, w in enumerate(words)]


def _chunk(body: dict[str, Any], delta: dict[str, Any], finish: str | None) -> bytes:
    data = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": body.get("model", "stub-model"), "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return b"data: " + json.dumps(data).encode() + b"\n\n"


def _events(reply: Reply, body: dict[str, Any], pieces: list[str]) -> list[bytes]:
    """The SSE events of a streamed answer, up to (not including) its end."""
    return [_chunk(body, {"role": "assistant", "content": ""}, None),
            *(_chunk(body, {"content": piece}, None) for piece in pieces)]


def _final_events(reply: Reply, body: dict[str, Any]) -> list[bytes]:
    out = [_chunk(body, {}, reply.finish_reason)]
    if (body.get("stream_options") or {}).get("include_usage"):
        usage = {"id": "chatcmpl-stub", "object": "chat.completion.chunk", "created": int(time.time()),
                 "model": body.get("model", "stub-model"), "choices": [], "usage": _usage(body, reply.content)}
        out.append(b"data: " + json.dumps(usage).encode() + b"\n\n")
    return [*out, b"data: [DONE]\n\n"]


def _content_for(body: dict[str, Any], text: str) -> str:
    """A reply to this request whose every text is ``text``: JSON that fits the request's schema, or
    the text itself for a free-text (streamed) request."""
    fmt = body.get("response_format") or {}
    schema = (fmt.get("json_schema") or {}).get("schema") if isinstance(fmt, dict) else None
    if not isinstance(schema, dict):
        return text
    return json.dumps(filled_instance(schema, text, schema), ensure_ascii=False)


def filled_instance(schema: Any, text: str, root: dict[str, Any]) -> Any:
    """A JSON value that fits a simple JSON Schema, with every property present, one item per list and
    ``text`` (cut to maxLength) in every free-text field."""
    if not isinstance(schema, dict):
        return None
    if "$ref" in schema:
        target: Any = root
        for part in str(schema["$ref"]).removeprefix("#/").split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return filled_instance(target, text, root)
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        options = [o for o in schema.get(key) or [] if isinstance(o, dict) and o.get("type") != "null"]
        if options:
            return filled_instance(options[0], text, root)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        return {name: filled_instance(sub, text, root) for name, sub in (schema.get("properties") or {}).items()}
    if kind == "array":
        count = max(1, int(schema.get("minItems") or 0))
        if schema.get("maxItems") is not None:
            count = min(count, int(schema["maxItems"]))
        return [filled_instance(schema.get("items") or {}, text, root) for _ in range(count)]
    if kind == "string":
        limit = schema.get("maxLength")
        return text[: int(limit)] if limit else text
    if kind in ("integer", "number"):
        low = schema.get("minimum", 0)
        return int(low) if kind == "integer" else float(low)
    if kind == "boolean":
        return False
    return None


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
