"""The smart-card service stops and comes back: the terminal reconnects by itself.

On Windows the service stops when the last reader is unplugged and an open context stays
dead; pcscd can restart. Here the pcscd this session started is stopped and started again
while a clerk window on the vpcd reader and a ``CardEvents`` watcher are running.
"""

from __future__ import annotations

import logging
import threading

import pytest
from pytestqt.qtbot import QtBot

from cardreader.pcsc import CardEventHandlers, CardEvents
from counterapp.settings import Settings
from tests.conftest import StartCard
from tests.pcscd import VirtualReader
from ui.clerk.window import ClerkWindow
from ui.context import build_context

pytestmark = pytest.mark.pcscd

NO_READER = "カードリーダーが接続されていません"
WAIT_MS = 30_000


class Recorded:
    """What a watcher reported, in order (written on the watcher's thread)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def add(self, kind: str, reader: str) -> None:
        with self.lock:
            self.events.append((kind, reader))

    def count(self, kind: str, reader: str) -> int:
        with self.lock:
            return sum(1 for seen, name in self.events if seen == kind and name == reader)


def test_the_terminal_reconnects_after_the_smart_card_service_restarts(
    qtbot: QtBot,
    pcscd: VirtualReader,
    ui_settings: Settings,
    virtual_card: StartCard,
    caplog: pytest.LogCaptureFixture,
) -> None:
    service, reader = pcscd.service, pcscd.name
    if service is None:
        pytest.skip("pcscd was not started by this test session: it is not ours to stop")
    caplog.set_level(logging.WARNING, logger="cardreader.pcsc")
    recorded = Recorded()
    handlers = CardEventHandlers(
        card_inserted=lambda name, _atr: recorded.add("inserted", name),
        reader_added=lambda name: recorded.add("added", name),
        reader_removed=lambda name: recorded.add("removed", name),
    )
    context = build_context(ui_settings, reader, None)
    window = ClerkWindow(context)
    qtbot.addWidget(window)
    window.show()
    status = window.status.reader
    try:
        with CardEvents(handlers):
            qtbot.waitUntil(lambda: reader in status.text(), timeout=WAIT_MS)
            qtbot.waitUntil(lambda: recorded.count("added", reader) == 1, timeout=WAIT_MS)

            service.stop()
            qtbot.waitUntil(lambda: status.text() == NO_READER, timeout=WAIT_MS)
            qtbot.waitUntil(lambda: recorded.count("removed", reader) == 1, timeout=WAIT_MS)

            service.start()
            qtbot.waitUntil(lambda: reader in status.text(), timeout=WAIT_MS)
            virtual_card("valid")
            qtbot.waitUntil(lambda: "カードあり" in status.text(), timeout=WAIT_MS)
            qtbot.waitUntil(lambda: recorded.count("inserted", reader) == 1, timeout=WAIT_MS)
            assert recorded.count("added", reader) == 2
    finally:
        context.close()
    gone = [r for r in caplog.records if "unavailable" in r.getMessage()]
    back = [r for r in caplog.records if "is back" in r.getMessage()]
    assert len(gone) == 2 and len(back) == 2  # once per watcher (the window's and ours)


def test_a_clerk_window_without_its_reader_says_so_and_starts_anyway(
    qtbot: QtBot, pcscd: VirtualReader, ui_settings: Settings
) -> None:
    context = build_context(ui_settings, "No Such Reader 99", None)
    window = ClerkWindow(context)
    qtbot.addWidget(window)
    window.show()
    try:
        window.status.retranslate("ja")
        assert window.status.reader.text() == NO_READER
        window.status.retranslate("en")
        assert window.status.reader.text() == "No card reader is connected"
    finally:
        context.close()
