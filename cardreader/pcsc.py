"""PC/SC transport through pyscard: readers, a card connection, and presence events.

This is the only module that imports ``smartcard``. On Windows it talks to WinSCard,
elsewhere to pcsclite's ``pcscd``.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from smartcard import scard
from smartcard.CardConnection import CardConnection as PyscardConnection
from smartcard.Exceptions import (
    CardConnectionException,
    NoCardException,
    SmartcardException,
)
from smartcard.System import readers as pyscard_readers

from cardreader.errors import CardRemoved, NoCard, ReaderNotFound, TransportError

log = logging.getLogger(__name__)

EVENT_POLL_MS = 500
# PC/SC return codes that mean "the card went away" (winscard.h).
PRESENCE_CHECKS = 5  # after a failed APDU: up to 1 s for pcscd to report the slot empty
PRESENCE_INTERVAL_SECONDS = 0.2
_REMOVED_CODES = ("0x80100069", "0x80100016", "0x80100068", "0x8010000C", "0x80100017")


@dataclass(frozen=True)
class ReaderInfo:
    """A reader PC/SC knows, and whether a card sits in it."""

    name: str
    card_present: bool


def list_readers() -> list[ReaderInfo]:
    """All readers with their card state."""
    context = _establish()
    try:
        names = _reader_names(context)
        if not names:
            return []
        states = [(name, scard.SCARD_STATE_UNAWARE) for name in names]
        result, new_states = scard.SCardGetStatusChange(context, 0, states)
        _check_service(result, "reader status")
        if result not in (scard.SCARD_S_SUCCESS, scard.SCARD_E_TIMEOUT):
            raise TransportError(f"reader status failed: {scard.SCardGetErrorMessage(result)}")
        return [
            ReaderInfo(name, bool(event & scard.SCARD_STATE_PRESENT))
            for name, event, _atr in new_states
        ]
    finally:
        scard.SCardReleaseContext(context)


def find_reader(name: str) -> str:
    """The full reader name for ``name`` (exact, or a unique part of it)."""
    names = [reader.name for reader in list_readers()]
    if name in names:
        return name
    matches = [candidate for candidate in names if name.lower() in candidate.lower()]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ReaderNotFound(f"no reader named {name!r} (found: {', '.join(names) or 'none'})")
    raise ReaderNotFound(f"{name!r} matches several readers: {', '.join(matches)}")


class PcscConnection:
    """A shared-mode T=0/T=1 connection to the card in one reader."""

    def __init__(self, reader: str, connection: PyscardConnection) -> None:
        self.reader = reader
        self._connection = connection

    @classmethod
    def open(cls, reader: str) -> PcscConnection:
        """Connect to the card in ``reader`` (a full name or a unique part of it)."""
        full_name = find_reader(reader)
        match = [r for r in pyscard_readers() if str(r) == full_name]
        if not match:
            raise ReaderNotFound(f"reader {full_name!r} disappeared")
        connection = match[0].createConnection()
        try:
            connection.connect(
                PyscardConnection.T0_protocol | PyscardConnection.T1_protocol,
                mode=scard.SCARD_SHARE_SHARED,
            )
        except NoCardException as exc:
            raise NoCard(f"no card in {full_name}") from exc
        except SmartcardException as exc:
            raise _transport_error(exc) from exc
        return cls(full_name, connection)

    @property
    def atr(self) -> bytes:
        return bytes(self._connection.getATR())

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        try:
            data, sw1, sw2 = self._connection.transmit(list(apdu))
        except SmartcardException as exc:
            error = _transport_error(exc)
            if not isinstance(error, CardRemoved) and not self._card_present():
                # A card pulled mid-APDU can also show as an empty answer ("no valid
                # response"), depending on when the reader noticed: the slot says which.
                error = CardRemoved("the card was removed from the reader")
            raise error from exc
        return bytes(data), (sw1 << 8) | sw2

    def _card_present(self) -> bool:
        """Is the card still in the slot? pcscd may take ~0.4 s to notice a removal."""
        for _ in range(PRESENCE_CHECKS):
            try:
                if not any(r.name == self.reader and r.card_present for r in list_readers()):
                    return False
            except TransportError:
                return False
            time.sleep(PRESENCE_INTERVAL_SECONDS)
        return True

    @property
    def protocol(self) -> str:
        """The protocol the reader negotiated: "T=0", "T=1" or "RAW"."""
        names = {PyscardConnection.T0_protocol: "T=0", PyscardConnection.T1_protocol: "T=1"}
        return names.get(self._connection.getProtocol(), "RAW")

    def reset(self, *, power_cycle: bool = False) -> None:
        """Warm-reset the card, or power it off and on (``power_cycle``)."""
        disposition = scard.SCARD_UNPOWER_CARD if power_cycle else scard.SCARD_RESET_CARD
        try:
            self._connection.reconnect(
                PyscardConnection.T0_protocol | PyscardConnection.T1_protocol,
                mode=scard.SCARD_SHARE_SHARED,
                disposition=disposition,
            )
        except SmartcardException as exc:
            raise _transport_error(exc) from exc

    def reconnect(self) -> None:
        """Reconnect after another program reset the card (the card keeps its PIN state)."""
        try:
            self._connection.reconnect(
                PyscardConnection.T0_protocol | PyscardConnection.T1_protocol,
                mode=scard.SCARD_SHARE_SHARED,
                disposition=scard.SCARD_LEAVE_CARD,
            )
        except SmartcardException as exc:
            raise _transport_error(exc) from exc

    def close(self) -> None:
        try:
            self._connection.disconnect()
        except SmartcardException:
            log.debug("disconnect after the card was gone", exc_info=True)
        self._connection.release()


def _transport_error(exc: SmartcardException) -> TransportError:
    text = str(exc)
    if isinstance(exc, NoCardException):
        return NoCard("no card in the reader")
    if isinstance(exc, CardConnectionException) and any(c in text for c in _REMOVED_CODES):
        return CardRemoved("the card was removed from the reader")
    if "removed" in text.lower():
        return CardRemoved("the card was removed from the reader")
    return TransportError(f"PC/SC error: {text}")


# The service is gone or restarted and this context is dead (Windows stops the smart-card
# service when the last reader is unplugged; pcscd can restart): establish a new one.
_SERVICE_GONE = frozenset(
    code & 0xFFFFFFFF
    for code in (
        scard.SCARD_E_NO_SERVICE,
        scard.SCARD_E_SERVICE_STOPPED,
        scard.SCARD_E_INVALID_HANDLE,
        scard.SCARD_F_COMM_ERROR,
    )
)
SERVICE_RETRY_FIRST_SECONDS = 0.5
SERVICE_RETRY_MAX_SECONDS = 5.0


class ServiceUnavailable(TransportError):
    """The smart-card service (WinSCard / pcscd) is stopped or was restarted."""

    message_key = "reader.service_unavailable"


def _check_service(result: int, what: str) -> None:
    if result & 0xFFFFFFFF in _SERVICE_GONE:
        raise ServiceUnavailable(f"{what}: {scard.SCardGetErrorMessage(result)}")


def _establish() -> int:
    result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
    if result != scard.SCARD_S_SUCCESS:
        raise ReaderNotFound(
            f"the smart-card service is not running: {scard.SCardGetErrorMessage(result)}"
        )
    return int(context)


def _reader_names(context: int) -> list[str]:
    result, names = scard.SCardListReaders(context, [])
    _check_service(result, "listing readers")
    if result in (scard.SCARD_E_NO_READERS_AVAILABLE, scard.SCARD_E_READER_UNAVAILABLE):
        return []
    if result != scard.SCARD_S_SUCCESS:
        raise TransportError(f"listing readers failed: {scard.SCardGetErrorMessage(result)}")
    return list(names)


ReaderCallback = Callable[[str], None]
InsertCallback = Callable[[str, bytes], None]


def _ignore(*_args: object) -> None:
    return None


@dataclass
class CardEventHandlers:
    """Plain callbacks, called on the watcher's thread."""

    card_inserted: InsertCallback = _ignore
    card_removed: ReaderCallback = _ignore
    reader_added: ReaderCallback = _ignore
    reader_removed: ReaderCallback = _ignore


