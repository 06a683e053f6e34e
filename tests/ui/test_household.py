"""A household moves in at the clerk window: two residents tap their own cards, a child
without a card is entered by hand, and the 転入 bundle is queued for all three."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from cardreader.emulator.resident import DEFAULT_RESIDENT, PARTNER_RESIDENT
from counterapp.audit import entries as audit_entries
from counterapp.forms.definition import FieldDefinition, FieldType
from counterapp.visit import Visit
from tests.counterapp.household_bundle import (
    CHILD,
    NEW_ADDRESS,
    address_part,
    assert_household_bundle,
)
from tests.ui.test_clerk import enter_pin, open_window
from ui.clerk.editor import FieldRow
from ui.clerk.household import MemberDialog
from ui.clerk.window import ClerkWindow
from ui.context import UiContext

MakeContext = Callable[..., UiContext]
WAIT_MS = 10_000
# Plausible values a clerk types, by field type (the chip's values are kept as read).
TYPED = {
    FieldType.TEXT: "テスト",
    FieldType.KATAKANA: "バンゴウ　サクラ",
    FieldType.DATE: "2026-11-20",
    FieldType.ADDRESS: NEW_ADDRESS,
    FieldType.POSTAL_CODE: "100-0001",
    FieldType.NUMBER: "1",
}


def choose(qtbot: QtBot, window: ClerkWindow, target: str) -> None:
    """Select the procedure on the home list and press Enter."""
    targets = window.home.targets
    for row in range(targets.count()):
        if targets.item(row).data(256) == target:
            targets.setCurrentRow(row)
            qtbot.keyClick(targets, Qt.Key.Key_Return)
            return
    raise AssertionError(f"{target} is not on the home page")


def type_text(edit: QLineEdit, text: str) -> None:
    """Replace the edit's text as a person does (an IME commit: Japanese text too)."""
    edit.setFocus()
    edit.selectAll()
    edit.del_()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(edit, event)


def enter(row: FieldRow, definition: FieldDefinition, value: str | None = None) -> None:
    """The clerk enters a value in one field row (a plausible one unless given)."""
    widget = row.input
    if isinstance(widget, QComboBox):
        wanted = value if value is not None else definition.choices[0].value
        widget.setCurrentIndex(widget.findData(wanted))
    elif isinstance(widget, QCheckBox):
        widget.setChecked(True)
    elif isinstance(widget, QLineEdit) and not widget.isReadOnly():
        type_text(widget, value if value is not None else TYPED.get(definition.type, "1"))


def complete_the_forms(window: ClerkWindow) -> None:
    """Type every value still missing, where the clerk would: in the forms editor."""
    for _ in range(5):  # a value may make another field appear (a condition)
        found = window.service.problems(window.visit)
        if not any(found):
            return
        for index, problems in enumerate(found):
            for problem in problems:
                row = window.editor.rows[index].get(problem.field_id)
                if row is None:
                    continue
                definition = window.visit.forms[index].form.definition.field_at(problem.field_id)
                current = window.visit.forms[index].value(problem.field_id).value
                typed = "03-1234-5678" if problem.field_id == "phone" else None
                enter(row, definition, current or address_part(problem.field_id) or typed)
    assert not any(window.service.problems(window.visit)), window.service.problems(window.visit)


def member_dialog(qtbot: QtBot, window: ClerkWindow) -> MemberDialog:
    qtbot.waitUntil(lambda: window.member_dialog is not None, timeout=WAIT_MS)
    dialog = window.member_dialog
    assert dialog is not None
    window.member_dialog = None
    return dialog


def fill_dialog(dialog: MemberDialog, values: dict[str, str]) -> None:
    for field_id, row in dialog.rows.items():
        if field_id in values or row.definition.required:
            enter(row, row.definition, values.get(field_id))


def moving_in(qtbot: QtBot, window: ClerkWindow, *yes: str) -> None:
    """The first card holder's 転入: their card and PINs, the questions (``yes`` ticked)."""
    choose(qtbot, window, "moving-in")
    enter_pin(qtbot, window, DEFAULT_RESIDENT.auth_pin)
    enter_pin(qtbot, window, DEFAULT_RESIDENT.kenhojo_pin)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.questions, timeout=WAIT_MS)
    for question, box in window.questions.boxes.items():
        box.setChecked(question in yes)
    qtbot.keyClick(window.questions.next, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=WAIT_MS)


def next_card(qtbot: QtBot, window: ClerkWindow, scenario: str, pins: tuple[str, ...]) -> None:
    """The next person places their card (a virtual one) and types their own PINs."""
    bar = window.household
    bar.virtual_card.setCurrentIndex(bar.virtual_card.findData(scenario))
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    for pin in pins:
        enter_pin(qtbot, window, pin)


