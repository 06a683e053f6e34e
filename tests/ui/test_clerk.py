"""The clerk's counter window, driven through its real widgets on the emulator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from cardreader.emulator.resident import DEFAULT_RESIDENT
from counterapp import outbox
from counterapp.settings import Settings
from counterapp.visit import CardNotGenuine
from ui.clerk.window import ClerkWindow
from ui.context import UiContext, build_context

PIN = DEFAULT_RESIDENT.auth_pin
MakeContext = Callable[..., UiContext]


def open_window(qtbot: QtBot, context: UiContext) -> ClerkWindow:
    window = ClerkWindow(context)
    qtbot.addWidget(window)
    window.show()
    window.activateWindow()  # shortcuts (Ctrl+Enter, F12) act in the active window
    qtbot.waitUntil(window.isActiveWindow)
    return window


def choose(qtbot: QtBot, window: ClerkWindow, target: str) -> None:
    """Press the number key of ``target`` on the home list (one clerk action)."""
    for row in range(window.home.targets.count()):
        if window.home.targets.item(row).data(256) == target:
            qtbot.keyClick(window.home.targets, str(row + 1))  # where the focus is
            return
    raise AssertionError(f"{target} is not on the home page")


def enter_pin(qtbot: QtBot, window: ClerkWindow, pin: str = PIN) -> str:
    """The resident types the PIN (not a clerk action); Enter is. The dialog's text."""
    qtbot.waitUntil(lambda: window.pin_dialog is not None, timeout=10_000)
    dialog = window.pin_dialog
    assert dialog is not None
    shown = f"{dialog.windowTitle()} {dialog.tries_label.text()}"
    qtbot.keyClicks(dialog.edit, pin)
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.pin_dialog is not dialog, timeout=5_000)
    return shown


def read_to_forms(qtbot: QtBot, window: ClerkWindow) -> None:
    """A 住民票の写し request read with the right PINs, up to the forms editor."""
    choose(qtbot, window, "juminhyo-request")
    enter_pin(qtbot, window)
    enter_pin(qtbot, window)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=10_000)


def read_to_questions(qtbot: QtBot, window: ClerkWindow, target: str) -> None:
    """A life event chosen and the card read with the right PINs, up to its questions."""
    choose(qtbot, window, target)
    enter_pin(qtbot, window)
    enter_pin(qtbot, window)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.questions, timeout=10_000)


def moving_in_forms(qtbot: QtBot, window: ClerkWindow) -> None:
    """A 転入 read with every question answered yes, up to its forms."""
    read_to_questions(qtbot, window, "moving-in")
    for box in window.questions.boxes.values():
        box.setChecked(True)
    qtbot.keyClick(window.questions.next, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=5_000)


def texts_in(widget: QWidget) -> str:
    """Everything a widget tree shows or tells assistive technology."""
    parts = []
    for child in [widget, *widget.findChildren(QWidget)]:
        parts += [child.accessibleName(), child.accessibleDescription(), child.toolTip()]
        if isinstance(child, (QLabel, QLineEdit, QAbstractButton)):
            parts.append(child.text())
    return "\n".join(parts)


def test_a_juminhyo_request_is_queued_in_five_clerk_actions(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("valid")
    window = open_window(qtbot, context)
    choose(qtbot, window, "juminhyo-request")  # 1
    first = enter_pin(qtbot, window)  # 2 (Enter)
    second = enter_pin(qtbot, window)  # 3 (Enter)
    assert "利用者証明用" in first and "券面事項入力補助用" in second
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=10_000)
    assert DEFAULT_RESIDENT.name in texts_in(window.editor)
    assert "真正" in window.verdict_badge.badge.text()
    copies = window.editor.rows[0]["copies"].input
    assert copies.hasFocus()  # the only value the clerk must give: the cursor is there
    qtbot.keyClick(copies, "1")  # 4
    qtbot.keyClick(copies, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # 5
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=5_000)
    assert "受付番号" in window.message.body.text()
    entries = context.service.queue.entries()
    assert [(e.form_id, e.status) for e in entries] == [("juminhyo-request", "queued")]


