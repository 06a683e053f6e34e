"""Render the main screens to PNG for the README and the operator's guide.

Run: ``python -m ui.screenshots [OUTPUT_DIR]`` (default ``docs/screenshots``). Drives the
real windows on the emulator (TEST ONLY data: the fictional resident of the emulator;
the My Number is masked on every screen). Needs a Japanese font (Debian:
``fonts-noto-cjk``); runs offscreen when there is no display.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QIODevice, QTimer
from PySide6.QtGui import QColor, QPainter, QPixmap
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QMessageBox, QWidget

from counterapp.emulation import DEFAULT_RESIDENT
from counterapp.settings import Settings, load_settings
from ui.app import application
from ui.clerk.window import ClerkWindow
from ui.context import UiContext, build_context
from ui.kiosk.keys import KanaKeys
from ui.kiosk.window import KioskWindow
from ui.pin import PinDialog
from ui.style import apply_style

SIZE = (1280, 800)
CLERK_SIZE = (1366, 728)  # a 1366×768 counter PC less its taskbar
WAIT_SECONDS = 20

# One journey: its function (app, context, out, language), its emulator scenario, languages.
Journey = tuple[Callable[[QApplication, UiContext, Path, str], None], str, tuple[str, ...]]
JOURNEYS: dict[str, Journey] = {}  # name → journey; ``journey`` registers one


def journey(
    scenario: str, languages: tuple[str, ...] = ("ja", "en")
) -> Callable[[Callable[[QApplication, UiContext, Path, str], None]], Any]:
    """Register a journey's screenshots (one PNG per step, per language) for ``main``."""

    def register(shots: Callable[[QApplication, UiContext, Path, str], None]) -> Any:
        JOURNEYS[shots.__name__] = (shots, scenario, languages)
        return shots

    return register


