"""Bridge the virtual card into a real ``pcscd`` through the ``vpcd`` reader driver.

vpcd listens on TCP (35963 for its first slot); a card is a TCP client of it:
connecting inserts the card, closing removes it. Every message both ways is a 2-byte
big-endian length and a payload. A 1-byte payload from vpcd is a control code (00 power
off, 01 power on, 02 reset, 04 ATR request, answered with the ATR); anything longer is a
command APDU, answered with response data + SW1 SW2.
"""

from __future__ import annotations

import contextlib
import logging
import select
import socket
import threading
import time
from pathlib import Path
from typing import TextIO

from cardreader.emulator.card import VirtualCard

log = logging.getLogger(__name__)

CTRL_POWER_OFF = 0x00
CTRL_POWER_ON = 0x01
CTRL_RESET = 0x02
CTRL_ATR = 0x04
POLL_SECONDS = 0.2
# vpcd sometimes accepts a connection made right after the previous card left and then never
# talks to it (pcscd keeps saying "no card"); a card that has heard nothing for this long
# after connecting leaves and connects again, as a person would re-seat a card.
SILENT_VPCD_SECONDS = 3.0
IO_TIMEOUT_SECONDS = 10.0


class VpcdGone(ConnectionError):
    """vpcd closed the connection (pcscd stopped or restarted)."""


class ApduTrace:
    """A card-side APDU log with headers, lengths and status words only: never any data."""

    def __init__(self, path: Path | None) -> None:
        self._file: TextIO | None = path.open("a", encoding="ascii") if path else None

    def command(self, apdu: bytes) -> None:
        if self._file:
            self._file.write(f"> {len(apdu):5d} {apdu[:4].hex(' ').upper()}\n")

    def response(self, response: bytes) -> None:
        if self._file:
            self._file.write(f"< {len(response):5d} {response[-2:].hex().upper()}\n")
            self._file.flush()

    def close(self) -> None:
        if self._file:
            self._file.close()


def _quickack(sock: socket.socket) -> None:
    # vpcd writes length and payload separately; without re-arming quick ACKs before
    # every receive, Linux delayed ACK adds ~48 ms to each APDU (test-stack notes).
    if hasattr(socket, "TCP_QUICKACK"):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)


def _recv_exact(sock: socket.socket, size: int) -> bytes:
    data = bytearray()
    while len(data) < size:
        _quickack(sock)
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise VpcdGone("vpcd closed the connection")
        data += chunk
    return bytes(data)


def _send(sock: socket.socket, payload: bytes) -> None:
    sock.sendall(len(payload).to_bytes(2, "big") + payload)


class VpcdBridge:
    """One virtual card in one vpcd slot; ``insert()``/``remove()`` move it in and out."""

    def __init__(
        self,
        card: VirtualCard,
        host: str = "127.0.0.1",
        port: int = 35963,
        *,
        remove_after: int | None = None,
        trace: ApduTrace | None = None,
    ) -> None:
        self.card = card
        self.address = (host, port)
        self.remove_after = remove_after
        self.commands = 0
        self.pulled = False  # set when remove_after took the card out
        self.trace = trace or ApduTrace(None)
        self._sock: socket.socket | None = None
        self._unanswered_since: float | None = None  # connected, and vpcd has said nothing yet

    @property
    def inserted(self) -> bool:
        return self._sock is not None

    def insert(self, stop: threading.Event) -> bool:
        """Connect to vpcd (retrying until it listens); False if stopped first."""
        while not stop.is_set():
            try:
                sock = socket.create_connection(self.address, timeout=IO_TIMEOUT_SECONDS)
            except OSError:
                stop.wait(POLL_SECONDS)
                continue
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._sock = sock
            self._unanswered_since = time.monotonic()
            self.commands = 0
            log.info("virtual card inserted into vpcd %s:%d", *self.address)
            return True
        return False

    def remove(self) -> None:
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
            self._sock = None
            self.card.power_off()
            log.info("virtual card removed")

    def serve_one(self) -> None:
        """Answer one message from vpcd if one arrives within the poll interval."""
        sock = self._sock
        assert sock is not None
        _quickack(sock)
        readable, _, _ = select.select([sock], [], [], POLL_SECONDS)
        if not readable:
            self._reseat_if_ignored()
            return
        self._unanswered_since = None
        size = int.from_bytes(_recv_exact(sock, 2), "big")
        payload = _recv_exact(sock, size)
        if size == 1:
            self._control(sock, payload[0])
            return
        self.trace.command(payload)
        response = self.card.process(payload)
        self.trace.response(response)
        _send(sock, response)
        self.commands += 1
        if self.remove_after is not None and self.commands >= self.remove_after:
            self.remove()
            self.pulled = True

    def _reseat_if_ignored(self) -> None:
        since = self._unanswered_since
        if since is not None and time.monotonic() - since > SILENT_VPCD_SECONDS:
            log.info("vpcd has not talked to the card since it connected: connecting again")
            self.remove()  # the serve loop inserts it again

    def _control(self, sock: socket.socket, code: int) -> None:
        if code == CTRL_POWER_OFF:
            self.card.power_off()
        elif code == CTRL_POWER_ON:
            self.card.power_on()
        elif code == CTRL_RESET:
            self.card.reset()
        elif code == CTRL_ATR:
            _send(sock, self.card.atr)
        else:
            log.warning("unknown vpcd control code %02X", code)


def serve(
    card: VirtualCard,
    *,
    host: str = "127.0.0.1",
    port: int = 35963,
    remove_after: int | None = None,
    stop: threading.Event,
    toggle: threading.Event | None = None,
    trace_file: Path | None = None,
) -> None:
    """Keep ``card`` in the vpcd slot until ``stop``; ``toggle`` pulls it out or puts it back.

    After ``remove_after`` APDUs the card is pulled and stays out until the next toggle.
    If pcscd restarts, the card is inserted again once vpcd listens.
    """
    trace = ApduTrace(trace_file)
    bridge = VpcdBridge(card, host, port, remove_after=remove_after, trace=trace)
    wanted = True
    try:
        while not stop.is_set():
            if toggle is not None and toggle.is_set():
                toggle.clear()
                wanted = not bridge.inserted
                bridge.remove()
                bridge.remove_after = None  # a card put back stays in
            if not bridge.inserted:
                if wanted and not bridge.insert(stop):
                    break
                if not wanted:
                    stop.wait(POLL_SECONDS)
                continue
            try:
                bridge.serve_one()
            except (OSError, VpcdGone):
                log.warning("vpcd connection lost; reconnecting")
                bridge.remove()
                time.sleep(POLL_SECONDS)
            if bridge.pulled:
                bridge.pulled = False
                wanted = False  # pulled by remove_after: stays out until toggled
    finally:
        bridge.remove()
        trace.close()
