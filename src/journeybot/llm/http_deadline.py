"""The answer deadline (llm/deadline.py) enforced on every socket connect, read and write of the HTTP
client the OpenAI SDK uses (httpx2 over httpcore2): each wait ends by the thread's deadline, and one
that would start after it fails at once with a timeout (the connection is then closed, which also
tells llama.cpp's server to stop generating)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

import httpcore2
import httpx2

from .deadline import remaining

log = logging.getLogger("journeybot.llm")


def _bounded(timeout: float | None, error: type[Exception]) -> float | None:
    left = remaining()
    if left is None:
        return timeout
    if left <= 0:
        raise error("the answer deadline has passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore2.NetworkStream):
    """A network stream whose every read and write ends by the thread's deadline."""

    def __init__(self, inner: httpcore2.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, httpcore2.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, httpcore2.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore2.NetworkStream:
        return _Stream(self._inner.start_tls(ssl_context, server_hostname,
                                             _bounded(timeout, httpcore2.ConnectTimeout)))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class DeadlineBackend(httpcore2.NetworkBackend):
    """httpcore's network backend with the thread's deadline applied to every wait."""

    def __init__(self, inner: httpcore2.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore2.NetworkStream:
        stream = self._inner.connect_tcp(host, port, _bounded(timeout, httpcore2.ConnectTimeout), local_address,
                                         socket_options)
        return _Stream(stream)

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore2.NetworkStream:
        stream = self._inner.connect_unix_socket(path, _bounded(timeout, httpcore2.ConnectTimeout), socket_options)
        return _Stream(stream)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


def install(client: httpx2.Client) -> bool:
    """Put the deadline guard under every connection pool of ``client`` (its own transport and the
    proxy mounts taken from the environment). False when httpx2's insides changed and it could not:
    tests/test_llm_deadline.py fails then, rather than users waiting."""
    transports = [getattr(client, "_transport", None), *getattr(client, "_mounts", {}).values()]
    done = False
    for transport in transports:
        pool = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, DeadlineBackend):
            done = True
        elif isinstance(backend, httpcore2.NetworkBackend):
            pool._network_backend = DeadlineBackend(backend)  # type: ignore[union-attr]
            done = True
    if not done:
        log.warning("answer deadline not enforced: unknown httpx2 client layout")
    return done


def http_client(timeout: float) -> httpx2.Client | None:
    """The HTTP client the OpenAI SDK would build (its defaults, proxies from the environment), with
    the deadline guard installed; None (the SDK's own client, only ``timeout`` between bytes) with an
    openai release that does not run on httpx2."""
    import openai

    client = openai.DefaultHttpxClient(timeout=timeout)
    if not isinstance(client, httpx2.Client):
        client.close()
        log.warning("answer deadline not enforced: openai %s does not use httpx2", openai.__version__)
        return None
    install(client)
    return client
