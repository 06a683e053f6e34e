"""The clerk window's look: the verdict badge, the fit on counter screens, fonts, contrast."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QFontInfo, QPalette
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from counterapp.messages import text
from counterapp.settings import Settings
from counterapp.verification.verdict import CheckResult, Verdict
from tests.ui.test_clerk import (
    MakeContext,
    choose,
    enter_pin,
    moving_in_forms,
    open_window,
    read_to_forms,
)
from ui.clerk.verdict import VerdictBadge
from ui.clerk.window import ClerkWindow
from ui.context import build_context
from ui.kiosk.theme import stylesheet
from ui.style import clerk_stylesheet, colour_pairs, theme_rules

SCREENS = [(1366, 768), (1920, 1080)]
LONG = "とても長い状態の文章 — a very long status text " * 12
AA_TEXT = 4.5


def badge_colour(verdict: str) -> str:
    """The text colour the theme gives the badge of ``verdict``."""
    for selector, props in theme_rules(clerk_stylesheet()):
        if selector == f'QLabel#verdictBadge[verdict="{verdict}"]':
            return props["color"]
    raise AssertionError(f"the theme has no badge colour for {verdict}")


def verdict_of(*checks: CheckResult) -> Verdict:
    return Verdict(checks)


PASSED = (CheckResult.passed("chain"), CheckResult.passed("validity"), CheckResult.passed("key"))


@pytest.mark.parametrize(
    ("verdict", "shape_word", "role", "reason"),
    [
        (verdict_of(*PASSED, CheckResult.passed("revocation")), "○ 真正", "genuine", "4項目"),
        (
            verdict_of(*PASSED, CheckResult.failed("revocation", "cert.revoked")),
            "× 受付不可",
            "not_genuine",
            text("cert.revoked", "ja"),
        ),
        (
            verdict_of(*PASSED, CheckResult.unknown("revocation", "crl.stale")),
            "△ 要確認",
            "undetermined",
            text("crl.stale", "ja"),
        ),
    ],
)
def test_the_badge_says_the_verdict_in_shape_word_and_colour(
    qtbot: QtBot, verdict: Verdict, shape_word: str, role: str, reason: str
) -> None:
    host = QWidget()
    host.setStyleSheet(clerk_stylesheet())
    qtbot.addWidget(host)
    badge = VerdictBadge()
    badge.setParent(host)
    host.show()
    badge.show_verdict(verdict, "ja")
    assert badge.badge.text() == shape_word  # never colour alone
    assert badge.badge.property("verdict") == role
    shown = badge.badge.palette().color(QPalette.ColorRole.WindowText)
    assert shown == QColor(badge_colour(role))
    assert reason in badge.reason.text()  # one line of reason
    dialog = badge.open_details()
    assert dialog is not None
    for check in verdict.checks:  # details on demand: every check
        assert text(f"check.{check.check}", "ja") in dialog.text.text()
    dialog.reject()


def test_a_genuine_card_shows_a_green_badge_and_every_check_on_ctrl_i(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("valid"))
    read_to_forms(qtbot, window)
    assert window.verdict_badge.badge.text() == "○ 真正"
    assert window.header.steps[2].property("current") is True  # 確認
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.verdict_badge.dialog is not None)
    dialog = window.verdict_badge.dialog
    assert dialog is not None
    verdict = window.visit.verdict
    assert verdict is not None
    for check in verdict.checks:
        assert text(f"check.{check.check}", "ja") in dialog.text.text()
    dialog.reject()


def read_to_result(qtbot: QtBot, window: ClerkWindow) -> None:
    choose(qtbot, window, "juminhyo-request")
    while window.stack.currentWidget() is not window.message:
        qtbot.waitUntil(
            lambda: window.pin_dialog is not None or window.stack.currentWidget() is window.message,
            timeout=10_000,
        )
        if window.pin_dialog is not None:
            enter_pin(qtbot, window)


def test_a_revoked_card_has_its_own_heading_and_a_red_badge(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("revoked"))
    read_to_result(qtbot, window)
    assert window.message.title.text() == "このカードの証明書は失効しています — 受付できません"
    assert window.outcome_badge.badge.text() == "× 受付不可"
    assert window.outcome_badge.badge.property("verdict") == "not_genuine"


def test_a_forged_card_and_an_unread_card_have_their_own_headings(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    forged = open_window(qtbot, make_context("tampered-kenhojo"))
    read_to_result(qtbot, forged)
    assert forged.message.title.text() == "このカードでは受付できません"
    other = open_window(qtbot, make_context("not-a-mynumber-card"))
    read_to_result(qtbot, other)
    assert other.message.title.text() == "カードを読み取れませんでした"
    assert not other.outcome_badge.isVisible()


def test_a_card_whose_revocation_cannot_be_checked_is_amber(
    qtbot: QtBot, ui_settings: Settings, tmp_path: Path
) -> None:
    settings = replace(ui_settings, crl_sources=(str(tmp_path / "absent.crl"),))
    context = build_context(settings, None, "valid")
    try:
        window = open_window(qtbot, context)
        read_to_result(qtbot, window)
        assert window.message.title.text().startswith("カードが真正か確認できませんでした")
        badge = window.outcome_badge
        assert (
            badge.badge.text() == "△ 要確認" and badge.badge.property("verdict") == "undetermined"
        )
        assert badge.badge.palette().color(QPalette.ColorRole.WindowText) == QColor(
            badge_colour("undetermined")
        )
        assert text("crl.missing", "ja") in badge.reason.text()
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.parametrize("language", ["ja", "en"])
@pytest.mark.parametrize(("width", "height"), SCREENS)
def test_the_window_fits_a_counter_screen_with_long_status_texts(
    qtbot: QtBot, make_context: MakeContext, width: int, height: int, language: str
) -> None:
    window = open_window(qtbot, make_context("valid"))
    window.set_language(language)
    moving_in_forms(qtbot, window)
    assert window.editor.count() == 9  # every question answered yes: the whole bundle
    for label in (window.status.reader, window.status.verdict, window.status.sync):
        label.setText(LONG)
    window.signed_label.setText(LONG[:80])
    window.resize(width, height - 40)  # the taskbar takes the rest
    qtbot.waitUntil(lambda: window.width() <= width)
    assert window.width() <= width and window.height() <= height
    assert window.minimumSizeHint().width() <= SCREENS[0][0]
    first = window.editor.rows[0][next(iter(window.editor.rows[0]))].input
    top_left = first.mapTo(window, QPoint(0, 0))
    assert first.isVisible() and not first.visibleRegion().isEmpty()
    assert top_left.y() >= 0 and top_left.y() + first.height() <= window.height()
    assert top_left.x() + first.width() <= window.width()
    assert window.status.reader.shown_text().endswith("…")  # elided, not widened


def point_size(widget: QWidget) -> float:
    font = widget.font()
    if font.pointSizeF() > 0:
        return font.pointSizeF()
    return font.pixelSize() * 72 / widget.logicalDpiY()


def readable(widget: QWidget) -> list[QWidget]:
    kinds = (QLabel, QAbstractButton, QLineEdit)
    return [w for w in widget.findChildren(QWidget) if isinstance(w, kinds) and w.isVisible()]


def test_clerk_text_is_at_least_12_points(qtbot: QtBot, make_context: MakeContext) -> None:
    window = open_window(qtbot, make_context("valid"))
    read_to_forms(qtbot, window)
    sizes = {w.objectName() or type(w).__name__: point_size(w) for w in readable(window)}
    assert sizes and min(sizes.values()) >= 12, sizes
    assert not QFontInfo(window.forms_heading.font()).fixedPitch()


def test_kiosk_text_is_at_least_20_points_and_headings_are_larger(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    from ui.kiosk.window import KioskWindow

    window = KioskWindow(make_context("valid"), language="ja", admin_pin=None, voice=False)
    qtbot.addWidget(window)
    window.show()
    labels = readable(window)
    assert labels and min(point_size(w) for w in labels) >= 20
    message = window.pages.message  # the error page: its heading above its body
    message.ensurePolished()
    assert point_size(message.heading) > point_size(message.body) >= 20
    latin = QFontInfo(window.pages.start.language_buttons["en"].font())
    assert not latin.fixedPitch(), latin.family()  # Latin in a proportional face
    sheet = stylesheet(1.0, False)
    px = {
        sel: int(re.findall(r"(\d+)px", p["font-size"])[0])
        for sel, p in theme_rules(sheet)
        if "font-size" in p
    }
    assert px["QLabel#kioskHeading"] > px["QLabel#kioskPrompt"] > px["QWidget"]


def relative_luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    q = QColor(colour)
    return 0.2126 * channel(q.red()) + 0.7152 * channel(q.green()) + 0.0722 * channel(q.blue())


def contrast_ratio(foreground: str, background: str) -> float:
    light, dark = sorted((relative_luminance(foreground), relative_luminance(background)))[::-1]
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_ratio_is_known() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("theme", ["clerk", "kiosk", "kiosk-high-contrast"])
def test_every_text_colour_of_the_theme_meets_wcag_aa(qapp: object, theme: str) -> None:
    sheet = {
        "clerk": clerk_stylesheet,
        "kiosk": lambda: stylesheet(1.0, False),
        "kiosk-high-contrast": lambda: stylesheet(1.0, True),
    }[theme]()
    pairs = colour_pairs(sheet)
    assert len(pairs) >= 8
    low = {
        sel: round(contrast_ratio(fg, bg), 2)
        for sel, fg, bg in pairs
        if contrast_ratio(fg, bg) < AA_TEXT
    }
    assert not low, low


def test_each_field_label_sits_level_with_its_field_also_above_a_note(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    window = open_window(qtbot, make_context("valid"))
    read_to_forms(qtbot, window)
    rows = window.editor.rows[0]
    assert rows["birth_date"].note.isVisible()  # 和暦 below the field: the row is taller
    shown = {field_id: row for field_id, row in rows.items() if row.isVisible()}
    assert "statement_items" in rows and "statement_items" not in shown  # its condition is off
    for field_id, row in shown.items():
        layout = row.parentWidget().layout()
        label = layout.labelForField(row)  # type: ignore[attr-defined]
        middle = [w.mapTo(window, QPoint(0, w.height() // 2)).y() for w in (label, row.input)]
        assert abs(middle[0] - middle[1]) <= 1, (field_id, middle)
        assert row.note.isVisible() == bool(row.note.text())  # no empty gap under a field


def test_a_value_typed_into_a_field_that_is_then_hidden_is_not_kept(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    """記載事項証明書 chosen, its items typed, then 住民票の写し again: the items go."""
    window = open_window(qtbot, make_context("valid"))
    read_to_forms(qtbot, window)
    rows = window.editor.rows[0]
    certificate, items = rows["certificate"].input, rows["statement_items"].input
    assert isinstance(certificate, QComboBox) and isinstance(items, QLineEdit)
    certificate.setCurrentIndex(certificate.findData("statement"))
    assert rows["statement_items"].isVisible()
    qtbot.keyClicks(items, "birth")
    assert window.visit.forms[0].value("statement_items").value == "birth"
    certificate.setCurrentIndex(certificate.findData("copy"))
    assert not rows["statement_items"].isVisible()
    assert window.visit.forms[0].value("statement_items").value == ""  # not on the form
    certificate.setCurrentIndex(certificate.findData("statement"))
    assert rows["statement_items"].isVisible() and items.text() == ""  # shows what is kept
