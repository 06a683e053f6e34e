"""The clerk's PIN-less pages: 照合番号B from the card in hand, the face, the My Number.

These pages only collect what the clerk reads off the card and show what the core found;
``ui.clerk.pinless_flow`` hands the typed parts to the core, which composes and checks them
(``counterapp.collation``) before anything is sent to the card.

The typed parts are personal data: every field is emptied as soon as its text is handed
over, and ``wipe()`` empties the rest.
"""

from __future__ import annotations

import io

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from cardreader.types import CardFace
from ui.clerk.pages import button, button_row, heading, page_layout
from ui.clerk.verdict import VerdictBadge
from ui.i18n import t

# The order of the fields: the two fixed-length parts first (each moves on by itself after
# four digits), the birth date last (its length varies; Enter sends). Fewer key presses,
# and each field says plainly which part of the card it is.
PARTS = ("expiry_year", "security_code", "birth_date")
AUTO_ADVANCE = {"expiry_year": 4, "security_code": 4}
PHOTO_HEIGHT = 320  # large, and the page still fits a 1366×768 counter PC
PRINTED_SIZE = (600, 72)  # the printed name and address images, at most this large


def png_pixmap(data: bytes, height: int, width: int | None = None) -> QPixmap:
    """A PNG (or, through Pillow, a JPEG 2000) image scaled to ``height`` (and within
    ``width``), its proportions kept."""
    pixmap = QPixmap()
    if not pixmap.loadFromData(data, "PNG"):
        from PIL import Image  # the card's photo is JPEG 2000, which Qt cannot decode

        png = io.BytesIO()
        Image.open(io.BytesIO(data)).save(png, "PNG")
        pixmap.loadFromData(png.getvalue(), "PNG")
    smooth = Qt.TransformationMode.SmoothTransformation
    if width is None:
        return pixmap.scaledToHeight(height, smooth)
    return pixmap.scaled(width, height, Qt.AspectRatioMode.KeepAspectRatio, smooth)


