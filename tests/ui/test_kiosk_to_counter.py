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
from ui.kiosk.window import KioskWindow

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


def forget_the_pin(qtbot: QtBot, window: KioskWindow) -> str:
    """A new resident taps 暗証番号を忘れた on the pad; the reception number they are given."""
    choose_event(qtbot, window)
    tap_card(qtbot, window)
    qtbot.waitUntil(lambda: window.pages.pin.pad.status is not None, timeout=WAIT_MS)
    click(qtbot, window.pages.pin.pad.forgot)
    wait_for_page(qtbot, window, window.pages.message)
    found = re.search(r"受付番号 (\d+)", window.pages.message.body.text())
    assert found is not None
    return found.group(1)


def test_i_forgot_the_pin_gives_each_resident_a_reception_number(
    open_kiosk: OpenKiosk, qtbot: QtBot
) -> None:
    window = open_kiosk("valid")
    first = forget_the_pin(qtbot, window)
    click(qtbot, window.pages.message.restart)
    assert forget_the_pin(qtbot, window) != first  # one number per resident
