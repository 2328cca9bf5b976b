"""One embedding model for a whole workshop (`journeybot serve`), like the one chat model.

The method index is queried with the Universal Sentence Encoder (or e5); loaded, it holds ~120 MB per
process, about a third of a participant's app. So `journeybot serve` loads it once and serves it on
127.0.0.1 behind a random key (:func:`serve_embeddings`), and each participant's app embeds its queries
through :class:`SharedEmbedder` (settings ``embeddings_url`` / ``embeddings_key``), whose name and size
are the local model's: the same vectors, the same index collection.

The protocol is one JSON POST: ``{"texts": [...], "kind": "query" | "documents"}`` with
``Authorization: Bearer KEY`` → ``{"vectors": [[...], ...]}``. Standard library only.
"""

from __future__ import annotations

import hmac
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from .errors import KnowledgeError

MAX_TEXTS = 512
"""Texts in one request at most (an index build sends its chunks in batches)."""
MAX_BODY = 8 * 1024 * 1024
TIMEOUT = 120.0
"""Seconds a request may take (a batch of index chunks on a busy machine)."""


class SharedEmbedder:
    """An Embedder whose model runs in `journeybot serve`'s process."""

    def __init__(self, url: str, key: str, *, name: str, dim: int, timeout: float = TIMEOUT) -> None:
        self.url = url.rstrip("/") + "/embed"
        self.name = name
        self.dim = dim
        self._key = key
        self._timeout = timeout

    def warm_up(self) -> float:
        return 0.0  # the service loaded the model before the apps started

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for start in range(0, len(texts), MAX_TEXTS):
            out += self._post(list(texts[start : start + MAX_TEXTS]), "documents")
        return out

    def embed_query(self, text: str) -> list[float]:
        return self._post([text], "query")[0]

    def _post(self, texts: list[str], kind: str) -> list[list[float]]:
        if not texts:
            return []
        body = json.dumps({"texts": texts, "kind": kind}).encode("utf-8")
        request = urllib.request.Request(self.url, data=body, headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {self._key}"})
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                vectors = json.loads(response.read())["vectors"]
        except (OSError, ValueError, KeyError, TypeError) as err:  # refused, timed out, 401, a bad body
            raise KnowledgeError(
                f"The workshop's embedding service did not answer ({type(err).__name__}).",
                f"Le service d'embeddings de l'atelier n'a pas répondu ({type(err).__name__}).",
            ) from None
        if not isinstance(vectors, list) or len(vectors) != len(texts):
            raise KnowledgeError("The workshop's embedding service sent a wrong answer.",
                                 "Le service d'embeddings de l'atelier a envoyé une réponse erronée.")
        return [[float(x) for x in v] for v in vectors]


@dataclass
class EmbeddingService:
    """The running service: its address, and how to stop it."""

    url: str
    server: ThreadingHTTPServer
    thread: threading.Thread

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def serve_embeddings(embedder: Any, key: str) -> EmbeddingService:
    """Serve ``embedder`` (an Embedder) on a free 127.0.0.1 port to requests that carry ``key``."""
    lock = threading.Lock()  # one model, one computation at a time

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # no request lines in the coach's terminal

        def _answer(self, status: int, data: dict[str, Any]) -> None:
            body = json.dumps(data).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            given = self.headers.get("Authorization", "").removeprefix("Bearer ").encode()
            if self.path != "/embed" or not hmac.compare_digest(given, key.encode()):
                self._answer(401 if self.path == "/embed" else 404, {"error": "refused"})
                return
            try:
                length = int(self.headers.get("Content-Length") or 0)
                if not 0 < length <= MAX_BODY:
                    raise ValueError("size")
                data = json.loads(self.rfile.read(length))
                texts, kind = data["texts"], data.get("kind", "documents")
                if not isinstance(texts, list) or len(texts) > MAX_TEXTS or not all(isinstance(t, str) for t in texts):
                    raise ValueError("texts")
            except (ValueError, KeyError, TypeError):
                self._answer(400, {"error": "bad request"})
                return
            with lock:
                if kind == "query":
                    vectors = [embedder.embed_query(t) for t in texts]
                else:
                    vectors = embedder.embed_documents(texts)
            self._answer(200, {"vectors": vectors})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
    thread.start()
    return EmbeddingService(f"http://127.0.0.1:{server.server_address[1]}", server, thread)


__all__ = ["EmbeddingService", "SharedEmbedder", "serve_embeddings"]
