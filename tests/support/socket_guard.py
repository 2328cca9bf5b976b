"""A socket guard for tests: any attempt to reach a host other than this machine's loopback is refused
(OSError) and recorded, so a test can assert that an offline feature attempted no network connection.

    with socket_guard() as guard:
        run_something()
    assert guard.attempts == []

It patches the Python-level entry points every Python network client goes through: socket.socket.connect
and connect_ex, socket.create_connection and socket.getaddrinfo (name resolution is itself network
traffic: resolving "api.openai.com" is recorded even before any connect). Loopback addresses
(127.0.0.0/8, ::1), "localhost" and Unix sockets are allowed: the embedded model server and the stub
OpenAI server listen on 127.0.0.1.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any


class NetworkBlocked(OSError):
    """Raised where a non-loopback connection was attempted."""


@dataclass
class Guard:
    attempts: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)


def is_loopback(host: Any) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port): the local wildcard, used to bind servers
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    name = str(host).strip("[]").split("%", 1)[0].lower()
    if name in ("localhost", "localhost.localdomain", "ip6-localhost", ""):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


@contextmanager
def socket_guard() -> Iterator[Guard]:
    guard = Guard()
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_create_connection = socket.create_connection
    real_getaddrinfo = socket.getaddrinfo

    def check(what: str, address: Any, family: int | None = None) -> None:
        if family == getattr(socket, "AF_UNIX", None) or isinstance(address, (str, bytes)):
            guard.allowed.append(f"{what} unix {address!r}")
            return
        host = address[0] if isinstance(address, tuple) and address else address
        if is_loopback(host):
            guard.allowed.append(f"{what} {address!r}")
            return
        guard.attempts.append(f"{what} {address!r}")
        raise NetworkBlocked(f"network access blocked by the test's socket guard: {what} {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        check("connect", address, self.family)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check("connect_ex", address, self.family)
        return real_connect_ex(self, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        check("create_connection", address)
        return real_create_connection(address, *args, **kwargs)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        check("getaddrinfo", (host,))
        return real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign, assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign, assignment]
    socket.create_connection = create_connection
    socket.getaddrinfo = getaddrinfo
    try:
        yield guard
    finally:
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]
        socket.create_connection = real_create_connection
        socket.getaddrinfo = real_getaddrinfo
