"""Start-up of the clerk window until it is usable, against a bare PySide6 window.

Run: ``python bench/gui_startup.py [ROUNDS]`` (default 10). Every sample is a fresh
``sys.executable -c ...`` process, offscreen (``QT_QPA_PLATFORM=offscreen``), timed in wall
clock from the parent's ``time.time()`` just before ``Popen`` (passed in ``BENCH_STARTED``)
to the child's ``time.time()`` once the main window has been shown and painted for the
first time, so interpreter start and imports count on both sides. The floor is
``QApplication`` + an empty ``QMainWindow``; the product is the real ``counterapp-gui
--simulate valid`` (the desktop program's entry point) on a throwaway data folder with the
file key store. Two times are reported for it: the first window (the launcher, shown
before the core loads) and the clerk window usable inside it: painted for the first time
with the core loaded, the reader thread started and the event loop back to idle (the next
queued event runs), so a click would be handled.
One unmeasured warm-up of each (which also fills the emulator's and the form library's
caches, and ``__pycache__``: the children run without ``PYTHONDONTWRITEBYTECODE``, as an
installed program has its bytecode compiled), then rounds alternate so both sides see the
same machine.
Targets (medians): first window <= 1.3x the floor, clerk window usable <= 3x.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

# The floor: QApplication + an empty QMainWindow; on its first paint, print the wall time.
BARE = """
import os, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class FirstPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, lambda: report(time.time()))
        return False

def report(painted):
    print(painted - float(os.environ["BENCH_STARTED"]), flush=True)
    os._exit(0)

app = QApplication([])
window = QMainWindow()
first_paint = FirstPaint()
window.installEventFilter(first_paint)
window.show()
app.exec()
"""

# The product: the real ``counterapp-gui --simulate valid`` (argument parsing included). The
# launcher's first paint is the first window; from then an application-wide filter waits for
# the first paint of the clerk window inside it (ready to use); both are printed.
CLERK = """
import os, time
from PySide6.QtCore import QEvent, QObject, QTimer
from ui.launcher import Launcher

class ReadyPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint and type(watched).__name__ == "ClerkWindow":
            QTimer.singleShot(0, lambda: report(time.time()))
        return False

first = []
ready_paint = ReadyPaint()
paint = Launcher.paintEvent

def first_paint(self, event):  # the launcher's first paint: the first window is up
    paint(self, event)
    if not first:
        first.append(time.time())
        from PySide6.QtWidgets import QApplication
        QApplication.instance().installEventFilter(ready_paint)

def report(ready):
    started = float(os.environ["BENCH_STARTED"])
    print(first[0] - started, ready - started, flush=True)
    os._exit(0)

Launcher.paintEvent = first_paint
from ui.main import main
main(["--simulate", "valid"])
"""


def first_window(code: str, env: dict[str, str]) -> list[float]:
    """Seconds from just before ``Popen`` to what the child reports (first paint, ready)."""
    env = {**env, "BENCH_STARTED": repr(time.time())}
    child = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120
    )
    if child.returncode != 0 or not child.stdout.strip():
        raise RuntimeError(f"child failed ({child.returncode}): {child.stderr[-2000:]}")
    return [float(value) for value in child.stdout.split()]


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        env = {
            **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
            "QT_QPA_PLATFORM": "offscreen",
            "COUNTERAPP_DATA_DIR": folder,
            "COUNTERAPP_KEY_STORE": "file",
        }
        first_window(BARE, env)  # warm-up: page cache, __pycache__, the data folder's setup
        first_window(CLERK, env)
        bare: list[float] = []
        first: list[float] = []
        ready: list[float] = []
        for _ in range(rounds):
            bare.append(first_window(BARE, env)[0] * 1000)
            shown, usable = first_window(CLERK, env)
            first.append(shown * 1000)
            ready.append(usable * 1000)
    print(
        "start-up of `counterapp-gui --simulate valid`, fresh process, offscreen, "
        f"{rounds} rounds, ms:"
    )
    rows = (
        ("first window (launcher)", first),
        ("clerk window usable", ready),
        ("bare PySide6 QMainWindow", bare),
    )
    for name, samples in rows:
        p50, p90 = statistics.median(samples), percentile(samples, 0.9)
        print(f"  {name:<25} median {p50:7.1f}  p90 {p90:7.1f}  min {min(samples):7.1f}")
    floor = statistics.median(bare)
    print(
        f"ratio first window {statistics.median(first) / floor:.2f}x (target <= 1.3x), "
        f"clerk window usable {statistics.median(ready) / floor:.2f}x (target <= 3x)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
