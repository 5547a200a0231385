"""The test session itself must not be able to reach the internet."""

from __future__ import annotations

import socket

import pytest


def test_outside_address_is_blocked() -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with sock, pytest.raises(OSError, match="may not reach the network"):
        sock.connect(("93.184.216.34", 80))


def test_name_lookup_is_blocked() -> None:
    with pytest.raises(OSError, match="may not reach the network"):
        socket.getaddrinfo("ws.audioscrobbler.com", 443)


def test_loopback_is_allowed() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    with server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        client = socket.create_connection(server.getsockname(), timeout=5)
        client.close()
