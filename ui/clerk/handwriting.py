"""The resident signs on the counter's screen (pen tablet, touch screen or mouse)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from ui.i18n import t
from ui.signature import SignaturePad


class HandwritingDialog(QDialog):
    """A signature box; OK is possible once something is drawn. ``png`` holds the result."""

    def __init__(self, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("clerk.handwriting.title", language))
        prompt = QLabel(t("clerk.handwriting.prompt", language))
        prompt.setWordWrap(True)
        self.pad = SignaturePad()
        self.pad.setAccessibleName(t("clerk.handwriting.title", language))
        self.pad.setAccessibleDescription(prompt.text())
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Reset
            | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setEnabled(False)
        texts = {
            QDialogButtonBox.StandardButton.Ok: "ui.ok",
            QDialogButtonBox.StandardButton.Reset: "clerk.handwriting.clear",
            QDialogButtonBox.StandardButton.Cancel: "ui.cancel",
        }
        for which, key in texts.items():
            button = buttons.button(which)
            button.setText(t(key, language))
            button.setAccessibleName(button.text())
        buttons.button(QDialogButtonBox.StandardButton.Reset).clicked.connect(self.pad.clear)
        self.pad.changed.connect(self.ok.setEnabled)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (prompt, self.pad, buttons):
            layout.addWidget(widget)
        self.png: bytes | None = None

    def accept(self) -> None:
        self.png = self.pad.png_bytes()
        self.pad.clear()
        super().accept()

    def reject(self) -> None:
        self.pad.clear()
        super().reject()
