"""One card read for the kiosk, on the reader thread, with answers that can go stale.

Each read gets its own job name, so the outcome of a read that was cancelled (by a wipe)
is recognised and dropped.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from cardreader.types import PinStatus
from counterapp.cardsource import MyNumberCard
from counterapp.interaction import Interaction
from counterapp.visit import CounterService, Visit
from ui.worker import CardWorker


class CardRead(QObject):
    """Start, answer and stop card reads; results arrive as ``finished`` or ``failed``."""

    pin_needed = Signal(object)  # PinStatus
    last_try_needed = Signal(object)  # PinStatus on its last try
    finished = Signal(object)  # VerifiedCard
    failed = Signal(object)  # the exception

    def __init__(self, worker: CardWorker, service: CounterService, parent: QObject) -> None:
        super().__init__(parent)
        self.worker = worker
        self.service = service
        self._generation = 0
        self._job: str | None = None
        self._busy = False
        worker.busy.connect(self._set_busy)
        worker.pin_requested.connect(self._on_pin_requested)
        worker.last_try_requested.connect(self._on_last_try_requested)
        worker.succeeded.connect(self._on_succeeded)
        worker.failed.connect(self._on_failed)

    @property
    def active(self) -> bool:
        """A read of this kiosk is running and its outcome is still wanted."""
        return self._job is not None

    @property
    def busy(self) -> bool:
        """The reader thread is running a job (possibly one that was cancelled)."""
        return self._busy

    def start(self, visit: Visit) -> None:
        """Read and verify the card; PIN questions arrive as ``pin_needed``/``last_try_needed``.

        A read after a PIN that was not accepted goes on from where the visit stopped.
        """
        self._generation += 1
        self._job = f"kiosk-read-{self._generation}"
        service = self.service

        def job(card: MyNumberCard, interaction: Interaction) -> object:
            return service.read(card, interaction, visit)

        self.worker.submit(self._job, job)

    def stop(self) -> None:
        """Forget the running read and cancel it on the reader thread."""
        was_running = self._job is not None or self._busy
        self._job = None
        if was_running:
            self.worker.cancel()

    def answer_pin(self, pin: bytearray | None) -> None:
        if self.active:
            self.worker.answer_pin(pin)
        elif pin is not None:
            pin[:] = b"\x00" * len(pin)

    def answer_last_try(self, allowed: bool) -> None:
        if self.active:
            self.worker.answer_last_try(allowed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy

    def _on_pin_requested(self, status: PinStatus) -> None:
        if not self.active:
            self.worker.answer_pin(None)
            return
        self.pin_needed.emit(status)

    def _on_last_try_requested(self, status: PinStatus) -> None:
        if not self.active:
            self.worker.answer_last_try(False)
            return
        self.last_try_needed.emit(status)

    def _on_succeeded(self, name: str, result: object) -> None:
        if name == self._job:
            self._job = None
            self.service.audit_card_read("ok")
            self.finished.emit(result)

    def _on_failed(self, name: str, error: object) -> None:
        if name == self._job:
            self._job = None
            self.service.audit_card_read(str(getattr(error, "message_key", "card.error")))
            self.failed.emit(error)