def test_moving_in_asks_the_questions_and_queues_the_event_forms(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("valid")
    window = open_window(qtbot, context)
    read_to_questions(qtbot, window, "moving-in")
    assert "国民健康保険に加入しますか" in texts_in(window.questions)
    for box in window.questions.boxes.values():
        box.setChecked(True)
    qtbot.keyClick(window.questions.next, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=5_000)
    assert window.editor.count() == 9  # every question answered yes: the whole bundle
    assert window.submit() is None  # the new address etc. are still missing: refused
    window.save_draft()  # kept for later, explicitly
    forms = {e.form_id for e in context.service.queue.entries("draft")}
    assert forms == {
        "resident-move",
        "mynumber-card-address-change",
        "nhi-enrolment",
        "late-elderly-medical",
        "ltc-insurance",
        "child-allowance-claim",
        "child-medical-subsidy",
        "school-enrolment",
        "inkan-registration",
    }


MOVED_IN = {
    "move_date": "2026-11-20",
    "transfer_basis": "certificate",
    "new_address_town": "九段南",
    "new_address_block": "1-2-1",
    "household_kind": "new",
    "householder_name": "番号　花子",
    "movers.1.name_kana": "バンゴウ　ハナコ",
    "movers.1.relationship": "householder",
}


def set_values(window: ClerkWindow, values: dict[str, str]) -> None:
    """The clerk's entries, field by field, on every form tab that has the field."""
    for rows in window.editor.rows:
        for field_id, value in values.items():
            if field_id not in rows:
                continue
            widget = rows[field_id].input
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(widget.findData(value))
            elif isinstance(widget, QLineEdit):
                widget.setText(value)
                widget.textEdited.emit(value)


def test_moving_in_is_completed_in_the_editor_including_the_card_holders_row(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("valid")
    window = open_window(qtbot, context)
    read_to_questions(qtbot, window, "moving-in")
    qtbot.keyClick(window.questions.next, Qt.Key.Key_Return)  # no to every question
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=5_000)
    labels = texts_in(window.editor)
    assert "異動者（引っ越す人） 1: 氏名" in labels and DEFAULT_RESIDENT.name in labels
    move_rows = window.editor.rows[0]
    assert move_rows["filer_name"].isHidden()  # the resident files: no agent asked for
    set_values(window, {"filer_role": "delegate"})
    assert (
        not move_rows["filer_name"].isHidden() and not move_rows["proxy_letter_checked"].isHidden()
    )
    set_values(window, {"filer_role": "self"})
    set_values(window, MOVED_IN)
    assert window.submit() is not None
    entries = context.service.queue.entries()
    assert {(e.form_id, e.status) for e in entries} == {
        ("resident-move", "queued"),
        ("mynumber-card-address-change", "queued"),
    }
    move = next(e for e in entries if e.form_id == "resident-move")
    (holder,) = context.service.queue.open(move.id, "test").filled.rows("movers")
    assert holder.value("name_kana").value == "バンゴウ　ハナコ"


def test_answers_that_choose_no_certificate_ask_again_without_a_new_read(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("valid"))
    choose(qtbot, window, "certificates")
    enter_pin(qtbot, window)
    enter_pin(qtbot, window)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.questions, timeout=10_000)
    qtbot.mouseClick(window.questions.next, Qt.MouseButton.LeftButton)  # every box unchecked
    assert window.stack.currentWidget() is window.questions
    assert "作成する申請書がありません" in window.questions.note.text()
    next(iter(window.questions.boxes.values())).setChecked(True)
    qtbot.mouseClick(window.questions.next, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=5_000)
    assert window.editor.count() == 1 and window.pin_dialog is None


def test_a_wrong_pin_says_the_tries_left_and_a_new_entry_goes_on_with_the_visit(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("valid")
    window = open_window(qtbot, context)
    choose(qtbot, window, "juminhyo-request")
    enter_pin(qtbot, window, "0000")  # the auth PIN, mistyped: the second PIN is not asked
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=10_000)
    assert window.message.title.text() == "暗証番号が違います"
    assert "あと2回" in window.message.body.text() and "?" not in window.message.body.text()
    assert window.message.again.isVisible() and window.message.again.hasFocus()
    assert context.service.queue.entries() == []
    qtbot.keyClick(window.message.again, Qt.Key.Key_Space)  # もう一度入力: one clerk action
    assert "残り2回" in enter_pin(qtbot, window)
    enter_pin(qtbot, window)  # then the Kenhojo PIN, as on the first try
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=10_000)


def test_a_wrong_second_pin_does_not_ask_again_for_the_first(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("valid"))
    choose(qtbot, window, "juminhyo-request")
    enter_pin(qtbot, window)
    assert "券面事項入力補助" in enter_pin(qtbot, window, "0000")
    qtbot.waitUntil(lambda: window.message.again.isVisible(), timeout=10_000)
    qtbot.keyClick(window.message.again, Qt.Key.Key_Space)
    shown = enter_pin(qtbot, window)  # the accepted auth PIN is not asked a second time
    assert "券面事項入力補助" in shown and "残り2回" in shown
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=10_000)


