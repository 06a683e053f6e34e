"""PIN entry: a dialog for the clerk's keyboard, an on-screen pad for the kiosk.

Both name the PIN (利用者証明用, 券面事項入力補助用, 署名用), show the tries left, warn
plainly on the last try, and hand the PIN back as a bytearray that the core wipes after
one VERIFY. The typed text is cleared from the widget as soon as it is handed over.
"""

from __future__ import annotations

from PySide6.QtCore import QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cardreader.types import PinKind, PinStatus
from ui.i18n import pin_name, t

FOUR_DIGITS = r"[0-9]{4}"
SIGNING_PASSWORD = r"[A-Z0-9]{6,16}"


def pin_pattern(kind: PinKind) -> str:
    return SIGNING_PASSWORD if kind is PinKind.SIGNING else FOUR_DIGITS


def describe(status: PinStatus, language: str) -> tuple[str, str, str]:
    """(title, format hint, tries line) for a PIN prompt."""
    title = t("ui.pin.title", language, pin=pin_name(status.kind.value, language))
    hint_key = "ui.pin.password_format" if status.kind is PinKind.SIGNING else "ui.pin.four_digits"
    if status.last_try:
        tries = t("ui.pin.last_try_warning", language)
    else:
        tries = t("ui.pin.tries_left", language, tries=status.tries_left)
    return title, t(hint_key, language), tries


def take_text(edit: QLineEdit) -> bytearray:
    """The entered PIN as bytes; the widget is emptied."""
    pin = bytearray(edit.text().encode("ascii", "replace"))
    edit.clear()
    return pin


class PinDialog(QDialog):
    """The clerk's PIN dialog: the resident types on the counter keyboard or PIN pad."""

    def __init__(self, status: PinStatus, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title, hint, tries = describe(status, language)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        layout = QVBoxLayout(self)
        heading = QLabel(f"<b>{title}</b>")
        self.tries_label = QLabel(tries)
        self.tries_label.setWordWrap(True)
        if status.last_try:
            self.tries_label.setStyleSheet("font-weight: bold; color: #b00020;")
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(pin_pattern(status.kind)), self.edit)
        )
        self.edit.setPlaceholderText(hint)
        self.edit.setAccessibleName(title)
        self.edit.setAccessibleDescription(f"{hint}。{tries}")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(t("ui.ok", language))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(t("ui.cancel", language))
        for button in buttons.buttons():
            button.setAccessibleName(button.text())
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.forgot = QPushButton(t("ui.pin.forgotten", language))
        self.forgot.setAccessibleName(self.forgot.text())
        self.forgot.setAutoDefault(False)
        self.forgot.clicked.connect(self._forgotten)
        for widget in (heading, self.tries_label, self.edit, self.forgot, buttons):
            layout.addWidget(widget)
        self.pin: bytearray | None = None
        self.forgotten = False  # the resident does not know the PIN: nothing is sent

    def _forgotten(self) -> None:
        self.forgotten = True
        self.reject()

    def accept(self) -> None:
        self.pin = take_text(self.edit)
        super().accept()

    def reject(self) -> None:
        self.edit.clear()
        super().reject()


class PinPad(QWidget):
    """The kiosk's on-screen PIN pad: large keys, no keyboard needed."""

    entered = Signal(object)  # bytearray
    cancelled = Signal()
    forgotten = Signal()  # the resident does not know the PIN: nothing is sent

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.language = "ja"
        self.status: PinStatus | None = None
        self.title = QLabel()
        self.title.setObjectName("kioskHeading")
        self.title.setWordWrap(True)
        self.tries_label = QLabel()
        self.tries_label.setWordWrap(True)
        self.display = QLineEdit()
        self.display.setEchoMode(QLineEdit.EchoMode.Password)
        self.display.setReadOnly(True)
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.keys: dict[str, QPushButton] = {}
        grid = QGridLayout()
        for index, digit in enumerate("123456789"):
            grid.addWidget(self._key(digit), index // 3, index % 3)
        self.delete = self._key("⌫", self._delete_one)
        self.ok = self._key("OK", self._submit)
        self.cancel = self._key("×", self.cancelled.emit)
        self.forgot = self._key("?", self._forgotten)
        grid.addWidget(self.delete, 3, 0)
        grid.addWidget(self._key("0"), 3, 1)
        grid.addWidget(self.ok, 3, 2)
        layout = QVBoxLayout(self)
        for widget in (self.title, self.tries_label, self.display):
            layout.addWidget(widget)
        layout.addLayout(grid)
        layout.addWidget(self.forgot)
        layout.addWidget(self.cancel)

    def _key(self, label: str, action: object = None) -> QPushButton:
        button = QPushButton(label)
        button.setMinimumSize(120, 96)
        button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        if action is None:
            button.clicked.connect(lambda: self._type(label))
            button.setAccessibleName(label)
            self.keys[label] = button
        else:
            button.clicked.connect(action)
        return button

    def ask(self, status: PinStatus, language: str) -> None:
        """Show the prompt for ``status`` in ``language`` with an empty display."""
        self.status, self.language = status, language
        title, hint, tries = describe(status, language)
        self.title.setText(title)
        self.tries_label.setText(f"{hint}\n{tries}")
        self.tries_label.setObjectName("warning" if status.last_try else "")
        self.display.clear()
        self.display.setAccessibleName(title)
        self.delete.setText(t("ui.delete_digit", language))
        self.ok.setText(t("ui.ok", language))
        self.cancel.setText(t("ui.cancel", language))
        self.forgot.setText(t("ui.pin.forgotten", language))
        for button in (self.delete, self.ok, self.cancel, self.forgot):
            button.setAccessibleName(button.text())
        self.ok.setEnabled(False)

    def _type(self, digit: str) -> None:
        if len(self.display.text()) < 4:
            self.display.setText(self.display.text() + digit)
        self.ok.setEnabled(len(self.display.text()) == 4)

    def _delete_one(self) -> None:
        self.display.setText(self.display.text()[:-1])
        self.ok.setEnabled(False)

    def _forgotten(self) -> None:
        self.display.clear()
        self.forgotten.emit()

    def _submit(self) -> None:
        if len(self.display.text()) == 4:
            self.entered.emit(take_text(self.display))

    def wipe(self) -> None:
        self.display.clear()
        self.status = None
