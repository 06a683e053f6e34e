"""Idle timeout: any touch, click or key press restarts it; the last seconds count down."""

from __future__ import annotations

import math
import time

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication

COUNTDOWN_SECONDS = 10
TICK_MS = 200
INPUT_EVENTS = frozenset(
    {
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseMove,
        QEvent.Type.KeyPress,
        QEvent.Type.TouchBegin,
        QEvent.Type.TouchUpdate,
        QEvent.Type.Wheel,
    }
)


class IdleWatcher(QObject):
    """Emits ``countdown(seconds_left)`` in the last seconds and ``expired()`` at zero.

    ``countdown(0)`` is never emitted; ``countdown(-1)`` means "input arrived, hide it".
    """

    countdown = Signal(int)
    expired = Signal()

    def __init__(self, idle_seconds: float, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.idle_seconds = idle_seconds
        self._last_input = time.monotonic()
        self._shown = -1
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def start(self) -> None:
        self.reset()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()
        self._show(-1)

    def reset(self) -> None:
        """Input arrived: the full timeout starts again."""
        self._last_input = time.monotonic()
        self._show(-1)

    def seconds_left(self) -> float:
        return self.idle_seconds - (time.monotonic() - self._last_input)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in INPUT_EVENTS:
            self.reset()
        return False

    def _tick(self) -> None:
        left = self.seconds_left()
        if left <= 0:
            self.reset()
            self.expired.emit()
        elif left <= COUNTDOWN_SECONDS:
            self._show(math.ceil(left))

    def _show(self, seconds: int) -> None:
        if seconds != self._shown:
            self._shown = seconds
            self.countdown.emit(seconds)
