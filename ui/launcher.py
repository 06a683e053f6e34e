"""The application's one top-level window: up at once, the clerk or kiosk UI built into it.

Python and the core take a moment to load (cryptography, SQLite, the form library, the
emulator's test keys). The launcher shows the window first, with a plain "starting" line,
and the real UI is set into it when it is ready, so the clerk sees the terminal respond
as soon as it is started. For the clerk, the window's procedure list goes in first and
answers while the rest loads (ui/app.py).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent, QPaintEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

STARTING = "起動しています… / Starting…"
FAILED = (
    "起動できませんでした。管理者に連絡してください。\nThe terminal could not start.\n\n{error}"
)
TITLE = "マイナンバーカード窓口端末"


class Launcher(QMainWindow):
    first_painted = Signal()  # the window is on screen: now load the core

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(TITLE)
        # No alignment or other Qt.* enum here: touching the Qt namespace first costs ~25 ms.
        label = QLabel(STARTING)
        label.setAccessibleName(STARTING)
        self.setCentralWidget(label)
        self.resize(1024, 720)
        self.content: QWidget | None = None
        self._painted = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.first_painted.emit)  # after this paint reaches the screen

    def show_first(self, kiosk: bool) -> None:
        """Show now: full screen and frameless for the kiosk, a normal window otherwise."""
        if kiosk:
            from PySide6.QtCore import Qt

            self.setWindowFlag(Qt.WindowType.FramelessWindowHint)
            self.showFullScreen()
        else:
            self.show()

    def show_failure(self, error: str) -> None:
        """Loading failed: say so in the window (the details are in the log)."""
        from PySide6.QtCore import Qt

        label = QLabel(FAILED.format(error=error))
        label.setAccessibleName(label.text())
        label.setWordWrap(True)
        label.setContentsMargins(32, 32, 32, 32)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)  # to copy
        self.setCentralWidget(label)

    def attach(self, content: QWidget) -> None:
        """Put the loaded UI (a ClerkWindow or KioskWindow) into this window."""
        self.content = content
        self.setCentralWidget(content)
        self.setWindowTitle(content.windowTitle())
        content.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        """The content decides: the kiosk refuses without the admin PIN; the clerk wipes."""
        if self.content is not None and not self.content.close():
            event.ignore()
            return
        super().closeEvent(event)
