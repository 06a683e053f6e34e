"""The clerk window's PIN-less path (照合番号B), walked through its real widgets on the emulator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLineEdit
from pytestqt.qtbot import QtBot

from cardreader.emulator.resident import DEFAULT_RESIDENT
from counterapp.audit import entries
from counterapp.forms.filled import Source
from counterapp.settings import Settings, operator_name
from tests.ui.test_clerk import choose, enter_pin, open_window, texts_in
from ui.clerk.window import ClerkWindow
from ui.context import UiContext, build_context

MakeContext = Callable[..., UiContext]
WAIT_MS = 10_000
BIRTH_DATE_AS_PRINTED = "昭和55年2月17日"  # the emulator's resident, as the card face prints it
EXPIRY_YEAR = str(DEFAULT_RESIDENT.card_expiry.year)
SECURITY_CODE = DEFAULT_RESIDENT.security_code


def commit_text(edit: QLineEdit, text: str) -> None:
    """Type ``text`` as a person does with an input method (one commit)."""
    edit.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(edit, event)


def type_parts(qtbot: QtBot, window: ClerkWindow, expiry: str, code: str, birth: str) -> None:
    """The clerk types the three parts off the card; the fixed-length ones move on by themselves."""
    entry = window.pinless.entry
    expiry_edit = entry.fields["expiry_year"].edit
    qtbot.waitUntil(expiry_edit.hasFocus, timeout=WAIT_MS)  # the cursor is there to type
    qtbot.keyClicks(expiry_edit, expiry)
    code_edit = entry.fields["security_code"].edit
    if len(expiry) == 4:
        assert code_edit.hasFocus()  # four digits: on to the security code without a key
    qtbot.keyClicks(code_edit, code)
    birth_edit = entry.fields["birth_date"].edit
    assert birth_edit.hasFocus()
    commit_text(birth_edit, birth)


def send_right_parts(qtbot: QtBot, window: ClerkWindow, *, until_face: bool = True) -> None:
    """The right three parts, then Enter (and, by default, wait for the face page)."""
    type_parts(qtbot, window, EXPIRY_YEAR, SECURITY_CODE, BIRTH_DATE_AS_PRINTED)
    qtbot.keyClick(window.pinless.entry.fields["birth_date"].edit, Qt.Key.Key_Return)
    if until_face:
        face = window.pinless.face
        qtbot.waitUntil(lambda: window.stack.currentWidget() is face, timeout=WAIT_MS)


def press_ctrl_b(qtbot: QtBot, window: ClerkWindow) -> None:
    """暗証番号なしで確認（照合番号B）: one clerk action from the list or a PIN problem."""
    qtbot.keyClick(window, Qt.Key.Key_B, Qt.KeyboardModifier.ControlModifier)


def to_blocked_pin_screen(qtbot: QtBot, window: ClerkWindow) -> None:
    """住民票の写し for a resident whose PINs are both blocked: no PIN is even asked."""
    choose(qtbot, window, "juminhyo-request")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=WAIT_MS)
    assert window.pin_dialog is None


def test_resident_forgot_the_pin_from_the_blocked_screen_to_a_queued_juminhyo_request(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("forgotten-pins")
    window = open_window(qtbot, context)
    to_blocked_pin_screen(qtbot, window)
    assert window.message.title.text() == "暗証番号がロックされています"
    offer = window.pinless.problem_button
    assert offer.isVisible() and offer.text() == "暗証番号なしで確認（照合番号B） (Ctrl+B)"

    press_ctrl_b(qtbot, window)  # 1
    entry = window.pinless.entry
    assert window.stack.currentWidget() is entry
    assert entry.title.text() == "暗証番号なしで確認（照合番号B）"
    labels = [entry.fields[p].label.text() for p in ("expiry_year", "security_code", "birth_date")]
    assert labels == [
        "① 有効期限の年",
        "② セキュリティコード（4桁）",
        "③ 生年月日（表記どおり・和暦可）",
    ]
    assert "例 昭和55年2月17日" in entry.fields["birth_date"].example.text()
    type_parts(qtbot, window, EXPIRY_YEAR, SECURITY_CODE, BIRTH_DATE_AS_PRINTED)  # 2, 3, 4
    qtbot.keyClick(entry.fields["birth_date"].edit, Qt.Key.Key_Return)  # 5
    assert all(not f.edit.text() for f in entry.fields.values())  # composed, then wiped

    face = window.pinless.face
    qtbot.waitUntil(lambda: window.stack.currentWidget() is face, timeout=WAIT_MS)
    assert face.title.text() == "顔写真とご本人を見比べてください"
    assert face.badge.badge.text() == "△ 要確認"  # not genuine until the clerk says so
    assert face.photo.pixmap().height() >= 300 and not face.name_image.pixmap().isNull()
    assert face.name_text.text() == f"ICチップ：{DEFAULT_RESIDENT.name}"
    assert face.confirm.text().startswith("顔写真と本人が一致することを確認しました")
    assert face.confirm.hasFocus()
    with pytest.raises(Exception, match="card is undetermined"):
        window.service.submit(window.visit)  # nothing can be queued before the face check

    qtbot.keyClick(face.confirm, Qt.Key.Key_Space)  # 6
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=WAIT_MS)
    assert window.verdict_badge.badge.text() == "○ 真正"
    assert "照合番号B" in window.identity_label.text()
    assert not window.sign_button.isVisible() and window.handwriting_button.isVisible()
    assert not window.face_button.isVisible()  # the face was checked a moment ago
    assert face.photo.pixmap().isNull()  # the photo left the screen with its page
    name = window.visit.forms[0].value("name")
    assert name.value == DEFAULT_RESIDENT.name and name.source is Source.IC_CHIP
    assert window.editor.rows[0]["name"].badge.text() == "［IC］"
    copies = window.editor.rows[0]["copies"].input
    assert copies.hasFocus()
    qtbot.keyClick(copies, "1")  # 7
    qtbot.keyClick(copies, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # 8
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=WAIT_MS)
    assert window.message.title.text() == "受付が完了しました。受付番号をお伝えください。"
    assert "受付番号" in window.message.body.text()
    rows = [(e.form_id, e.status, e.identity_method) for e in context.service.queue.entries()]
    assert rows == [("juminhyo-request", "queued", "pinless")]
    confirmed = [e for e in entries(context.audit.db) if e.event == "card.holder_confirmed"]
    assert len(confirmed) == 1 and confirmed[0].operator == operator_name(context.settings)


def test_a_part_that_cannot_be_right_is_named_and_nothing_is_sent(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("collation-last-try")  # one try left: a send would need a yes
    window = open_window(qtbot, context)
    press_ctrl_b(qtbot, window)  # from the procedure list
    entry = window.pinless.entry
    assert window.stack.currentWidget() is entry and window.visit.target == "juminhyo-request"
    type_parts(qtbot, window, EXPIRY_YEAR, SECURITY_CODE, "昭和55年2月30日")
    qtbot.keyClick(entry.fields["birth_date"].edit, Qt.Key.Key_Return)
    birth = entry.fields["birth_date"]
    assert window.stack.currentWidget() is entry  # not sent: no last-try question either
    assert window.pinless.last_try_box is None
    assert birth.problem.isVisible() and "生年月日" in birth.problem.text()
    assert birth.edit.hasFocus() and birth.edit.text() == "昭和55年2月30日"  # to correct
    assert entry.fields["expiry_year"].edit.text() == EXPIRY_YEAR  # the right parts stay
    commit_text(birth.edit, "")
    birth.edit.selectAll()
    commit_text(birth.edit, "S55.2.17")
    qtbot.keyClick(birth.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.pinless.last_try_box is not None, timeout=WAIT_MS)


def test_a_refused_collation_number_says_the_tries_left_and_asks_for_a_new_entry(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("forgotten-pins")
    window = open_window(qtbot, context)
    to_blocked_pin_screen(qtbot, window)
    qtbot.mouseClick(window.pinless.problem_button, Qt.MouseButton.LeftButton)
    type_parts(qtbot, window, EXPIRY_YEAR, "9999", BIRTH_DATE_AS_PRINTED)  # a wrong code
    entry = window.pinless.entry
    qtbot.keyClick(entry.fields["birth_date"].edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: entry.refusal.isVisible(), timeout=WAIT_MS)
    assert window.stack.currentWidget() is entry
    said = entry.refusal.text()
    assert "照合番号Bが違います" in said and "あと2回" in said and "3つの項目" in said
    assert all(not f.edit.text() for f in entry.fields.values())  # a new entry, never a resend
    assert entry.fields["expiry_year"].edit.hasFocus()
    send_right_parts(qtbot, window)


def test_the_last_try_needs_an_explicit_yes_and_a_new_entry(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("collation-last-try"))
    press_ctrl_b(qtbot, window)
    entry = window.pinless.entry
    send_right_parts(qtbot, window, until_face=False)
    qtbot.waitUntil(lambda: window.pinless.last_try_box is not None, timeout=WAIT_MS)
    box = window.pinless.last_try_box
    assert box is not None and "残り1回" in box.text()
    assert box.defaultButton().text() == "中止"  # Enter alone does not use the last try
    use = next(b for b in box.buttons() if b.text() == "最後の1回を使う")
    use.click()
    assert window.stack.currentWidget() is entry and "残り1回" in entry.refusal.text()
    assert all(not f.edit.text() for f in entry.fields.values())  # typed again, checked again
    send_right_parts(qtbot, window)


def test_i_forgot_the_pin_and_a_wrong_pin_offer_the_path_too(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("valid"))
    choose(qtbot, window, "juminhyo-request")
    qtbot.waitUntil(lambda: window.pin_dialog is not None, timeout=WAIT_MS)
    assert window.pin_dialog is not None
    qtbot.mouseClick(window.pin_dialog.forgot, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=WAIT_MS)
    assert window.message.title.text() == "暗証番号が使えないとき"
    assert window.pinless.problem_button.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F12)
    assert not window.pinless.problem_button.isVisible()
    choose(qtbot, window, "juminhyo-request")
    enter_pin(qtbot, window, "0000")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=WAIT_MS)
    assert window.message.title.text() == "暗証番号が違います"
    assert window.message.again.hasFocus() and window.pinless.problem_button.isVisible()


def test_a_photo_that_is_not_the_person_ends_the_visit_and_queues_nothing(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("forgotten-pins")
    window = open_window(qtbot, context)
    to_blocked_pin_screen(qtbot, window)
    press_ctrl_b(qtbot, window)
    send_right_parts(qtbot, window)
    face = window.pinless.face
    qtbot.mouseClick(face.differs, Qt.MouseButton.LeftButton)
    assert window.message.title.text() == "本人確認ができません"
    assert face.photo.pixmap().isNull() and DEFAULT_RESIDENT.name not in texts_in(window)
    assert window.visit.target is None and context.service.queue.entries() == []
    rejected = [e for e in entries(context.audit.db) if e.event == "card.holder_rejected"]
    assert [(e.operator, e.detail) for e in rejected] == [
        (operator_name(context.settings), {"method": "pinless"})
    ]


def test_forms_that_carry_the_my_number_get_it_only_after_collation_number_a(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("forgotten-pins")
    window = open_window(qtbot, context)
    choose(qtbot, window, "moving-in")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=WAIT_MS)
    press_ctrl_b(qtbot, window)
    send_right_parts(qtbot, window)
    face = window.pinless.face
    qtbot.keyClick(face.confirm, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.questions, timeout=WAIT_MS)
    qtbot.keyClick(window.questions.next, Qt.Key.Key_Return)  # every box unchecked: 異動届
    page = window.pinless.my_number
    qtbot.waitUntil(lambda: window.stack.currentWidget() is page, timeout=WAIT_MS)
    assert page.title.text() == "個人番号の入力（照合番号A）"
    edit = page.field.edit
    assert edit.hasFocus() and edit.echoMode() is QLineEdit.EchoMode.Password
    wrong_check_digit = DEFAULT_RESIDENT.my_number[:11] + str(
        (int(DEFAULT_RESIDENT.my_number[11]) + 1) % 10
    )
    qtbot.keyClicks(edit, wrong_check_digit)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert window.stack.currentWidget() is page and page.field.problem.isVisible()
    assert "チェックデジット" in page.field.problem.text()
    assert wrong_check_digit not in texts_in(window) and edit.hasFocus()  # masked: typed anew
    qtbot.keyClicks(edit, DEFAULT_RESIDENT.my_number)
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=WAIT_MS)
    assert not edit.text()
    shown = texts_in(window)
    assert DEFAULT_RESIDENT.my_number not in shown  # masked on screen as on the PIN path
    carrying = [f for f in window.visit.forms if f.form.definition.carries_my_number]
    numbers = [  # the holder's own number: on the form, or in their row of a person list
        v
        for f in carrying
        for v in f.all_values()
        if v.field_id in ("my_number", *(f"{g.id}.1.my_number" for g in f.form.definition.groups))
    ]
    assert numbers and all(v.value == DEFAULT_RESIDENT.my_number for v in numbers)
    assert all(v.source is Source.IC_CHIP for v in numbers)


def test_esc_during_the_read_returns_to_a_new_entry_and_the_visit_goes_on(
    qtbot: QtBot, ui_settings: Settings
) -> None:
    slow = replace(ui_settings, emulator_latency_ms=40)  # the read takes long enough to stop
    context = build_context(slow, None, "forgotten-pins")
    try:
        window = open_window(qtbot, context)
        to_blocked_pin_screen(qtbot, window)
        press_ctrl_b(qtbot, window)
        send_right_parts(qtbot, window, until_face=False)
        assert window.stack.currentWidget() is window.reading
        assert "暗証番号なしで読み取っています" in window.reading.message.text()
        qtbot.keyClick(window, Qt.Key.Key_Escape)  # 中止 (Esc), while the card is read
        entry = window.pinless.entry
        qtbot.waitUntil(lambda: window.stack.currentWidget() is entry, timeout=WAIT_MS)
        assert window.visit.target == "juminhyo-request"  # the visit goes on
        assert all(not f.edit.text() for f in entry.fields.values())
        send_right_parts(qtbot, window)
    finally:
        context.close()
