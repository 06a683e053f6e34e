"""Render the main screens to PNG for the README and the operator's guide.

Run: ``python -m ui.screenshots [OUTPUT_DIR]`` (default ``docs/screenshots``). Drives the
real windows on the emulator (TEST ONLY data: the fictional resident of the emulator;
the My Number is masked on every screen). Needs a Japanese font (Debian:
``fonts-noto-cjk``); runs offscreen when there is no display.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from counterapp.emulation import DEFAULT_RESIDENT
from counterapp.settings import load_settings
from ui.app import application
from ui.clerk.window import ClerkWindow
from ui.context import UiContext, build_context
from ui.kiosk.window import KioskWindow
from ui.style import apply_style

SIZE = (1280, 800)
CLERK_SIZE = (1366, 728)  # a 1366×768 counter PC less its taskbar
WAIT_SECONDS = 20


def wait_until(app: QApplication, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not reach the expected state")
        app.processEvents()
        time.sleep(0.01)


def save(app: QApplication, widget: QWidget, path: Path) -> None:
    app.processEvents()
    widget.grab().save(str(path))
    print(path)


def clerk_screens(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    window = ClerkWindow(context, language=language)
    window.resize(*CLERK_SIZE)
    window.show()
    save(app, window, out / f"clerk-home-{language}.png")
    window.start("juminhyo-request")
    for _ in range(2):  # the resident types both PINs
        wait_until(app, lambda: window.pin_dialog is not None)
        dialog = window.pin_dialog
        assert dialog is not None
        if _ == 0:
            save(app, dialog, out / f"clerk-pin-{language}.png")
        dialog.edit.setText(DEFAULT_RESIDENT.auth_pin)
        dialog.accept()
        wait_until(app, lambda d=dialog: window.pin_dialog is not d)  # type: ignore[misc]
    wait_until(app, lambda: window.stack.currentWidget() is window.forms_page)
    save(app, window, out / f"clerk-forms-{language}.png")
    details = window.verdict_badge.open_details()
    assert details is not None
    save(app, details, out / f"clerk-verdict-details-{language}.png")
    details.reject()
    window.submit()
    save(app, window, out / f"clerk-done-{language}.png")
    window.next_resident()
    window.close()


def clerk_refusal(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """The result page of a revoked card: its own heading, the red badge, one reason."""
    window = ClerkWindow(context, language=language)
    window.resize(*CLERK_SIZE)
    window.show()
    window.start("juminhyo-request")
    while window.stack.currentWidget() is not window.message:
        wait_until(
            app,
            lambda: window.pin_dialog is not None or window.stack.currentWidget() is window.message,
        )
        dialog = window.pin_dialog
        if dialog is not None:
            dialog.edit.setText(DEFAULT_RESIDENT.auth_pin)
            dialog.accept()
            wait_until(app, lambda d=dialog: window.pin_dialog is not d)  # type: ignore[misc]
    save(app, window, out / f"clerk-revoked-{language}.png")
    window.next_resident()
    window.close()


def kiosk_screens(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    window = KioskWindow(context, language=language, admin_pin=None, voice=False)
    window.resize(*SIZE)
    window.show()
    pages = window.pages
    save(app, window, out / f"kiosk-start-{language}.png")
    pages.start.event_buttons["moving-in"].click()
    wait_until(app, lambda: pages.stack.currentWidget() is pages.wait_card)
    pages.wait_card.simulate.click()
    wait_until(app, lambda: pages.pin.pad.status is not None)
    save(app, window, out / f"kiosk-pin-{language}.png")
    window.exit_kiosk()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    app = application()
    apply_style(app)
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(load_settings(Path(folder)), key_store="file", municipality="千代田区")
        runs = ((clerk_screens, "valid"), (clerk_refusal, "revoked"), (kiosk_screens, "valid"))
        for language in ("ja", "en"):
            for screens, scenario in runs:
                context = build_context(settings, None, scenario)  # one window per reader
                try:
                    screens(app, context, out, language)
                finally:
                    context.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots"))
