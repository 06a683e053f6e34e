"""One resident's way through the kiosk: procedure, card, PINs, questions, review, sign, number.

``wipe()`` ends a visit from anywhere: the visit's data, the screens that showed it, the
PIN pad and the signature are cleared and the start screen is back, in Japanese.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPushButton, QStackedWidget, QWidget

from cardreader.types import PinStatus
from counterapp.forms.definition import FieldDefinition, Question, Text
from counterapp.slip import Slip, slip_for
from counterapp.visit import NothingToFill, PinNotAccepted, VerifiedCard, Visit
from ui.context import UiContext
from ui.i18n import LANGUAGES, error_message, t
from ui.kiosk.cardread import CardRead
from ui.kiosk.entry import EntryPage
from ui.kiosk.outcome import explain
from ui.kiosk.review import ReviewPage, SignPage
from ui.kiosk.start import KIOSK_EVENTS, StartPage
from ui.kiosk.steps import (
    DonePage,
    LastTryPage,
    MessagePage,
    PinPage,
    QuestionPage,
    ReadingPage,
    WaitCardPage,
)
from ui.receipt_slip import open_for_printing, write_slip

DEFAULT_LANGUAGE = "ja"


class NamedPage(Protocol):
    def name_buttons(self, language: str) -> None:
        """Give every button its text and accessible name in ``language``."""


@dataclass
class KioskPages:
    stack: QStackedWidget
    start: StartPage
    wait_card: WaitCardPage
    reading: ReadingPage
    pin: PinPage
    last_try: LastTryPage
    question: QuestionPage
    entry: EntryPage
    more: QuestionPage  # a repeating entry: one more person?
    review: ReviewPage
    sign: SignPage
    message: MessagePage
    done: DonePage

    def steps(self) -> tuple[NamedPage, ...]:
        """Every page after the start screen."""
        return (
            self.wait_card, self.reading, self.pin, self.last_try, self.question,
            self.entry, self.more, self.review, self.sign, self.message, self.done,
        )  # fmt: skip


def build_pages(context: UiContext, parent: QWidget) -> KioskPages:
    """Every screen of the kiosk in one stack, in the order a visit meets them."""
    emulator = context.source.is_emulator
    stack = QStackedWidget(parent)
    start = StartPage(context.service.library, KIOSK_EVENTS, emulator, stack)
    pages = KioskPages(
        stack, start, WaitCardPage(emulator), ReadingPage(), PinPage(), LastTryPage(),
        QuestionPage(), EntryPage(), QuestionPage(), ReviewPage(), SignPage(), MessagePage(),
        DonePage(),
    )  # fmt: skip
    for page in vars(pages).values():
        if page is not stack:
            stack.addWidget(page)
    return pages


class KioskFlow(QObject):
    """Moves between the screens; ``spoken(text)`` carries each screen's prompt."""

    spoken = Signal(str)
    wiped = Signal()

    def __init__(self, context: UiContext, pages: KioskPages, language: str) -> None:
        super().__init__(pages.stack)
        self.context = context
        self.pages = pages
        self.language = language
        self.visit = Visit()
        self.slip: Slip | None = None  # the done page's slip, until the visit ends
        self.slip_opener: Callable[[Path], None] = open_for_printing
        self.questions: tuple[Question, ...] = ()
        self.asked: tuple[FieldDefinition, ...] = ()  # fields the resident fills in
        self.resident_values: dict[str, str] = {}
        self.position = 0  # the next of ``asked``
        self.confirmed_slot: tuple[str, int] | None = None  # the person the resident said yes to
        self.card_read = CardRead(context.worker, context.service, self)
        self._connect()

    def _connect(self) -> None:
        p, read = self.pages, self.card_read
        p.start.language_chosen.connect(self.set_language)
        p.start.event_chosen.connect(self.choose_event)
        for simulate in (p.start.simulate_tap, p.wait_card.simulate_tap):
            simulate.connect(lambda: self.context.presence.simulate(True))
        for quit_signal in (
            p.wait_card.quit,
            p.reading.quit,
            p.question.quit,
            p.entry.quit,
            p.more.quit,
        ):
            quit_signal.connect(self.wipe)
        for other in (
            p.review.quit,
            p.sign.quit,
            p.pin.pad.cancelled,
            p.message.again,
            p.done.finish,
        ):
            other.connect(self.wipe)
        p.message.enter_pin_again.connect(self._begin_read)
        p.pin.pad.entered.connect(self._pin_entered)
        p.pin.pad.forgotten.connect(self._pin_forgotten)
        p.last_try.answered.connect(self._last_try_answered)
        p.question.answered.connect(self._answered)
        p.entry.entered.connect(self._entered)
        p.more.answered.connect(self._one_more)
        p.review.submit.connect(self._to_sign)
        p.done.print_slip.connect(self.print_slip)
        p.sign.signed.connect(self._signed)
        read.pin_needed.connect(self._ask_pin)
        read.last_try_needed.connect(self._ask_last_try)
        read.finished.connect(self._read_finished)
        read.failed.connect(self._read_failed)
        self.context.presence.changed.connect(self._card_changed)

    @property
    def on_start(self) -> bool:
        return self.pages.stack.currentWidget() is self.pages.start

    @property
    def in_visit(self) -> bool:
        return not self.on_start or self.visit.target is not None

    def _show(self, page: QWidget, spoken: str, focus: QWidget | None = None) -> None:
        self.pages.stack.setCurrentWidget(page)
        target = focus or page.findChild(QPushButton)
        if target is not None:
            target.setFocus()
        self.spoken.emit(spoken)

    def show_start(self) -> None:
        self.pages.start.show_language(self.language)
        for page in self.pages.steps():
            page.name_buttons(self.language)
        self._show(self.pages.start, t("kiosk.start.prompt", self.language))

    def set_language(self, language: str) -> None:
        self.language = language
        self.show_start()

    def choose_event(self, event: str) -> None:
        self.visit.target = event
        if self.context.presence.present:
            self._begin_read()
            return
        name = self.context.service.library.events[event].name.in_language(self.language)
        self.pages.wait_card.show_for(name, self.language)
        self._show(self.pages.wait_card, t("kiosk.start.prompt", self.language))

    def _card_changed(self, present: bool) -> None:
        if not present:
            if self.in_visit:
                self.wipe()
        elif self.pages.stack.currentWidget() is self.pages.wait_card:
            self._begin_read()

    def _begin_read(self) -> None:
        self.pages.reading.show_for(self.language)
        self._show(self.pages.reading, t("ui.reading", self.language))
        self.card_read.start(self.visit)

    def _ask_pin(self, status: PinStatus) -> None:
        self.pages.pin.ask(status, self.language)
        self._show(self.pages.pin, self.pages.pin.pad.title.text(), self.pages.pin.pad.keys["1"])

    def _pin_entered(self, pin: bytearray) -> None:
        self.card_read.answer_pin(pin)
        self._show(self.pages.reading, t("ui.reading", self.language))

    def _pin_forgotten(self) -> None:
        """Nothing is sent: the resident is sent to the staffed counter."""
        self.card_read.stop()
        lines = (
            t("ui.pin.help.no_try_used", self.language),
            t("ui.pin.help.resident", self.language),
        )
        self._problem(t("ui.pin.help.heading", self.language), lines)

    def _ask_last_try(self, status: PinStatus) -> None:
        self.pages.last_try.show_for(status, self.language)
        self._show(self.pages.last_try, self.pages.last_try.warning.text())

    def _last_try_answered(self, use_it: bool) -> None:
        if use_it:
            self.card_read.answer_last_try(True)
            self._show(self.pages.reading, t("ui.reading", self.language))
            return
        self.card_read.stop()
        heading = t("kiosk.pin_failed.heading", self.language)
        self._problem(heading, (t("kiosk.last_try.declined", self.language),))

    def _read_finished(self, verified: VerifiedCard) -> None:
        if self.visit.target is None:
            return
        self.visit.card, self.visit.verdict = verified, verified.verdict
        self.questions = self.context.service.questions(self.visit.target)
        self._ask_question(0)

    def _read_failed(self, error: BaseException) -> None:
        explanation = explain(error, self.language)
        if isinstance(error, PinNotAccepted) and error.can_try_again:
            # The visit keeps what was read: a new entry goes on from the PIN that failed.
            self.pages.message.show_for(explanation.heading, explanation.lines, self.language, True)
            spoken = "\n".join((explanation.heading, *explanation.lines))
            self._show(self.pages.message, spoken, self.pages.message.retry)
            return
        self._problem(explanation.heading, explanation.lines)

    def _problem(self, heading: str, lines: tuple[str, ...]) -> None:
        """Show a problem; nothing of the resident is kept."""
        self.visit.clear()
        self.pages.message.show_for(heading, lines, self.language)
        self._show(self.pages.message, "\n".join((heading, *lines)))

    def _ask_question(self, index: int) -> None:
        if index >= len(self.questions):
            self.asked = self.context.service.resident_fields(self.visit)
            self.position = 0
            self._ask_field()
            return
        question = self.questions[index]
        self.pages.question.show_for(question, index + 1, len(self.questions), self.language)
        self._show(self.pages.question, question.label.in_language(self.language))

    def _answered(self, yes: bool) -> None:
        question = self.questions[len(self.visit.answers)]
        self.visit.answers[question.id] = yes
        self._ask_question(len(self.visit.answers))

    def _ask_field(self) -> None:
        if self.position >= len(self.asked):
            self._review()
            return
        definition = self.asked[self.position]
        if self._starts_person(definition):
            self._ask_one_more(definition)
            return
        before = sum(1 for f in self.asked[: self.position] if f.group is None)
        total = len(self.questions) + sum(1 for f in self.asked if f.group is None)
        index = len(self.questions) + before + 1  # people of a repeating entry count apart
        self.pages.entry.show_for(definition, index, total, self.language)
        self._show(self.pages.entry, definition.label.in_language(self.language))

    def _starts_person(self, definition: FieldDefinition) -> bool:
        """The first field of a person of a repeating entry, not yet said yes to."""
        if definition.group is None or definition.slot is None:
            return False
        before = self.asked[self.position - 1] if self.position else None
        first = before is None or (before.group, before.slot) != (definition.group, definition.slot)
        return first and self.confirmed_slot != (definition.group, definition.slot)

    def _ask_one_more(self, definition: FieldDefinition) -> None:
        assert definition.group is not None and definition.slot is not None
        key = f"kiosk.more.{definition.group}" + (".first" if definition.slot == 1 else "")
        texts = {language: t(key, language) for language in LANGUAGES}
        question = Question(id=definition.group, label=Text.model_validate(texts))
        self.pages.more.show_for(question, definition.slot, definition.slot, self.language)
        self.pages.more.progress.setText(
            t("kiosk.entry.person", self.language, number=definition.slot)
        )
        self._show(self.pages.more, question.label.in_language(self.language))

    def _one_more(self, yes: bool) -> None:
        current = self.asked[self.position]
        if yes:
            assert current.group is not None and current.slot is not None
            self.confirmed_slot = (current.group, current.slot)
        else:  # nobody more: the group's remaining people are left empty
            while (
                self.position < len(self.asked) and self.asked[self.position].group == current.group
            ):
                self.position += 1
        self._ask_field()

    def _entered(self, field_id: str, value: str) -> None:
        self.resident_values[field_id] = value
        self.position += 1
        self._ask_field()

    def _review(self) -> None:
        try:
            values = {k: v for k, v in self.resident_values.items() if v}
            self.context.service.fill(self.visit, resident_values=values)
        except NothingToFill as exc:
            self._problem(
                t("kiosk.review.heading", self.language), (error_message(exc, self.language),)
            )
            return
        self.pages.review.show_forms(self.visit.forms, self.language)
        self._show(self.pages.review, t("kiosk.review.heading", self.language))

    def _to_sign(self) -> None:
        if any(self.context.service.problems(self.visit)):
            self._finish(draft=True)  # nothing to sign yet: the clerk completes the draft
            return
        self.pages.sign.show_for(self.language)
        self._show(self.pages.sign, t("kiosk.sign.prompt", self.language), self.pages.sign.pad)

    def _signed(self, png: bytes) -> None:
        self.visit.handwriting = png
        self._finish(draft=False)

    def _finish(self, *, draft: bool) -> None:
        """Queue the signed forms, or keep incomplete ones as a draft for the clerk."""
        service = self.context.service
        try:
            receipt = service.save_draft(self.visit) if draft else service.submit(self.visit)
        except Exception as exc:  # the store or the vault failed: say so, keep nothing
            heading = t("kiosk.submit_failed.heading", self.language)
            self._problem(heading, (error_message(exc, self.language),))
            return
        titles = [f.form.definition.title.ja for f in self.visit.forms]
        self.slip = slip_for(receipt.number, titles)
        self._forget_resident()
        self.pages.done.show_for(receipt.number, self.language)
        spoken = f"{t('kiosk.done.heading', self.language)} {t('kiosk.done.where', self.language)}"
        self._show(self.pages.done, spoken)

    def print_slip(self) -> Path | None:
        """The reception slip as a PDF in the data folder, handed to the desktop to print."""
        if self.slip is None:
            return None
        folder = self.context.settings.data_dir / "slips"
        folder.mkdir(exist_ok=True)
        place = self.context.settings.reception_waiting_place
        path = write_slip(self.slip, place, self.language, folder / f"{self.slip.number}.pdf")
        self.slip_opener(path)
        return path

    def _forget_resident(self) -> None:
        """The forms are queued: the screens and the visit let go of the resident's data."""
        self.visit.clear()
        self.questions, self.asked = (), ()
        self.resident_values.clear()
        self.position, self.confirmed_slot = 0, None
        self.pages.entry.wipe()
        self.pages.review.wipe()
        self.pages.sign.wipe()
        self.pages.pin.wipe()

    def wipe(self) -> None:
        """End the visit: cancel the read, forget everything, start screen in Japanese."""
        self.card_read.stop()
        self._forget_resident()
        self.slip = None
        self.pages.done.wipe()
        self.language = DEFAULT_LANGUAGE
        self.show_start()
        self.wiped.emit()
        presence = self.context.presence
        if self.context.source.is_emulator and presence.present:
            presence.simulate(False)  # the emulated card leaves with its resident
