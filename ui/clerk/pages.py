"""The clerk's steps that need no editing: choose, read, questions, outcome, done."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.i18n import t

if TYPE_CHECKING:  # not imported: the home page is up before the form model loads
    from counterapp.forms.definition import Question
    from counterapp.forms.index import Procedure

TARGET_ROLE = 256  # Qt.ItemDataRole.UserRole: the procedure's id on its list item


def button(text: str, shortcut: str | None = None) -> QPushButton:
    """A push button with an accessible name and (optionally) a keyboard shortcut."""
    widget = QPushButton(text)
    widget.setAccessibleName(text)
    if shortcut:
        widget.setShortcut(QKeySequence(shortcut))
    return widget


def last_try_box(
    parent: QWidget, title: str, text: str, use_text: str, language: str
) -> tuple[QMessageBox, QAbstractButton]:
    """A warning that asks before a last try is used; its default (Enter) is not to use it.

    Returns the box (not yet open) and its "use the last try" button.
    """
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(title)
    box.setText(text)
    use = box.addButton(use_text, QMessageBox.ButtonRole.AcceptRole)
    keep = box.addButton(t("ui.cancel", language), QMessageBox.ButtonRole.RejectRole)
    for choice in (use, keep):
        choice.setAccessibleName(choice.text())
    box.setDefaultButton(keep)
    return box, use


def button_row(*buttons: QPushButton) -> QHBoxLayout:
    """Buttons side by side at their natural width, on the left."""
    row = QHBoxLayout()
    for widget in buttons:
        row.addWidget(widget)
    row.addStretch()
    return row


def page_layout(page: QWidget) -> QVBoxLayout:
    """A page's column with the house margins and spacing."""
    layout = QVBoxLayout(page)
    layout.setContentsMargins(24, 16, 24, 16)
    layout.setSpacing(12)
    return layout


def heading(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setObjectName("heading")
    label.setWordWrap(True)
    return label


class HomePage(QWidget):
    """Life events and certificate requests; Enter (or double-click) starts the card read.

    Built from the procedure list alone (titles, no form model), so the window's start can
    show it while the rest of the terminal loads (ui/app.py).
    """

    chosen = Signal(str)
    chosen_without_card = Signal(str)  # 「カードを使わずに受付」 for the selected procedure

    def __init__(self, procedures: list[Procedure]) -> None:
        super().__init__()
        self.procedures = procedures
        self.title = heading()
        self.targets = QListWidget()
        self.targets.itemActivated.connect(lambda item: self.chosen.emit(item.data(TARGET_ROLE)))
        self.targets.installEventFilter(self)
        self.without_card = button("", "Ctrl+M")
        self.without_card.clicked.connect(self._choose_without_card)
        layout = page_layout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.targets)
        layout.addLayout(button_row(self.without_card))

    def _choose_without_card(self) -> None:
        item = self.targets.currentItem()
        if item is not None:
            self.chosen_without_card.emit(item.data(TARGET_ROLE))

    def retranslate(self, language: str) -> None:
        self.title.setText(t("clerk.home.heading", language))
        self.without_card.setText(t("clerk.manual.button", language) + " (Ctrl+M)")
        self.without_card.setAccessibleName(self.without_card.text())
        self.without_card.setShortcut(QKeySequence("Ctrl+M"))
        self.targets.setAccessibleName(t("clerk.home.list", language))
        self.targets.setAccessibleDescription(t("clerk.home.heading", language))
        current = self.targets.currentRow()
        self.targets.clear()
        for number, procedure in enumerate(self.procedures, start=1):
            item = QListWidgetItem(f"{number}. {procedure.in_language(language)}")
            item.setData(TARGET_ROLE, procedure.target)
            self.targets.addItem(item)
        self.targets.setCurrentRow(max(current, 0))

    def focus(self) -> None:
        self.targets.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._chosen_by_number(event):
            super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """The list has the focus: its own type-ahead search would take the digits."""
        if watched is self.targets and event.type() == QEvent.Type.KeyPress:
            return self._chosen_by_number(event)  # type: ignore[arg-type]  # a QKeyEvent
        return super().eventFilter(watched, event)

    def _chosen_by_number(self, event: QKeyEvent) -> bool:
        """Digits 1–9 choose the procedure of that number at once."""
        text = event.text()
        if text.isdigit() and 0 < int(text) <= self.targets.count():
            self.chosen.emit(self.targets.item(int(text) - 1).data(TARGET_ROLE))
            return True
        return False


