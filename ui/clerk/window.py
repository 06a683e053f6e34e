"""The clerk's counter window: one resident at a time, keyboard first.

Flow: choose a procedure → card read on the reader thread (PIN dialogs name the PIN and
show tries left) → the life event's questions → the pre-filled forms → sign with the card
(optional) → accept → reception number → 次の方 wipes every personal value.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from cardreader.types import CardRemoved, PinStatus
from counterapp.forms.definition import FieldDefinition
from counterapp.forms.filled import Source
from counterapp.forms.pdf import PdfError
from counterapp.forms.validation import UnstorableValue
from counterapp.interaction import Cancelled
from counterapp.slip import Slip, slip_for
from counterapp.vault import VaultError
from counterapp.verification.verdict import Overall, Verdict
from counterapp.visit import (
    CardNotGenuine,
    IncompleteForms,
    InvalidTicketNumber,
    MyNumberNotProven,
    NothingToFill,
    PinNotAccepted,
    Receipt,
    VerifiedCard,
    Visit,
)
from counterapp.wire.schema import IdentityMethod
from ui.admin.entry import add_admin_menu
from ui.clerk.editor import FormsEditor
from ui.clerk.header import Header
from ui.clerk.household import HouseholdBar, MemberDialog, MemberEntry
from ui.clerk.pages import (
    HomePage,
    MessagePage,
    QuestionsPage,
    ReadingPage,
    button,
    last_try_box,
)
from ui.clerk.pinless_flow import PinlessFlow
from ui.clerk.queue_view import QueueView
from ui.clerk.status import StatusBar
from ui.clerk.verdict import VerdictBadge, outcome_heading_key
from ui.context import UiContext
from ui.i18n import LANGUAGE_NAMES, LANGUAGES, error_message, pin_name, t
from ui.pin import PinDialog
from ui.receipt_slip import write_slip
from ui.style import CLERK_POINT_SIZE, clerk_stylesheet, ui_font

if TYPE_CHECKING:  # the dialogs' modules load when a dialog is first opened
    from PySide6.QtPrintSupport import QPrinter

    from ui.clerk.face import FaceCheckDialog
    from ui.clerk.handwriting import HandwritingDialog


def _from_chip(definition: FieldDefinition) -> bool:
    return definition.prefill is not None and definition.prefill.from_card


class ClerkWindow(QMainWindow):
    """The counter window. All card work goes through ``context.worker``."""

    def __init__(
        self, context: UiContext, language: str = "ja", home: HomePage | None = None
    ) -> None:
        """``home`` is the procedure list if the start already shows it (ui/app.py)."""
        super().__init__()
        self.context = context
        self.service = context.service
        self.language = language
        self.visit = Visit()
        self.slip: Slip | None = None  # the last receipt's slip, until 次の方
        self.pin_dialog: PinDialog | None = None
        self.last_try_box: QMessageBox | None = None
        self.print_error: QMessageBox | None = None  # why the last print failed
        self._pin_forgotten = False
        self._reading_member = False  # a household member's card is being read
        self.member_dialog: MemberDialog | None = None  # the last household member dialog
        if context.source.is_emulator:
            context.presence.simulate(True)  # the emulated card lies on the counter's reader
        self._build(home or HomePage(self.service.library.procedures()))
        self._connect_worker()
        self.retranslate()
        self.show_home()

    # -- layout ---------------------------------------------------------------------------

    def _build(self, home: HomePage) -> None:
        self.home = home
        self.reading = ReadingPage()
        self.questions = QuestionsPage()
        self.forms_page, self.editor = self._forms_page()
        self.message = MessagePage()
        self.stack = QStackedWidget()
        for page in (self.home, self.reading, self.questions, self.forms_page, self.message):
            self.stack.addWidget(page)
        self.queue_view = QueueView(self.context)
        self.queue_view.open_draft.connect(self.reopen)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.stack, "")
        self.tabs.addTab(self.queue_view, "")
        self.header = Header(self.context.settings)
        self.outcome_badge = VerdictBadge()
        self.message.add_under_heading(self.outcome_badge)
        self.stack.currentChanged.connect(lambda _index: self._show_step())
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.header)
        column.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.setFont(ui_font(CLERK_POINT_SIZE))  # Latin in a proportional face, then Japanese
        self.setStyleSheet(clerk_stylesheet())
        self.status = StatusBar(self.context)
        self.setStatusBar(self.status)
        self.language_box = QComboBox()
        for code in LANGUAGES:
            self.language_box.addItem(LANGUAGE_NAMES[code], code)
        self.language_box.setCurrentIndex(LANGUAGES.index(self.language))
        self.language_box.currentIndexChanged.connect(
            lambda index: self.set_language(LANGUAGES[index])
        )
        self.status.insertPermanentWidget(0, self.language_box)
        self.home.chosen.connect(self.start)
        self.home.chosen_without_card.connect(self.start_without_card)
        self.manual_button = button("")  # 「カードを使わずに受付」 on every PIN/card problem
        self.manual_button.clicked.connect(lambda: self.continue_without_card())
        self.message.add_problem_action(self.manual_button)
        self._problem = "clerk_choice"  # the reason key of the last card problem shown
        self._said: dict[QLabel, Callable[[str], str]] = {}  # texts to say again on a switch
        # A lambda runs in the GUI thread: the worker's own thread is busy with the read,
        # so a queued call to its slot would only arrive once the read is over.
        self.reading.cancel_requested.connect(lambda: self.context.worker.cancel())
        self.questions.answered.connect(self._answered)
        self.message.next_resident.connect(self.next_resident)
        self.message.go_on.connect(self._go_on)
        self.slip_button = button("", "Ctrl+P")
        self.slip_button.clicked.connect(self.save_slip)
        self.slip_button.hide()
        message_layout = self.message.layout()
        assert isinstance(message_layout, QVBoxLayout)
        message_layout.insertWidget(
            message_layout.indexOf(self.message.body) + 1,
            self.slip_button,
            alignment=Qt.AlignmentFlag.AlignLeft,  # a button at its own width, like 次の方
        )
        self.pinless = PinlessFlow(self)  # 暗証番号なしで確認（照合番号B）
        QShortcut(QKeySequence("F12"), self, self.next_resident)
        self.admin_action = add_admin_menu(self, self.context, lambda: self.language)
        QShortcut(QKeySequence("Ctrl+L"), self, self.show_worklist)
        self.resize(1280, 720)

    def _forms_page(self) -> tuple[QWidget, FormsEditor]:
        page = QWidget()
        self.forms_heading = QLabel()
        self.forms_heading.setWordWrap(True)
        self.verdict_badge = VerdictBadge()
        editor = FormsEditor()
        self.submit_button = button("", "Ctrl+Return")
        self.sign_button = button("", "Ctrl+S")
        self.pdf_button = button("", "Ctrl+P")
        self.face_button = button("", "Ctrl+F")
        self.handwriting_button = button("", "Ctrl+D")
        self.submit_button.setProperty("primary", True)
        self.draft_button = button("", "Ctrl+Shift+Return")
        self.draft_button.clicked.connect(self.save_draft)
        self.ticket_edit = QLineEdit()
        self.ticket_edit.setMaxLength(16)
        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.signed_label = QLabel()
        self.submit_button.clicked.connect(self.submit)
        self.sign_button.clicked.connect(self.sign)
        self.pdf_button.clicked.connect(self.save_pdf)
        self.face_button.clicked.connect(self.check_face)
        self.handwriting_button.clicked.connect(self.sign_on_screen)
        self.signed_label.setWordWrap(True)  # a long reason wraps, never widens the window
        self.signed_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        actions = QHBoxLayout()
        actions.addStretch()
        self.verdict_badge.add_action(self.face_button)  # the identity checks side by side
        for widget in (
            self.pdf_button,
            self.handwriting_button,
            self.sign_button,
            self.draft_button,
            self.submit_button,
        ):
            actions.addWidget(widget)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.setSpacing(8)
        layout.addWidget(self.forms_heading)
        layout.addWidget(self.verdict_badge)
        self.identity_label = QLabel()  # how the resident was identified (pin, pinless, manual)
        self.identity_label.setObjectName("identity")
        self.identity_label.setWordWrap(True)
        layout.addWidget(self.identity_label)
        self.household = self._household_bar()
        layout.addWidget(self.household)
        layout.addWidget(editor, 1)
        layout.addWidget(self.signed_label)  # its own line: a long reason never pushes buttons
        ticket = QHBoxLayout()
        self.ticket_label = QLabel()
        self.ticket_label.setBuddy(self.ticket_edit)
        ticket.addWidget(self.ticket_label)
        ticket.addWidget(self.ticket_edit)
        ticket.addWidget(self.problems_label, 1)
        layout.addLayout(ticket)
        layout.addLayout(actions)
        return page, editor

    def retranslate(self) -> None:
        lang = self.language
        self.setWindowTitle(t("ui.app_title", lang))
        self.tabs.setTabText(0, t("clerk.tab.counter", lang))
        self.tabs.setTabText(1, t("clerk.tab.queue", lang))
        self.home.retranslate(lang)
        self.reading.show_step("ui.reading", lang)
        self.questions.retranslate(lang)
        self.message.retranslate(lang)
        self.tabs.setAccessibleName(t("ui.app_title", lang))
        self.editor.setAccessibleName(t("clerk.forms.heading", lang))
        self.forms_heading.setText(t("clerk.forms.heading", lang))
        for widget, key in (
            (self.submit_button, "clerk.forms.submit"),
            (self.sign_button, "clerk.forms.sign"),
            (self.pdf_button, "clerk.forms.pdf"),
            (self.face_button, "clerk.face.button"),
            (self.handwriting_button, "clerk.handwriting.button"),
            (self.draft_button, "clerk.forms.save_draft"),
            (self.slip_button, "clerk.slip.button"),
            (self.manual_button, "clerk.manual.button"),
        ):
            self._label_button(widget, key)
        self.ticket_label.setText(t("clerk.forms.ticket", lang))
        self.ticket_edit.setAccessibleName(t("clerk.forms.ticket", lang))
        self.queue_view.retranslate(lang)
        self.pinless.retranslate(lang)
        self.household.retranslate(lang)
        self.status.retranslate(lang)
        self.header.retranslate(lang)
        self.verdict_badge.show_verdict(self.verdict_badge.verdict, lang)
        self.outcome_badge.show_verdict(self.outcome_badge.verdict, lang)
        for label, text_in in self._said.items():
            self._say(label, text_in)
        self.language_box.setAccessibleName(t("clerk.language", lang))
        self.language_box.view().setAccessibleName(t("clerk.language", lang))

    def _say(self, label: QLabel, text_in: Callable[[str], str] | None) -> None:
        """Set a label's text, kept as a function of the language so that a language switch
        says it again in the new one (None clears it)."""
        if text_in is None:
            self._said.pop(label, None)
        else:
            self._said[label] = text_in
        label.setText(text_in(self.language) if text_in else "")
        label.setAccessibleName(label.text())

    def _error_text(self, error: BaseException, language: str) -> str:
        if isinstance(error, CardNotGenuine):
            return self._verdict_summary(error.verdict, language)
        if isinstance(error, PinNotAccepted):
            return error_message(error.error, language)
        return error_message(error, language)

    def _label_button(self, widget: QPushButton, key: str) -> None:
        shortcut = widget.shortcut()
        widget.setText(t(key, self.language))
        widget.setAccessibleName(widget.text())
        widget.setShortcut(shortcut)

    # -- the flow -------------------------------------------------------------------------

    def show_home(self) -> None:
        self.stack.setCurrentWidget(self.home)
        self.home.focus()

    def start(self, target: str) -> None:
        """Read the card for ``target`` (a life event or a form id)."""
        self.visit.clear()
        self.visit.target = target
        if self.service.starts_without_card(self.visit):  # e.g. 国外からの転入: no card yet
            self.continue_without_card("starts_without_card")
            return
        self._read_card()

    def start_without_card(self, target: str) -> None:
        """「カードを使わずに受付」 from the procedure list: no card is read."""
        self.visit.clear()
        self.visit.target = target
        self.continue_without_card("clerk_choice")

    def continue_without_card(self, why: str | None = None) -> None:
        """The visit goes on without the card: the clerk types the card's values (audited)."""
        if self.visit.target is None:
            return
        self.context.worker.cancel()
        self.service.continue_without_card(self.visit, why or self._problem)
        self.status.show_verdict(None)
        questions = self.service.questions(self.visit.target)
        if questions:
            self.questions.ask(questions, self.language)
            self.stack.setCurrentWidget(self.questions)
        else:
            self._answered({})

    def _read_card(self) -> None:
        """Read (or, after a PIN not accepted or a pulled card, go on reading) the card."""
        if self.context.source.is_emulator:
            self.context.presence.simulate(True)  # the emulated card is (back) on the reader
        self.reading.show_step("ui.reading", self.language)
        self.stack.setCurrentWidget(self.reading)
        visit = self.visit
        self.context.worker.submit("read", lambda card, ask: self.service.read(card, ask, visit))

    def _connect_worker(self) -> None:
        worker = self.context.worker
        worker.pin_requested.connect(self._ask_pin)
        worker.last_try_requested.connect(self._ask_last_try)
        worker.succeeded.connect(self._job_done)
        worker.failed.connect(self._job_failed)

    def _ask_pin(self, status: PinStatus) -> None:
        dialog = PinDialog(status, self.language, self)
        dialog.finished.connect(lambda _code: self._pin_answered(dialog))
        self.pin_dialog = dialog
        dialog.open()

    def _pin_answered(self, dialog: PinDialog) -> None:
        self.pin_dialog = None
        self._pin_forgotten = dialog.forgotten
        self.context.worker.answer_pin(dialog.pin)
        dialog.pin = None
        dialog.deleteLater()
        self.activateWindow()  # keyboard shortcuts go on working without a click

    def _ask_last_try(self, status: PinStatus) -> None:
        """An explicit yes before a PIN's last try is used; the default is not to use it."""
        pin = pin_name(status.kind.value, self.language)
        box, use = last_try_box(
            self,
            t("ui.pin.title", self.language, pin=pin),
            t("ui.pin.last_try_warning", self.language),
            t("ui.pin.use_last_try", self.language),
            self.language,
        )
        box.finished.connect(lambda _code: self._last_try_answered(box, box.clickedButton() is use))
        self.last_try_box = box
        box.open()

    def _last_try_answered(self, box: QMessageBox, use_it: bool) -> None:
        self.last_try_box = None
        box.deleteLater()
        self.context.worker.answer_last_try(use_it)

    def _job_done(self, name: str, result: Any) -> None:
        if name == "read":
            self.service.audit_card_read("ok")
            self.visit.card, self.visit.verdict = result, result.verdict
            self.status.show_verdict(result.verdict)
            self.read_accepted()
        elif name == "sign":
            self._show_signed()
            self.stack.setCurrentWidget(self.forms_page)
        elif name == "member":
            self._member_read(result)  # opens the member's dialog

    def read_accepted(self) -> None:
        """The card is accepted (with its PINs, or without them and the face confirmed):
        the life event's questions, then the forms."""
        questions = self.service.questions(self.visit.target or "")
        if questions:
            self.questions.ask(questions, self.language)
            self.stack.setCurrentWidget(self.questions)
        else:
            self._answered({})

    def fill_forms(self) -> None:
        """Fill the forms from the visit's card and answers (e.g. once the My Number is proven)."""
        self._answered({})

    def end_visit(self, error: BaseException) -> None:
        """The card cannot be used: the visit ends on its outcome page (verdict or error)."""
        self.visit.clear()
        self._wipe_personal_widgets()
        if isinstance(error, CardNotGenuine):
            self.status.show_verdict(error.verdict)
            self._show_outcome(self._verdict_summary(error.verdict, self.language), error.verdict)
        else:
            self._show_outcome(error_message(error, self.language), None)

    def _job_failed(self, name: str, error: BaseException) -> None:
        if name == "member":
            self._member_failed(error)
            return
        if name not in ("read", "sign"):  # e.g. the face check: its dialog says what failed
            return
        if name == "read":
            self.service.audit_card_read(getattr(error, "message_key", "unexpected"))
        if isinstance(error, PinNotAccepted):
            self._pin_not_accepted(error)
            return
        if isinstance(error, Cancelled) and self._pin_forgotten:
            self._pin_forgotten = False
            self._problem = "pin_forgotten"
            self._pin_help(t("ui.pin.help.no_try_used", self.language))
            return
        if name == "read" and isinstance(error, CardRemoved):
            self._card_pulled()
            return
        if isinstance(error, CardNotGenuine):
            self.status.show_verdict(error.verdict)
            body = self._verdict_summary(error.verdict, self.language)
        else:
            body = error_message(error, self.language)
        if name == "sign":  # the forms stay; the resident can sign on paper instead
            self._say(self.signed_label, lambda lang: self._error_text(error, lang))
            self.stack.setCurrentWidget(self.forms_page)
            return
        self.visit.clear()
        verdict = error.verdict if isinstance(error, CardNotGenuine) else None
        self._show_outcome(body, verdict)

    @staticmethod
    def _verdict_summary(verdict: Verdict, language: str) -> str:
        """The overall result in a sentence (its reason: the badge; every check: 詳細)."""
        return t(f"verdict.{verdict.overall.value}", language)  # the badge says why

    def _show_outcome(self, body: str, verdict: Verdict | None) -> None:
        """The result page of a card that cannot be used: its own heading per outcome."""
        key = outcome_heading_key(verdict) if verdict else "clerk.outcome.card_error"
        self._problem = "card_error"  # a card that is not genuine is not passed over by hand
        self.message.show_message(t(key, self.language), body, self.language, problem=not verdict)
        self.outcome_badge.show_verdict(verdict, self.language)
        self.stack.setCurrentWidget(self.message)

    def _pin_not_accepted(self, error: PinNotAccepted) -> None:
        """Say which PIN and the tries left; a wrong PIN may be entered again (a new entry)."""
        body = error_message(error.error, self.language)
        if not error.can_try_again:
            self._problem = "pin_blocked"
            self._pin_help(body, t("ui.pin.blocked.heading", self.language))
            return
        self._problem = "pin_not_accepted"
        heading = t("ui.pin.wrong.heading", self.language)
        self.message.show_message(
            heading, body, self.language, action="ui.pin.enter_again", problem=True
        )
        self.stack.setCurrentWidget(self.message)

    def _pin_help(self, why: str, heading: str | None = None) -> None:
        """What the clerk can do for a resident whose PIN is blocked or forgotten."""
        body = f"{why}\n{t('ui.pin.help.clerk', self.language)}"
        body += f"\n{t('clerk.pinless.help', self.language)}"  # the card without its PIN
        title = heading or t("ui.pin.help.heading", self.language)
        self.message.show_message(title, body, self.language, problem=True)
        self.stack.setCurrentWidget(self.message)

    def _card_pulled(self) -> None:
        """The card left the reader mid-read: put it back and read again, the visit goes on."""
        if self.context.source.is_emulator:
            self.context.presence.simulate(False)
        heading = t("ui.card.removed.heading", self.language)
        body = t("ui.card.removed.body", self.language)
        self._problem = "card_pulled"
        self.message.show_message(
            heading, body, self.language, action="ui.card.read_again", problem=True
        )
        self.stack.setCurrentWidget(self.message)

    def _answered(self, answers: dict[str, bool]) -> None:
        self.visit.answers.update(answers)
        self.questions.clear()
        try:
            self.service.fill(self.visit)
        except MyNumberNotProven:  # PIN-less: the clerk types it from the card first
            self.pinless.ask_my_number()
            return
        except NothingToFill as exc:  # ask again: the card was read, nothing is lost
            self.visit.answers.clear()
            questions = self.service.questions(self.visit.target or "")
            self.questions.ask(questions, self.language, error_message(exc, self.language))
            return
        self.verdict_badge.show_verdict(self.visit.verdict, self.language)  # none: no card
        self.editor.show_forms(self.visit.forms, self.language, self._edit)
        self.household.show_people(self.visit, self.language)
        self._show_signed()
        self._show_identity()
        self.stack.setCurrentWidget(self.forms_page)
        self.editor.focus_first_problem(self.visit.forms)

    def _edit(self, index: int, field_id: str, value: str) -> None:
        if self.visit.forms[index].value(field_id).value == value:
            return
        try:
            self.service.edit(self.visit, index, field_id, value, Source.CLERK)
        except UnstorableValue as exc:  # a control character: refused, the old value kept
            self.editor.refuse(index, field_id, self.visit.forms[index].value(field_id), exc)
            return
        self.editor.refresh(self.visit.forms)
        self._show_signed()

    def _show_signed(self) -> None:
        signed = bool(self.visit.forms) and len(self.visit.signatures) == len(self.visit.forms)
        if signed:
            key = "clerk.forms.signed"
        else:
            key = "clerk.forms.handwritten" if self.visit.handwriting else "clerk.forms.unsigned"
        self._say(self.signed_label, lambda lang: t(key, lang))

    def _show_identity(self) -> None:
        """How the resident was identified, above the forms (a manual visit stands out)."""
        method = self.visit.identity_method
        self.identity_label.setText(t(f"identity.{method.value}", self.language))
        self.identity_label.setProperty("manual", method is IdentityMethod.MANUAL)
        card_opened_by_pin = method is IdentityMethod.PIN  # PIN-less: signed on paper or screen
        self.sign_button.setVisible(card_opened_by_pin)  # the card signs only with its password
        self.face_button.setVisible(card_opened_by_pin)  # PIN-less: the face was just checked
        self.identity_label.setAccessibleName(self.identity_label.text())
        self.identity_label.setStyleSheet(self.identity_label.styleSheet())  # restyle: box too

    def sign_on_screen(self) -> HandwritingDialog | None:
        """The resident signs in a box on the screen; the image is bound to each form."""
        from ui.clerk.handwriting import HandwritingDialog  # loaded when first asked for

        if self.stack.currentWidget() is not self.forms_page or self._refused_to_sign():
            return None
        dialog = HandwritingDialog(self.language, self)
        dialog.accepted.connect(lambda: self._handwritten(dialog.png))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _handwritten(self, png: bytes | None) -> None:
        self.visit.handwriting = png
        self._show_signed()

    def sign(self) -> None:
        """The resident signs every form with the card's signing password."""
        if self.stack.currentWidget() is not self.forms_page or self._refused_to_sign():
            return
        self.reading.show_step("ui.signing", self.language)
        self.stack.setCurrentWidget(self.reading)
        self.context.worker.submit(
            "sign", lambda card, asker: self.service.sign(card, asker, self.visit)
        )

    def check_face(self) -> FaceCheckDialog:
        """Open the visual identity check (照合番号B → the card's photo)."""
        from ui.clerk.face import FaceCheckDialog  # loaded when first asked for

        dialog = FaceCheckDialog(self.context, self.visit, self.language, self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.finished.connect(lambda _code: self._face_checked())
        dialog.open()
        return dialog

    def _face_checked(self) -> None:
        """A face the issuer did not sign ends the visit as not genuine; nothing is queued."""
        verdict = self.visit.verdict
        self.status.show_verdict(verdict)
        if verdict is not None and verdict.overall is not Overall.GENUINE:
            self.visit.clear()
            self._wipe_personal_widgets()
            self._show_outcome(self._verdict_summary(verdict, self.language), verdict)

    def set_language(self, language: str) -> None:
        """Switch the window's language (the forms on screen keep their values)."""
        self.language = language
        self.retranslate()
        if self.stack.currentWidget() is self.forms_page:
            self.editor.show_forms(self.visit.forms, language, self._edit)
            self._show_identity()
            self.household.show_people(self.visit, language)

    def save_pdf(self) -> None:
        """印刷用PDF: to a file the clerk chooses, or to a printer through the print dialog."""
        if self.stack.currentWidget() is not self.forms_page:
            return
        lang = self.language
        box = QMessageBox(self)
        box.setWindowTitle(t("clerk.forms.pdf", lang))
        box.setText(t("clerk.print.choose", lang))
        to_printer = box.addButton(
            t("clerk.print.to_printer", lang), QMessageBox.ButtonRole.AcceptRole
        )
        to_file = box.addButton(t("clerk.print.to_file", lang), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(t("ui.cancel", lang), QMessageBox.ButtonRole.RejectRole)
        box.exec()
        if box.clickedButton() is to_file:
            path, _ = QFileDialog.getSaveFileName(
                self, t("clerk.forms.pdf", lang), "", "PDF (*.pdf)"
            )
            if path:
                self.write_pdf(Path(path))
        elif box.clickedButton() is to_printer:
            from PySide6.QtPrintSupport import QPrintDialog, QPrinter  # loaded when first asked for

            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            if QPrintDialog(printer, self).exec() == QPrintDialog.DialogCode.Accepted:
                self.print_to(printer)

    def write_pdf(self, path: Path) -> bool:
        """The forms as an A4 PDF to print for a paper signature; a failure is shown."""
        try:
            self.service.print_pdf(self.visit, path)
        except PdfError as exc:
            self._print_failed(error_message(exc, self.language))
            return False
        return True

    def print_to(self, printer: QPrinter) -> int:
        """The forms' PDF painted onto ``printer``; the pages printed (0 after a failure)."""
        from ui.clerk.printing import PrinterUnavailable, print_pdf_file

        with tempfile.TemporaryDirectory() as folder:  # removed with the PDF right after
            pdf = Path(folder) / "forms.pdf"
            if not self.write_pdf(pdf):
                return 0
            try:
                return print_pdf_file(pdf, printer)
            except PrinterUnavailable:
                self._print_failed(t("clerk.print.failed", self.language))
                return 0

    def _print_failed(self, why: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, t("clerk.forms.pdf", self.language), why)
        box.setParent(self, box.windowFlags())
        box.finished.connect(box.deleteLater)
        self.print_error = box
        box.open()

    def submit(self) -> Receipt | None:
        """Queue the forms and show the reception number; refused while a value is missing."""
        if self.stack.currentWidget() is not self.forms_page:
            return None
        self.visit.ticket_number = self.ticket_edit.text().strip() or None
        try:
            receipt = self.service.submit(self.visit)
        except IncompleteForms as exc:  # nothing queued: mark, focus, say so
            self._refuse(exc, "clerk.forms.incomplete")
            return None
        except InvalidTicketNumber as exc:
            self._refuse_ticket(exc)
            return None
        except VaultError as exc:  # e.g. the master key is gone: nothing saved, forms kept
            self._not_saved(exc)
            return None
        body = f"{t('ui.reception_number', self.language)}: {receipt.number}"
        self._done(receipt, t("clerk.done.heading", self.language), body)
        return receipt

    def save_draft(self) -> Receipt | None:
        """Keep the forms as a draft (its own result), to reopen from 本日の申請 later."""
        if self.stack.currentWidget() is not self.forms_page:
            return None
        self.visit.ticket_number = self.ticket_edit.text().strip() or None
        try:
            receipt = self.service.save_draft(self.visit)
        except InvalidTicketNumber as exc:
            self._refuse_ticket(exc)
            return None
        except VaultError as exc:
            self._not_saved(exc)
            return None
        body = t("clerk.draft.body", self.language, number=receipt.number)
        self._done(receipt, t("clerk.draft.heading", self.language), body)
        return receipt

    def _done(self, receipt: Receipt, heading: str, body: str) -> None:
        titles = [f.form.definition.title.ja for f in self.visit.forms]
        self.slip = slip_for(receipt.number, titles, self.visit.ticket_number)
        self._wipe_personal_widgets()
        self.message.show_message(heading, body, self.language)
        self.slip_button.show()
        self.stack.setCurrentWidget(self.message)
        self.header.set_step(3)  # 送信
        self.queue_view.refresh()
        self.status.refresh_sync()

    def _refuse(self, error: IncompleteForms, key: str) -> None:
        count = sum(len(found) for found in error.problems)
        self._say(self.problems_label, lambda lang: "⚠ " + t(key, lang, count=count))
        self.editor.mark_problems(error.problems)

    def _not_saved(self, error: VaultError) -> None:
        """The store refused (its key is missing or damaged): say so; the forms stay on screen
        to be printed for a paper signature while IT staff restore the key (doctor says how)."""
        self._say(self.problems_label, lambda lang: "⚠ " + error_message(error, lang))

    def _refuse_ticket(self, error: InvalidTicketNumber) -> None:
        self._say(self.problems_label, lambda lang: "⚠ " + error_message(error, lang))
        self.ticket_edit.setFocus()

    def _refused_to_sign(self) -> bool:
        """No signature (card or pen) on forms with missing values: marked and said."""
        try:
            self.service.check_signable(self.visit)
        except IncompleteForms as exc:
            self._refuse(exc, "clerk.forms.sign_incomplete")
            return True
        return False

    def show_worklist(self) -> None:
        """本日の申請 with the newest row selected: Enter opens it."""
        self.queue_view.refresh()
        self.tabs.setCurrentWidget(self.queue_view)
        self.queue_view.focus_newest()

    def reopen(self, visit_id: str) -> None:
        """Open a draft visit from 本日の申請 in the forms editor to complete it."""
        self.next_resident()
        self.visit = self.service.reopen(visit_id)  # each draft's view is audited
        self.editor.show_forms(self.visit.forms, self.language, self._edit)
        self.household.show_people(self.visit, self.language)
        self.ticket_edit.setText(self.visit.ticket_number or "")
        self._show_signed()
        self._show_identity()
        self.tabs.setCurrentIndex(0)
        self.stack.setCurrentWidget(self.forms_page)
        found = self.service.problems(self.visit)
        if any(found):
            self._refuse(IncompleteForms(tuple(found)), "clerk.forms.incomplete")
        else:
            self.submit_button.setFocus()

    def save_slip(self) -> None:
        if self.slip is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, t("clerk.slip.button", self.language))
        if path:
            self.write_slip(Path(path))

    def write_slip(self, path: Path) -> None:
        """The reception slip (number, date, procedures, where to wait) as a small PDF."""
        assert self.slip is not None
        write_slip(self.slip, self.context.settings.reception_waiting_place, "ja", path)

    def next_resident(self) -> None:
        """Clear every personal value from every widget and start over."""
        self.context.worker.cancel()
        if self.pin_dialog is not None:
            self.pin_dialog.reject()
        if self.last_try_box is not None:
            self.last_try_box.reject()
        if self.member_dialog is not None:  # a household member's values leave with it
            self.member_dialog.reject()
        self.visit.clear()
        self.slip = None
        self.slip_button.hide()
        self._wipe_personal_widgets()
        self.message.clear()
        self.status.show_verdict(None)
        self.show_home()

    def _wipe_personal_widgets(self) -> None:
        self.editor.wipe()
        self.household.wipe()
        self.ticket_edit.clear()
        self._say(self.problems_label, None)
        self.questions.clear()
        self.verdict_badge.show_verdict(None, self.language)
        self.outcome_badge.show_verdict(None, self.language)
        self.identity_label.setText("")
        self.pinless.wipe()

    # -- a household: further members, each with their own card or entered by hand -------

    def _household_bar(self) -> HouseholdBar:
        cards: tuple[str, ...] = ()
        if self.context.source.is_emulator:  # TEST ONLY residents to "place" on the reader
            from counterapp.emulation import scenarios

            cards = tuple(sorted(scenarios(), key=lambda name: name != "household-partner"))
        bar = HouseholdBar(cards)
        bar.next_card.connect(self.read_next_member)
        bar.add_by_hand.connect(self.add_member_by_hand)
        bar.remove.connect(self.remove_member)
        return bar

    def read_next_member(self) -> None:
        """The next member taps their own card: read, verified and audited on its own."""
        if self.stack.currentWidget() is not self.forms_page:
            return
        self._reading_member = True
        self.context.worker.place(self.household.next_virtual_card)
        self.reading.show_step("household.place_card", self.language)
        self.stack.setCurrentWidget(self.reading)
        visit = self.visit
        self.context.worker.submit(
            "member", lambda card, ask: self.service.read_member(card, ask, visit)
        )

    def _go_on(self) -> None:
        """After a PIN not accepted or a pulled card: read the same person's card again."""
        if self._reading_member:
            self.stack.setCurrentWidget(self.forms_page)
            self.read_next_member()
        else:
            self._read_card()

    def _member_read(self, verified: VerifiedCard) -> MemberDialog:
        """Their card is genuine: the clerk adds what the chip does not record (続柄 ...),
        their own answers and lists; 追加 puts their rows on the forms."""
        self._reading_member = False
        self.service.audit_card_read("ok")
        self.context.worker.place(None)  # the 届出人's card back (it signs, if anyone does)
        self.stack.setCurrentWidget(self.forms_page)
        fields = [f for f in self.service.member_fields(self.visit) if not _from_chip(f)]
        title = t("clerk.household.dialog.card_title", self.language, name=verified.data.name)
        dialog = self._member_dialog(fields, title)
        dialog.accepted.connect(lambda: self._add_member(verified, dialog.entry()))
        dialog.open()
        return dialog

    def _member_failed(self, error: BaseException) -> None:
        """A member's card that cannot be used: said; the visit and its forms go on."""
        self.service.audit_card_read(getattr(error, "message_key", "unexpected"))
        if isinstance(error, PinNotAccepted) and error.can_try_again:
            heading = t("ui.pin.wrong.heading", self.language)
            body = error_message(error.error, self.language)
            self.message.show_message(heading, body, self.language, action="ui.pin.enter_again")
            self.stack.setCurrentWidget(self.message)
            return
        self._reading_member = False
        self.context.worker.place(None)
        self._say(self.problems_label, lambda lang: "⚠ " + self._error_text(error, lang))
        self.stack.setCurrentWidget(self.forms_page)

    def add_member_by_hand(self) -> MemberDialog | None:
        """A member without a card: the clerk enters their row once (marked 手入力)."""
        if self.stack.currentWidget() is not self.forms_page:
            return None
        fields = self.service.member_fields(self.visit)
        dialog = self._member_dialog(fields, t("clerk.household.dialog.title", self.language))
        dialog.accepted.connect(lambda: self._add_member(None, dialog.entry()))
        dialog.open()
        return dialog

    def _member_dialog(self, fields: Sequence[FieldDefinition], title: str) -> MemberDialog:
        visit = self.visit
        dialog = MemberDialog(
            fields,
            self.service.member_questions(visit),
            self.service.member_lists(visit),
            self.language,
            self,
            answers=visit.answers,
        )
        dialog.setWindowTitle(title)
        dialog.finished.connect(lambda _code: self._member_dialog_closed(dialog))
        self.member_dialog = dialog
        return dialog

    def _member_dialog_closed(self, dialog: MemberDialog) -> None:
        if self.member_dialog is dialog:
            self.member_dialog = None
        dialog.deleteLater()

    def _add_member(self, card: VerifiedCard | None, entry: MemberEntry) -> None:
        try:
            self.service.add_member(self.visit, card, entry.values, entry.answers, entry.groups)
        except UnstorableValue as exc:
            refused = exc  # the except clause unbinds exc; the text is said again on a switch
            self._say(self.problems_label, lambda lang: "⚠ " + error_message(refused, lang))
            return
        self._show_household_forms()

    def remove_member(self, index: int) -> None:
        """Take a member (and their rows on every form) off the visit."""
        self.service.remove_member(self.visit, index)
        self._show_household_forms()

    def _show_household_forms(self) -> None:
        self.editor.show_forms(self.visit.forms, self.language, self._edit)
        self.household.show_people(self.visit, self.language)
        self._show_signed()
        self.stack.setCurrentWidget(self.forms_page)

    def _show_step(self) -> None:
        """The header's step: 選択 → 読取 → 確認 → 送信 (a problem stays at 読取)."""
        page = self.stack.currentWidget()
        if page is self.home:
            self.header.set_step(0)
        elif page in (self.questions, self.forms_page):
            self.header.set_step(2)
        elif page is self.reading:
            self.header.set_step(2 if self.visit.forms else 1)
        elif page is self.message:
            self.header.set_step(1)

    def closeEvent(self, event: Any) -> None:
        self.next_resident()
        QTimer.singleShot(0, self.context.close)
        super().closeEvent(event)