class CardEvents:
    """Watch readers and cards with ``SCardGetStatusChange`` on a background thread.

    Cards already present when watching starts are reported as insertions. When the
    smart-card service stops or restarts, every reader is reported removed, and the
    watcher re-establishes its PC/SC context by itself (backing off up to
    ``SERVICE_RETRY_MAX_SECONDS``), then reports the readers it finds again.
    """

    def __init__(self, handlers: CardEventHandlers) -> None:
        self.handlers = handlers
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._context: int | None = None
        self.service_available = False
        self._service_was_lost = False

    def start(self) -> None:
        """Start watching; a stopped service is waited for on the watcher's thread."""
        self._thread = threading.Thread(target=self._run, name="pcsc-events", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            if self._context is not None:
                scard.SCardCancel(self._context)
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._release()

    def __enter__(self) -> CardEvents:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self) -> None:
        present: dict[str, bool] = {}
        states: dict[str, int] = {}
        retry = SERVICE_RETRY_FIRST_SECONDS
        while not self._stop.is_set():
            try:
                if self._context is None:
                    self._connect_service()
                self._sync_readers(present, states)
                self._wait_for_change(present, states)
                retry = SERVICE_RETRY_FIRST_SECONDS
            except ServiceUnavailable as exc:
                self._service_lost(present, states, str(exc))
                self._stop.wait(retry)
                retry = min(retry * 2, SERVICE_RETRY_MAX_SECONDS)
            except Exception:  # a watcher must survive a flaky service; log and go on
                log.exception("card event watcher error")
                self._stop.wait(EVENT_POLL_MS / 1000)

    def _connect_service(self) -> None:
        result, context = scard.SCardEstablishContext(scard.SCARD_SCOPE_USER)
        _check_service(result, "connecting to the smart-card service")
        if result != scard.SCARD_S_SUCCESS:
            raise ServiceUnavailable(scard.SCardGetErrorMessage(result))
        with self._lock:
            self._context = int(context)
        if self._service_was_lost:
            log.warning("smart-card service is back: watching readers again")
        self._service_was_lost = False
        self.service_available = True

    def _service_lost(self, present: dict[str, bool], states: dict[str, int], why: str) -> None:
        """Report every reader gone, once; drop the dead context."""
        self._release()
        if not self._service_was_lost:
            log.warning("smart-card service unavailable (%s): retrying in the background", why)
        self._service_was_lost = True
        self.service_available = False
        for name in list(states):
            if present.pop(name, False):
                self.handlers.card_removed(name)
            del states[name]
            self.handlers.reader_removed(name)

    def _release(self) -> None:
        with self._lock:
            context, self._context = self._context, None
        if context is not None:
            scard.SCardReleaseContext(context)

    def _sync_readers(self, present: dict[str, bool], states: dict[str, int]) -> None:
        assert self._context is not None
        names = _reader_names(self._context)
        for name in names:
            if name not in states:
                states[name] = scard.SCARD_STATE_UNAWARE
                present[name] = False
                self.handlers.reader_added(name)
        for name in [n for n in states if n not in names]:
            if present.pop(name, False):
                self.handlers.card_removed(name)
            del states[name]
            self.handlers.reader_removed(name)

    def _wait_for_change(self, present: dict[str, bool], states: dict[str, int]) -> None:
        assert self._context is not None
        if not states:
            self._stop.wait(EVENT_POLL_MS / 1000)  # no reader yet: look again shortly
            return
        # Reader plug/unplug is noticed by re-listing readers at least every EVENT_POLL_MS.
        watched = list(states.items())
        result, new_states = scard.SCardGetStatusChange(self._context, EVENT_POLL_MS, watched)
        if result in (scard.SCARD_E_TIMEOUT, scard.SCARD_E_CANCELLED):
            return
        _check_service(result, "waiting for card events")
        if result in (scard.SCARD_E_UNKNOWN_READER, scard.SCARD_E_READER_UNAVAILABLE):
            return  # a reader went away mid-wait: the next listing reports it
        if result != scard.SCARD_S_SUCCESS:
            raise TransportError(scard.SCardGetErrorMessage(result))
        for name, event, atr in new_states:
            if name not in states:
                continue
            states[name] = event & ~scard.SCARD_STATE_CHANGED
            now_present = bool(event & scard.SCARD_STATE_PRESENT) and not (
                event & scard.SCARD_STATE_MUTE
            )
            if now_present and not present[name]:
                self.handlers.card_inserted(name, bytes(atr))
            elif present[name] and not now_present:
                self.handlers.card_removed(name)
            present[name] = now_present
