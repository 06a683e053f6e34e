"""On-screen keys for what the resident enters at the kiosk: kana, digits, a number, a choice.

Each widget holds only the text being entered and says ``changed(text)``; the entry page
checks the value with the form's own rules. Keys are touch-sized and named for screen readers.
"""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

from counterapp.forms.definition import FieldDefinition
from ui.i18n import t
from ui.kiosk.widgets import big_button, name_button

# Columns of the katakana table, right to left as on a 50音表 read row by row.
KANA_ROWS = (
    "アカサタナハマヤラワ",
    "イキシチニヒミ　リ　",
    "ウクスツヌフムユルヲ",
    "エケセテネヘメ　レ　",
    "オコソトノホモヨロン",
)
SMALL = dict(zip("アイウエオツヤユヨワカケ", "ァィゥェォッャュョヮヵヶ", strict=True))
LARGE = {small: large for large, small in SMALL.items()}
DAKUTEN, HANDAKUTEN = "\u3099", "\u309a"  # combining marks: ゛ and ゜
SPACE = "\u3000"  # the full-width space between family and given name
KEY_PX = 80


def with_mark(char: str, mark: str) -> str:
    """``char`` with ゛ or ゜ added (カ→ガ, ハ→パ), or taken off again; unchanged if none fits."""
    base = unicodedata.normalize("NFD", char)[0]
    if unicodedata.normalize("NFD", char) == base + mark:
        return base  # a second press takes the mark off
    marked = unicodedata.normalize("NFC", base + mark)
    return marked if len(marked) == 1 else char


def toggled_size(char: str) -> str:
    """ア↔ァ, ツ↔ッ, ヤ↔ャ …; other characters stay."""
    return SMALL.get(char) or LARGE.get(char) or char


def call_with(function: Callable[..., object], *args: object) -> Callable[[], None]:
    """A slot without parameters that calls ``function(*args)`` (PySide drops clicked's bool)."""

    def slot() -> None:
        function(*args)

    return slot


def _key(text: str, action: Callable[[], object]) -> QPushButton:
    button = big_button(action)
    button.setMinimumSize(KEY_PX, KEY_PX)
    button.setText(text)
    button.setAccessibleName(text)
    return button