class ReadingPage(QWidget):
    """Progress while the worker talks to the card; Esc cancels."""

    cancel_requested = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.message = heading()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: the read has no known length
        self.cancel = button("", "Esc")
        self.cancel.clicked.connect(self.cancel_requested.emit)
        layout = page_layout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.progress)
        layout.addLayout(button_row(self.cancel))
        layout.addStretch()

    def show_step(self, key: str, language: str) -> None:
        self.message.setText(t(key, language))
        self.progress.setAccessibleName(t(key, language))
        self.cancel.setText(t("clerk.reading.cancel", language))
        self.cancel.setAccessibleName(self.cancel.text())
        self.cancel.setShortcut(QKeySequence("Esc"))


class QuestionsPage(QWidget):
    """The life event's yes/no questions as check boxes; Enter goes on."""

    answered = Signal(dict)

    def __init__(self) -> None:
        super().__init__()
        self.title = heading()
        self.note = QLabel()  # why the questions are asked again
        self.note.setWordWrap(True)
        self.boxes: dict[str, QCheckBox] = {}
        self.box_layout = QVBoxLayout()
        self.next = button("", "Return")
        self.next.clicked.connect(self._done)
        layout = page_layout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addLayout(self.box_layout)
        layout.addLayout(button_row(self.next))
        layout.addStretch()

    def retranslate(self, language: str) -> None:
        self.title.setText(t("clerk.questions.heading", language))
        self.next.setText(t("clerk.next", language))
        self.next.setAccessibleName(self.next.text())
        self.next.setShortcut(QKeySequence("Return"))

    def ask(self, questions: tuple[Question, ...], language: str, note: str = "") -> None:
        self.clear()
        self.retranslate(language)
        self.note.setText(note)
        self.note.setVisible(bool(note))
        for question in questions:
            box = QCheckBox(question.label.in_language(language))
            box.setAccessibleName(box.text())
            if question.help is not None:
                box.setToolTip(question.help.in_language(language))
                box.setAccessibleDescription(box.toolTip())
            self.box_layout.addWidget(box)
            self.boxes[question.id] = box
        if self.boxes:
            next(iter(self.boxes.values())).setFocus()

    def _done(self) -> None:
        self.answered.emit({qid: box.isChecked() for qid, box in self.boxes.items()})

    def clear(self) -> None:
        for box in self.boxes.values():
            box.setParent(None)
            box.deleteLater()
        self.boxes.clear()


class MessagePage(QWidget):
    """A result to read (not genuine, a PIN problem, or the reception number) and 次の方."""

    next_resident = Signal()
    go_on = Signal()  # the one way on after a problem: enter the PIN again, read again

    def __init__(self) -> None:
        super().__init__()
        self.title = heading()
        self.body = QLabel()
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.again = button("")  # e.g. a new PIN entry by the resident: never a resend
        self.again.clicked.connect(self.go_on.emit)
        self.again.hide()
        self._action = "ui.pin.enter_again"
        self.next = button("")  # F12 is the window's shortcut: it works on every page
        self.next.clicked.connect(self.next_resident.emit)
        self.column = page_layout(self)
        self.column.addWidget(self.title)
        self.column.addWidget(self.body)
        self.action_row = button_row(self.again, self.next)
        self.column.addLayout(self.action_row)
        self.column.addStretch()
        self.problem_actions: list[QPushButton] = []  # the other ways on after a card problem

    def add_problem_action(self, widget: QPushButton) -> None:
        """Another way on after a PIN or card problem (e.g. without the card), beside
        the main one; shown only with ``show_message(..., problem=True)``."""
        self.action_row.insertWidget(self.action_row.indexOf(self.next), widget)
        self.problem_actions.append(widget)
        widget.hide()

    def add_under_heading(self, widget: QWidget) -> None:
        """A widget (e.g. the verdict badge) between the heading and the body."""
        self.column.insertWidget(1, widget)

    def retranslate(self, language: str) -> None:
        self.again.setText(t(self._action, language))
        self.again.setAccessibleName(self.again.text())
        self.next.setText(t("clerk.next_resident", language))
        self.next.setAccessibleName(self.next.text())
        self.body.setAccessibleName(self.title.text() or self.next.text())

    def show_message(
        self,
        title: str,
        body: str,
        language: str,
        *,
        action: str | None = None,
        problem: bool = False,
    ) -> None:
        """A result; ``action`` (a text key) names the way on offered beside 次の方;
        ``problem``: a PIN or card problem, where the other ways on are offered too."""
        for widget in self.problem_actions:
            widget.setVisible(problem)
        self.title.setText(title)
        self.body.setText(body)
        self._action = action or self._action
        self.retranslate(language)
        self.body.setAccessibleDescription(body)
        self.again.setVisible(action is not None)
        (self.again if action else self.next).setFocus()

    def clear(self) -> None:
        for label in (self.title, self.body):
            label.setText("")
        self.body.setAccessibleDescription("")
