"""The start screen: language, text size and contrast, the card prompt and the procedures."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from counterapp.forms.loader import FormLibrary
from ui.i18n import LANGUAGE_NAMES, LANGUAGES, t
from ui.kiosk.widgets import big_button, name_button, text_label

KIOSK_EVENTS = ("moving-in", "moving-out", "moving-within", "certificates")
LANGUAGE_COLUMNS = 4
EVENT_COLUMNS = 2


class StartPage(QWidget):
    """Emits what the resident chose; the window decides what happens next."""

    language_chosen = Signal(str)
    event_chosen = Signal(str)
    font_step = Signal(int)  # -1 smaller, +1 larger
    contrast_toggled = Signal(bool)
    simulate_tap = Signal()

    def __init__(
        self, library: FormLibrary, events: Sequence[str], emulator: bool, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.events = [e for e in events if e in library.events]
        self.language_heading = text_label()
        self.language_buttons = {lang: self._language_button(lang) for lang in LANGUAGES}
        self.smaller = big_button(lambda: self.font_step.emit(-1), secondary=True)
        self.larger = big_button(lambda: self.font_step.emit(1), secondary=True)
        self.contrast = big_button(secondary=True)
        self.contrast.setCheckable(True)
        self.contrast.toggled.connect(self.contrast_toggled.emit)
        self.prompt = text_label("kioskPrompt")
        self.simulate = big_button(self.simulate_tap.emit, secondary=True)
        self.simulate.setVisible(emulator)
        self.choose_heading = text_label("kioskHeading")
        self.event_buttons = {event: self._event_button(event) for event in self.events}
        self._lay_out()

    def _language_button(self, language: str) -> QPushButton:
        button = big_button(lambda: self.language_chosen.emit(language), secondary=True)
        button.setCheckable(True)
        button.setAutoExclusive(True)
        button.setText(LANGUAGE_NAMES[language])
        button.setAccessibleName(LANGUAGE_NAMES[language])
        return button

    def _event_button(self, event: str) -> QPushButton:
        return big_button(lambda: self.event_chosen.emit(event))

    def _lay_out(self) -> None:
        languages = QGridLayout()
        for index, button in enumerate(self.language_buttons.values()):
            languages.addWidget(button, index // LANGUAGE_COLUMNS, index % LANGUAGE_COLUMNS)
        display = QHBoxLayout()
        for button in (self.smaller, self.larger, self.contrast):
            display.addWidget(button)
        events = QGridLayout()
        for index, button in enumerate(self.event_buttons.values()):
            events.addWidget(button, index // EVENT_COLUMNS, index % EVENT_COLUMNS)
        layout = QVBoxLayout(self)
        layout.addWidget(self.language_heading)
        layout.addLayout(languages)
        layout.addLayout(display)
        layout.addStretch(1)
        layout.addWidget(self.prompt)
        layout.addWidget(self.simulate)
        layout.addWidget(self.choose_heading)
        layout.addLayout(events)

    def show_language(self, language: str) -> None:
        """Every text of the page in ``language``; its language button is marked."""
        self.language_heading.setText(t("kiosk.start.language", language))
        for lang, button in self.language_buttons.items():
            button.setChecked(lang == language)
            button.setAccessibleDescription(t("kiosk.language.description", lang))
        name_button(self.smaller, t("kiosk.font_smaller.label", language))
        self.smaller.setAccessibleName(t("kiosk.font_smaller.name", language))
        name_button(self.larger, t("kiosk.font_larger.label", language))
        self.larger.setAccessibleName(t("kiosk.font_larger.name", language))
        name_button(
            self.contrast,
            t("kiosk.contrast", language),
            t("kiosk.contrast.description", language),
        )
        self.prompt.setText(t("kiosk.start.prompt", language))
        name_button(self.simulate, t("kiosk.simulate_tap", language))
        self.choose_heading.setText(t("kiosk.start.choose", language))
        for event, button in self.event_buttons.items():
            name = self.library.events[event].name.in_language(language)
            name_button(button, name, t("kiosk.event.description", language))

    def reset_display(self, high_contrast: bool) -> None:
        self.contrast.blockSignals(True)
        self.contrast.setChecked(high_contrast)
        self.contrast.blockSignals(False)
