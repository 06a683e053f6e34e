"""「カードを使わずに受付」: the clerk goes on without the card, from the procedure list or
from a PIN or card problem; the clerk types the card's values, every form is marked as
typed by hand and the audit names the operator."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import pypdfium2
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from cardreader.emulator.resident import DEFAULT_RESIDENT
from counterapp.audit import entries as audit_entries
from counterapp.forms.filled import Source
from tests.ui.test_clerk import MakeContext, choose, enter_pin, open_window, texts_in
from ui.clerk.window import ClerkWindow

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = CTRL | Qt.KeyboardModifier.ShiftModifier
MANUAL = "カードを使わずに受付"
WAIT_MS = 10_000


def type_text(qtbot: QtBot, edit: QLineEdit, text: str) -> None:
    """Type into a field as a person does (Japanese arrives as an input-method commit)."""
    edit.setFocus()
    if text.isascii():
        qtbot.keyClicks(edit, text)
        return
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(edit, event)


def type_the_card_values(qtbot: QtBot, window: ClerkWindow, index: int = 0) -> None:
    """The clerk copies the resident's identity document into the card's fields."""
    rows = window.editor.rows[index]
    for field_id, value in (
        ("name", DEFAULT_RESIDENT.name),
        ("address", DEFAULT_RESIDENT.address),
        ("birth_date", "1980-02-17"),
        ("subjects.1.name", DEFAULT_RESIDENT.name),  # the person on the certificate
        ("subjects.1.birth_date", "1980-02-17"),
    ):
        if field_id not in rows:  # a form without that person list
            continue
        edit = rows[field_id].input
        assert isinstance(edit, QLineEdit)
        type_text(qtbot, edit, value)
    sex = rows["sex"].input
    assert isinstance(sex, QComboBox)
    sex.setFocus()
    qtbot.keyClick(sex, Qt.Key.Key_Down)  # the first choice: 男


def manual_entries(window: ClerkWindow) -> list[tuple[str, dict[str, object]]]:
    return [
        (e.operator, e.detail)
        for e in audit_entries(window.context.audit.db)
        if e.event == "visit.manual_entry"
    ]


def test_after_a_wrong_pin_the_clerk_goes_on_without_the_card_and_the_forms_say_so(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("valid")
    window = open_window(qtbot, context)
    choose(qtbot, window, "juminhyo-request")
    enter_pin(qtbot, window, "0000")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=WAIT_MS)
    assert window.message.again.isVisible()  # もう一度入力 stays the first way on
    assert window.manual_button.isVisible() and window.manual_button.text() == MANUAL
    qtbot.mouseClick(window.manual_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=WAIT_MS)
    assert "カードを使わずに受付（手入力）" in window.identity_label.text()
    assert not window.verdict_badge.isVisible() and not window.sign_button.isVisible()
    rows = window.editor.rows[0]
    name = rows["name"].input
    assert isinstance(name, QLineEdit) and name.text() == "" and name.hasFocus()
    assert DEFAULT_RESIDENT.name not in texts_in(window.editor)  # nothing of the card is used
    assert window.visit.forms[0].value("municipality").value == "千代田区"  # the terminal's own
    type_the_card_values(qtbot, window)
    copies = rows["copies"].input
    assert isinstance(copies, QLineEdit)
    type_text(qtbot, copies, "1")
    qtbot.keyClick(copies, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=WAIT_MS)
    assert "受付番号" in window.message.body.text()
    assert not window.manual_button.isVisible()  # a result, not a problem

    (entry,) = context.service.queue.entries()
    assert (entry.worklist_status, entry.identity_method) == ("pending", "manual")
    stored = context.service.queue.open(entry.id, purpose="test").filled
    assert stored.value("name").value == DEFAULT_RESIDENT.name
    assert stored.value("name").source is Source.CLERK
    assert manual_entries(window) == [
        (getpass.getuser(), {"target": "juminhyo-request", "reason": "pin_not_accepted"})
    ]
    every_entry = json.dumps([e.detail for e in audit_entries(context.audit.db)])
    assert DEFAULT_RESIDENT.name not in every_entry and "1980" not in every_entry


@pytest.mark.slow
def test_from_the_procedure_list_a_manual_draft_reopens_marked_and_prints_marked(
    qtbot: QtBot, make_context: MakeContext, tmp_path: Path
) -> None:
    context = make_context("valid")
    window = open_window(qtbot, context)
    window.home.targets.setFocus()
    qtbot.keyClick(window.home.targets, Qt.Key.Key_M, CTRL)  # the first procedure, no card
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=WAIT_MS)
    assert window.pin_dialog is None  # no card read, no PIN asked
    type_the_card_values(qtbot, window)
    qtbot.keyClick(window.editor.rows[0]["name"].input, Qt.Key.Key_Return, CTRL_SHIFT)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=WAIT_MS)
    (draft,) = context.service.queue.entries()
    assert (draft.worklist_status, draft.identity_method) == ("draft", "manual")

    window.show_worklist()
    window.queue_view.table.setCurrentCell(0, 0)
    qtbot.keyClick(window.queue_view.table, Qt.Key.Key_Return)  # open the draft
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=WAIT_MS)
    assert "手入力" in window.identity_label.text() and not window.sign_button.isVisible()
    assert window.write_pdf(tmp_path / "forms.pdf")
    pages = pypdfium2.PdfDocument(tmp_path / "forms.pdf")
    printed = "".join(page.get_textpage().get_text_range() for page in pages)
    assert "カードを使わずに受付（手入力）" in printed.replace("\r\n", "")
    copies = window.editor.rows[0]["copies"].input
    assert isinstance(copies, QLineEdit)
    type_text(qtbot, copies, "2")
    qtbot.keyClick(copies, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=WAIT_MS)
    (queued,) = context.service.queue.entries()
    assert (queued.worklist_status, queued.identity_method) == ("pending", "manual")
    assert [d["reason"] for _, d in manual_entries(window)] == ["clerk_choice"]


@pytest.mark.parametrize(
    ("scenario", "heading", "offered"),
    [
        ("kenhojo-pin-blocked", "暗証番号がロックされています", True),
        ("removed-mid-read", "カードが離れました。置き直してください", True),
        ("tampered-kenhojo", None, False),  # a forged card is not passed over by hand
    ],
)
def test_the_way_on_without_the_card_is_offered_on_pin_and_card_problems(
    qtbot: QtBot, make_context: MakeContext, scenario: str, heading: str | None, offered: bool
) -> None:
    window = open_window(qtbot, make_context(scenario))
    choose(qtbot, window, "juminhyo-request")
    while window.stack.currentWidget() is not window.message:
        qtbot.waitUntil(
            lambda: window.pin_dialog is not None or window.stack.currentWidget() is window.message,
            timeout=WAIT_MS,
        )
        if window.pin_dialog is not None:
            enter_pin(qtbot, window)
    if heading is not None:
        assert window.message.title.text() == heading
    assert window.manual_button.isVisible() is offered
    if offered:
        qtbot.mouseClick(window.manual_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=WAIT_MS)
        assert "手入力" in window.identity_label.text()


def test_a_move_in_from_abroad_reads_no_card_and_opens_the_persons_for_the_clerk(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    """国外からの転入: the resident has no My Number card yet; the 在留カード is typed."""
    context = make_context("valid")
    window = open_window(qtbot, context)
    window.home.chosen.emit("from-abroad")  # the clerk's choice on the procedure list
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.questions, timeout=WAIT_MS)
    assert window.pin_dialog is None  # no card is read, no PIN is asked
    qtbot.keyClick(window.questions.next, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=WAIT_MS)
    assert "カードを使わずに受付（手入力）" in window.identity_label.text()
    rows = window.editor.rows[0]
    assert "movers.1.name" in rows  # the first person moving, for the clerk to type
    assert window.visit.forms[0].value("movers.1.name").source is Source.BLANK
    assert manual_entries(window) == [
        (getpass.getuser(), {"target": "from-abroad", "reason": "starts_without_card"})
    ]
