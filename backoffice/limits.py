"""Limits that keep slow or greedy clients from holding the service's connections.

uvicorn (0.54) offers ``timeout_keep_alive`` (idle between requests) and
``limit_concurrency`` (503 above a total), but no time limit for reading a request and no
per-client cap, and it does not pass asyncio's ``ssl_handshake_timeout`` on (the default is
60 s). So:

- ``GuardedH11Protocol`` gives each request ``read_timeout`` seconds from the moment the
  connection is ready (or the previous response went out) to arrive completely, headers and
  body; a client still sending then is disconnected. Time the application spends on a
  request that has fully arrived does not count.
- It also counts open connections per client address and closes any beyond
  ``per_client`` at once. The count starts after the TLS handshake (the protocol only sees
  a connection then); connections stuck in the handshake are bounded by the handshake
  timeout instead.
- ``HandshakeBoundServer`` passes ``ssl_handshake_timeout`` to asyncio's ``create_server``
  (the one call uvicorn makes for its listening socket).

In production put a reverse proxy with its own limits in front (README, "Slow clients").
"""

from __future__ import annotations

import asyncio
import collections
import socket
from dataclasses import dataclass
from typing import Any, ClassVar

import h11
import uvicorn

from backoffice.tls import TlsExtensionH11Protocol


@dataclass(frozen=True)
class ConnectionLimits:
    handshake_timeout: float = 10.0
    read_timeout: float = 30.0  # a whole request (headers and body) must arrive in this time
    keep_alive: float = 5.0
    per_client: int = 32
    total: int = 512  # beyond this uvicorn answers 503


class GuardedH11Protocol(TlsExtensionH11Protocol):
    """The TLS-extension h11 protocol with a request read deadline and a per-client cap."""

    limits: ClassVar[ConnectionLimits] = ConnectionLimits()
    open_by_client: ClassVar[collections.Counter[str]] = collections.Counter()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._peer = self.client[0] if self.client else ""
        self.open_by_client[self._peer] += 1
        if self.open_by_client[self._peer] > self.limits.per_client:
            transport.close()  # too many at once from this address
            return
        self._arm_read_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_read_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_read_deadline()
        self.open_by_client[self._peer] -= 1
        if self.open_by_client[self._peer] <= 0:
            del self.open_by_client[self._peer]
        super().connection_lost(exc)

    def _arm_read_deadline(self) -> None:
        self._cancel_read_deadline()
        self._deadline = self.loop.call_later(self.limits.read_timeout, self._read_deadline)

    def _cancel_read_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _read_deadline(self) -> None:
        # IDLE: not even the headers are complete; SEND_BODY: the body is still coming.
        still_reading = self.conn.their_state in (h11.IDLE, h11.SEND_BODY)
        if still_reading and not self.transport.is_closing():
            self.transport.close()


def guarded_protocol(limits: ConnectionLimits) -> type[GuardedH11Protocol]:
    """A protocol class of its own for one server: its limits and its per-client counts."""
    return type(
        "GuardedH11Protocol",
        (GuardedH11Protocol,),
        {"limits": limits, "open_by_client": collections.Counter()},
    )


class HandshakeBoundServer(uvicorn.Server):
    """uvicorn's server, with asyncio's TLS handshake timeout set on its listening socket."""

    def __init__(self, config: uvicorn.Config, handshake_timeout: float) -> None:
        super().__init__(config)
        self.handshake_timeout = handshake_timeout

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        loop = asyncio.get_running_loop()
        create_server = loop.create_server

        async def bounded(*args: Any, **kwargs: Any) -> asyncio.Server:
            if kwargs.get("ssl") is not None:
                kwargs.setdefault("ssl_handshake_timeout", self.handshake_timeout)
            return await create_server(*args, **kwargs)

        loop.create_server = bounded  # type: ignore[method-assign]
        try:
            await super().startup(sockets)
        finally:
            del loop.create_server  # the loop's own method again
