"""The clerk window's PIN-less path (照合番号B), driven through ``CounterService``.

From the procedure list or any PIN problem: the clerk types the three printed parts, the
core composes and checks 照合番号B (``counterapp.collation``) and reads the card without a
PIN on the reader thread (``read_pinless``); the face from the card is shown; the clerk's
confirmation is recorded by ``confirm_holder`` with the operator id; forms that carry the
My Number get it only after ``prove_my_number`` (照合番号A). Every step is the core's; this
module only presents them. A refused 照合番号 is never sent again by the terminal: a new
entry is a new entry, and its last try needs an explicit yes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMessageBox, QVBoxLayout, QWidget

from counterapp.collation import CollationPartError, compose_collation_b, parse_my_number
from counterapp.interaction import Cancelled
from counterapp.pinless import CollationNotAccepted
from counterapp.settings import operator_name
from counterapp.visit import CardNotGenuine, InvalidOperatorId, PinlessResult
from ui.clerk.pages import button, button_row, last_try_box
from ui.clerk.pinless import CollationPage, FacePage, MyNumberPage
from ui.i18n import error_message, t

if TYPE_CHECKING:
    from ui.clerk.window import ClerkWindow

READ_JOB = "pinless"
MY_NUMBER_JOB = "pinless_my_number"
SHORTCUT = "Ctrl+B"


class PinlessFlow(QObject):
    """The PIN-less pages of one clerk window and the way through them."""

    def __init__(self, window: ClerkWindow) -> None:
        super().__init__(window)
        self.window = window
        self.entry = CollationPage()
        self.face = FacePage()
        self.my_number = MyNumberPage()
        for page in (self.entry, self.face, self.my_number):
            window.stack.addWidget(page)
        self.home_button = button("")
        self.home_button.clicked.connect(self.start_from_home)
        home_layout = window.home.layout()
        assert isinstance(home_layout, QVBoxLayout)
        home_layout.addLayout(button_row(self.home_button))
        self.problem_button = button("")  # 暗証番号なしで確認 on every PIN problem
        self.problem_button.clicked.connect(self.go_on_without_pin)
        window.message.add_problem_action(self.problem_button)
        QShortcut(QKeySequence(SHORTCUT), window, self._shortcut)
        self.entry.submitted.connect(self._entered)
        self.entry.back.connect(self._back)
        self.face.confirmed.connect(self._confirm)
        self.face.mismatch.connect(self._mismatch)
        self.my_number.submitted.connect(self._my_number_entered)
        worker = window.context.worker
        worker.succeeded.connect(self._job_done)
        worker.failed.connect(self._job_failed)
        self.last_try_box: QMessageBox | None = None
        self._came_from: QWidget = window.home

    @property
    def language(self) -> str:
        return self.window.language

    def retranslate(self, language: str) -> None:
        for widget in (self.home_button, self.problem_button):
            widget.setText(t("clerk.pinless.button", language))
            widget.setAccessibleName(widget.text())
        self.entry.retranslate(language)
        self.face.retranslate(language)
        self.face.badge.show_verdict(self.face.badge.verdict, language)
        self.my_number.retranslate(language)

    # -- into the path ----------------------------------------------------------------------

    def _shortcut(self) -> None:
        page = self.window.stack.currentWidget()
        if page is self.window.home:
            self.start_from_home()
        elif page is self.window.message and self.problem_button.isVisible():
            self.go_on_without_pin()

    def start_from_home(self) -> None:
        """The procedure selected on the list, without any PIN being asked."""
        item = self.window.home.targets.currentItem()
        if item is None:
            return
        self.window.visit.clear()
        self.window.visit.target = item.data(256)
        self._came_from = self.window.home
        self._ask_collation()

    def go_on_without_pin(self) -> None:
        """The visit stopped at a PIN goes on with 照合番号B (nothing more is sent to a PIN)."""
        if self.window.visit.target is None:
            return
        self.window.context.worker.cancel()
        self._came_from = self.window.message
        self._ask_collation()

    def _ask_collation(self, refusal: str = "") -> None:
        self.entry.ask(self.language, refusal)
        self.window.stack.setCurrentWidget(self.entry)
        self.window.header.set_step(1)  # 読取
        first = self.entry.fields["expiry_year"].edit
        first.setFocus()
        QTimer.singleShot(0, first.setFocus)  # after a closing dialog hands its focus back

    def _back(self) -> None:
        self.window.stack.setCurrentWidget(self._came_from)
        if self._came_from is self.window.home:
            self.window.home.focus()

    # -- 照合番号B ---------------------------------------------------------------------------

    def _entered(self, birth_date: str, expiry_year: str, security_code: str) -> None:
        """The core composes 照合番号B; a wrong part is said before anything is sent."""
        try:
            code = compose_collation_b(birth_date, expiry_year, security_code)
        except CollationPartError as exc:
            self.entry.show_part_problem(exc.part, error_message(exc, self.language))
            return
        self.entry.wipe()  # the typed parts leave the screen once composed
        allow, self._allow_last_try = self._allow_last_try, False
        self._read(code, allow_last_try=allow)

    def _read(self, code: str, *, allow_last_try: bool) -> None:
        window = self.window
        if window.context.source.is_emulator:
            window.context.presence.simulate(True)  # the emulated card is (back) on the reader
        window.reading.show_step("clerk.pinless.reading", self.language)
        window.stack.setCurrentWidget(window.reading)
        service, visit = window.service, window.visit
        window.context.worker.submit(
            READ_JOB,
            lambda card, _ask: service.read_pinless(
                card, code, visit, allow_last_try=allow_last_try
            ),
        )

    def _job_done(self, name: str, result: Any) -> None:
        if name == READ_JOB and isinstance(result, PinlessResult):
            self.window.service.audit_card_read("ok")
            self._show_face(result)
        elif name == MY_NUMBER_JOB:
            self.my_number.wipe()
            self.window.status.show_verdict(self.window.visit.verdict)
            self.window.fill_forms()

    def _job_failed(self, name: str, error: BaseException) -> None:
        if name not in (READ_JOB, MY_NUMBER_JOB):
            return
        if name == READ_JOB:
            self.window.service.audit_card_read(getattr(error, "message_key", "unexpected"))
        if isinstance(error, Cancelled):  # Esc: back to the entry, the visit goes on
            self._ask_again(name, "")
        elif isinstance(error, CollationNotAccepted):
            self._not_accepted(name, error)
        elif isinstance(error, CardNotGenuine):
            self._refused(error)
        elif name == MY_NUMBER_JOB:
            self._ask_again(name, error_message(error, self.language))
        else:
            self._refused(error)

    def _not_accepted(self, name: str, error: CollationNotAccepted) -> None:
        """Tries left and a new entry; the last try only after an explicit yes; blocked: say so."""
        if error.last_try_refused:
            self._ask_last_try(name)
            return
        said = error_message(error.error, self.language)
        if error.can_try_again and name == READ_JOB:
            self._ask_again(name, f"{said}\n{t('clerk.pinless.refused_hint', self.language)}")
        elif error.can_try_again:
            self._ask_again(name, said)
        else:
            hint = t("clerk.pinless.blocked_hint", self.language)
            self._show_message(t("ui.pin.blocked.heading", self.language), f"{said}\n{hint}")
            self.problem_button.hide()  # 照合番号B itself is what is blocked

    def _ask_last_try(self, name: str) -> None:
        """Nothing was sent: the entry is asked for again, to be used only after a yes."""
        box, use = last_try_box(
            self.window,
            t("clerk.pinless.last_try.title", self.language),
            t("clerk.pinless.last_try.text", self.language),
            t("clerk.pinless.last_try.use", self.language),
            self.language,
        )
        box.finished.connect(
            lambda _code: self._last_try_answered(box, name, box.clickedButton() is use)
        )
        self.last_try_box = box
        box.open()

    def _last_try_answered(self, box: QMessageBox, name: str, use_it: bool) -> None:
        """Yes: a new entry that may use the last try. No: back to the entry, nothing sent."""
        self.last_try_box = None
        box.deleteLater()
        self.window.activateWindow()  # keyboard shortcuts and typing go on without a click
        self._allow_last_try = use_it
        self._ask_again(name, t("clerk.pinless.last_try.text", self.language) if use_it else "")

    def _ask_again(self, name: str, note: str) -> None:
        """A new entry of 照合番号B (READ_JOB) or of the My Number, with ``note`` above it."""
        if name == READ_JOB:
            self._ask_collation(note)
        else:
            self.my_number.ask(self.language, note)
            self.window.stack.setCurrentWidget(self.my_number)

    _allow_last_try = False

    def _refused(self, error: BaseException) -> None:
        """Not genuine, or a card error: the visit ends on its outcome page."""
        self.wipe()
        self.window.end_visit(error)

    def _show_message(self, heading: str, body: str) -> None:
        """A problem page that offers the other ways on (e.g. without the card)."""
        self.window.message.show_message(heading, body, self.language, problem=True)
        self.window.stack.setCurrentWidget(self.window.message)

    # -- the face ----------------------------------------------------------------------------

    def _show_face(self, result: PinlessResult) -> None:
        window = self.window
        self._allow_last_try = False
        window.status.show_verdict(result.verdict)
        self.face.show_face(result.face, result.data.name, result.data.address, self.language)
        self.face.badge.show_verdict(result.verdict, self.language)
        window.stack.setCurrentWidget(self.face)
        window.header.set_step(2)  # 確認
        self.face.confirm.setFocus()

    def _confirm(self) -> None:
        """The clerk's explicit statement, audited with the operator id by the core."""
        window = self.window
        operator = operator_name(window.context.settings)
        try:
            window.service.confirm_holder(window.visit, operator)
        except InvalidOperatorId as exc:
            self.face.intro.setText("⚠ " + error_message(exc, self.language))
            return
        except CardNotGenuine as exc:  # e.g. undetermined for another reason (no CRL)
            self._refused(exc)
            return
        self.face.wipe()
        window.status.show_verdict(window.visit.verdict)
        window.read_accepted()

    def _mismatch(self) -> None:
        """The photo is not the person: audited; the visit ends, nothing is kept or queued."""
        window = self.window
        try:
            window.service.reject_holder(window.visit, operator_name(window.context.settings))
        except InvalidOperatorId:  # not recorded under a name: the visit still ends
            window.visit.clear()
        self.wipe()
        self.window.status.show_verdict(None)
        self._show_message(
            t("clerk.pinless.face.mismatch.heading", self.language),
            t("clerk.pinless.face.mismatch.body", self.language),
        )
        self.problem_button.hide()  # the card was read: its face is not this person's

    # -- the My Number (照合番号A) --------------------------------------------------------------

    def ask_my_number(self) -> None:
        """A form of the visit carries the My Number: the clerk types it from the card."""
        self.my_number.ask(self.language)
        self.window.stack.setCurrentWidget(self.my_number)
        self.window.header.set_step(2)

    def _my_number_entered(self, typed: str) -> None:
        """The core checks the number (check digit: nothing sent on a typo), then 照合番号A."""
        try:
            number = parse_my_number(typed)
        except CollationPartError as exc:
            self.my_number.show_problem(error_message(exc, self.language))
            return
        self.my_number.wipe()
        window = self.window
        allow, self._allow_last_try = self._allow_last_try, False
        window.reading.show_step("clerk.pinless.reading", self.language)
        window.stack.setCurrentWidget(window.reading)
        service, visit = window.service, window.visit
        window.context.worker.submit(
            MY_NUMBER_JOB,
            lambda card, _ask: service.prove_my_number(card, visit, number, allow_last_try=allow),
        )

    # -- the end -----------------------------------------------------------------------------

    def wipe(self) -> None:
        """Every personal value off the PIN-less pages (次の方, a refusal)."""
        if self.last_try_box is not None:
            self.last_try_box.reject()
        self._allow_last_try = False
        self.entry.wipe()
        self.face.wipe()
        self.face.badge.show_verdict(None, self.language)
        self.my_number.wipe()
