"""One value the resident knows per screen (``kiosk: ask`` in the form files), on big keys.

The value is checked with the form's own rules before the next screen; the counter only
checks it. The entered text is dropped when the page is wiped.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from counterapp.forms.definition import FieldDefinition, FieldType, kiosk_input
from counterapp.forms.display import display_value
from counterapp.forms.validation import field_problem
from ui.i18n import t
from ui.kiosk.keys import ChoiceKeys, DateKeys, DigitKeys, KanaKeys, NumberStepper
from ui.kiosk.widgets import big_button, clear_layout, name_button, text_label

Keys = KanaKeys | DigitKeys | NumberStepper | ChoiceKeys | DateKeys
DATE_START_YEARS_AGO = 30  # a birth date starts in the middle, not today


def keys_for(definition: FieldDefinition) -> Keys:
    match kiosk_input(definition):
        case "kana":
            return KanaKeys(definition.max_length or 60)
        case "digits":
            return DigitKeys(definition.max_length or 20)
        case "stepper":
            assert definition.minimum is not None and definition.maximum is not None
            return NumberStepper(definition.minimum, definition.maximum)
        case "date":
            return DateKeys(dt.date(dt.date.today().year - DATE_START_YEARS_AGO, 1, 1))
    return ChoiceKeys(definition)


def shown_value(definition: FieldDefinition, value: str, language: str) -> str:
    """The value as the resident reads it; a date in easy Japanese without kanji."""
    if language == "ja-easy" and definition.type is FieldType.DATE and value:
        day = dt.date.fromisoformat(value)
        return f"{day.year}ねん {day.month}がつ {day.day}にち"
    return display_value(definition, value, language) or ""


class EntryPage(QWidget):
    """Label, help, what is entered so far, the keys, and next / leave empty / quit."""

    entered = Signal(str, str)  # field id, value ("" when left empty)
    quit = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.definition: FieldDefinition | None = None
        self.keys: Keys | None = None
        self.value = ""
        self.language = "ja"
        self.progress = text_label()
        self.label = text_label("kioskPrompt")
        self.help = text_label()
        self.shown = text_label("kioskHeading")
        self.problem = text_label("warning")
        self.key_area = QVBoxLayout()
        self.next = big_button(self._next)
        self.skip = big_button(lambda: self._finish(""), secondary=True)
        self.stop = big_button(self.quit.emit, secondary=True)
        buttons = QHBoxLayout()
        for button in (self.skip, self.next):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        for widget in (self.progress, self.label, self.help, self.shown, self.problem):
            layout.addWidget(widget)
        layout.addLayout(self.key_area)
        layout.addStretch(1)
        layout.addLayout(buttons)
        layout.addWidget(self.stop)

    def show_for(
        self, definition: FieldDefinition, index: int, total: int, language: str, value: str = ""
    ) -> None:
        self.wipe()
        self.definition, self.language = definition, language
        if definition.slot is not None:  # a person of a repeating entry: say which one
            progress = t("kiosk.entry.person", language, number=definition.slot)
        else:
            progress = t("kiosk.question.progress", language, index=index, total=total)
        self.progress.setText(progress)
        self.label.setText(definition.label.in_language(language))
        self.help.setText(definition.help.in_language(language) if definition.help else "")
        self.keys = keys_for(definition)
        self.keys.changed.connect(self._changed)
        self.key_area.addWidget(self.keys)
        self.keys.show()  # the page may be on screen already
        self.skip.setVisible(not definition.required)
        self.name_buttons(language)
        if isinstance(self.keys, NumberStepper):
            self.keys.step(0)  # starts at the minimum, shown
        elif isinstance(self.keys, DateKeys):
            self.keys.step("day", 0)
        elif value:
            self._changed(value)

    def name_buttons(self, language: str) -> None:
        name_button(self.next, t("kiosk.entry.next", language))
        name_button(self.skip, t("kiosk.entry.leave_empty", language))
        name_button(self.stop, t("kiosk.quit", language))
        if self.keys is not None:
            self.keys.name_buttons(language)

    def _changed(self, value: str) -> None:
        self.value = value
        self.problem.clear()
        assert self.definition is not None
        self.shown.setText(shown_value(self.definition, value, self.language))
        if isinstance(self.keys, KanaKeys | DigitKeys):
            self.keys.text = value

    def _next(self) -> None:
        assert self.definition is not None
        if not self.value or field_problem(self.definition, self.value):
            self.problem.setText(t("kiosk.entry.check", self.language))
            return
        self._finish(self.value)

    def _finish(self, value: str) -> None:
        assert self.definition is not None
        field_id = self.definition.id
        self.wipe()
        self.entered.emit(field_id, value)

    def wipe(self) -> None:
        """Forget the entered value and the keys that typed it."""
        self.value = ""
        for label in (self.shown, self.problem):
            label.clear()
        self.keys = None
        clear_layout(self.key_area)
