"""Read-only review of the filled forms in large text, and the handwritten signature."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGridLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from counterapp.forms.filled import FieldValue, FilledForm, Source
from ui.i18n import t
from ui.kiosk.entry import shown_value
from ui.kiosk.widgets import big_button, clear_layout, name_button, text_label
from ui.signature import SignaturePad

BADGES = {Source.IC_CHIP: "kiosk.review.chip_badge", Source.RESIDENT: "kiosk.review.resident_badge"}


def _value_label(text: str) -> QLabel:
    label = text_label()
    label.setText(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


class ReviewPage(QWidget):
    """Form titles, field labels and display values; chip values carry a text badge."""

    submit = Signal()
    quit = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = text_label("kioskHeading")
        self.intro = text_label()
        self.content = QWidget()
        self.rows = QVBoxLayout(self.content)
        self.area = QScrollArea()
        self.area.setWidgetResizable(True)
        self.area.setWidget(self.content)
        self.apply = big_button(self.submit.emit)
        self.stop = big_button(self.quit.emit, secondary=True)
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.intro, self.area, self.apply, self.stop):
            layout.addWidget(widget)

    def show_forms(self, forms: Sequence[FilledForm], language: str) -> None:
        self.wipe()
        self.heading.setText(t("kiosk.review.heading", language))
        self.intro.setText(t("kiosk.review.intro", language))
        for filled in forms:
            self.rows.addWidget(self._form_box(filled, language))
        if not forms:
            self.rows.addWidget(_value_label(t("kiosk.review.no_forms", language)))
        self.rows.addStretch(1)
        self.apply.setEnabled(bool(forms))
        self.name_buttons(language)

    def name_buttons(self, language: str) -> None:
        self.area.setAccessibleName(t("kiosk.review.area", language))
        name_button(self.apply, t("kiosk.review.submit", language))
        name_button(self.stop, t("kiosk.quit", language))

    def _form_box(self, filled: FilledForm, language: str) -> QWidget:
        box = QWidget()
        grid = QGridLayout(box)
        title = text_label("formTitle")
        title.setText(filled.form.definition.title.in_language(language))
        grid.addWidget(title, 0, 0, 1, 3)
        definition = filled.form.definition
        shown = [  # nobody entered: no empty person rows
            v
            for v in filled.all_values()
            if v.value or (definition.field_at(v.field_id).group is None and "." not in v.field_id)
        ]
        for row, value in enumerate(shown, start=1):
            self._add_field(grid, row, filled, value, language)
        return box

    @staticmethod
    def _add_field(
        grid: QGridLayout, row: int, filled: FilledForm, value: FieldValue, language: str
    ) -> None:
        definition = filled.form.definition.field_at(value.field_id)
        shown = shown_value(definition, value.value, language)
        grid.addWidget(_value_label(definition.label.in_language(language)), row, 0)
        grid.addWidget(_value_label(shown or t("kiosk.review.blank", language)), row, 1)
        badge_key = BADGES.get(value.source)
        if badge_key is not None:
            badge = _value_label(t(badge_key, language))
            badge.setObjectName("badge")
            grid.addWidget(badge, row, 2)

    def wipe(self) -> None:
        """Drop every label that showed the resident's data."""
        clear_layout(self.rows)


class SignPage(QWidget):
    """The resident signs with a finger; the drawing is handed over as PNG bytes."""

    signed = Signal(bytes)
    quit = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = text_label("kioskHeading")
        self.prompt = text_label()
        self.pad = SignaturePad()
        self.redo = big_button(self.pad.clear, secondary=True)
        self.done = big_button(self._done)
        self.stop = big_button(self.quit.emit, secondary=True)
        self.pad.changed.connect(self.done.setEnabled)
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.prompt, self.pad, self.redo, self.done, self.stop):
            layout.addWidget(widget, 1 if widget is self.pad else 0)

    def show_for(self, language: str) -> None:
        self.pad.clear()
        self.done.setEnabled(False)
        self.heading.setText(t("kiosk.sign.heading", language))
        self.prompt.setText(t("kiosk.sign.prompt", language))
        self.name_buttons(language)

    def name_buttons(self, language: str) -> None:
        self.pad.setAccessibleName(t("kiosk.sign.pad", language))
        self.pad.setAccessibleDescription(t("kiosk.sign.prompt", language))
        name_button(self.redo, t("kiosk.sign.clear", language))
        name_button(self.done, t("kiosk.sign.done", language))
        name_button(self.stop, t("kiosk.quit", language))

    def _done(self) -> None:
        if self.pad.has_ink:
            self.signed.emit(self.pad.png_bytes())

    def wipe(self) -> None:
        self.pad.clear()