class PartField:
    """One part of 照合番号B: a large label, an example, the field and what is wrong.

    ``place`` puts them in a column of a grid, so fields side by side line up.
    """

    def __init__(self, part: str) -> None:
        self.part = part
        self.label = QLabel()
        self.label.setObjectName("partLabel")
        self.example = QLabel()
        self.example.setObjectName("partExample")
        self.example.setWordWrap(True)
        self.edit = QLineEdit()
        self.edit.setObjectName("partEdit")
        self.edit.setMaxLength(24)
        self.label.setBuddy(self.edit)
        if part == "security_code":  # shown while typed, hidden once the cursor moves on
            self.edit.setEchoMode(QLineEdit.EchoMode.PasswordEchoOnEdit)
        self.problem = QLabel()
        self.problem.setObjectName("partProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()

    def place(self, grid: QGridLayout, column: int) -> None:
        """The label, the example, the field and the problem in rows 0–3 of ``column``."""
        for row, label in ((0, self.label), (1, self.example), (3, self.problem)):
            grid.addWidget(label, row, column, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(self.edit, 2, column)
        grid.setColumnStretch(column, 1)

    def retranslate(self, language: str) -> None:
        self.label.setText(t(f"clerk.pinless.{self.part}", language))
        self.example.setText(t(f"clerk.pinless.{self.part}.example", language))
        self.edit.setAccessibleName(self.label.text())
        self.edit.setAccessibleDescription(self.example.text())

    def show_problem(self, text: str) -> None:
        self.problem.setText("⚠ " + text if text else "")
        self.problem.setVisible(bool(text))
        self.edit.setAccessibleDescription(f"{self.problem.text()} {self.example.text()}".strip())


class CollationPage(QWidget):
    """照合番号B from the card in hand: the expiry year, the security code, the birth date.

    ``submitted`` carries the three parts as typed (the core checks and composes them);
    ``back`` returns to where the clerk came from.
    """

    submitted = Signal(str, str, str)  # birth date, expiry year, security code as typed
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.language = "ja"
        self.title = heading()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.refusal = QLabel()  # the card's answer: wrong, tries left
        self.refusal.setObjectName("partProblem")
        self.refusal.setWordWrap(True)
        self.refusal.hide()
        self.fields = {part: PartField(part) for part in PARTS}
        for part, field in self.fields.items():
            field.edit.textEdited.connect(lambda _text, p=part: self._edited(p))
            field.edit.installEventFilter(self)
        self.send = button("", "Ctrl+Return")
        self.send.setProperty("primary", True)
        self.send.clicked.connect(self._send)
        self.cancel = button("")
        self.cancel.clicked.connect(self._back)
        grid = QGridLayout()
        grid.setHorizontalSpacing(24)
        grid.setVerticalSpacing(4)
        for column, part in enumerate(PARTS):
            self.fields[part].place(grid, column)
        layout = page_layout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addWidget(self.refusal)
        layout.addLayout(grid)
        layout.addLayout(button_row(self.send, self.cancel))
        layout.addStretch()

    def retranslate(self, language: str) -> None:
        self.language = language
        self.title.setText(t("clerk.pinless.heading", language))
        self.intro.setText(t("clerk.pinless.intro", language))
        for field in self.fields.values():
            field.retranslate(language)
        for widget, key in ((self.send, "clerk.pinless.send"), (self.cancel, "clerk.pinless.back")):
            shortcut = widget.shortcut()
            widget.setText(t(key, language))
            widget.setAccessibleName(widget.text())
            widget.setShortcut(shortcut)

    def ask(self, language: str, refusal: str = "") -> None:
        """An empty entry (a new one after a refusal: nothing typed before is kept)."""
        self.retranslate(language)
        for field in self.fields.values():
            field.edit.clear()
            field.show_problem("")
        self.refusal.setText(refusal)
        self.refusal.setAccessibleName(refusal)
        self.refusal.setVisible(bool(refusal))
        self.send.setEnabled(True)
        self.fields[PARTS[0]].edit.setFocus()

    def show_part_problem(self, part: str, text: str) -> None:
        """A part the core refused before sending: said under it, the cursor there."""
        field = self.fields.get(part) or self.fields["birth_date"]
        field.show_problem(text)
        field.edit.setFocus()
        field.edit.selectAll()
        self.send.setEnabled(True)

    def _edited(self, part: str) -> None:
        field = self.fields[part]
        field.show_problem("")
        digits = field.edit.text()
        wanted = AUTO_ADVANCE.get(part)
        if wanted and len(digits) == wanted and digits.isascii() and digits.isdigit():
            self._next_field(part)

    def _next_field(self, part: str) -> None:
        index = PARTS.index(part)
        if index + 1 < len(PARTS):
            self.fields[PARTS[index + 1]].edit.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Enter moves to the next part; in the last one (or with every part typed) it sends."""
        if self._is_plain_enter(event):
            part = next(p for p, f in self.fields.items() if f.edit is watched)
            if part == PARTS[-1] or all(f.edit.text() for f in self.fields.values()):
                self._send()
            else:
                self._next_field(part)
            return True
        return super().eventFilter(watched, event)

    @staticmethod
    def _is_plain_enter(event: QEvent) -> bool:
        return (
            event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers()
        )

    def _send(self) -> None:
        if not self.send.isEnabled():
            return
        for field in self.fields.values():
            field.show_problem("")
        self.send.setEnabled(False)  # one send per entry: the core answers before the next
        parts = {part: field.edit.text() for part, field in self.fields.items()}
        self.submitted.emit(parts["birth_date"], parts["expiry_year"], parts["security_code"])

    def _back(self) -> None:
        self.wipe()
        self.back.emit()

    def wipe(self) -> None:
        """Empty every field (once the composed number is handed over, or at 次の方)."""
        for field in self.fields.values():
            field.edit.clear()
            field.show_problem("")
        self.refusal.setText("")
        self.refusal.hide()
        self.send.setEnabled(True)


class FacePage(QWidget):
    """The photo from the card face, large, beside the printed name and address.

    ``confirmed`` is the clerk's explicit statement that the photo shows the person at the
    counter; ``mismatch`` that it does not (the visit ends, nothing is queued).
    """

    confirmed = Signal()
    mismatch = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.title = heading()
        self.badge = VerdictBadge()  # △ 要確認 until the clerk confirms the face
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.photo = QLabel()
        self.photo.setMinimumSize(int(PHOTO_HEIGHT * 0.8), PHOTO_HEIGHT)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.name_caption, self.name_image, self.name_text = QLabel(), QLabel(), QLabel()
        self.address_caption, self.address_image = QLabel(), QLabel()
        self.address_text = QLabel()
        for caption in (self.name_caption, self.address_caption):
            caption.setObjectName("partLabel")
        for label in (self.name_text, self.address_text):
            label.setObjectName("partExample")
            label.setWordWrap(True)
        for image in (self.name_image, self.address_image):
            image.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.confirm = button("", "Ctrl+Return")
        self.confirm.setProperty("primary", True)
        self.confirm.clicked.connect(self.confirmed.emit)
        self.differs = button("")
        self.differs.clicked.connect(self.mismatch.emit)
        printed = QVBoxLayout()
        for widget in (
            self.intro,
            self.name_caption,
            self.name_image,
            self.name_text,
            self.address_caption,
            self.address_image,
            self.address_text,
        ):
            printed.addWidget(widget)
        printed.addStretch()
        side = QHBoxLayout()
        side.setSpacing(24)
        side.addWidget(self.photo)
        side.addLayout(printed, 1)
        layout = page_layout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.badge)
        layout.addLayout(side, 1)
        layout.addLayout(button_row(self.confirm, self.differs))

    def retranslate(self, language: str) -> None:
        self.title.setText(t("clerk.pinless.face.heading", language))
        self.intro.setText(t("clerk.pinless.face.intro", language))
        self.name_caption.setText(t("clerk.pinless.face.name", language))
        self.address_caption.setText(t("clerk.pinless.face.address", language))
        self.photo.setAccessibleName(t("clerk.face.photo", language))
        self.name_image.setAccessibleName(self.name_caption.text())
        self.address_image.setAccessibleName(self.address_caption.text())
        for widget, key in (
            (self.confirm, "clerk.pinless.face.confirm"),
            (self.differs, "clerk.pinless.face.mismatch"),
        ):
            shortcut = widget.shortcut()
            widget.setText(t(key, language))
            widget.setAccessibleName(widget.text())
            widget.setShortcut(shortcut)

    def show_face(self, face: CardFace, name: str, address: str, language: str) -> None:
        """The issuer-signed photo and printed name and address, with the chip's text."""
        self.retranslate(language)
        self.photo.setPixmap(png_pixmap(face.photo, PHOTO_HEIGHT))
        width, height = PRINTED_SIZE
        self.name_image.setPixmap(png_pixmap(face.name_image, height, width))
        self.address_image.setPixmap(png_pixmap(face.address_image, height, width))
        self.name_text.setText(t("clerk.pinless.face.chip", language, value=name))
        self.address_text.setText(t("clerk.pinless.face.chip", language, value=address))
        self.confirm.setFocus()

    def wipe(self) -> None:
        for label in (self.photo, self.name_image, self.address_image):
            label.clear()
        self.name_text.setText("")
        self.address_text.setText("")


class MyNumberPage(QWidget):
    """The 12 digits from the back of the card, for the forms that carry the My Number.

    The digits are masked; the core checks the check digit before 照合番号A is sent.
    """

    submitted = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.title = heading()
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.field = PartField("my_number")
        self.field.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.edit.returnPressed.connect(self._send)
        self.refusal = QLabel()
        self.refusal.setObjectName("partProblem")
        self.refusal.setWordWrap(True)
        self.refusal.hide()
        self.send = button("", "Ctrl+Return")
        self.send.setProperty("primary", True)
        self.send.clicked.connect(self._send)
        grid = QGridLayout()
        grid.setVerticalSpacing(4)
        self.field.place(grid, 0)
        grid.setColumnStretch(1, 1)  # the field half the page wide, like one of three parts
        layout = page_layout(self)
        for widget in (self.title, self.intro, self.refusal):
            layout.addWidget(widget)
        layout.addLayout(grid)
        layout.addLayout(button_row(self.send))
        layout.addStretch()

    def retranslate(self, language: str) -> None:
        self.title.setText(t("clerk.pinless.my_number.heading", language))
        self.intro.setText(t("clerk.pinless.my_number.intro", language))
        self.field.retranslate(language)
        shortcut = self.send.shortcut()
        self.send.setText(t("clerk.pinless.send", language))
        self.send.setAccessibleName(self.send.text())
        self.send.setShortcut(shortcut)

    def ask(self, language: str, refusal: str = "") -> None:
        self.retranslate(language)
        self.field.show_problem("")
        self.field.edit.clear()
        self.send.setEnabled(True)
        self.refusal.setText(refusal)
        self.refusal.setVisible(bool(refusal))
        self.field.edit.setFocus()

    def show_problem(self, text: str) -> None:
        """What is wrong with the typed number; it is typed anew (masked, it cannot be fixed)."""
        self.field.show_problem(text)
        self.field.edit.clear()
        self.field.edit.setFocus()
        self.send.setEnabled(True)

    def _send(self) -> None:
        if self.send.isEnabled():
            self.send.setEnabled(False)
            self.submitted.emit(self.field.edit.text())

    def wipe(self) -> None:
        self.field.edit.clear()
        self.field.show_problem("")
        self.refusal.hide()