class TextKeys(QWidget):
    """Keys that type into a short text: the kana table, or digits and a hyphen."""

    changed = Signal(str)

    def __init__(self, rows: tuple[str, ...], max_length: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.text = ""
        self.max_length = max_length
        self.keys: dict[str, QPushButton] = {}
        self.grid = QGridLayout(self)
        for row, line in enumerate(rows):
            for column, char in enumerate(line):
                if char != SPACE:
                    self.keys[char] = _key(char, call_with(self.type, char))
                    self.grid.addWidget(self.keys[char], row, column)
        self.delete = big_button(self.delete_last, secondary=True)
        self.next_row = len(rows)

    def type(self, char: str) -> None:
        if len(self.text) < self.max_length:
            self.set_text(self.text + char)

    def change_last(self, change: Callable[[str], str]) -> None:
        if self.text:
            self.set_text(self.text[:-1] + change(self.text[-1]))

    def delete_last(self) -> None:
        self.set_text(self.text[:-1])

    def set_text(self, text: str) -> None:
        self.text = text
        self.changed.emit(text)

    def name_buttons(self, language: str) -> None:
        name_button(self.delete, t("ui.delete_digit", language))


class KanaKeys(TextKeys):
    """Katakana in the 50音 order, with ゛ ゜ 小 ー, a space and delete."""

    def __init__(self, max_length: int, parent: QWidget | None = None) -> None:
        super().__init__(KANA_ROWS, max_length, parent)
        row = self.next_row
        self.long_vowel = _key("ー", lambda: self.type("ー"))
        self.dakuten = _key("゛", lambda: self.change_last(lambda c: with_mark(c, DAKUTEN)))
        self.handakuten = _key("゜", lambda: self.change_last(lambda c: with_mark(c, HANDAKUTEN)))
        self.small = _key("小", lambda: self.change_last(toggled_size))
        self.space = big_button(lambda: self.type(SPACE), secondary=True)
        for column, key in enumerate((self.long_vowel, self.dakuten, self.handakuten, self.small)):
            self.grid.addWidget(key, row, column)
        self.grid.addWidget(self.space, row, 4, 1, 3)
        self.grid.addWidget(self.delete, row, 7, 1, 3)

    def name_buttons(self, language: str) -> None:
        super().name_buttons(language)
        name_button(self.space, t("kiosk.keys.space", language))
        for key, name in (
            (self.dakuten, "kiosk.keys.dakuten"),
            (self.handakuten, "kiosk.keys.handakuten"),
            (self.small, "kiosk.keys.small"),
        ):
            key.setAccessibleName(t(name, language))


class DigitKeys(TextKeys):
    """0–9 and a hyphen, as on a telephone."""

    def __init__(self, max_length: int, parent: QWidget | None = None) -> None:
        super().__init__(("123", "456", "789", "-0"), max_length, parent)
        self.grid.addWidget(self.delete, 3, 2)


class NumberStepper(QWidget):
    """A number between the field's minimum and maximum, changed with − and +."""

    changed = Signal(str)

    def __init__(self, minimum: int, maximum: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.minimum, self.maximum = minimum, maximum
        self.value = minimum
        self.less = _key("−", lambda: self.step(-1))
        self.more = _key("＋", lambda: self.step(1))
        grid = QGridLayout(self)
        grid.addWidget(self.less, 0, 0)
        grid.addWidget(self.more, 0, 1)

    def step(self, delta: int) -> None:
        self.value = min(self.maximum, max(self.minimum, self.value + delta))
        self.less.setEnabled(self.value > self.minimum)
        self.more.setEnabled(self.value < self.maximum)
        self.changed.emit(str(self.value))

    def name_buttons(self, language: str) -> None:
        self.less.setAccessibleName(t("kiosk.keys.less", language))
        self.more.setAccessibleName(t("kiosk.keys.more", language))


class ChoiceKeys(QWidget):
    """One big button per choice of the form's definition."""

    changed = Signal(str)

    def __init__(self, definition: FieldDefinition, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.definition = definition
        self.buttons: dict[str, QPushButton] = {}
        grid = QGridLayout(self)
        for index, choice in enumerate(definition.choices):
            button = big_button(call_with(self.changed.emit, choice.value), secondary=True)
            button.setCheckable(True)
            button.setAutoExclusive(True)
            self.buttons[choice.value] = button
            grid.addWidget(button, index // 2, index % 2)

    def name_buttons(self, language: str) -> None:
        for choice in self.definition.choices:
            name_button(self.buttons[choice.value], choice.label.in_language(language))


class DateKeys(QWidget):
    """A date on big steppers: year (±1, ±10), month and day; always a real date."""

    changed = Signal(str)

    def __init__(self, start: dt.date, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.value = start
        grid = QGridLayout(self)
        self.steps: dict[str, QPushButton] = {}
        for index, (name, text, delta) in enumerate(DATE_STEPS):
            key = _key(text, call_with(self.step, name, delta))
            self.steps[f"{name}{delta:+d}"] = key
            grid.addWidget(key, index // 4, index % 4)  # year on the first row, month and day

    def step(self, part: str, delta: int) -> None:
        year, month, day = self.value.year, self.value.month, self.value.day
        if part == "year":
            year = min(dt.date.today().year, max(1900, year + delta))
        elif part == "month":
            month = (month - 1 + delta) % 12 + 1
        else:
            day = (day - 1 + delta) % calendar.monthrange(year, month)[1] + 1
        day = min(day, calendar.monthrange(year, month)[1])
        self.value = dt.date(year, month, day)
        self.changed.emit(self.value.isoformat())

    def name_buttons(self, language: str) -> None:
        for (name, step, _delta), key in zip(DATE_STEPS, self.steps.values(), strict=True):
            name_button(key, f"{t(f'kiosk.keys.{name}', language)} {step}")


DATE_STEPS = (
    ("year", "−10", -10),
    ("year", "−1", -1),
    ("year", "＋1", 1),
    ("year", "＋10", 10),
    ("month", "−", -1),
    ("month", "＋", 1),
    ("day", "−", -1),
    ("day", "＋", 1),
)
