"""The clerk's visual identity check: 照合番号B opens the card face; the photo is shown.

The photo is personal data: it lives only in this dialog and is dropped when it closes.
"""

from __future__ import annotations

import io

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QPixmap, QRegularExpressionValidator
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from counterapp.verification.explain import verdict_text
from counterapp.visit import CardFace, CardNotGenuine, Visit
from ui.context import UiContext
from ui.i18n import error_message, t

PHOTO_HEIGHT = 240
FACE_JOB = "face"


def photo_pixmap(face: CardFace) -> QPixmap:
    """The card's JPEG 2000 photo as a pixmap (Pillow decodes what Qt cannot)."""
    from PIL import Image  # Pillow only once a card face is shown

    png = io.BytesIO()
    Image.open(io.BytesIO(face.photo)).save(png, "PNG")
    pixmap = QPixmap()
    pixmap.loadFromData(png.getvalue(), "PNG")
    return pixmap.scaledToHeight(PHOTO_HEIGHT, Qt.TransformationMode.SmoothTransformation)


class FaceCheckDialog(QDialog):
    """Type 照合番号B from the card, see the face photo the issuer signed."""

    def __init__(
        self, context: UiContext, visit: Visit, language: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.visit = visit
        self.language = language
        self.setWindowTitle(t("clerk.face.title", language))
        self.code = QLineEdit()
        self.code.setEchoMode(QLineEdit.EchoMode.Password)
        self.code.setValidator(
            QRegularExpressionValidator(QRegularExpression("[0-9]{14}"), self.code)
        )
        self.code.setAccessibleName(t("clerk.face.code", language))
        self.code.setPlaceholderText(t("clerk.face.code", language))
        self.read = QPushButton(t("clerk.face.read", language))
        self.read.setAccessibleName(self.read.text())
        self.read.setDefault(True)
        self.read.clicked.connect(self._read)
        self.photo = QLabel()
        self.photo.setAccessibleName(t("clerk.face.photo", language))
        self.message = QLabel()
        self.message.setWordWrap(True)
        layout = QVBoxLayout(self)
        for widget in (self.code, self.read, self.photo, self.message):
            layout.addWidget(widget)
        context.worker.succeeded.connect(self._done)
        context.worker.failed.connect(self._failed)

    def _read(self) -> None:
        code = self.code.text()
        self.code.clear()
        self.read.setEnabled(False)
        service, visit = self.context.service, self.visit
        self.context.worker.submit(
            FACE_JOB, lambda card, _asker: service.check_face(card, visit, code)
        )

    def _done(self, name: str, face: object) -> None:
        if name == FACE_JOB and isinstance(face, CardFace):
            self.photo.setPixmap(photo_pixmap(face))
            self.message.setText(t("clerk.face.compare", self.language))
            self.read.setEnabled(True)

    def _failed(self, name: str, error: BaseException) -> None:
        if name == FACE_JOB:
            if isinstance(error, CardNotGenuine):  # a face the issuer did not sign: no photo
                self.message.setText(verdict_text(error.verdict, self.language))
            else:
                self.message.setText(error_message(error, self.language))
            self.read.setEnabled(True)

    def done(self, result: int) -> None:
        self.photo.clear()
        self.code.clear()
        self.context.worker.succeeded.disconnect(self._done)
        self.context.worker.failed.disconnect(self._failed)
        super().done(result)
