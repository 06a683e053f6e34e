"""Start-up of the clerk window until it is usable, against a bare PySide6 window.

Run: ``python bench/gui_startup.py [ROUNDS]`` (default 10). Every sample is a fresh
``sys.executable -c ...`` process, offscreen (``QT_QPA_PLATFORM=offscreen``), timed in wall
clock from the parent's ``time.time()`` just before ``Popen`` (passed in ``BENCH_STARTED``)
to the child's ``time.time()`` at the moments below, so interpreter start and imports count
on both sides. The floor is ``QApplication`` + an empty ``QMainWindow`` on its first paint;
the product is the real ``counterapp-gui --simulate valid`` (the desktop program's entry
point) on a throwaway data folder whose settings file chooses the file key store. Reported for it:

- first window: the launcher's first paint (shown before the core loads);
- clerk window usable: what the clerk uses first, the window's procedure list (HomePage),
  is painted and the event loop is back to idle (the next queued event runs), so a key or
  click on it is handled. The list is built from titles read without the form model and
  shown in the launcher while the core and the rest of the window load behind it, one group
  of modules per turn of the event loop (ui/app.py); the clerk window then takes the same
  list in. A procedure chosen meanwhile starts once the window is in place;
- longest wait for input: the longest turn of the event loop from that paint until the
  clerk window is complete, i.e. the most a key or click on the list waits;
- clerk window complete: the ClerkWindow itself painted with the core loaded, the reader
  thread started and the event loop idle.

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
from pathlib import Path

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
# the first paint of the procedure list (usable) and of the clerk window (complete), and a
# timer firing on every turn of the event loop in between keeps the longest turn.
CLERK = """
import os, time
from PySide6.QtCore import QEvent, QObject, QTimer
from ui.launcher import Launcher

marks = {}
turns = [0.0, 0.0]  # the last tick, the longest gap between ticks

def tick():
    now = time.perf_counter()
    turns[1] = max(turns[1], now - turns[0])
    turns[0] = now

class ReadyPaint(QObject):
    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            name = type(watched).__name__
            if name in ("HomePage", "ClerkWindow") and name not in marks:
                marks[name] = None
                QTimer.singleShot(0, lambda: idle(name))
        return False

def idle(name):
    marks[name] = time.time()
    if name == "HomePage":
        turns[0] = time.perf_counter()
        ticker.start(0)
    else:
        ticker.stop()
        report()

first = []
ready_paint = ReadyPaint()
ticker = QTimer()
ticker.timeout.connect(tick)
paint = Launcher.paintEvent

def first_paint(self, event):  # the launcher's first paint: the first window is up
    paint(self, event)
    if not first:
        first.append(time.time())
        from PySide6.QtWidgets import QApplication
        QApplication.instance().installEventFilter(ready_paint)

def report():
    started = float(os.environ["BENCH_STARTED"])
    usable = marks.get("HomePage") or marks["ClerkWindow"]  # no list without the cache
    print(first[0] - started, usable - started, turns[1], marks["ClerkWindow"] - started,
          flush=True)
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
        # Configured as a terminal is, by its settings file (no COUNTERAPP_* overrides).
        Path(folder, "settings.toml").write_text('key_store = "file"\n', encoding="utf-8")
        env = {
            **{
                k: v
                for k, v in os.environ.items()
                if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith("COUNTERAPP_")
            },
            "QT_QPA_PLATFORM": "offscreen",
            "COUNTERAPP_DATA_DIR": folder,
        }
        first_window(BARE, env)  # warm-up: page cache, __pycache__, the data folder's setup
        first_window(CLERK, env)
        bare: list[float] = []
        first: list[float] = []
        ready: list[float] = []
        waits: list[float] = []
        complete: list[float] = []
        for _ in range(rounds):
            bare.append(first_window(BARE, env)[0] * 1000)
            shown, usable, wait, whole = first_window(CLERK, env)
            first.append(shown * 1000)
            ready.append(usable * 1000)
            waits.append(wait * 1000)
            complete.append(whole * 1000)
    print(
        "start-up of `counterapp-gui --simulate valid`, fresh process, offscreen, "
        f"{rounds} rounds, ms:"
    )
    rows = (
        ("first window (launcher)", first),
        ("clerk window usable", ready),
        ("longest wait for input", waits),
        ("clerk window complete", complete),
        ("bare PySide6 QMainWindow", bare),
    )
    for name, samples in rows:
        p50, p90 = statistics.median(samples), percentile(samples, 0.9)
        print(f"  {name:<25} median {p50:7.1f}  p90 {p90:7.1f}  min {min(samples):7.1f}")
    floor = statistics.median(bare)
    print(
        f"ratio first window {statistics.median(first) / floor:.2f}x (target <= 1.3x), "
        f"clerk window usable {statistics.median(ready) / floor:.2f}x (target <= 3x), "
        f"complete {statistics.median(complete) / floor:.2f}x"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
