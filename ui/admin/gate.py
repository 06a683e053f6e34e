"""The admin PIN in front of the admin screen (the kiosk's PIN, ``counterapp kiosk set-admin-pin``).

Every refusal is audited with its count (never the PIN); after three the dialog closes.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from counterapp.adminpin import AdminPin, check_admin_pin
from counterapp.audit import AuditLog
from ui.i18n import t

MAX_TRIES = 3


class AdminGate(QDialog):
    """Accepted only with the right admin PIN; rejected after three wrong ones."""

    def __init__(
        self,
        expected: AdminPin | None,
        audit: AuditLog,
        language: str,
        where: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._expected, self._audit, self._where = expected, audit, where
        self.language = language
        self.refused = 0
        title = t("kiosk.admin.title", language)
        self.setWindowTitle(title)
        self.message = QLabel(t("admin.pin.prompt", language) if expected else "")
        self.message.setWordWrap(True)
        if expected is None:
            self.message.setText(t("admin.pin.not_set", language))
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(title)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.check)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.message, self.edit, self.buttons):
            layout.addWidget(widget)

    def check(self) -> None:
        entered = self.edit.text()
        self.edit.clear()
        if check_admin_pin(
            self._expected, entered, self._audit, where=self._where, refused_before=self.refused
        ):
            self.accept()
            return
        self.refused += 1
        if self.refused >= MAX_TRIES:
            self.reject()
        else:
            self.message.setText(t("kiosk.admin.wrong", self.language))

    def reject(self) -> None:
        self.edit.clear()
        super().reject()
