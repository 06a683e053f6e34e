"""Start the GUI: the clerk window or the kiosk, on the emulator or a reader.

The launcher window is shown before the core is loaded; the UI is built into it from the
event loop. ``--self-test`` then reads the card's public data once through the real reader
thread and exits 0 (1 if the read failed, 4 if the configuration is unusable).
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication, QWidget

from ui.launcher import Launcher
from ui.style import apply_style

if TYPE_CHECKING:
    from counterapp.settings import Settings

log = logging.getLogger(__name__)

SELF_TEST_TIMEOUT_MS = 30_000
SELF_TEST_JOB = "self-test"
EXIT_CONFIGURATION = 4


def ensure_platform() -> None:
    """Offscreen rendering when Linux has no display (CI, a headless test machine)."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def application() -> QApplication:
    """The one QApplication of the process (styled once the core loads)."""
    ensure_platform()
    existing = QApplication.instance()
    return existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])


class Startup(QObject):
    """Loads the core into the launcher once the event loop runs; then, maybe, the self-test."""

    def __init__(self, app: QApplication, launcher: Launcher, options: dict[str, Any]) -> None:
        super().__init__()
        self.app, self.launcher, self.options = app, launcher, options
        self.context: Any = None
        self.code = 0
        self.first_window_at = self.ready_at = 0.0

    @Slot()
    def load(self) -> None:
        self.first_window_at = time.time()
        try:
            self._load()
        except Exception as exc:  # a broken install must say so, not hang on "starting"
            log.exception("the terminal could not start")
            self.launcher.show_failure(type(exc).__name__)
            self.code = 1
            if self.options["self_test"]:
                self.app.exit(self.code)

    def _load(self) -> None:
        from counterapp.settings import SettingsError
        from counterapp.vault import VaultError
        from ui.context import build_context

        apply_style(self.app)  # fonts and style sheet: after the first window is on screen
        options = self.options
        try:
            settings = options["settings"]()
            self.context = build_context(settings, options["reader"], options["simulate"])
        except (ValueError, VaultError, SettingsError) as exc:  # scenario, settings, keys, PIN
            print(f"counterapp gui: {exc}", file=sys.stderr)
            self.code = EXIT_CONFIGURATION
            self.app.exit(self.code)
            return
        self.launcher.attach(main_window(self.context, options["kiosk"], options["language"]))
        self.ready_at = time.time()
        if options["self_test"]:
            self.self_test()

    def self_test(self) -> None:
        """One card read through the worker; the application exits with its outcome."""
        from counterapp.reading import read_card_info

        self.code = 1
        self.context.worker.succeeded.connect(self.succeeded)
        self.context.worker.failed.connect(self.failed)
        self.context.worker.submit(SELF_TEST_JOB, lambda card, _: read_card_info(card))
        QTimer.singleShot(SELF_TEST_TIMEOUT_MS, lambda: self.app.exit(self.code))

    # exit(), not quit(): quit() asks every window to close, and the kiosk refuses.
    @Slot(str, object)
    def succeeded(self, name: str, _result: object) -> None:
        if name == SELF_TEST_JOB:
            self.code = 0
            kind = type(self.launcher.content).__name__
            platform = self.app.platformName()
            print(f"self-test OK: {kind} opened on {platform}, card read on the reader thread")
            print(startup_report(self.first_window_at, self.ready_at))
            self.app.exit(0)

    @Slot(str, object)
    def failed(self, name: str, error: BaseException) -> None:
        if name == SELF_TEST_JOB:
            key = getattr(error, "message_key", type(error).__name__)
            print(f"self-test failed: {key}", file=sys.stderr)
            self.app.exit(1)


def process_started_at() -> float:
    """When the OS created this process (epoch seconds).

    psutil's create_time() is exact on Windows, but on Linux it adds the boot time, which
    /proc gives only in whole seconds; there the process age comes from /proc directly.
    """
    import psutil

    stat = Path("/proc/self/stat")
    if not stat.exists():
        return float(psutil.Process().create_time())
    ticks = int(stat.read_text().rsplit(")", 1)[1].split()[19])  # field 22: starttime
    uptime = float(Path("/proc/uptime").read_text().split()[0])
    return time.time() - (uptime - ticks / os.sysconf("SC_CLK_TCK"))


def startup_report(first_window_at: float, ready_at: float) -> str:
    """How long the start took, from the moment the OS created the process, and the memory."""
    import psutil

    started = process_started_at()
    process = psutil.Process()
    return (
        f"start-up: first window {1000 * (first_window_at - started):.0f} ms, "
        f"ready {1000 * (ready_at - started):.0f} ms after the process started; "
        f"resident memory {process.memory_info().rss / 2**20:.0f} MB"
    )


def run(
    settings: Callable[[], Settings],
    *,
    reader: str | None,
    simulate: str | None,
    kiosk: bool,
    language: str | None,
    self_test: bool,
) -> int:
    """Run the application until its window closes; the process exit code.

    ``settings`` is called once the window is up (reading them is part of loading).
    """
    app = application()
    launcher = Launcher()
    launcher.show_first(kiosk and not self_test)
    options = {
        "settings": settings,
        "reader": reader,
        "simulate": simulate,
        "kiosk": kiosk,
        "language": language,
        "self_test": self_test,
    }
    startup = Startup(app, launcher, options)
    launcher.first_painted.connect(startup.load)
    code = app.exec()
    if startup.context is not None:
        if self_test and startup.launcher.content is not None:
            startup.launcher.content.deleteLater()
        startup.context.close()
    return code if not self_test else startup.code


def main_window(context: Any, kiosk: bool, language: str | None) -> QWidget:
    """The clerk window, or the kiosk (whose full-screen shell is the launcher); without a
    ``language``, the one the settings choose for it."""
    settings = context.settings
    language = language or (settings.kiosk_language if kiosk else settings.clerk_language)
    if kiosk:
        from counterapp.adminpin import load_admin_pin
        from ui.kiosk.window import KioskWindow

        return KioskWindow(
            context,
            language=language,
            idle_seconds=settings.kiosk_idle_seconds,
            admin_pin=load_admin_pin(settings.data_dir),
        )
    from ui.clerk.window import ClerkWindow

    return ClerkWindow(context, language=language)
