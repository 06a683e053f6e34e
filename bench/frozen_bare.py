"""The floor of bench/frozen_startup.py: a bare PySide6 window, frozen the same way.

On its first paint it reports its age like ``counterapp-gui --self-test`` does (imports made
after the paint do not count), then leaves.
"""

import os
import sys
import time

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow


def report() -> None:
    painted = time.time()
    from ui.app import process_started_at  # after the paint: not part of the start

    print(f"start-up: first window {1000 * (painted - process_started_at()):.0f} ms", flush=True)
    os._exit(0)


class FirstPaint(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, report)
        return False


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    first_paint = FirstPaint()
    window.installEventFilter(first_paint)
    window.show()
    app.exec()