def test_the_last_try_needs_an_explicit_yes_and_declining_it_sends_nothing(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("auth-pin-last-try")
    window = open_window(qtbot, context)
    choose(qtbot, window, "juminhyo-request")
    qtbot.waitUntil(lambda: window.last_try_box is not None, timeout=10_000)
    box = window.last_try_box
    assert box is not None and "最後の1回" in box.text()
    assert box.defaultButton().text() == "中止"  # Enter alone does not use the last try
    box.defaultButton().click()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=10_000)
    assert window.pin_dialog is None and window.message.again.isVisible()
    qtbot.keyClick(window.message.again, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.last_try_box is not None, timeout=10_000)
    use = next(b for b in window.last_try_box.buttons() if "最後の1回" in b.text())
    use.click()
    enter_pin(qtbot, window)
    enter_pin(qtbot, window)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=10_000)


def test_a_card_pulled_mid_read_is_said_so_and_read_again_goes_on_with_the_visit(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("removed-mid-read")  # the card leaves after 4 APDUs, once
    window = open_window(qtbot, context)
    choose(qtbot, window, "juminhyo-request")
    enter_pin(qtbot, window)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=10_000)
    assert window.message.title.text() == "カードが離れました。置き直してください"
    assert "このカードでは受付できません" not in texts_in(window.message)
    assert "カードなし" in window.status.reader.text()
    assert window.message.again.text() == "再読取" and window.message.again.hasFocus()
    qtbot.keyClick(window.message.again, Qt.Key.Key_Space)
    assert "カードあり" in window.status.reader.text()
    enter_pin(qtbot, window)  # not proven before the pull: the card needs the auth PIN again
    enter_pin(qtbot, window)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=10_000)


@pytest.mark.parametrize(
    ("scenario", "expected"),
    [("kenhojo-pin-blocked", "ロック"), ("tampered-kenhojo", "真正ではありません")],
)
def test_a_blocked_pin_or_a_forged_card_shows_why_and_fills_nothing(
    qtbot: QtBot, make_context: MakeContext, scenario: str, expected: str
) -> None:
    context = make_context(scenario)
    window = open_window(qtbot, context)
    choose(qtbot, window, "moving-in")
    while window.stack.currentWidget() is not window.message:
        qtbot.waitUntil(
            lambda: window.pin_dialog is not None or window.stack.currentWidget() is window.message,
            timeout=10_000,
        )
        if window.pin_dialog is not None:
            enter_pin(qtbot, window)
    assert expected in window.message.body.text()
    assert context.service.queue.entries() == []


def test_a_blocked_pin_tells_the_clerk_what_to_do_now(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("kenhojo-pin-blocked"))
    choose(qtbot, window, "juminhyo-request")
    enter_pin(qtbot, window)  # the auth PIN works; the Kenhojo PIN is blocked: never asked
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=10_000)
    assert window.message.title.text() == "暗証番号がロックされています"
    body = window.message.body.text()
    assert "暗証番号の初期化・再設定" in body and "本人確認書類" in body
    assert "カードを使わずに受付" in body and not window.message.again.isVisible()


def test_i_forgot_the_pin_uses_no_try_and_says_what_to_do(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("valid"))
    choose(qtbot, window, "juminhyo-request")
    qtbot.waitUntil(lambda: window.pin_dialog is not None, timeout=10_000)
    assert window.pin_dialog is not None
    qtbot.mouseClick(window.pin_dialog.forgot, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=10_000)
    assert window.message.title.text() == "暗証番号が使えないとき"
    assert "残り回数は減っていません" in window.message.body.text()
    qtbot.keyClick(window, Qt.Key.Key_F12)
    choose(qtbot, window, "juminhyo-request")
    assert "残り3回" in enter_pin(qtbot, window)  # the card's counter is untouched


def test_next_resident_leaves_no_personal_value_in_any_widget(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("valid")
    window = open_window(qtbot, context)
    read_to_forms(qtbot, window)
    assert DEFAULT_RESIDENT.name in texts_in(window)
    assert DEFAULT_RESIDENT.my_number not in texts_in(window)  # masked even while shown
    window.submit()
    qtbot.keyClick(window, Qt.Key.Key_F12)
    shown = texts_in(window)
    for value in (DEFAULT_RESIDENT.name, DEFAULT_RESIDENT.address, DEFAULT_RESIDENT.my_number):
        assert value not in shown
    assert window.stack.currentWidget() is window.home


def test_every_interactive_widget_has_an_accessible_name(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("valid"))
    read_to_forms(qtbot, window)
    interactive = [
        w
        for w in window.findChildren(QWidget)
        if w.focusPolicy() != Qt.FocusPolicy.NoFocus
        and not w.objectName().startswith("qt_")
        and type(w).__name__ not in {"QScrollArea", "QStackedWidget", "QTabBar", "QWidget"}
    ]
    unnamed = [
        f"{type(w).__name__} {w.objectName()}" for w in interactive if not w.accessibleName()
    ]
    assert interactive
    assert unnamed == [], unnamed


def test_the_gui_thread_stays_responsive_during_a_slow_card_read(
    qtbot: QtBot, ui_settings: Settings
) -> None:
    context = build_context(replace(ui_settings, emulator_latency_ms=40), None, "valid")
    qtbot.addWidget(window := ClerkWindow(context))
    window.show()
    ticks_while_reading = 0  # turns of the event loop while the progress page is up
    ticker = QTimer()
    ticker.setInterval(5)

    def tick() -> None:
        nonlocal ticks_while_reading
        if window.stack.currentWidget() is window.reading and window.pin_dialog is None:
            ticks_while_reading += 1

    ticker.timeout.connect(tick)
    ticker.start()
    choose(qtbot, window, "juminhyo-request")
    enter_pin(qtbot, window)
    enter_pin(qtbot, window)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=20_000)
    ticker.stop()
    context.close()
    # The read took 12+ APDUs at 40 ms on the worker thread, and meanwhile the event loop kept
    # turning (the progress bar moves). Card I/O on the GUI thread would freeze the
    # loop for each of the read's three parts: a handful of turns at most.
    assert ticks_while_reading >= 10, ticks_while_reading


