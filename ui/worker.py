"""The reader thread: one worker owns the card; the GUI thread only sees signals.

A job is a function ``(card, interaction) -> result`` run on the worker's thread with a
freshly opened card. When the core asks for a PIN, the worker emits ``pin_requested`` and
waits for the GUI to answer with ``answer_pin`` (or ``cancel``). Cancel also stops a read
between two APDUs.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from cardreader.types import PinStatus
from counterapp.cardsource import CardSlot, CardSource, MyNumberCard
from counterapp.interaction import Cancelled, Interaction

Job = Callable[[MyNumberCard, Interaction], Any]
_CANCELLED = object()


class QtInteraction:
    """The core's Interaction, answered by the GUI: the worker thread blocks until it is."""

    def __init__(self, worker: CardWorker) -> None:
        self.worker = worker

    def ask_pin(self, status: PinStatus) -> bytearray:
        answer = self.worker.ask(self.worker.pin_requested, status)
        if not isinstance(answer, bytearray):
            raise Cancelled("no PIN entered")
        return answer

    def confirm_last_try(self, status: PinStatus) -> bool:
        return self.worker.ask(self.worker.last_try_requested, status) is True


class CardWorker(QObject):
    """Owns the reader on its own thread and runs one card job at a time."""

    busy = Signal(bool)
    pin_requested = Signal(object)  # PinStatus: which PIN, tries left
    last_try_requested = Signal(object)  # PinStatus on its last try: ask before using it
    succeeded = Signal(str, object)  # job name, result
    failed = Signal(str, object)  # job name, the exception (with a message_key)
    _run = Signal(str, object)

    def __init__(self, source: CardSource) -> None:
        super().__init__()
        self.source = source
        self._answers: queue.Queue[object] = queue.Queue()
        self._cancel = threading.Event()
        # An emulated card is made on the reader thread at the first job (its test keys take
        # a moment to load) and stays on its virtual reader, keeping its PIN counters.
        self._slot = CardSlot(source, self._cancel)
        self._thread = QThread()
        self._thread.setObjectName("card-reader")
        self.moveToThread(self._thread)
        self._run.connect(self._execute)
        self._thread.start()

    def submit(self, name: str, job: Job) -> None:
        """Run ``job`` on the reader thread; the outcome arrives as succeeded/failed(name, …)."""
        self._cancel.clear()
        self._run.emit(name, job)

    def place(self, scenario: str | None) -> None:
        """The emulator: another virtual card on the reader for the next job (None: the
        source's own). Call between jobs; a real reader simply reads what lies on it."""
        self._slot.place(scenario)

    def answer_pin(self, pin: bytearray | None) -> None:
        """The GUI's answer to pin_requested (None: the person cancelled)."""
        self._answers.put(pin if pin is not None else _CANCELLED)

    def answer_last_try(self, allowed: bool) -> None:
        self._answers.put(allowed)

    def cancel(self) -> None:
        """Stop the running job at the next APDU or question."""
        self._cancel.set()
        if self._answers.empty():
            self._answers.put(_CANCELLED)

    def ask(self, signal: Any, status: PinStatus) -> object:
        """Emit a question to the GUI and wait for its answer (worker thread only)."""
        while not self._answers.empty():  # a stale Cancel from a finished job
            self._answers.get_nowait()
        if self._cancel.is_set():
            return _CANCELLED
        signal.emit(status)
        return self._answers.get()

    def stop(self) -> None:
        """Cancel what runs and end the thread (at application exit)."""
        self.cancel()
        self._thread.quit()
        self._thread.wait(5000)

    @Slot(str, object)
    def _execute(self, name: str, job: Job) -> None:
        self.busy.emit(True)
        try:
            with self._slot.open() as card:
                result = job(card, QtInteraction(self))
        except Exception as exc:  # card/PIN errors carry a message key; others are unexpected
            self.failed.emit(name, exc)
        else:
            self.succeeded.emit(name, result)
        finally:
            self.busy.emit(False)