def wait_until(app: QApplication, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not reach the expected state")
        app.processEvents()
        time.sleep(0.01)


def save(app: QApplication, widget: QWidget, path: Path) -> None:
    for _ in range(3):  # a change lays out in steps (a note hidden, then its row, its page)
        app.processEvents()
    write_png(widget.grab(), path)


def write_png(picture: QPixmap, path: Path) -> None:
    """A screenshot as a 256-colour PNG: the same screen to the eye, a third of the bytes."""
    from PIL import Image  # only when writing screenshots

    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    picture.save(buffer, "PNG")
    image = Image.open(io.BytesIO(buffer.data().data())).convert("RGB")
    image.quantize(256).save(path, optimize=True)
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
    entry.keys.buttons["householder"].click()  # type: ignore[union-attr]  # 続柄: 世帯主
    entry.next.click()
    wait_until(app, lambda: pages.stack.currentWidget() is pages.more)
    save(app, window, out / f"kiosk-household-{language}.png")
    pages.more.yes.click()
    for key in ("ハ", "ナ", "コ"):
        entry.keys.keys[key].click()  # type: ignore[union-attr]
    entry.next.click()
    save(app, window, out / f"kiosk-birth-date-{language}.png")
    entry.next.click()  # the birth date is left to the counter
    entry.keys.buttons["spouse"].click()  # type: ignore[union-attr]
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


def main(out: Path, only: tuple[str, ...] = ()) -> None:
    """Every screen; ``only``: just these registered journeys (by function name)."""
    out.mkdir(parents=True, exist_ok=True)
    app = application()
    apply_style(app)
    with tempfile.TemporaryDirectory() as folder:
        settings = replace(load_settings(Path(folder)), key_store="file", municipality="千代田区")
        runs = ((clerk_screens, "valid"), (clerk_refusal, "revoked"), (kiosk_screens, "valid"))
        for language in ("ja", "en"):
            for screens, scenario in runs if not only else ():
                context = build_context(settings, None, scenario)  # one window per reader
                try:
                    screens(app, context, out, language)
                finally:
                    context.close()
        if not only:
            resident_entry_and_admin_screens(app, settings, out)
        for name, (shots, scenario, languages) in JOURNEYS.items():
            if only and name not in only:
                continue
            for language in languages:
                # Each journey on a fresh terminal: its own reception numbers and worklist.
                with tempfile.TemporaryDirectory() as own:
                    fresh = replace(settings, data_dir=Path(own))
                    context = build_context(fresh, None, scenario)
                    try:
                        shots(app, context, out, language)
                    finally:
                        context.close()


# -- the counter journeys, a screenshot per step (one function per journey) ---------------


def open_clerk(context: UiContext, language: str) -> ClerkWindow:
    window = ClerkWindow(context, language=language)
    window.resize(*CLERK_SIZE)
    window.show()
    return window


def save_with_dialog(app: QApplication, window: QWidget, dialog: QWidget, path: Path) -> None:
    """The window with its open dialog in the middle, as the clerk sees them together."""
    app.processEvents()
    picture = window.grab()
    shown = dialog.grab()
    painter = QPainter(picture)
    painter.fillRect(picture.rect(), QColor(0, 0, 0, 60))  # the modal shade
    left = (picture.width() - shown.width()) // 2
    top = (picture.height() - shown.height()) // 2
    painter.drawPixmap(left, top, shown)
    painter.setPen(QColor(60, 64, 67))  # the dialog's frame (offscreen windows have none)
    painter.drawRect(left - 1, top - 1, shown.width() + 1, shown.height() + 1)
    painter.end()
    write_png(picture, path)


def wait_for_pin(app: QApplication, window: ClerkWindow) -> PinDialog:
    wait_until(app, lambda: window.pin_dialog is not None)
    dialog = window.pin_dialog
    assert dialog is not None
    return dialog


def answer_pin(app: QApplication, window: ClerkWindow, pin: str, shot: Path | None = None) -> None:
    """The resident types a PIN (the dialog shot with its dots if asked) and presses OK."""
    dialog = wait_for_pin(app, window)
    dialog.edit.setText(pin)
    if shot is not None:
        save_with_dialog(app, window, dialog, shot)
    dialog.accept()
    wait_until(app, lambda: window.pin_dialog is not dialog)


def on_page(app: QApplication, window: ClerkWindow, page: QWidget) -> None:
    wait_until(app, lambda: window.stack.currentWidget() is page)


def start_juminhyo(context: UiContext, language: str) -> ClerkWindow:
    """The clerk window reading the card for a 住民票の写し request."""
    window = open_clerk(context, language)
    window.start("juminhyo-request")
    return window


def pins_to_forms(app: QApplication, window: ClerkWindow) -> None:
    """The resident types both PINs right; the forms open."""
    answer_pin(app, window, DEFAULT_RESIDENT.auth_pin)
    answer_pin(app, window, DEFAULT_RESIDENT.kenhojo_pin)
    on_page(app, window, window.forms_page)


@journey("valid")
def clerk_wrong_pin(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """A mistyped PIN: tries left → もう一度入力 → a new entry → the forms."""
    window = start_juminhyo(context, language)
    answer_pin(app, window, "0000", out / f"clerk-wrong-pin-1-{language}.png")
    on_page(app, window, window.message)
    save(app, window, out / f"clerk-wrong-pin-2-{language}.png")
    window.message.again.click()
    save_with_dialog(
        app, window, wait_for_pin(app, window), out / f"clerk-wrong-pin-3-{language}.png"
    )
    pins_to_forms(app, window)
    save(app, window, out / f"clerk-wrong-pin-4-{language}.png")
    window.close()


@journey("auth-pin-last-try")
def clerk_last_try(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """The last try of a PIN: an explicit yes first (the default button does not use it)."""
    window = start_juminhyo(context, language)
    wait_until(app, lambda: window.last_try_box is not None)
    box = window.last_try_box
    assert box is not None
    save_with_dialog(app, window, box, out / f"clerk-last-try-{language}.png")
    box.reject()
    window.close()


@journey("removed-mid-read")
def clerk_card_pulled(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """The card left the reader mid-read: 置き直してください → 再読取 → the forms."""
    window = start_juminhyo(context, language)
    answer_pin(app, window, DEFAULT_RESIDENT.auth_pin)
    on_page(app, window, window.message)
    save(app, window, out / f"clerk-card-pulled-1-{language}.png")
    window.message.again.click()
    pins_to_forms(app, window)
    save(app, window, out / f"clerk-card-pulled-2-{language}.png")
    window.close()


@journey("valid")
def clerk_pin_forgotten(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """「暗証番号を忘れた」: no try is used; what the clerk can do now."""
    window = start_juminhyo(context, language)
    dialog = wait_for_pin(app, window)
    dialog.forgot.click()
    on_page(app, window, window.message)
    save(app, window, out / f"clerk-pin-forgotten-{language}.png")
    window.close()


@journey("kenhojo-pin-blocked")
def clerk_pin_blocked(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """A blocked PIN: 初期化・再設定 at the 市民課, or go on without the PIN / the card."""
    window = start_juminhyo(context, language)
    answer_pin(app, window, DEFAULT_RESIDENT.auth_pin)
    on_page(app, window, window.message)
    save(app, window, out / f"clerk-pin-blocked-{language}.png")
    window.close()


def type_into(field: QWidget, text: str) -> None:
    """Type as the clerk does (a key press per character)."""
    field.setFocus()
    QTest.keyClicks(field, text)


@journey("valid")
def clerk_draft(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """Submit refused (missing marked) → 下書きとして保存 → 本日の申請 → reopen → submit."""
    window = start_juminhyo(context, language)
    pins_to_forms(app, window)
    window.ticket_edit.setText("A-12")
    assert window.submit() is None  # 部数 is missing: refused, marked
    save(app, window, out / f"clerk-draft-1-{language}.png")
    window.save_draft()
    save(app, window, out / f"clerk-draft-2-{language}.png")
    window.show_worklist()
    save(app, window, out / f"clerk-draft-3-{language}.png")
    window.queue_view.open_row(0)
    on_page(app, window, window.forms_page)
    wait_until(app, lambda: window.tabs.currentIndex() == 0)
    save(app, window, out / f"clerk-draft-4-{language}.png")
    type_into(window.editor.rows[0]["copies"].input, "1")
    window.submit()
    save(app, window, out / f"clerk-draft-5-{language}.png")
    window.close()


@journey("valid")
def clerk_print(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """印刷用PDF: to a file or to the printer (the choice), and the PDF's first page."""
    window = start_juminhyo(context, language)
    pins_to_forms(app, window)
    type_into(window.editor.rows[0]["copies"].input, "1")

    def shoot_the_choice() -> None:
        box = app.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, shoot_the_choice)
            return
        save_with_dialog(app, window, box, out / f"clerk-print-1-{language}.png")
        box.reject()

    QTimer.singleShot(0, shoot_the_choice)
    window.save_pdf()  # the choice box runs its own event loop until the shot closes it
    if language == "ja":  # the printed form is the same whatever the window's language
        with tempfile.TemporaryDirectory() as folder:
            pdf = Path(folder) / "forms.pdf"
            assert window.write_pdf(pdf)
            save_pdf_page(pdf, out / "clerk-print-2-pdf.png")
    window.close()


def save_pdf_page(pdf: Path, path: Path) -> None:
    """The PDF's first page as the printer gets it (100 dpi)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(pdf)
    document[0].render(scale=100 / 72).to_pil().convert("RGB").quantize(256).save(
        path, optimize=True
    )
    document.close()
    print(path)


@journey("valid")
def clerk_manual_entry(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """「カードを使わずに受付」: the clerk types the card's values; every form is marked."""
    window = open_clerk(context, language)
    window.home.without_card.setFocus()
    save(app, window, out / f"clerk-manual-1-{language}.png")
    window.home.without_card.click()
    on_page(app, window, window.forms_page)
    save(app, window, out / f"clerk-manual-2-{language}.png")
    rows = window.editor.rows[0]
    for field_id, value in (("name", DEFAULT_RESIDENT.name), ("address", DEFAULT_RESIDENT.address)):
        edit = rows[field_id].input
        assert isinstance(edit, QLineEdit)
        edit.setText(value)
        edit.textEdited.emit(value)  # Japanese arrives through the input method
    type_into(rows["birth_date"].input, "1980-02-17")
    sex = rows["sex"].input
    assert isinstance(sex, QComboBox)
    sex.setCurrentIndex(2)  # 女
    type_into(rows["copies"].input, "1")
    save(app, window, out / f"clerk-manual-3-{language}.png")
    window.submit()
    save(app, window, out / f"clerk-manual-4-{language}.png")
    window.close()


def open_kiosk(context: UiContext, language: str) -> KioskWindow:
    window = KioskWindow(context, language=language, admin_pin=None, voice=False)
    window.resize(*SIZE)
    window.show()
    window.pages.start.language_buttons[language].click()
    return window


def kiosk_to_pin(app: QApplication, window: KioskWindow) -> None:
    pages = window.pages
    pages.start.event_buttons["certificates"].click()
    wait_until(app, lambda: pages.stack.currentWidget() is pages.wait_card)
    pages.wait_card.simulate.click()


def on_pin_pad(window: KioskWindow) -> bool:
    pages = window.pages
    return pages.stack.currentWidget() is pages.pin and pages.pin.pad.status is not None


def kiosk_pin(app: QApplication, window: KioskWindow, pin: str) -> None:
    pages = window.pages
    wait_until(app, lambda: on_pin_pad(window))
    for digit in pin:
        pages.pin.pad.keys[digit].click()
    pages.pin.pad.ok.click()


KIOSK_LANGUAGES = ("ja", "ja-easy", "en")


@journey("valid", KIOSK_LANGUAGES)
def kiosk_wrong_pin(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """A mistyped PIN at the kiosk: tries left → もう一度入力 → the questions."""
    window = open_kiosk(context, language)
    pages = window.pages
    kiosk_to_pin(app, window)
    kiosk_pin(app, window, "9999")
    wait_until(app, lambda: pages.stack.currentWidget() is pages.message)
    save(app, window, out / f"kiosk-wrong-pin-1-{language}.png")
    pages.message.retry.click()
    wait_until(app, lambda: on_pin_pad(window))
    save(app, window, out / f"kiosk-wrong-pin-2-{language}.png")
    kiosk_pin(app, window, DEFAULT_RESIDENT.auth_pin)
    kiosk_pin(app, window, DEFAULT_RESIDENT.kenhojo_pin)
    wait_until(app, lambda: pages.stack.currentWidget() is pages.question)
    save(app, window, out / f"kiosk-wrong-pin-3-{language}.png")
    window.exit_kiosk()


@journey("auth-pin-last-try", KIOSK_LANGUAGES)
def kiosk_last_try(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """The last try at the kiosk: a plain warning, and the resident decides."""
    window = open_kiosk(context, language)
    kiosk_to_pin(app, window)
    wait_until(app, lambda: window.pages.stack.currentWidget() is window.pages.last_try)
    save(app, window, out / f"kiosk-last-try-{language}.png")
    window.exit_kiosk()


@journey("valid", KIOSK_LANGUAGES)
def kiosk_pin_forgotten(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """「暗証番号を忘れた」 at the kiosk: no try used; go to the staffed counter."""
    window = open_kiosk(context, language)
    pages = window.pages
    kiosk_to_pin(app, window)
    wait_until(app, lambda: on_pin_pad(window))
    pages.pin.pad.forgot.click()
    wait_until(app, lambda: pages.stack.currentWidget() is pages.message)
    save(app, window, out / f"kiosk-pin-forgotten-{language}.png")
    window.exit_kiosk()


@journey("auth-pin-blocked", KIOSK_LANGUAGES)
def kiosk_pin_blocked(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """A blocked PIN at the kiosk: the staffed counter, with the reception number."""
    window = open_kiosk(context, language)
    pages = window.pages
    kiosk_to_pin(app, window)
    wait_until(app, lambda: pages.stack.currentWidget() is pages.message)
    save(app, window, out / f"kiosk-pin-blocked-{language}.png")
    window.exit_kiosk()


@journey("forgotten-pins")
def clerk_pinless(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """「暗証番号なしで確認（照合番号B）」: a resident who forgot the PIN, to a queued 住民票."""
    window = open_clerk(context, language)
    window.start("juminhyo-request")  # both PINs blocked: no PIN dialog at all
    wait_until(app, lambda: window.stack.currentWidget() is window.message)
    save(app, window, out / f"clerk-pinless-blocked-{language}.png")
    window.pinless.problem_button.click()
    app.processEvents()  # the cursor settles in the first field before typing
    entry = window.pinless.entry
    resident = DEFAULT_RESIDENT
    for part, text in (
        ("expiry_year", str(resident.card_expiry.year)),
        ("security_code", resident.security_code),
        ("birth_date", "昭和55年2月30日"),  # a day that does not exist: said before sending
    ):
        entry.fields[part].edit.setFocus()
        entry.fields[part].edit.setText(text)
    entry.send.click()
    save(app, window, out / f"clerk-pinless-entry-{language}.png")
    entry.fields["birth_date"].edit.setText("昭和55年2月17日")
    entry.send.click()
    face = window.pinless.face
    wait_until(app, lambda: window.stack.currentWidget() is face)
    save(app, window, out / f"clerk-pinless-face-{language}.png")
    face.confirm.click()
    wait_until(app, lambda: window.stack.currentWidget() is window.forms_page)
    QTest.keyClicks(window.editor.rows[0]["copies"].input, "1")  # the one value the clerk types
    save(app, window, out / f"clerk-pinless-forms-{language}.png")
    window.submit()
    save(app, window, out / f"clerk-pinless-done-{language}.png")
    window.next_resident()
    window.close()


@journey("valid")
def clerk_household(app: QApplication, context: UiContext, out: Path, language: str) -> None:
    """A household moving in: the first card, the partner's own card, a child by hand."""
    from counterapp.emulation import PARTNER_RESIDENT

    child = {"name": "番号　さくら", "name_kana": "バンゴウ　サクラ", "birth_date": "2019-05-05"}
    window = open_clerk(context, language)
    window.start("moving-in")
    for pin in (DEFAULT_RESIDENT.auth_pin, DEFAULT_RESIDENT.kenhojo_pin):
        answer_pin(app, window, pin)
    wait_until(app, lambda: window.stack.currentWidget() is window.questions)
    for question, box in window.questions.boxes.items():
        box.setChecked(question in ("join_nhi", "has_children"))
    window.questions.next.click()
    bar = window.household
    bar.virtual_card.setCurrentIndex(bar.virtual_card.findData("household-partner"))
    window.read_next_member()
    for pin in (PARTNER_RESIDENT.auth_pin, PARTNER_RESIDENT.kenhojo_pin):
        answer_pin(app, window, pin)
    wait_until(app, lambda: window.member_dialog is not None)
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


if __name__ == "__main__":
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/screenshots")
    main(folder, tuple(sys.argv[2:]))
