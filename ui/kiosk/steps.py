"""The kiosk's simple screens: waiting for the card, reading, PINs, questions, messages."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QVBoxLayout, QWidget

from cardreader.types import PinStatus
from counterapp.forms.definition import Question
from ui.i18n import pin_name, t
from ui.kiosk.widgets import big_button, name_button, text_label
from ui.pin import PinPad


class WaitCardPage(QWidget):
    """A procedure is chosen, the card is not there yet."""

    simulate_tap = Signal()
    quit = Signal()

    def __init__(self, emulator: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chosen = text_label("kioskHeading")
        self.prompt = text_label("kioskPrompt")
        self.simulate = big_button(self.simulate_tap.emit, secondary=True)
        self.simulate.setVisible(emulator)
        self.stop = big_button(self.quit.emit, secondary=True)
        layout = QVBoxLayout(self)
        for widget in (self.chosen, self.prompt, self.simulate):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.stop)

    def name_buttons(self, language: str) -> None:
        name_button(self.simulate, t("kiosk.simulate_tap", language))
        name_button(self.stop, t("kiosk.quit", language))

    def show_for(self, event_name: str, language: str) -> None:
        self.chosen.setText(t("kiosk.wait_card.chosen", language, event=event_name))
        self.prompt.setText(t("kiosk.start.prompt", language))
        self.name_buttons(language)


class ReadingPage(QWidget):
    """The card is being read: do not move it."""

    quit = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.message = text_label("kioskPrompt")
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: a read has no measurable progress
        self.progress.setTextVisible(False)
        self.stop = big_button(self.quit.emit, secondary=True)
        layout = QVBoxLayout(self)
        for widget in (self.message, self.progress):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.stop)

    def name_buttons(self, language: str) -> None:
        self.progress.setAccessibleName(t("kiosk.reading.progress", language))
        name_button(self.stop, t("kiosk.quit", language))

    def show_for(self, language: str) -> None:
        self.message.setText(t("ui.reading", language))
        self.name_buttons(language)


class PinPage(QWidget):
    """The shared on-screen PIN pad, named for screen readers in the resident's language."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pad = PinPad(self)
        for button in (self.pad.delete, self.pad.cancel, self.pad.forgot):
            button.setProperty("secondary", True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pad)
        self.name_buttons("ja")

    def ask(self, status: PinStatus, language: str) -> None:
        self.pad.ask(status, language)
        self.pad.tries_label.style().polish(self.pad.tries_label)  # warning style on last try
        self.name_buttons(language)

    def name_buttons(self, language: str) -> None:
        for digit, key in self.pad.keys.items():
            key.setAccessibleName(digit)
            key.setAccessibleDescription(t("kiosk.pin.digit", language, digit=digit))
        for button, key_name in (
            (self.pad.delete, "ui.delete_digit"),
            (self.pad.ok, "ui.ok"),
            (self.pad.cancel, "kiosk.quit"),
            (self.pad.forgot, "ui.pin.forgotten"),
        ):
            name_button(button, t(key_name, language))
        self.pad.display.setAccessibleDescription(t("kiosk.pin.display", language))
        if not self.pad.display.accessibleName():
            self.pad.display.setAccessibleName(t("kiosk.pin.display", language))

    def wipe(self) -> None:
        self.pad.wipe()
        self.pad.title.clear()
        self.pad.tries_label.clear()


class LastTryPage(QWidget):
    """Only one try is left: the resident decides, after a plain warning."""

    answered = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = text_label("kioskHeading")
        self.warning = text_label("warning")
        self.use = big_button(lambda: self.answered.emit(True))
        self.decline = big_button(lambda: self.answered.emit(False), secondary=True)
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.warning):
            layout.addWidget(widget)
        layout.addStretch(1)
        for button in (self.use, self.decline):
            layout.addWidget(button)

    def name_buttons(self, language: str) -> None:
        name_button(self.use, t("ui.pin.use_last_try", language))
        name_button(self.decline, t("kiosk.last_try.decline", language))

    def show_for(self, status: PinStatus, language: str) -> None:
        name = pin_name(status.kind.value, language)
        self.heading.setText(t("kiosk.last_try.heading", language, pin=name))
        self.warning.setText(t("ui.pin.last_try_warning", language))
        self.name_buttons(language)


class QuestionPage(QWidget):
    """One yes/no question of the chosen procedure per screen."""

    answered = Signal(bool)
    quit = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.progress = text_label()
        self.question = text_label("kioskPrompt")
        self.help = text_label()
        self.yes = big_button(lambda: self.answered.emit(True))
        self.no = big_button(lambda: self.answered.emit(False))
        self.stop = big_button(self.quit.emit, secondary=True)
        answers = QHBoxLayout()
        answers.addWidget(self.yes)
        answers.addWidget(self.no)
        layout = QVBoxLayout(self)
        for widget in (self.progress, self.question, self.help):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addLayout(answers)
        layout.addWidget(self.stop)

    def name_buttons(self, language: str, question: str = "") -> None:
        name_button(self.yes, t("ui.yes", language), question)
        name_button(self.no, t("ui.no", language), question)
        name_button(self.stop, t("kiosk.quit", language))

    def show_for(self, question: Question, index: int, total: int, language: str) -> None:
        self.progress.setText(t("kiosk.question.progress", language, index=index, total=total))
        label = question.label.in_language(language)
        self.question.setText(label)
        self.help.setText(question.help.in_language(language) if question.help else "")
        self.name_buttons(language, label)


class MessagePage(QWidget):
    """A problem, said plainly, and the way back to the start."""

    again = Signal()
    enter_pin_again = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = text_label("kioskHeading")
        self.body = text_label("kioskPrompt")
        self.retry = big_button(self.enter_pin_again.emit)  # a new entry, never a resend
        self.retry.hide()
        self.restart = big_button(self.again.emit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.body)
        layout.addStretch(1)
        layout.addWidget(self.retry)
        layout.addWidget(self.restart)

    def name_buttons(self, language: str) -> None:
        name_button(self.retry, t("ui.pin.enter_again", language))
        name_button(self.restart, t("kiosk.start_again", language))

    def show_for(
        self, heading: str, lines: tuple[str, ...], language: str, retry: bool = False
    ) -> None:
        """A problem; with ``retry`` the resident may enter the PIN again."""
        self.heading.setText(heading)
        self.body.setText("\n".join(lines))
        self.name_buttons(language)
        self.retry.setVisible(retry)


class DonePage(QWidget):
    """The reception number, very large, and where to go with it."""

    finish = Signal()
    print_slip = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = text_label("kioskHeading")
        self.caption = text_label()
        self.number = text_label("receptionNumber")
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.where = text_label("kioskPrompt")
        self.done = big_button(self.finish.emit)
        self.slip = big_button(self.print_slip.emit)
        layout = QVBoxLayout(self)
        for widget in (self.heading, self.caption, self.number, self.where):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.slip)
        layout.addWidget(self.done)

    def show_for(self, number: str, language: str) -> None:
        self.heading.setText(t("kiosk.done.heading", language))
        self.caption.setText(t("ui.reception_number", language))
        self.number.setText(number)
        self.number.setAccessibleName(f"{t('ui.reception_number', language)} {number}")
        self.where.setText(t("kiosk.done.where", language))
        self.name_buttons(language)

    def name_buttons(self, language: str) -> None:
        name_button(self.done, t("kiosk.done.finish", language))
        name_button(self.slip, t("kiosk.done.slip", language))

    def wipe(self) -> None:
        self.number.clear()
        self.number.setAccessibleName("")
