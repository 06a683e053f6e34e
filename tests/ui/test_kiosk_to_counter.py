"""The kiosk never offers the PIN-less path: a PIN problem sends the resident to the
staffed counter with a reception number."""

from __future__ import annotations

import re

from pytestqt.qtbot import QtBot

from tests.ui.test_kiosk import (
    OpenKiosk,
    choose_event,
    click,
    open_kiosk,
    page_text,
    tap_card,
    wait_for_page,
)

__all__ = ["open_kiosk"]  # the fixture, used here by name
WAIT_MS = 10_000


def test_forgotten_pins_get_a_reception_number_for_the_staffed_counter(
    open_kiosk: OpenKiosk, qtbot: QtBot
) -> None:
    window = open_kiosk("forgotten-pins")
    choose_event(qtbot, window)
    tap_card(qtbot, window)
    wait_for_page(qtbot, window, window.pages.message)
    body = window.pages.message.body.text()
    number = re.search(r"受付番号 (\d+)：職員のいる窓口でこの番号をお伝えください", body)
    assert number is not None and len(number.group(1)) <= 6  # short: said aloud
    assert "暗証番号がなくても、窓口で手続きできます" in body
    assert "照合番号" not in page_text(window)  # the path itself is the clerk's, not offered here
    assert not window.pages.message.retry.isVisible()


def test_i_forgot_the_pin_gives_a_reception_number_too(open_kiosk: OpenKiosk, qtbot: QtBot) -> None:
    window = open_kiosk("valid")
    choose_event(qtbot, window)
    tap_card(qtbot, window)
    qtbot.waitUntil(lambda: window.pages.pin.pad.status is not None, timeout=WAIT_MS)
    click(qtbot, window.pages.pin.pad.forgot)
    wait_for_page(qtbot, window, window.pages.message)
    first = re.search(r"受付番号 (\d+)", window.pages.message.body.text())
    click(qtbot, window.pages.message.restart)
    choose_event(qtbot, window)
    tap_card(qtbot, window)
    qtbot.waitUntil(lambda: window.pages.pin.pad.status is not None, timeout=WAIT_MS)
    click(qtbot, window.pages.pin.pad.forgot)
    wait_for_page(qtbot, window, window.pages.message)
    second = re.search(r"受付番号 (\d+)", window.pages.message.body.text())
    assert first and second and first.group(1) != second.group(1)  # one number per resident
