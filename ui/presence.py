"""Is a card on the reader? PC/SC events for a real reader; a switch for the emulator."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from counterapp.cardsource import CardSource, Watch, watch_presence


class CardPresence(QObject):
    """Emits ``changed(present)`` when a card is placed on or taken off the reader.

    ``reader_changed(connected)`` follows the reader itself: unplugged, or the smart-card
    service stopped or restarting (the watcher reconnects by itself).
    """

    changed = Signal(bool)
    reader_changed = Signal(bool)

    def __init__(self, source: CardSource) -> None:
        super().__init__()
        self.source = source
        self.present = False
        # The emulator's reader is always there; a real one is until the watcher says so.
        self.reader_connected = source.reader is None
        self._watch: Watch | None = None

    def start(self) -> None:
        """Watch the reader (PC/SC); the emulator's card is placed with ``simulate()``."""
        self._watch = watch_presence(self.source, self._set, self._set_reader)

    def stop(self) -> None:
        if self._watch is not None:
            self._watch.stop()
            self._watch = None

    def simulate(self, present: bool) -> None:
        """Place or take away the emulated card (the emulator has no reader to watch)."""
        self._set(present)

    def _set_reader(self, connected: bool) -> None:
        if connected != self.reader_connected:
            self.reader_connected = connected
            self.reader_changed.emit(connected)

    def _set(self, present: bool) -> None:
        if present != self.present:
            self.present = present
            self.changed.emit(present)
