"""The self-service kiosk as a resident meets it: real buttons, the emulated card, the queue."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)
from pytestqt.qtbot import QtBot

from cardreader.emulator.resident import DEFAULT_RESIDENT
from cardreader.errors import PinBlocked, WrongPin
from cardreader.pin import PinKind
from counterapp.adminpin import AdminPin
from counterapp.audit import entries
from counterapp.forms.filled import Source
from counterapp.messages import text
from counterapp.visit import Visit
from tests.ui.conftest import MakeContext
from ui.context import UiContext
from ui.i18n import LANGUAGES, error_message, t
from ui.kiosk import KioskWindow
from ui.kiosk.admin import AdminPinDialog
from ui.kiosk.keys import ChoiceKeys, DateKeys, DigitKeys, KanaKeys, NumberStepper
from ui.kiosk.review import ReviewPage
from ui.kiosk.theme import BASE_FONT_PX

PIN = "1234"  # the emulator's auth and Kenhojo PIN (cardreader/emulator/resident.py)
ADMIN_PIN = AdminPin.create("246813")  # what `counterapp kiosk set-admin-pin` stores
WAIT_MS = 10_000
PERSONAL = (DEFAULT_RESIDENT.name, DEFAULT_RESIDENT.address, DEFAULT_RESIDENT.my_number)
INTERACTIVE = (QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox, QTextEdit)

ADMIN_MODIFIERS = (
    Qt.KeyboardModifier.ControlModifier
    | Qt.KeyboardModifier.AltModifier
    | Qt.KeyboardModifier.ShiftModifier
)

OpenKiosk = Callable[..., KioskWindow]


@pytest.fixture
def open_kiosk(make_context: MakeContext, qtbot: QtBot) -> Iterator[OpenKiosk]:
    """``open_kiosk("valid", idle_seconds=60, admin_pin=None)``: a shown kiosk window."""
    windows: list[KioskWindow] = []

    def open_(scenario: str = "valid", **options: object) -> KioskWindow:
        window = KioskWindow(make_context(scenario), **options)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.resize(1280, 1024)
        window.show()
        windows.append(window)
        return window

    yield open_
    for window in windows:
        window.exit_kiosk()  # what staff do with the admin PIN; qtbot then deletes it


# What a resident does


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def wait_for_page(qtbot: QtBot, window: KioskWindow, page: QWidget) -> None:
    qtbot.waitUntil(lambda: window.pages.stack.currentWidget() is page, timeout=WAIT_MS)


def choose_event(qtbot: QtBot, window: KioskWindow, event: str = "moving-in") -> None:
    click(qtbot, window.pages.start.event_buttons[event])


def tap_card(qtbot: QtBot, window: KioskWindow) -> None:
    wait_for_page(qtbot, window, window.pages.wait_card)
    click(qtbot, window.pages.wait_card.simulate)


def enter_pin(qtbot: QtBot, window: KioskWindow, kind: PinKind, digits: str = PIN) -> None:
    pad = window.pages.pin.pad
    qtbot.waitUntil(
        lambda: (
            window.pages.stack.currentWidget() is window.pages.pin
            and pad.status is not None
            and pad.status.kind is kind
        ),
        timeout=WAIT_MS,
    )
    for digit in digits:
        click(qtbot, pad.keys[digit])
    click(qtbot, pad.ok)


def answer_questions(
    qtbot: QtBot,
    window: KioskWindow,
    yes: set[str] = frozenset(),
    values: dict[str, str] | None = None,
) -> None:
    page = window.pages.question
    wait_for_page(qtbot, window, page)  # the read is done: the procedure's questions are known
    for question in window.flow.questions:
        wait_for_page(qtbot, window, page)
        assert page.question.text() == question.label.in_language(window.language)
        click(qtbot, page.yes if question.id in yes else page.no)
    enter_fields(qtbot, window, values or {})


# What the resident types on the kiosk's keys (a value per field id; others: a plain answer)
SMALL_KANA = {"ァ": "ア", "ィ": "イ", "ゥ": "ウ", "ェ": "エ", "ォ": "オ", "ッ": "ツ", "ャ": "ヤ"}
SMALL_KANA |= {"ュ": "ユ", "ョ": "ヨ"}
DEFAULT_VALUES = {
    "name_kana": "ヤマダ　タロウ",
    "relationship": "householder",
    "phone": "0312345678",
}


def type_text(qtbot: QtBot, keys: KanaKeys | DigitKeys, text: str) -> None:
    """Press the keys a person presses: ジ is シ then ゛, ュ is ユ then 小."""
    for char in text:
        base = unicodedata.normalize("NFD", char)[0]
        if char == "\u3000":
            click(qtbot, keys.space)  # type: ignore[union-attr]
        elif char in SMALL_KANA:
            click(qtbot, keys.keys[SMALL_KANA[char]])
            click(qtbot, keys.small)  # type: ignore[union-attr]
        else:
            click(qtbot, keys.keys[base])
            if base != char:
                mark = unicodedata.normalize("NFD", char)[1]
                click(qtbot, keys.dakuten if mark == "\u3099" else keys.handakuten)  # type: ignore[union-attr]


def enter_fields(qtbot: QtBot, window: KioskWindow, values: dict[str, str]) -> None:
    """Answer every entry screen: ``values`` where given, else a plain answer.

    A repeating entry (the 世帯員) gets a person for as long as ``values`` has one for it.
    """
    entry, more, review = window.pages.entry, window.pages.more, window.pages.review
    stack = window.pages.stack
    qtbot.waitUntil(lambda: stack.currentWidget() in (entry, more, review), timeout=WAIT_MS)
    while stack.currentWidget() in (entry, more):
        definition = window.flow.asked[window.flow.position]
        if stack.currentWidget() is more:
            person = definition.id.rpartition(".")[0] + "."  # e.g. "movers.2."
            wanted = any(k.startswith(person) for k in values)
            click(qtbot, more.yes if wanted else more.no)
            continue
        enter_value(qtbot, window, values.get(definition.id, DEFAULT_VALUES.get(definition.id, "")))
        if entry.problem.text():
            return  # the value was refused: the caller corrects it


def enter_value(qtbot: QtBot, window: KioskWindow, value: str) -> None:
    page = window.pages.entry
    definition = window.flow.asked[window.flow.position]
    assert page.label.text() == definition.label.in_language(window.language)
    keys = page.keys
    if isinstance(keys, KanaKeys | DigitKeys) and value:
        type_text(qtbot, keys, value)
    elif isinstance(keys, NumberStepper):
        for _ in range(int(value or keys.minimum) - keys.minimum):
            click(qtbot, keys.more)
    elif isinstance(keys, ChoiceKeys) and value:
        click(qtbot, keys.buttons[value])
    elif isinstance(keys, DateKeys) and value:
        step_to_date(qtbot, keys, dt.date.fromisoformat(value))
    if not value and not definition.required:
        click(qtbot, page.skip)
    else:
        click(qtbot, page.next)


def step_to_date(qtbot: QtBot, keys: DateKeys, wanted: dt.date) -> None:
    """Tap the year, month and day steppers as a person does until the date is shown."""
    for part, current, target in (
        ("year", lambda: keys.value.year, wanted.year),
        ("month", lambda: keys.value.month, wanted.month),
        ("day", lambda: keys.value.day, wanted.day),
    ):
        while current() != target:
            gap = target - current()
            delta = (10 if gap >= 10 else 1) if gap > 0 else (-10 if gap <= -10 else -1)
            if part != "year":
                delta = 1 if gap > 0 else -1
            click(qtbot, keys.steps[f"{part}{delta:+d}"])


def read_card(qtbot: QtBot, window: KioskWindow, auth: str = PIN, kenhojo: str = PIN) -> None:
    """Choose 転入, tap the card and enter both PINs on the pad."""
    choose_event(qtbot, window)
    tap_card(qtbot, window)
    enter_pin(qtbot, window, PinKind.AUTH, auth)
    enter_pin(qtbot, window, PinKind.KENHOJO, kenhojo)


def sign(qtbot: QtBot, window: KioskWindow) -> None:
    page = window.pages.sign
    wait_for_page(qtbot, window, page)
    assert not page.done.isEnabled()  # nothing drawn yet
    qtbot.mousePress(page.pad, Qt.MouseButton.LeftButton, pos=QPoint(40, 60))
    qtbot.mouseMove(page.pad, QPoint(200, 120))
    qtbot.mouseRelease(page.pad, Qt.MouseButton.LeftButton, pos=QPoint(200, 120))
    click(qtbot, page.done)


# What a resident (or a screen reader) can see


def texts_of(widget: QWidget) -> list[str]:
    found = [widget.accessibleName(), widget.accessibleDescription()]
    if isinstance(widget, QLabel | QLineEdit | QAbstractButton):
        found.append(widget.text())
    return found


def all_texts(window: KioskWindow) -> str:
    return "\n".join(text for w in window.findChildren(QWidget) for text in texts_of(w))


def page_text(page: QWidget) -> str:
    return "\n".join(label.text() for label in page.findChildren(QLabel))


def unnamed(window: KioskWindow) -> list[str]:
    widgets = [w for kind in INTERACTIVE for w in window.findChildren(kind)]
    return [f"{type(w).__name__} {w.objectName()!r}" for w in widgets if not w.accessibleName()]


def assert_wiped(window: KioskWindow) -> None:
    assert window.pages.stack.currentWidget() is window.pages.start
    assert window.language == "ja"
    assert window.flow.visit.target is None and window.flow.visit.card is None
    assert not window.flow.visit.forms and window.flow.visit.handwriting is None
    assert not window.pages.sign.pad.has_ink
    assert window.pages.pin.pad.display.text() == ""
    shown = all_texts(window)
    for secret in PERSONAL:
        assert secret not in shown


def queued(context: UiContext) -> list[object]:
    return list(context.service.queue.entries())


# The happy path


def test_moving_in_with_a_genuine_card_ends_with_a_reception_number(
    open_kiosk: OpenKiosk, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    window = open_kiosk("valid")
    context = window.context
    handed_in: list[bytes | None] = []
    submit = context.service.submit

    def spy(visit: Visit) -> object:
        handed_in.append(getattr(visit, "handwriting", None))
        return submit(visit)

    monkeypatch.setattr(context.service, "submit", spy)
    click(qtbot, window.pages.start.language_buttons["en"])
    assert window.pages.start.prompt.text() == t("kiosk.start.prompt", "en")
    choose_event(qtbot, window, "moving-in")
    tap_card(qtbot, window)
    enter_pin(qtbot, window, PinKind.AUTH)
    assert "3" in window.pages.pin.pad.tries_label.text()  # tries left are shown
    enter_pin(qtbot, window, PinKind.KENHOJO)
    answer_questions(qtbot, window, yes={"join_nhi"})

    review = window.pages.review
    wait_for_page(qtbot, window, review)
    shown = page_text(review)
    assert DEFAULT_RESIDENT.name in shown
    assert DEFAULT_RESIDENT.my_number not in all_texts(window)  # masked on screen
    assert t("kiosk.review.chip_badge", "en") in shown  # chip values carry a text badge
    forms = window.flow.visit.forms
    assert "nhi-enrolment" in [f.form_id for f in forms]  # the "yes" brought its form
    for filled in forms:
        assert filled.form.definition.title.in_language("en") in shown
    click(qtbot, review.apply)

    # The new address and the dates are the clerk's to fill: no signature is asked for
    # forms with missing values; the visit is kept as a draft for the counter.
    done = window.pages.done
    wait_for_page(qtbot, window, done)
    assert re.fullmatch(r"\d{4}", done.number.text())  # a short number to call out
    assert t("kiosk.done.where", "en") in done.where.text()
    entries = queued(context)
    assert len(entries) == 3 and {e.worklist_status for e in entries} == {"draft"}
    assert not handed_in  # never submitted with values missing
    assert {e.reception_number for e in entries} == {done.number.text()}
    assert DEFAULT_RESIDENT.name not in all_texts(window)  # let go once saved
    slips: list[Path] = []
    window.flow.slip_opener = slips.append
    click(qtbot, done.slip)
    assert slips and slips[0].read_bytes().startswith(b"%PDF")

    context.presence.simulate(False)  # the resident takes the card and leaves
    assert_wiped(window)
    assert window.pages.done.number.text() == ""


MEMBERS = {
    "movers.2.name_kana": "ヤマダ　ハナコ",
    "movers.2.birth_date": "1988-02-29",
    "movers.2.relationship": "spouse",
    "movers.3.name_kana": "ヤマダ　ケンタ",
    "movers.3.birth_date": "2019-11-03",
    "movers.3.relationship": "child",
}


def test_moving_in_the_resident_enters_kana_phone_and_two_household_members(
    open_kiosk: OpenKiosk, qtbot: QtBot
) -> None:
    window = open_kiosk("valid")
    click(qtbot, window.pages.start.language_buttons["ja-easy"])
    read_card(qtbot, window)
    page = window.pages.question
    wait_for_page(qtbot, window, page)
    for _ in window.flow.questions:  # no to every question: only the 住民異動届
        wait_for_page(qtbot, window, page)
        click(qtbot, page.no)
    entry = window.pages.entry
    wait_for_page(qtbot, window, entry)
    asked = [f.id for f in window.flow.asked]
    assert asked[0] == "name_kana" and asked[-1] == "phone" and "movers.3.birth_date" in asked
    assert isinstance(entry.keys, KanaKeys)
    type_text(qtbot, entry.keys, "ヤマダ　ジュンコ")  # ジ = シ+゛, ュ = ユ+小
    assert entry.shown.text() == "ヤマダ　ジュンコ"
    click(qtbot, entry.keys.delete)
    click(qtbot, entry.keys.keys["コ"])
    click(qtbot, entry.next)
    assert window.flow.asked[window.flow.position].id == "relationship"  # to the 世帯主
    enter_value(qtbot, window, "householder")

    more = window.pages.more
    wait_for_page(qtbot, window, more)
    assert more.question.text() == t("kiosk.more.movers.first", "ja-easy")
    enter_fields(qtbot, window, {**MEMBERS, "phone": "090123456"})  # nine digits: not a number
    assert window.pages.stack.currentWidget() is entry
    assert entry.problem.text() == t("kiosk.entry.check", "ja-easy")
    assert isinstance(entry.keys, DigitKeys)
    type_text(qtbot, entry.keys, "78")
    click(qtbot, entry.next)

    review = window.pages.review
    wait_for_page(qtbot, window, review)
    shown = page_text(review)
    for visible in (
        "ヤマダ　ジュンコ",
        "09012345678",
        "ヤマダ　ハナコ",
        "ヤマダ　ケンタ",
        "こども",
    ):
        assert visible in shown
    assert t("kiosk.review.resident_badge", "ja-easy") in shown
    move = next(f for f in window.flow.visit.forms if f.form_id == "resident-move")
    assert move.value("phone").value == "09012345678"
    holder, spouse, child = move.rows("movers")  # "no one else" after the second: no row
    assert holder.value("name_kana").value == "ヤマダ　ジュンコ" and not holder.by_hand
    for row, number in ((spouse, 2), (child, 3)):
        assert row.by_hand  # no card: entered by the resident, marked as such
        for part in ("name_kana", "birth_date", "relationship"):
            value = row.value(part)
            assert (value.value, value.source) == (
                MEMBERS[f"movers.{number}.{part}"],
                Source.RESIDENT,
            )
    click(qtbot, review.apply)  # the new address is the clerk's: kept as a draft, unsigned
    wait_for_page(qtbot, window, window.pages.done)
    stored = window.context.service.queue.open(queued(window.context)[0].id, "test")
    assert stored.filled.rows("movers")[2].value("birth_date").value == "2019-11-03"
    assert stored.filled.rows("movers")[2].value("birth_date").source is Source.RESIDENT


def test_certificates_ask_for_copies_on_a_stepper_and_the_purpose_from_the_form(
    open_kiosk: OpenKiosk, qtbot: QtBot
) -> None:
    window = open_kiosk("valid")
    choose_event(qtbot, window, "certificates")
    tap_card(qtbot, window)
    enter_pin(qtbot, window, PinKind.AUTH)
    enter_pin(qtbot, window, PinKind.KENHOJO)
    values = {"copies": "3", "purpose": "pension_insurance"}
    answer_questions(qtbot, window, yes={"need_juminhyo", "need_inkan_certificate"}, values=values)
    assert [f.id for f in window.flow.asked] == ["phone", "purpose", "copies"]
    review = window.pages.review
    wait_for_page(qtbot, window, review)
    forms = {f.form_id: f for f in window.flow.visit.forms}
    assert forms["juminhyo-request"].value("purpose").value == "pension_insurance"
    for filled in forms.values():
        assert filled.value("copies").value == "3"
        assert filled.value("copies").source is Source.RESIDENT


def test_every_interactive_widget_has_an_accessible_name_on_every_page(
    open_kiosk: OpenKiosk, qtbot: QtBot
) -> None:
    window = open_kiosk("valid")
    assert not unnamed(window)
    click(qtbot, window.pages.start.language_buttons["vi"])
    assert not unnamed(window)
    click(qtbot, window.pages.start.simulate)  # the card first, then the procedure
    choose_event(qtbot, window)
    enter_pin(qtbot, window, PinKind.AUTH)
    assert not unnamed(window)
    enter_pin(qtbot, window, PinKind.KENHOJO)
    wait_for_page(qtbot, window, window.pages.question)
    assert not unnamed(window)
    answer_questions(qtbot, window)
    wait_for_page(qtbot, window, window.pages.review)
    assert not unnamed(window)
    click(qtbot, window.pages.review.apply)  # values missing: kept as a draft, no signing
    wait_for_page(qtbot, window, window.pages.done)
    assert not unnamed(window)
    window.pages.sign.show_for("vi")  # the signing page of a complete visit
    window.pages.stack.setCurrentWidget(window.pages.sign)
    assert window.pages.sign.pad.accessibleName() and not unnamed(window)


# When the card or the PIN does not work


def test_a_wrong_auth_pin_shows_the_tries_left_and_may_be_entered_again(
    open_kiosk: OpenKiosk, qtbot: QtBot
) -> None:
    window = open_kiosk("valid")
    choose_event(qtbot, window)
    tap_card(qtbot, window)
    enter_pin(qtbot, window, PinKind.AUTH, "9999")  # the second PIN is not asked after this
    wait_for_page(qtbot, window, window.pages.message)
    message = window.pages.message
    assert error_message(WrongPin("auth", 2), "ja") in message.body.text()
    assert message.heading.text() == t("kiosk.pin_failed.heading", "ja")
    assert message.retry.isVisible() and message.retry.text() == "もう一度入力"
    assert not queued(window.context)
    click(qtbot, message.retry)  # a new entry by the resident, not a resend
    enter_pin(qtbot, window, PinKind.AUTH)
    enter_pin(qtbot, window, PinKind.KENHOJO)
    wait_for_page(qtbot, window, window.pages.question)


def test_starting_again_after_a_wrong_pin_forgets_the_resident(
    open_kiosk: OpenKiosk, qtbot: QtBot
) -> None:
    window = open_kiosk("valid")
    choose_event(qtbot, window)
    tap_card(qtbot, window)
    enter_pin(qtbot, window, PinKind.AUTH, "9999")
    wait_for_page(qtbot, window, window.pages.message)
    click(qtbot, window.pages.message.restart)
    assert_wiped(window)
    assert window.flow.visit.progress is None


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "ja"])
def test_a_card_error_is_told_in_the_residents_language(
    open_kiosk: OpenKiosk, qtbot: QtBot, language: str
) -> None:
    window = open_kiosk("valid")
    click(qtbot, window.pages.start.language_buttons[language])
    choose_event(qtbot, window)
    tap_card(qtbot, window)
    enter_pin(qtbot, window, PinKind.AUTH, "9999")
    wait_for_page(qtbot, window, window.pages.message)
    body = window.pages.message.body.text()
    assert error_message(WrongPin("auth", 2), language) in body
    if language != "en":  # the core's text itself, not the English fallback
        assert error_message(WrongPin("auth", 2), "en") not in body
    if language == "ja-easy":
        assert not re.search(r"[\u4e00-\u9fff]", body)  # easy Japanese: kana, no kanji
    assert window.pages.message.heading.text() == t("kiosk.pin_failed.heading", language)


def test_a_blocked_auth_pin_is_said_plainly_and_fills_nothing(
    open_kiosk: OpenKiosk, qtbot: QtBot
) -> None:
    window = open_kiosk("auth-pin-blocked")
    choose_event(qtbot, window)
    tap_card(qtbot, window)
    wait_for_page(qtbot, window, window.pages.message)
    assert error_message(PinBlocked("auth"), "ja") in window.pages.message.body.text()
    assert window.pages.pin.pad.status is None  # no PIN was asked for in vain
    assert not window.flow.visit.forms
    assert not queued(window.context)


def test_a_blocked_pin_sends_the_resident_to_the_staffed_counter(
    open_kiosk: OpenKiosk, qtbot: QtBot
) -> None:
    window = open_kiosk("auth-pin-blocked")
    choose_event(qtbot, window)
    tap_card(qtbot, window)
    wait_for_page(qtbot, window, window.pages.message)
    assert t("ui.pin.help.resident", "ja") in window.pages.message.body.text()
    assert not window.pages.message.retry.isVisible()


def test_i_forgot_the_pin_on_the_pad_uses_no_try(open_kiosk: OpenKiosk, qtbot: QtBot) -> None:
    window = open_kiosk("valid")
    choose_event(qtbot, window)
    tap_card(qtbot, window)
    qtbot.waitUntil(lambda: window.pages.pin.pad.status is not None, timeout=WAIT_MS)
    click(qtbot, window.pages.pin.pad.forgot)
    wait_for_page(qtbot, window, window.pages.message)
    body = window.pages.message.body.text()
    assert t("ui.pin.help.no_try_used", "ja") in body and "窓口" in body
    click(qtbot, window.pages.message.restart)
    choose_event(qtbot, window)
    tap_card(qtbot, window)
    qtbot.waitUntil(lambda: window.pages.pin.pad.status is not None, timeout=WAIT_MS)
    assert window.pages.pin.pad.status.tries_left == 3  # the card's counter is untouched


RESIDENT_REASON = {
    "tampered-kenhojo": "kiosk.reason.check_at_counter",
    "wrong-issuer": "kiosk.reason.check_at_counter",
    "expired": "kiosk.reason.expired",
    "revoked": "kiosk.reason.revoked",
}
INTERNAL_REASONS = ("kenhojo.tampered", "chain.untrusted", "cert.expired", "cert.revoked")
INTERNAL_REASONS += ("consistency.not_read", "revocation.no_issuer")


@pytest.mark.parametrize(
    ("scenario", "language"),
    [
        ("tampered-kenhojo", "ja"),
        ("tampered-kenhojo", "pt"),
        ("wrong-issuer", "ja-easy"),
        ("expired", "ja-easy"),
        ("revoked", "en"),
    ],
)
def test_a_card_that_is_not_genuine_fills_nothing_and_is_told_in_resident_words(
    open_kiosk: OpenKiosk, qtbot: QtBot, scenario: str, language: str
) -> None:
    window = open_kiosk(scenario)
    click(qtbot, window.pages.start.language_buttons[language])
    read_card(qtbot, window)
    wait_for_page(qtbot, window, window.pages.message)
    assert window.pages.message.heading.text() == t("kiosk.not_genuine.heading", language)
    body = window.pages.message.body.text()
    assert text("form.card_not_genuine", language) in body
    assert t(RESIDENT_REASON[scenario], language) in body
    for internal in INTERNAL_REASONS:  # the checks' own texts are for the clerk only
        for shown_in in (language, "ja", "en"):
            assert text(internal, shown_in) not in all_texts(window)
    assert not window.flow.visit.forms
    assert not queued(window.context)


def test_the_last_try_is_only_used_after_a_plain_warning(
    open_kiosk: OpenKiosk, qtbot: QtBot
) -> None:
    window = open_kiosk("auth-pin-last-try")
    choose_event(qtbot, window)
    tap_card(qtbot, window)
    page = window.pages.last_try
    wait_for_page(qtbot, window, page)
    assert page.warning.text() == t("ui.pin.last_try_warning", "ja")
    click(qtbot, page.decline)
    wait_for_page(qtbot, window, window.pages.message)
    assert t("kiosk.last_try.declined", "ja") in window.pages.message.body.text()
    assert window.pages.pin.pad.status is None
    assert not queued(window.context)


# Wipe: idle timeout, card removal


def reach_review(qtbot: QtBot, window: KioskWindow) -> None:
    click(qtbot, window.pages.start.language_buttons["pt"])
    read_card(qtbot, window)
    answer_questions(qtbot, window)
    wait_for_page(qtbot, window, window.pages.review)
    assert DEFAULT_RESIDENT.name in all_texts(window)


@pytest.mark.slow
def test_idle_timeout_counts_down_then_wipes(open_kiosk: OpenKiosk, qtbot: QtBot) -> None:
    window = open_kiosk("valid")
    reach_review(qtbot, window)
    window.idle.idle_seconds = 1.5  # the resident walks away from the review
    window.idle.reset()
    qtbot.waitUntil(window.countdown.isVisible, timeout=WAIT_MS)
    assert re.search(r"\d", window.countdown.text())
    wait_for_page(qtbot, window, window.pages.start)
    assert_wiped(window)
    assert not window.countdown.isVisible()
    assert not queued(window.context)


def test_a_short_idle_timeout_from_the_constructor_returns_to_start(
    open_kiosk: OpenKiosk, qtbot: QtBot
) -> None:
    window = open_kiosk("valid", idle_seconds=1)
    choose_event(qtbot, window)
    wait_for_page(qtbot, window, window.pages.wait_card)
    wait_for_page(qtbot, window, window.pages.start)
    assert_wiped(window)


def test_taking_the_card_away_mid_visit_wipes(open_kiosk: OpenKiosk, qtbot: QtBot) -> None:
    window = open_kiosk("valid")
    reach_review(qtbot, window)
    window.context.presence.simulate(False)
    assert_wiped(window)
    assert isinstance(window.pages.review, ReviewPage)
    assert not window.pages.review.findChildren(QLabel, "badge")


def test_taking_the_card_away_during_pin_entry_cancels_the_read(
    open_kiosk: OpenKiosk, qtbot: QtBot
) -> None:
    window = open_kiosk("valid")
    choose_event(qtbot, window)
    tap_card(qtbot, window)
    pad = window.pages.pin.pad
    qtbot.waitUntil(lambda: pad.status is not None, timeout=WAIT_MS)
    click(qtbot, pad.keys["1"])
    window.context.presence.simulate(False)
    assert_wiped(window)
    qtbot.waitUntil(lambda: not window.flow.card_read.busy, timeout=WAIT_MS)
    assert window.pages.stack.currentWidget() is window.pages.start  # the cancel stays quiet


# The start screen: language, text size, contrast, touch targets


def test_start_screen_offers_every_language_and_large_touch_targets(
    open_kiosk: OpenKiosk, qtbot: QtBot
) -> None:
    window = open_kiosk("valid")
    start = window.pages.start
    assert list(start.language_buttons) == list(LANGUAGES)
    assert start.simulate.isVisible()  # the emulator is the card source
    for event, name in (("moving-in", "転入"), ("moving-out", "転出"), ("moving-within", "転居")):
        assert start.event_buttons[event].text() == name
    assert start.event_buttons["certificates"].text() == "証明書の請求"
    assert start.prompt.text() == "カードをかざしてください"
    for button in start.findChildren(QPushButton):
        if button.isVisible():
            assert button.height() >= 96, button.text()
    click(qtbot, start.language_buttons["ko"])
    assert start.prompt.text() == t("kiosk.start.prompt", "ko")
    assert start.event_buttons["moving-in"].text() != "転入"


def test_text_size_and_contrast_can_be_changed_and_reset_for_the_next_resident(
    open_kiosk: OpenKiosk, qtbot: QtBot
) -> None:
    window = open_kiosk("valid")
    start = window.pages.start
    before = window.styleSheet()
    assert f"font-size: {BASE_FONT_PX}px" in before
    click(qtbot, start.larger)
    assert window.font_scale > 1.0 and window.styleSheet() != before
    click(qtbot, start.contrast)
    assert window.high_contrast and "#000000" in window.styleSheet()
    window.wipe()
    assert window.font_scale == 1.0 and not window.high_contrast
    assert not start.contrast.isChecked()


# Leaving the kiosk


def test_closing_is_refused_without_the_admin_pin(open_kiosk: OpenKiosk, qtbot: QtBot) -> None:
    window = open_kiosk("valid")  # no admin PIN configured: only the OS can end it
    window.close()
    assert window.isVisible()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_A, ADMIN_MODIFIERS)
    assert not window.findChildren(AdminPinDialog)
    assert window.isVisible()


def test_the_admin_gesture_and_pin_unlock_the_kiosk(open_kiosk: OpenKiosk, qtbot: QtBot) -> None:
    window = open_kiosk("valid", admin_pin=ADMIN_PIN)
    window.close()
    assert window.isVisible()
    window.admin_gesture.hold_ms = 50  # the real hold is 3 s
    corner = QPoint(window.width() - 10, 10)
    qtbot.mousePress(window, Qt.MouseButton.LeftButton, pos=corner)
    qtbot.waitUntil(lambda: bool(window.findChildren(AdminPinDialog)), timeout=WAIT_MS)
    qtbot.mouseRelease(window, Qt.MouseButton.LeftButton, pos=corner)
    dialog = window.findChildren(AdminPinDialog)[0]
    assert all(w.accessibleName() for w in dialog.findChildren(QAbstractButton))
    qtbot.keyClicks(dialog.edit, "1111")
    click(qtbot, dialog.ok)
    assert dialog.message.text() == t("kiosk.admin.wrong", "ja")
    assert dialog.edit.text() == ""
    assert window.isVisible()
    qtbot.keyClicks(dialog.edit, "246813")
    click(qtbot, dialog.ok)
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)


def test_the_admin_dialog_closes_after_three_wrong_pins(
    open_kiosk: OpenKiosk, qtbot: QtBot
) -> None:
    window = open_kiosk("valid", admin_pin=ADMIN_PIN)
    window.request_admin()
    dialog = window.findChildren(AdminPinDialog)[0]
    for _ in range(3):
        qtbot.keyClicks(dialog.edit, "0000")
        click(qtbot, dialog.ok)
    assert not dialog.isVisible()
    window.close()
    assert window.isVisible()


@pytest.mark.slow
def test_the_admin_key_sequence_opens_the_pin_dialog(open_kiosk: OpenKiosk, qtbot: QtBot) -> None:
    window = open_kiosk("valid", admin_pin=ADMIN_PIN)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.keyClick(window, Qt.Key.Key_A, ADMIN_MODIFIERS)
    qtbot.waitUntil(lambda: bool(window.findChildren(AdminPinDialog)), timeout=WAIT_MS)


def test_the_admin_pin_opens_the_admin_screen_and_a_new_idle_time_applies_at_once(
    open_kiosk: OpenKiosk, qtbot: QtBot
) -> None:
    from ui.admin.screen import AdminScreen

    window = open_kiosk("valid", admin_pin=ADMIN_PIN)
    window.request_admin()
    dialog = window.findChildren(AdminPinDialog)[0]
    qtbot.keyClicks(dialog.edit, "111111")
    click(qtbot, dialog.open_settings)
    assert dialog.message.text() == t("kiosk.admin.wrong", "ja")
    refused = [e.detail for e in entries(window.context.audit.db) if e.event == "admin.pin_refused"]
    assert refused == [{"where": "kiosk", "refused": 1}]
    qtbot.keyClicks(dialog.edit, "246813")
    click(qtbot, dialog.open_settings)
    qtbot.waitUntil(lambda: window.property("adminScreen") is not None, timeout=WAIT_MS)
    screen = window.property("adminScreen")
    assert isinstance(screen, AdminScreen) and window.isVisible()  # the kiosk stays
    screen.edits["kiosk_idle_seconds"].setFocus()
    screen.edits["kiosk_idle_seconds"].selectAll()
    qtbot.keyClicks(screen.edits["kiosk_idle_seconds"], "45")
    qtbot.keyClick(screen.edits["kiosk_idle_seconds"], Qt.Key.Key_Return)
    assert window.idle.idle_seconds == 45
    screen.close()
