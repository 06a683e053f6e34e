"""Where the card comes from: a PC/SC reader or the built-in emulator.

The PC/SC module and the emulator are imported only when the source needs them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from cardreader.connection import CardConnection
from cardreader.sessions import MyNumberCard
from counterapp.interaction import Cancelled
from counterapp.settings import Settings

if TYPE_CHECKING:
    from counterapp.emulation import VirtualCard

__all__ = ["CardSlot", "CardSource", "MyNumberCard", "SourceError", "open_card", "resolve_source"]


class SourceError(ValueError):
    """Both or neither of reader and emulator were asked for in a way that cannot work."""

    message_key = "usage.source"


@dataclass(frozen=True)
class CardSource:
    """A reader name, or an emulator scenario (exactly one is set)."""

    reader: str | None = None
    scenario: str | None = None
    latency_ms: int = 0  # the emulator's delay per APDU

    @property
    def is_emulator(self) -> bool:
        return self.reader is None

    def describe(self) -> str:
        return f"reader {self.reader}" if self.reader else f"emulator ({self.scenario})"


def resolve_source(settings: Settings, reader: str | None, simulate: str | None) -> CardSource:
    """Command-line choice first, then the settings; the emulator when nothing is configured."""
    if reader and simulate:
        raise SourceError("use either --reader or --simulate, not both")
    latency = settings.emulator_latency_ms
    if simulate:
        return _emulator(simulate, latency)
    if reader or settings.reader:
        return CardSource(reader=reader or settings.reader)
    return _emulator(settings.scenario, latency)


def _emulator(scenario: str, latency_ms: int) -> CardSource:
    from counterapp.emulation import scenarios

    if scenario not in scenarios():
        raise SourceError(f"unknown scenario {scenario!r} (see 'counterapp simulate list')")
    return CardSource(scenario=scenario, latency_ms=latency_ms)


def open_card(source: CardSource) -> MyNumberCard:
    """Connect to the card once (a fresh emulated card for the emulator)."""
    return CardSlot(source).open()


class CardSlot:
    """The card a front end reads again and again, optionally cancellable between APDUs.

    For the emulator, the same virtual card stays on its virtual reader, so its PIN
    counters persist between reads as a real card's do; a scenario that pulls the card
    mid-read does so on the first read only (the resident then puts it back and holds it).
    """

    def __init__(self, source: CardSource, cancel: threading.Event | None = None) -> None:
        self.source = source
        self.cancel = cancel
        self._emulated: VirtualCard | None = None
        self._scenario = source.scenario
        self._put_aside: dict[str, VirtualCard] = {}  # emulated cards taken off, by scenario

    def place(self, scenario: str | None) -> None:
        """Put another emulated card on the reader (a household's next member taps theirs).

        ``None`` puts back the source's own card. Each card keeps its PIN counters while it
        lies aside. On a real reader the person simply places their card: nothing to do.
        """
        if self.source.reader is not None:
            return
        wanted = scenario or self.source.scenario
        if scenario is not None:
            _emulator(scenario, 0)  # an unknown scenario is refused here (SourceError)
        if wanted == self._scenario:
            return
        if self._emulated is not None and self._scenario is not None:
            self._put_aside[self._scenario] = self._emulated
        self._scenario = wanted
        self._emulated = self._put_aside.pop(wanted, None) if wanted else None

    def open(self) -> MyNumberCard:
        connection = self._connect()
        if self.cancel is not None:
            connection = _CancellableConnection(connection, self.cancel)
        return MyNumberCard(connection)

    def _connect(self) -> CardConnection:
        if self.source.reader is not None:
            from cardreader.pcsc import PcscConnection

            return PcscConnection.open(self.source.reader)
        from counterapp.emulation import connect, emulated_card

        first = self._emulated is None
        if self._emulated is None:
            assert self._scenario is not None
            self._emulated = emulated_card(self._scenario)
        return connect(self._emulated, self.source.latency_ms, may_pull=first)


class _CancellableConnection:
    """Checks the cancel flag before every APDU, so Cancel never waits for a whole read."""

    def __init__(self, inner: CardConnection, cancel: threading.Event) -> None:
        self.inner = inner
        self.cancel = cancel

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        if self.cancel.is_set():
            raise Cancelled("cancelled by the operator")
        return self.inner.transmit(apdu)

    def close(self) -> None:
        self.inner.close()


class Watch(Protocol):
    def stop(self) -> None: ...


def watch_presence(
    source: CardSource,
    changed: Callable[[bool], None],
    reader_changed: Callable[[bool], None] | None = None,
) -> Watch | None:
    """Call ``changed(present)`` when a card is placed on or taken off the source's reader.

    ``reader_changed(connected)`` follows the reader itself: unplugged, or the smart-card
    service stopped (the watcher reconnects by itself). The reader need not be there when
    watching starts. The emulator has no reader to watch (None): its front end places the
    card itself.
    """
    if source.reader is None:
        return None
    from cardreader.pcsc import CardEventHandlers, CardEvents

    wanted = source.reader.lower()  # the full name, or a unique part of it (as --reader)

    def ours(name: str) -> bool:
        return wanted in name.lower()

    def reader(connected: bool) -> Callable[[str], None]:
        return lambda name: reader_changed(connected) if reader_changed and ours(name) else None

    handlers = CardEventHandlers(
        card_inserted=lambda name, _atr: changed(True) if ours(name) else None,
        card_removed=lambda name: changed(False) if ours(name) else None,
        reader_added=reader(True),
        reader_removed=reader(False),
    )
    events = CardEvents(handlers)
    events.start()
    return events