def test_the_card_face_check_shows_the_photo_for_the_right_collation_number(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("valid"))
    read_to_forms(qtbot, window)
    dialog = window.check_face()
    qtbot.keyClicks(dialog.code, "00000000000000")
    qtbot.mouseClick(dialog.read, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10_000)
    assert "照合番号B" in dialog.message.text() and dialog.photo.pixmap().isNull()
    qtbot.keyClicks(dialog.code, DEFAULT_RESIDENT.collation_number_b())
    qtbot.mouseClick(dialog.read, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.photo.pixmap().isNull(), timeout=10_000)
    assert dialog.photo.pixmap().height() > 100
    dialog.reject()
    assert dialog.photo.pixmap().isNull()  # the photo is gone with the dialog


def test_a_card_face_the_issuer_did_not_sign_shows_no_photo_and_the_card_is_refused(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("tampered-card-face"))
    read_to_forms(qtbot, window)  # the chip's text items are genuine on this card
    assert window.visit.verdict is not None and window.visit.verdict.overall.value == "genuine"
    dialog = window.check_face()
    qtbot.keyClicks(dialog.code, DEFAULT_RESIDENT.collation_number_b())
    qtbot.mouseClick(dialog.read, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.message.text() != "", timeout=10_000)
    assert dialog.photo.pixmap().isNull()  # never shown as if the issuer had signed it
    assert "真正ではありません" in dialog.message.text()
    verdict = window.visit.verdict
    assert verdict is not None and verdict.overall.value == "not_genuine"
    with pytest.raises(CardNotGenuine):
        window.service.submit(window.visit)  # nothing of this card can be queued
    dialog.reject()
    assert window.stack.currentWidget() is window.message and window.visit.forms == []
    assert "真正ではありません" in window.message.body.text()


def test_the_clerk_can_switch_the_window_to_english(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("valid"))
    window.language_box.setCurrentIndex(window.language_box.findData("en"))
    assert "Choose the procedure" in window.home.title.text()
    assert window.home.targets.item(0).text().startswith("1. ")
    assert "Reader" in window.status.reader.text()


def test_a_refused_form_is_listed_as_failed_and_can_be_sent_again(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("valid")
    window = open_window(qtbot, context)
    read_to_forms(qtbot, window)
    qtbot.keyClick(window.editor.rows[0]["copies"].input, "1")
    receipt = window.submit()
    assert receipt is not None and receipt.queued
    outbox.mark_failed(context.audit.db, receipt.record_ids[0], "submission.invalid")
    window.queue_view.refresh()
    table = window.queue_view.table
    assert table.item(0, 3).text().startswith("送信失敗: ")
    qtbot.mouseClick(window.queue_view.retry_button, Qt.MouseButton.LeftButton)
    assert table.item(0, 3).text() == "送信待ち"
    assert context.sync_status().pending == 1


def test_a_signature_drawn_on_screen_is_queued_bound_to_each_form(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("valid")
    window = open_window(qtbot, context)
    read_to_forms(qtbot, window)
    qtbot.keyClick(window.editor.rows[0]["copies"].input, "1")
    dialog = window.sign_on_screen()
    assert dialog is not None and not dialog.ok.isEnabled()  # nothing drawn yet
    qtbot.mousePress(dialog.pad, Qt.MouseButton.LeftButton, pos=QPoint(30, 40))
    qtbot.mouseMove(dialog.pad, QPoint(220, 120))
    qtbot.mouseRelease(dialog.pad, Qt.MouseButton.LeftButton, pos=QPoint(220, 120))
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert "画面で署名済み" in window.signed_label.text()
    receipt = window.submit()
    assert receipt is not None
    stored = context.service.queue.open(receipt.record_ids[0], "test")
    assert stored.handwriting is not None and stored.handwriting.png.startswith(b"\x89PNG")
    assert stored.handwriting.matches(stored.filled)
