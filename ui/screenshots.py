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
from counterapp.settings import Settings, load_settings
from ui.app import application
from ui.clerk.window import ClerkWindow
from ui.context import UiContext, build_context
from ui.kiosk.keys import KanaKeys
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


def kiosk_entry_screens(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """The resident's own entries: kana keys, one more person?, a birth date, the review."""
    window = KioskWindow(context, language=language, admin_pin=None, voice=False)
    window.resize(*SIZE)
    window.show()
    pages = window.pages
    pages.start.language_buttons[language].click()
    pages.start.event_buttons["moving-in"].click()
    wait_until(app, lambda: pages.stack.currentWidget() is pages.wait_card)
    pages.wait_card.simulate.click()
    for pin in (DEFAULT_RESIDENT.auth_pin, DEFAULT_RESIDENT.kenhojo_pin):
        wait_until(app, lambda: pages.stack.currentWidget() is pages.pin)
        for digit in pin:
            pages.pin.pad.keys[digit].click()
        pages.pin.pad.ok.click()
    wait_until(app, lambda: pages.stack.currentWidget() is pages.question)
    for _ in window.flow.questions:
        pages.question.no.click()
    entry = pages.entry
    wait_until(app, lambda: pages.stack.currentWidget() is entry)
    keys = entry.keys
    assert isinstance(keys, KanaKeys)
    for key in ("ヤ", "マ", "タ"):
        keys.keys[key].click()
    keys.dakuten.click()  # タ → ダ
    save(app, window, out / f"kiosk-kana-{language}.png")
    entry.keys.space.click()  # type: ignore[union-attr]
    for key in ("タ", "ロ", "ウ"):
        entry.keys.keys[key].click()  # type: ignore[union-attr]
    entry.next.click()
    wait_until(app, lambda: pages.stack.currentWidget() is pages.more)
    save(app, window, out / f"kiosk-household-{language}.png")
    pages.more.yes.click()
    for key in ("ハ", "ナ", "コ"):
        entry.keys.keys[key].click()  # type: ignore[union-attr]
    entry.next.click()
    entry.keys.buttons["spouse"].click()  # type: ignore[union-attr]
    entry.next.click()
    save(app, window, out / f"kiosk-birth-date-{language}.png")
    entry.next.click()
    pages.more.no.click()
    entry.keys.keys["0"].click()  # type: ignore[union-attr]
    for digit in "312345678":
        entry.keys.keys[digit].click()  # type: ignore[union-attr]
    entry.next.click()
    wait_until(app, lambda: pages.stack.currentWidget() is pages.review)
    save(app, window, out / f"kiosk-review-{language}.png")
    window.exit_kiosk()


def admin_screen(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """The admin screen as IT staff see it after the admin PIN (the reader tested)."""
    from ui.admin.screen import AdminScreen

    screen = AdminScreen(context, language)
    screen.show()
    screen.reader_test.click()
    wait_until(app, screen.reader_test.isEnabled)
    save(app, screen, out / f"admin-{language}.png")
    screen.close()


def resident_entry_and_admin_screens(app: QApplication, settings: Settings, out: Path) -> None:
    for language in ("ja", "ja-easy", "en"):
        context = build_context(settings, None, "valid")
        try:
            kiosk_entry_screens(app, context, out, language)
        finally:
            context.close()
    context = build_context(settings, None, "valid")
    try:
        admin_screen(app, context, out, "ja")
    finally:
        context.close()


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
        resident_entry_and_admin_screens(app, settings, out)
        clerk_household(app, settings, out)


def clerk_household(app: QApplication, settings: Settings, out: Path) -> None:
    """A household moving in: the first card, the partner's own card, a child by hand."""
    from counterapp.emulation import PARTNER_RESIDENT

    child = {"name": "番号　さくら", "name_kana": "バンゴウ　サクラ", "birth_date": "2019-05-05"}
    for language in ("ja", "en"):
        context = build_context(settings, None, "valid")
        try:
            window = ClerkWindow(context, language=language)
            window.resize(*CLERK_SIZE)
            window.show()
            window.start("moving-in")
            _type_pins(app, window, (DEFAULT_RESIDENT.auth_pin, DEFAULT_RESIDENT.kenhojo_pin))
            wait_until(app, lambda w=window: w.stack.currentWidget() is w.questions)  # type: ignore[misc]
            for question, box in window.questions.boxes.items():
                box.setChecked(question in ("join_nhi", "has_children"))
            window.questions.next.click()
            bar = window.household
            bar.virtual_card.setCurrentIndex(bar.virtual_card.findData("household-partner"))
            window.read_next_member()
            _type_pins(app, window, (PARTNER_RESIDENT.auth_pin, PARTNER_RESIDENT.kenhojo_pin))
            wait_until(app, lambda w=window: w.member_dialog is not None)  # type: ignore[misc]
            assert window.member_dialog is not None
            window.member_dialog.accept()
            dialog = window.add_member_by_hand()
            assert dialog is not None
            for field_id, row in dialog.rows.items():
                if field_id in child and hasattr(row.input, "setText"):
                    row.input.setText(child[field_id])
            for box in dialog.groups.values():
                box.setChecked(True)
            dialog.accept()
            window.editor.show_person(0, "movers.2.name")  # the 住民異動届's persons moving
            save(app, window, out / f"clerk-household-{language}.png")
            window.next_resident()
            window.close()
        finally:
            context.close()


def _type_pins(app: QApplication, window: ClerkWindow, pins: tuple[str, ...]) -> None:
    for pin in pins:
        wait_until(app, lambda: window.pin_dialog is not None)
        dialog = window.pin_dialog
        assert dialog is not None
        dialog.edit.setText(pin)
        dialog.accept()
        wait_until(app, lambda d=dialog: window.pin_dialog is not d)  # type: ignore[misc]


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots"))