PARTNER_PINS = (PARTNER_RESIDENT.auth_pin, PARTNER_RESIDENT.kenhojo_pin)


def test_a_household_of_three_moves_in_two_with_cards_one_by_hand(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("valid")
    window = open_window(qtbot, context)
    moving_in(qtbot, window, "join_nhi", "has_children", "register_seal")
    next_card(qtbot, window, "household-partner", PARTNER_PINS)  # their own card and PINs
    partner = member_dialog(qtbot, window)
    assert PARTNER_RESIDENT.name in partner.windowTitle()
    assert "name" not in partner.rows  # the chip's values are not typed again
    for question, box in partner.answers.items():
        box.setChecked(question != "join_nhi")  # the partner is insured at work
    fill_dialog(partner, {})
    partner.accept()

    # the child has no card: the clerk enters the row once, marked 手入力
    child = window.add_member_by_hand()
    assert child is not None
    fill_dialog(child, CHILD)
    for box in child.groups.values():  # e.g. the 児童 of the 児童手当 認定請求
        box.setChecked(True)
    child.accept()
    people = _texts(window.household)
    assert DEFAULT_RESIDENT.name in people and PARTNER_RESIDENT.name in people
    assert CHILD["name"] in people and "手入力" in people

    complete_the_forms(window)
    receipt = window.submit()
    assert receipt is not None, window.problems_label.text()
    stored = [context.service.queue.open(i, "test").filled for i in receipt.record_ids]
    assert_household_bundle(stored)
    events = [entry.event for entry in audit_entries(context.audit.db)]
    assert events.count("card.read") == events.count("card.verified") == 2  # each card's own


def _texts(widget: QWidget) -> str:
    from PySide6.QtWidgets import QLabel

    return " ".join(label.text() for label in widget.findChildren(QLabel))


def test_a_member_taken_off_leaves_with_their_rows_and_their_card_copy(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("valid"))
    moving_in(qtbot, window)
    before = len(window.visit.forms)
    next_card(qtbot, window, "household-partner", PARTNER_PINS)
    member_dialog(qtbot, window).accept()
    assert len(window.visit.forms) == before + 1  # the partner's own 継続利用
    assert window.editor.count() == len(window.visit.forms)
    (remove,) = window.household.remove_buttons
    qtbot.mouseClick(remove, Qt.MouseButton.LeftButton)
    assert len(window.visit.forms) == before and not window.visit.members
    assert PARTNER_RESIDENT.name not in _texts(window.forms_page)


def test_the_same_card_again_is_refused_and_the_visit_goes_on(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("valid"))
    moving_in(qtbot, window)
    first = (DEFAULT_RESIDENT.auth_pin, DEFAULT_RESIDENT.kenhojo_pin)
    next_card(qtbot, window, "valid", first)  # the first card holder's card once more
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=WAIT_MS)
    assert "読み取り済み" in window.problems_label.text()
    assert isinstance(window.visit, Visit) and not window.visit.members


def test_a_members_wrong_pin_is_entered_again_and_the_visit_goes_on(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("valid"))
    moving_in(qtbot, window)
    wrong = (DEFAULT_RESIDENT.auth_pin,)  # the first holder's PIN on the partner's card
    next_card(qtbot, window, "household-partner", wrong)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=WAIT_MS)
    assert "2" in window.message.body.text()  # tries left, said
    qtbot.mouseClick(window.message.again, Qt.MouseButton.LeftButton)  # a new entry
    for pin in PARTNER_PINS:
        enter_pin(qtbot, window, pin)
    member_dialog(qtbot, window).accept()
    assert [m.card.data.name for m in window.visit.members if m.card] == [PARTNER_RESIDENT.name]
    assert window.visit.card is not None
    assert window.visit.card.data.name == DEFAULT_RESIDENT.name  # the first holder stays


def test_a_household_draft_reopened_lists_its_persons(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("valid"))
    moving_in(qtbot, window)
    next_card(qtbot, window, "household-partner", PARTNER_PINS)
    member_dialog(qtbot, window).accept()
    child = window.add_member_by_hand()
    assert child is not None
    fill_dialog(child, CHILD)
    child.accept()
    receipt = window.save_draft()  # values still missing: kept for later
    assert receipt is not None
    window.reopen(receipt.visit_id)
    people = _texts(window.household)
    for name in (DEFAULT_RESIDENT.name, PARTNER_RESIDENT.name, CHILD["name"]):
        assert name in people
    assert people.count("手入力") == 1
