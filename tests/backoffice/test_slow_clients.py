"""Slow clients cannot hold the service: 50 connections that stall in the TLS handshake or
mid-body are closed within their timeout (plus a margin), one address cannot hold more than
its share, and a well-behaved terminal is served all the while."""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.backoffice.server import (
    HOST,
    BackofficeServer,
    TerminalCredentials,
    running_backoffice,
)

pytestmark = pytest.mark.slow  # waits out real timeouts

STALLED = 50
TIMEOUT_SECONDS = 2.0
MARGIN_SECONDS = 8.0  # a loaded 2-core machine; a hang is 20-45 s and more
PER_CLIENT = 60
OTHER_ADDRESS = "127.0.0.2"  # loopback too: another client address for the cap


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackofficeServer]:
    limits = [
        "--handshake-timeout", str(TIMEOUT_SECONDS),
        "--read-timeout", str(TIMEOUT_SECONDS),
        "--max-connections-per-client", str(PER_CLIENT),
    ]  # fmt: skip
    with running_backoffice(tmp_path_factory.mktemp("bo"), serve_args=limits) as server:
        yield server


@pytest.fixture(scope="module")
def terminal(guarded: BackofficeServer) -> TerminalCredentials:
    return guarded.issue_terminal("kita-01")


def _closed_by_server(sock: socket.socket, deadline: float) -> bool:
    """True when the server closed the connection before ``deadline``."""
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            if sock.recv(4096) == b"":
                return True
        except (TimeoutError, ssl.SSLWantReadError):
            return False
        except (ConnectionError, ssl.SSLError):
            return True
    return False


def _well_behaved_health(server: BackofficeServer, terminal: TerminalCredentials) -> int:
    context = terminal.ssl_context()
    transport = httpx.HTTPTransport(verify=context, local_address=OTHER_ADDRESS)
    with httpx.Client(base_url=server.url, transport=transport, timeout=10) as client:
        return client.get("/v1/health").status_code


def _tls(server: BackofficeServer, terminal: TerminalCredentials) -> ssl.SSLSocket:
    raw = socket.create_connection((HOST, server.port), timeout=10)
    return terminal.ssl_context().wrap_socket(raw, server_hostname=HOST)


def _all_closed(sockets: list[socket.socket]) -> float:
    """Wait for every socket to be closed by the server; the seconds it took at most."""
    started = time.monotonic()
    deadline = started + TIMEOUT_SECONDS + MARGIN_SECONDS
    still_open = [s for s in sockets if not _closed_by_server(s, deadline)]
    for sock in sockets:
        sock.close()
    assert still_open == [], f"{len(still_open)} of {len(sockets)} still open"
    return time.monotonic() - started


def test_clients_stalling_in_the_handshake_are_cut_off(
    guarded: BackofficeServer, terminal: TerminalCredentials
) -> None:
    stalled = [socket.create_connection((HOST, guarded.port), timeout=10) for _ in range(STALLED)]
    assert _well_behaved_health(guarded, terminal) == 200
    _all_closed(stalled)  # not one ClientHello byte was sent


def test_clients_stalling_mid_body_are_cut_off(
    guarded: BackofficeServer, terminal: TerminalCredentials
) -> None:
    stalled = []
    for _ in range(STALLED):
        sock = _tls(guarded, terminal)
        sock.sendall(
            b"POST /v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100000\r\n\r\n{"items": ['
        )
        stalled.append(sock)
    assert _well_behaved_health(guarded, terminal) == 200
    _all_closed(stalled)
    assert _well_behaved_health(guarded, terminal) == 200


def test_clients_stalling_in_the_headers_are_cut_off(
    guarded: BackofficeServer, terminal: TerminalCredentials
) -> None:
    stalled = []
    for _ in range(STALLED):
        sock = _tls(guarded, terminal)
        sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        stalled.append(sock)
    assert _well_behaved_health(guarded, terminal) == 200
    _all_closed(stalled)


def test_one_address_cannot_hold_more_than_its_share(
    guarded: BackofficeServer, terminal: TerminalCredentials
) -> None:
    held = [_tls(guarded, terminal) for _ in range(PER_CLIENT)]
    extra = _tls(guarded, terminal)
    quick = time.monotonic() + TIMEOUT_SECONDS / 2  # before any read timeout could
    assert _closed_by_server(extra, quick), "a connection over the cap stayed open"
    assert _well_behaved_health(guarded, terminal) == 200  # another address: served
    for sock in [extra, *held]:
        sock.close()
