"""A fake Last.fm server that misbehaves on purpose: slow drips, huge bodies, edited replies.

:class:`HostileLastfm` is :class:`fake_lastfm.FakeLastfm` with three more knobs, each
applied to the next ``times`` successful (HTTP 200) replies:

* ``rewrite``: a function applied to the reply's text (to put in an impossible time,
  or page counts that do not add up);
* ``drip``: seconds between the bytes of the reply, sent one at a time, for at most
  ``drip_for`` seconds, after which the connection is closed; from its status line on
  (``drip_headers``), or from the first byte of its body;
* ``huge``: bytes of padding added inside the reply, sent with a ``Content-Length``
  (``huge_how="length"``), without one until the connection closes (``"close"``), or
  gzip-compressed (``"gzip"``, a small body that expands to the full size).
"""

from __future__ import annotations

import contextlib
import gzip
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from fake_lastfm import FakeLastfm, Fault, _Handler


@dataclass
class HostileLastfm(FakeLastfm):
    """The fake server with knobs for hostile replies (see the module docstring)."""

    rewrite: Callable[[str], str] | None = None
    drip: float = 0.0
    drip_for: float = 10.0
    drip_headers: bool = False
    huge: int = 0
    huge_how: str = "length"
    times: int = 1_000_000

    def answer(self, params: dict[str, str]) -> tuple[str, Fault | None, int, str, str]:
        outcome, fault, status, ctype, body = super().answer(params)
        if outcome == "ok" and status == 200 and self.rewrite is not None and self.times > 0:
            body = self.rewrite(body)
        return outcome, fault, status, ctype, body

    def take(self) -> bool:
        """Whether this reply is one of the next ``times`` to misbehave."""
        with self._lock:
            self.times -= 1
            return self.times >= 0


def set_attribute(name: str, value: object) -> Callable[[str], str]:
    """A ``rewrite`` that sets an attribute of ``<recenttracks>`` (``totalPages``...)."""
    return lambda body: re.sub(rf'{name}="[^"]*"', f'{name}="{value}"', body, count=1)


def first_time(uts: int | str) -> Callable[[str], str]:
    """A ``rewrite`` that gives the first play of the page the time ``uts``."""
    return lambda body: re.sub(r'uts="\d+"', f'uts="{uts}"', body, count=1)


class _HostileHandler(_Handler):
    owner: HostileLastfm

    def _handle(self, query: str) -> None:
        owner = self.owner
        if not (owner.drip or owner.huge) or not owner.take():
            super()._handle(query)
            return
        from urllib.parse import parse_qs

        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        _, _, status, ctype, text = owner.answer(params)
        if owner.huge:
            self._send_huge(status, ctype, text)
        else:
            self._send_drip(status, ctype, text.encode("utf-8"))

    def _send_drip(self, status: int, ctype: str, data: bytes) -> None:
        head = (
            f"HTTP/1.1 {status} OK\r\nContent-Type: {ctype}; charset=utf-8\r\n"
            f"Content-Length: {len(data)}\r\n\r\n"
        ).encode()
        if self.owner.drip_headers:
            data = head + data
        else:
            self.wfile.write(head)
        ends = time.monotonic() + self.owner.drip_for
        for i in range(len(data)):
            if time.monotonic() >= ends:
                break
            self.wfile.write(data[i : i + 1])
            self.wfile.flush()
            time.sleep(self.owner.drip)
        self.close_connection = True

    def _send_huge(self, status: int, ctype: str, text: str) -> None:
        head, tail = text.split("<recenttracks", 1)
        padding = b"<!--" + b"x" * self.owner.huge + b"-->"
        data = head.encode() + padding + b"<recenttracks" + tail.encode()
        how = self.owner.huge_how
        self.send_response(status)
        self.send_header("Content-Type", f"{ctype}; charset=utf-8")
        if how == "gzip":
            data = gzip.compress(data, compresslevel=9)
            self.send_header("Content-Encoding", "gzip")
        if how != "close":
            self.send_header("Content-Length", str(len(data)))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        with contextlib.suppress(ConnectionError):  # the client hangs up once it has enough
            self.wfile.write(data)
        self.close_connection = True


HostileLastfm.handler = _HostileHandler
