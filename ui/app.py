"""Start the GUI: the clerk window or the kiosk, on the emulator or a reader.

``--self-test`` opens the window (offscreen when there is no display), reads the card's
public data once through the real reader thread, and exits 0 (1 if the read failed).
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication, QMainWindow

from counterapp.reading import read_card_info
from counterapp.settings import Settings
from ui.context import UiContext, build_context
from ui.style import apply_style

SELF_TEST_TIMEOUT_MS = 30_000
SELF_TEST_JOB = "self-test"


def ensure_platform() -> None:
    """Offscreen rendering when Linux has no display (CI, a headless test machine)."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def application() -> QApplication:
    """The one QApplication of the process, styled."""
    ensure_platform()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    apply_style(app)
    return app


def run(
    settings: Settings,
    *,
    reader: str | None,
    simulate: str | None,
    kiosk: bool,
    language: str,
    self_test: bool,
) -> int:
    """Run the application until its window closes; the process exit code."""
    app = application()
    context = build_context(settings, reader, simulate)
    window = main_window(context, kiosk, language)
    if kiosk and not self_test:
        window.show_kiosk()  # type: ignore[attr-defined]
    else:
        window.show()
    if self_test:
        return _self_test(app, context, window)
    try:
        return app.exec()
    finally:
        context.close()


def main_window(context: UiContext, kiosk: bool, language: str) -> QMainWindow:
    if kiosk:
        from ui.kiosk.window import KioskWindow

        return KioskWindow(context, language=language, admin_pin=None)
    from ui.clerk.window import ClerkWindow

    return ClerkWindow(context, language=language)


class _SelfTestProbe(QObject):
    """Receives the worker's signals on the GUI thread (a QObject, so they are queued)."""

    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self.app = app
        self.code = 1

    @Slot(str, object)
    def succeeded(self, name: str, _result: object) -> None:
        if name == SELF_TEST_JOB:
            self.code = 0
            self.app.exit()  # exit, not quit: the kiosk refuses to be closed

    @Slot(str, object)
    def failed(self, name: str, error: BaseException) -> None:
        if name == SELF_TEST_JOB:
            key = getattr(error, "message_key", type(error).__name__)
            print(f"self-test failed: {key}", file=sys.stderr)
            self.app.exit()  # exit, not quit: the kiosk refuses to be closed


def _self_test(app: QApplication, context: UiContext, window: QMainWindow) -> int:
    """One card read through the worker, then quit with its outcome."""
    probe = _SelfTestProbe(app)
    context.worker.succeeded.connect(probe.succeeded)
    context.worker.failed.connect(probe.failed)
    # Submitted once the event loop runs, so a fast read cannot quit before exec() starts.
    QTimer.singleShot(
        0, lambda: context.worker.submit(SELF_TEST_JOB, lambda card, _: read_card_info(card))
    )
    QTimer.singleShot(SELF_TEST_TIMEOUT_MS, app.exit)
    app.exec()
    window.close()
    context.close()
    if probe.code == 0:
        print(f"self-test OK: {type(window).__name__} opened, card read on the reader thread")
    return probe.code
