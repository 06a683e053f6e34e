"""The admin screen as IT staff meet it: the admin PIN, settings saved and applied, reader test."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from counterapp.adminpin import save_admin_pin
from counterapp.audit import entries
from counterapp.configure import change_setting
from counterapp.settings import SettingsError, load_settings
from tests.ui.conftest import MakeContext
from tests.ui.test_clerk import open_window
from ui.admin.gate import AdminGate
from ui.admin.screen import AdminScreen
from ui.app import main_window
from ui.clerk.window import ClerkWindow
from ui.context import UiContext
from ui.i18n import t
from ui.kiosk.window import KioskWindow

ADMIN_PIN = "246813"
WAIT_MS = 10_000


def type_text(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Replace the edit's text as a person does: select all, then type (an IME commit)."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(edit, event)


def open_gate(qtbot: QtBot, window: ClerkWindow) -> AdminGate:
    window.admin_action.trigger()  # the menu entry 管理 → 管理画面…
    qtbot.waitUntil(lambda: window.findChild(AdminGate) is not None, timeout=WAIT_MS)
    gate = window.findChild(AdminGate)
    assert gate is not None and gate.isVisible()
    return gate


def enter_admin_pin(qtbot: QtBot, gate: AdminGate, pin: str) -> None:
    qtbot.keyClicks(gate.edit, pin)
    qtbot.keyClick(gate.edit, Qt.Key.Key_Return)


def open_screen(qtbot: QtBot, window: ClerkWindow) -> AdminScreen:
    enter_admin_pin(qtbot, open_gate(qtbot, window), ADMIN_PIN)
    qtbot.waitUntil(lambda: window.property("adminScreen") is not None, timeout=WAIT_MS)
    screen = window.property("adminScreen")
    assert isinstance(screen, AdminScreen) and screen.isVisible()
    return screen


def opened_admin_screen(
    qtbot: QtBot, make_context: MakeContext
) -> tuple[UiContext, ClerkWindow, AdminScreen]:
    """A clerk window on the emulator with its admin screen opened by the admin PIN."""
    context = make_context("valid")
    save_admin_pin(context.settings.data_dir, ADMIN_PIN)
    window = open_window(qtbot, context)
    return context, window, open_screen(qtbot, window)


def audited(window: ClerkWindow, event: str) -> list[dict[str, object]]:
    return [e.detail for e in entries(window.context.audit.db) if e.event == event]


def test_a_wrong_admin_pin_is_refused_counted_and_audited_the_right_one_opens(
    make_context: MakeContext, qtbot: QtBot
) -> None:
    context = make_context("valid")
    save_admin_pin(context.settings.data_dir, ADMIN_PIN)
    window = open_window(qtbot, context)
    gate = open_gate(qtbot, window)
    enter_admin_pin(qtbot, gate, "111111")
    assert gate.isVisible() and gate.message.text() == t("kiosk.admin.wrong", "ja")
    assert window.property("adminScreen") is None
    assert audited(window, "admin.pin_refused") == [{"where": "clerk", "refused": 1}]
    assert ADMIN_PIN not in str(audited(window, "admin.pin_refused"))
    enter_admin_pin(qtbot, gate, ADMIN_PIN)
    qtbot.waitUntil(lambda: window.property("adminScreen") is not None, timeout=WAIT_MS)
    assert audited(window, "admin.opened") == [{"where": "clerk"}]


def test_three_wrong_admin_pins_close_the_dialog(make_context: MakeContext, qtbot: QtBot) -> None:
    context = make_context("valid")
    save_admin_pin(context.settings.data_dir, ADMIN_PIN)
    window = open_window(qtbot, context)
    gate = open_gate(qtbot, window)
    for _ in range(3):
        enter_admin_pin(qtbot, gate, "000000")
    qtbot.waitUntil(lambda: not gate.isVisible(), timeout=WAIT_MS)
    assert [d["refused"] for d in audited(window, "admin.pin_refused")] == [1, 2, 3]
    assert window.property("adminScreen") is None


def test_municipality_and_idle_time_are_saved_audited_and_applied(
    make_context: MakeContext, qtbot: QtBot
) -> None:
    context, window, screen = opened_admin_screen(qtbot, make_context)
    type_text(qtbot, screen.edits["municipality"], "千代田区")
    qtbot.mouseClick(screen.save_buttons["municipality"], Qt.MouseButton.LeftButton)
    assert screen.message.text() == t("admin.saved", "ja", name="municipality")
    type_text(qtbot, screen.edits["kiosk_idle_seconds"], "90")
    qtbot.keyClick(screen.edits["kiosk_idle_seconds"], Qt.Key.Key_Return)
    saved = load_settings(context.settings.data_dir)
    assert (saved.municipality, saved.kiosk_idle_seconds) == ("千代田区", 90)
    assert context.service.settings == saved  # the next visit's forms say 千代田区
    assert audited(window, "settings.changed") == [
        {"setting": "municipality"},
        {"setting": "kiosk_idle_seconds", "value": 90},
    ]


def test_an_invalid_value_is_refused_naming_the_setting(
    make_context: MakeContext, qtbot: QtBot
) -> None:
    context, window, screen = opened_admin_screen(qtbot, make_context)
    for name, value in (("kiosk_idle_seconds", "0"), ("backoffice_url", "http://10.0.0.5:8443")):
        type_text(qtbot, screen.edits[name], value)
        qtbot.mouseClick(screen.save_buttons[name], Qt.MouseButton.LeftButton)
        assert screen.message.text().startswith(t("admin.refused", "ja", problems=""))
        assert name in screen.message.text()
    assert load_settings(context.settings.data_dir) == context.settings  # nothing saved
    assert audited(window, "settings.changed") == []


def test_the_reader_test_reads_the_emulated_cards_public_data(
    make_context: MakeContext, qtbot: QtBot
) -> None:
    _, _, screen = opened_admin_screen(qtbot, make_context)
    assert screen.reader_box.currentData() == ""  # the emulator: no reader configured
    qtbot.mouseClick(screen.reader_test, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(screen.reader_test.isEnabled, timeout=WAIT_MS)
    prefix = t("admin.reader.test_ok", "ja", until="").split("{")[0][:10]
    assert screen.reader_result.text().startswith(prefix), screen.reader_result.text()
    assert "⚠" not in screen.certificate_label.text()  # no certificate: said, not warned as soon
    assert "terminal.crt" in screen.certificate_label.text()


def test_a_terminal_certificate_expiring_within_30_days_is_warned(
    make_context: MakeContext, qtbot: QtBot
) -> None:
    from tests.counterapp.test_configure import _certificate

    context = make_context("valid")
    save_admin_pin(context.settings.data_dir, ADMIN_PIN)
    _certificate(context.settings.data_dir / context.settings.client_certificate, 12)
    window = open_window(qtbot, context)
    screen = open_screen(qtbot, window)
    shown = screen.certificate_label.text()
    assert shown.startswith("⚠") and "12" in shown and "counterapp test CA" in shown
    assert screen.certificate_label.property("warning") is True


def test_language_defaults_are_chosen_validated_audited_and_applied(
    make_context: MakeContext, qtbot: QtBot
) -> None:
    context, window, screen = opened_admin_screen(qtbot, make_context)
    for name, code in (("clerk_language", "en"), ("kiosk_language", "ja-easy")):
        choice = screen.language_boxes[name]
        choice.setCurrentIndex(choice.findData(code))
        qtbot.mouseClick(screen.save_buttons[name], Qt.MouseButton.LeftButton)
        assert screen.message.text() == t("admin.saved", "ja", name=name)
    saved = load_settings(context.settings.data_dir)
    assert (saved.clerk_language, saved.kiosk_language) == ("en", "ja-easy")
    assert audited(window, "settings.changed") == [
        {"setting": "clerk_language", "value": "en"},
        {"setting": "kiosk_language", "value": "ja-easy"},
    ]
    with pytest.raises(SettingsError, match="kiosk_language"):  # typed by hand: refused
        change_setting(context.settings, context.audit, "kiosk_language", "fr")

    clerk = main_window(context, kiosk=False, language=None)  # the next start
    qtbot.addWidget(clerk)
    assert isinstance(clerk, ClerkWindow) and clerk.language == "en"
    kiosk = main_window(context, kiosk=True, language=None)
    qtbot.addWidget(kiosk)
    assert isinstance(kiosk, KioskWindow) and kiosk.language == "ja-easy"
    kiosk.pages.start.language_buttons["pt"].click()  # a resident chooses another
    kiosk.wipe()
    assert kiosk.language == "ja-easy"  # the next resident finds the default again
    kiosk.exit_kiosk()
