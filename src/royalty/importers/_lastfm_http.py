"""Limits on one HTTP exchange with a Last.fm-compatible server: a deadline and a size cap.

httpx's timeouts bound each read, not a whole reply: a server that sends one byte every
few seconds never trips them. :class:`DeadlineBackend` wraps the network backend of the
connection pool (httpcore's documented ``NetworkBackend`` interface) so that every
connect, read and write of a request gets at most the time left before the request's
deadline. :func:`read_capped` reads a body, decompressed, up to a size.

No import of httpx or httpcore here: the wrapped objects are given.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from typing import Any, Final

MAX_REPLY_BYTES: Final = 16 * 1024 * 1024
"""A reply (decompressed) may hold at most 16 MiB; a page of 200 plays is about 120 KB."""


class DeadlinePassed(Exception):
    """The request's deadline passed before its reply was complete."""


class ReplyTooLarge(Exception):
    """The reply is larger than :data:`MAX_REPLY_BYTES`."""


class DeadlineBackend:
    """A network backend whose streams give up at the calling thread's deadline.

    Args:
        inner: the backend to wrap (httpcore's ``SyncBackend``).
    """

    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self._local = threading.local()

    def start(self, seconds: float) -> None:
        """The calling thread's next request must be over within ``seconds``."""
        self._local.deadline = time.monotonic() + seconds

    def stop(self) -> None:
        self._local.deadline = None

    def passed(self) -> bool:
        deadline: float | None = getattr(self._local, "deadline", None)
        return deadline is not None and time.monotonic() >= deadline

    def clamp(self, timeout: float | None) -> float | None:
        """``timeout`` cut to the time left; raises when none is left."""
        deadline: float | None = getattr(self._local, "deadline", None)
        if deadline is None:
            return timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise DeadlinePassed
        return left if timeout is None else min(timeout, left)

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> _Stream:
        stream = self._inner.connect_tcp(
            host,
            port,
            timeout=self.clamp(timeout),
            local_address=local_address,
            socket_options=socket_options,
        )
        return _Stream(stream, self)

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> _Stream:
        stream = self._inner.connect_unix_socket(
            path, timeout=self.clamp(timeout), socket_options=socket_options
        )
        return _Stream(stream, self)

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class _Stream:
    """A network stream whose reads and writes end by the deadline."""

    def __init__(self, inner: Any, backend: DeadlineBackend) -> None:
        self._inner, self._backend = inner, backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        data: bytes = self._inner.read(max_bytes, timeout=self._backend.clamp(timeout))
        return data

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, timeout=self._backend.clamp(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> _Stream:
        stream = self._inner.start_tls(
            ssl_context, server_hostname=server_hostname, timeout=self._backend.clamp(timeout)
        )
        return _Stream(stream, self._backend)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


def wrap_pool(transport: Any) -> DeadlineBackend | None:
    """Put a :class:`DeadlineBackend` under an httpx ``HTTPTransport``'s connection pool.

    httpx does not take a network backend, so it is set on the pool it made (the
    attribute httpcore reads). Returns None if that pool is not there (another httpx):
    then only the size cap and the per-read timeouts hold.
    """
    pool = getattr(transport, "_pool", None)
    inner = getattr(pool, "_network_backend", None)
    if inner is None:
        return None
    backend = DeadlineBackend(inner)
    pool._network_backend = backend  # type: ignore[union-attr]
    return backend


def read_capped(response: Any, limit: int = MAX_REPLY_BYTES) -> bytes:
    """The body of an httpx ``response``, decompressed, refusing more than ``limit`` bytes.

    Raises:
        ReplyTooLarge: ``Content-Length`` or the bytes read exceed ``limit``.
    """
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ReplyTooLarge
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise ReplyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)
