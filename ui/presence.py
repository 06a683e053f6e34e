"""Is a card on the reader? PC/SC events for a real reader; a switch for the emulator."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from counterapp.cardsource import CardSource


class CardPresence(QObject):
    """Emits ``changed(present)`` when a card is placed on or taken off the reader."""

    changed = Signal(bool)

    def __init__(self, source: CardSource) -> None:
        super().__init__()
        self.source = source
        self.present = False
        self._events: object | None = None

    def start(self) -> None:
        """Watch the reader (PC/SC); the emulator's card is placed with ``simulate()``."""
        if self.source.reader is None:
            return
        from cardreader.pcsc import CardEventHandlers, CardEvents, find_reader

        reader = find_reader(self.source.reader)
        handlers = CardEventHandlers(
            card_inserted=lambda name, _atr: self._set(True) if name == reader else None,
            card_removed=lambda name: self._set(False) if name == reader else None,
        )
        events = CardEvents(handlers)
        events.start()
        self._events = events

    def stop(self) -> None:
        events = self._events
        if events is not None:
            events.stop()  # type: ignore[attr-defined]
            self._events = None

    def simulate(self, present: bool) -> None:
        """Place or take away the emulated card (the emulator has no reader to watch)."""
        self._set(present)

    def _set(self, present: bool) -> None:
        if present != self.present:
            self.present = present
            self.changed.emit(present)
