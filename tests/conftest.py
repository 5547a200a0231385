"""Test-wide set-up: no internet, and a private ROYALTY_HOME for every test."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo


def _is_local(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path
        return True
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if not _is_local(address):
        raise OSError(f"tests may not reach the network: connect to {address!r} blocked")
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if not _is_local(address):
        raise OSError(f"tests may not reach the network: connect to {address!r} blocked")
    return _real_connect_ex(self, address)


def _guarded_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    if host not in (None, "localhost") and not _is_local((host,)):
        raise OSError(f"tests may not reach the network: lookup of {host!r} blocked")
    return _real_getaddrinfo(host, *args, **kwargs)


def pytest_sessionstart(session: pytest.Session) -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = _guarded_getaddrinfo


@pytest.fixture(autouse=True)
def royalty_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own empty ROYALTY_HOME and config directory."""
    home = tmp_path / "royalty-home"
    monkeypatch.setenv("ROYALTY_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("LASTFM_API_KEY", raising=False)
    monkeypatch.delenv("LASTFM_API_URL", raising=False)
    return home


_HOLDER = textwrap.dedent(
    """
    import time
    from royalty import store
    with store.lock("listener"):
        print("locked", flush=True)
        time.sleep(60)
    """
)


@pytest.fixture
def lock_holder(royalty_home: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the writer lock of the user "listener"."""
    env = {**os.environ, "ROYALTY_HOME": str(royalty_home)}
    with subprocess.Popen(
        [sys.executable, "-c", _HOLDER], env=env, stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        yield proc
        proc.kill()
