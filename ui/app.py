"""Start the GUI: the clerk window or the kiosk, on the emulator or a reader.

The launcher window is shown before the core is loaded; the UI is built into it from the
event loop. For the clerk, the window's own first page (the procedure list, titles from the
form library's cache) is put in first; then the core and the window are imported one group
of modules per turn of the event loop (each a few tens of milliseconds), so the list answers
the clerk while they load, and a procedure chosen meanwhile is started once the window is
in place. ``--self-test`` then reads the card's public data once through the real reader
thread and exits 0 (1 if the read failed, 4 if the configuration is unusable).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication, QWidget

from counterapp.startup import long_lived_imports
from ui.launcher import Launcher
from ui.style import apply_style

if TYPE_CHECKING:
    from counterapp.settings import Settings
    from ui.clerk.pages import HomePage

log = logging.getLogger(__name__)

SELF_TEST_TIMEOUT_MS = 30_000
SELF_TEST_JOB = "self-test"
EXIT_CONFIGURATION = 4
# What the windows need, in the order they import each other: one group per turn of the
# event loop, so a key or a click on the procedure list never waits for more than one group.
CORE_STEPS = (
    "cryptography.x509",
    "counterapp.cardsource",
    "sqlite_utils",
    "pydantic",
    "counterapp.forms.definition",
    "counterapp.forms.loader",
    "counterapp.keyguard",
    "counterapp.visit",
    "ui.context",
)
EMULATOR_STEP = "counterapp.emulation"  # only with --simulate
CLERK_STEPS = ("ui.clerk.header", "ui.clerk.editor", "ui.clerk.window")


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
        self.settings: Any = None
        self.home: HomePage | None = None  # the clerk's procedure list, up before the core
        self.choice: tuple[str, bool] | None = None  # (procedure, without card) chosen early
        self.steps = CORE_STEPS[:2] + ((EMULATOR_STEP,) if options["simulate"] else ())
        self.steps += CORE_STEPS[2:] + (() if options["kiosk"] else CLERK_STEPS)
        self.imports = contextlib.ExitStack()  # the GC paused while the modules load
        self.code = 0
        self.first_window_at = self.ready_at = 0.0

    @Slot()
    def load(self) -> None:
        self.first_window_at = time.time()
        self.imports.enter_context(long_lived_imports())  # the core and the window, once
        self._step(self._begin)

    def _step(self, step: Callable[[], None]) -> None:
        """Run one loading step; a broken install must say so, not hang on "starting"."""
        try:
            step()
        except Exception as exc:
            log.exception("the terminal could not start")
            self._fail(1, type(exc).__name__)

    def _later(self, step: Callable[[], None]) -> None:
        """The next step after the events waiting now (a paint, the clerk's keys and clicks)."""
        QTimer.singleShot(0, lambda: self._step(step))

    def _begin(self) -> None:
        from counterapp.settings import SettingsError

        apply_style(self.app)  # fonts and style sheet: after the first window is on screen
        try:
            self.settings = self.options["settings"]()
        except SettingsError as exc:
            self._unusable(exc)
            return
        if not self.options["kiosk"]:
            self._show_home()
        self._later(lambda: self._import(0))  # after the list's first paint

    def _show_home(self) -> None:
        """The clerk window's procedure list, in the launcher until the window takes it."""
        from counterapp.forms.index import offered_procedures
        from ui.clerk.pages import HomePage
        from ui.style import CLERK_POINT_SIZE, clerk_stylesheet, ui_font

        procedures = offered_procedures()
        if not procedures:  # no cache entry yet (first start after an update): wait for all
            return
        self.home = HomePage(procedures)
        self.home.retranslate(self.options["language"] or self.settings.clerk_language)
        self.home.chosen.connect(lambda target: self._choose(target, False))
        self.home.chosen_without_card.connect(lambda target: self._choose(target, True))
        self.launcher.setFont(ui_font(CLERK_POINT_SIZE))
        self.launcher.setStyleSheet(clerk_stylesheet())
        self.launcher.setCentralWidget(self.home)
        self.home.focus()

    def _choose(self, target: str, without_card: bool) -> None:
        """A procedure chosen before the window is in place: the window starts it (the first)."""
        if self.choice is None and not self.ready_at:  # after that, the window answers
            from PySide6.QtCore import Qt  # not before the first window: its enums cost

            self.choice = (target, without_card)
            self.app.setOverrideCursor(Qt.CursorShape.BusyCursor)

    def _import(self, index: int) -> None:
        importlib.import_module(self.steps[index])
        if index + 1 < len(self.steps):
            self._later(lambda: self._import(index + 1))
        else:
            self._later(self._open)

    def _open(self) -> None:
        from counterapp.settings import SettingsError
        from counterapp.vault import VaultError
        from ui.context import build_context

        options = self.options
        try:
            self.context = build_context(self.settings, options["reader"], options["simulate"])
        except (ValueError, VaultError, SettingsError) as exc:  # scenario, settings, keys, PIN
            self._unusable(exc)
            return
        self._later(self._attach)

    def _attach(self) -> None:
        options = self.options
        if self.home is not None:
            self.launcher.takeCentralWidget()  # the window adopts it (not deleted with it)
        window = main_window(self.context, options["kiosk"], options["language"], self.home)
        self.launcher.attach(window)
        self.imports.close()
        self.ready_at = time.time()
        if self.choice is not None:
            self.app.restoreOverrideCursor()
            chosen, self.choice = self.choice, None
            self._start_chosen(window, *chosen)
        if options["self_test"]:
            self.self_test()

    @staticmethod
    def _start_chosen(window: Any, target: str, without_card: bool) -> None:
        (window.start_without_card if without_card else window.start)(target)

    def _unusable(self, exc: Exception) -> None:
        """The settings, the scenario or the key store cannot be used: what is wrong, on the
        screen (the IT staff's fix names the key) and on stderr; exit code 4."""
        print(f"counterapp gui: {exc}", file=sys.stderr)
        self._fail(EXIT_CONFIGURATION, str(exc))

    def _fail(self, code: int, why: str) -> None:
        """Loading stopped: the window says why and stays until closed; the self-test exits."""
        self.imports.close()
        if self.choice is not None:
            self.app.restoreOverrideCursor()
        self.code = code
        self.launcher.show_failure(why)
        if self.options["self_test"]:
            self.app.exit(code)

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
    return startup.code or code


def main_window(
    context: Any, kiosk: bool, language: str | None, home: HomePage | None = None
) -> QWidget:
    """The clerk window (with ``home``, its procedure list, if already shown), or the kiosk
    (whose full-screen shell is the launcher); without a ``language``, the settings' one."""
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

    return ClerkWindow(context, language=language, home=home)
