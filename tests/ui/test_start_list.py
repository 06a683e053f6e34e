"""The clerk window's start: its procedure list answers while the rest of it loads.

The list is shown from the form library's start-up cache (titles only, no form model) in the
launcher; the core and the window load in short steps behind it, and the window then takes
in the very same list. A procedure chosen meanwhile is started by the window.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from counterapp.forms.index import offered_procedures
from counterapp.forms.loader import load_library
from counterapp.settings import Settings, load_settings
from counterapp.wire.parsecache import CACHE_ENV
from ui.app import Startup
from ui.clerk.pages import HomePage
from ui.clerk.window import ClerkWindow
from ui.i18n import t
from ui.launcher import Launcher


@pytest.fixture
def starting(qtbot: QtBot, ui_settings: Settings) -> Iterator[tuple[Launcher, Startup]]:
    """The real start of ``counterapp-gui --simulate valid --language en`` in a launcher."""
    load_library()  # the library checked once before: its titles are in the start-up cache
    launcher = Launcher()
    qtbot.addWidget(launcher)
    options = {
        "settings": lambda: ui_settings,
        "reader": None,
        "simulate": "valid",
        "kiosk": False,
        "language": "en",
        "self_test": False,
    }
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    startup = Startup(app, launcher, options)
    launcher.show()
    yield launcher, startup
    if startup.context is not None:
        startup.context.close()


def started_window(qtbot: QtBot, launcher: Launcher) -> ClerkWindow:
    qtbot.waitUntil(lambda: isinstance(launcher.content, ClerkWindow), timeout=30_000)
    assert isinstance(launcher.content, ClerkWindow)
    return launcher.content


def test_the_cached_list_is_the_checked_librarys_list() -> None:
    library = load_library()
    cached = offered_procedures()
    assert cached is not None
    assert cached == library.procedures()
    assert [p.target for p in cached][2:] == list(library.events)
    assert cached[0].in_language("en") == library.forms[cached[0].target].definition.title.en


def test_the_list_is_shown_without_loading_the_heavy_core() -> None:
    """What the list needs before it is up imports none of the libraries the core loads later."""
    shown_with = "ui.main, ui.app, ui.clerk.pages, counterapp.forms.index, counterapp.settings"
    heavy = ("pydantic", "sqlite_utils", "cryptography.x509", "cardreader.sessions")
    code = f"import sys, {shown_with}; print([m for m in {heavy!r} if m in sys.modules])"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_a_procedure_chosen_while_loading_is_read_by_the_window(
    qtbot: QtBot, starting: tuple[Launcher, Startup]
) -> None:
    launcher, startup = starting
    startup.load()  # the list first; the rest loads on the next turns of the event loop
    home = launcher.centralWidget()
    assert isinstance(home, HomePage)
    assert home.title.text() == t("clerk.home.heading", "en")  # in the language asked for
    target = home.targets.item(1).data(256)
    qtbot.keyClick(home.targets, "2")  # the digit, typed where the focus is
    assert startup.context is None  # chosen before the core was there
    window = started_window(qtbot, launcher)
    assert window.home is home  # one list: the window took in the one already on screen
    assert window.visit.target == target
    qtbot.waitUntil(lambda: window.pin_dialog is not None, timeout=30_000)  # the card is read
    window.pin_dialog.reject()  # type: ignore[union-attr]


def test_without_a_card_chosen_while_loading_opens_the_manual_entry(
    qtbot: QtBot, starting: tuple[Launcher, Startup]
) -> None:
    launcher, startup = starting
    startup.load()
    home = launcher.centralWidget()
    assert isinstance(home, HomePage)
    home.targets.setCurrentRow(0)
    home.without_card.click()  # 「カードを使わずに受付」 (Ctrl+M) for the certificate request
    window = started_window(qtbot, launcher)
    assert window.visit.target == home.targets.item(0).data(256)
    assert window.stack.currentWidget() is not window.reading  # no card read is started
    assert window.visit.identity_method.value == "manual"


def test_without_the_library_cache_the_window_comes_whole(
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    starting: tuple[Launcher, Startup],
) -> None:
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))  # the first start after an update
    assert offered_procedures() is None
    launcher, startup = starting
    startup.load()
    assert not isinstance(launcher.centralWidget(), HomePage)  # still "starting"
    window = started_window(qtbot, launcher)
    assert window.home.targets.count() == len(load_library().procedures())
    assert offered_procedures() is not None  # checked now, so the next start shows it early


def test_settings_the_terminal_cannot_use_are_named_in_its_window(
    qtbot: QtBot, tmp_path: Path
) -> None:
    (tmp_path / "settings.toml").write_text("sync_batch_size = 0\n", encoding="utf-8")
    launcher = Launcher()
    qtbot.addWidget(launcher)
    options = {
        "settings": lambda: load_settings(tmp_path),
        "reader": None,
        "simulate": "valid",
        "kiosk": False,
        "language": None,
        "self_test": False,
    }
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    startup = Startup(app, launcher, options)
    launcher.show()
    startup.load()
    shown = launcher.centralWidget()
    assert isinstance(shown, QLabel)  # not a window that vanishes: it says what is wrong
    assert "管理者に連絡してください" in shown.text() and "sync_batch_size" in shown.text()
    assert launcher.isVisible() and startup.code == 4
