"""The GUI's self-test: what CI and the frozen package use to prove the program starts.

Every way in is run: ``counterapp-gui`` (the desktop program), ``counterapp gui`` and
``python -m counterapp gui``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from counterapp.settings import Settings
from tests.ui.conftest import MakeContext
from ui.app import main_window
from ui.context import build_context
from ui.kiosk.window import KioskWindow
from ui.launcher import Launcher

ENTRIES = {
    "counterapp-gui": ["-c", "from ui.main import main; main()"],
    "counterapp gui": ["-c", "from ui.cli import main; main()", "gui"],
    "python -m counterapp gui": ["-m", "counterapp", "gui"],
}


def self_test(tmp_path: Path, entry: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COUNTERAPP_DATA_DIR": str(tmp_path), "COUNTERAPP_KEY_STORE": "file"}
    env.pop("DISPLAY", None)  # no display: the app must choose offscreen by itself
    env.pop("QT_QPA_PLATFORM", None)
    command = [sys.executable, *ENTRIES[entry], "--self-test", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("entry", ENTRIES)
@pytest.mark.parametrize("mode", [[], ["--kiosk"]], ids=["clerk", "kiosk"])
@pytest.mark.slow
def test_the_self_test_opens_the_window_reads_the_card_and_exits_0(
    tmp_path: Path, entry: str, mode: list[str]
) -> None:
    result = self_test(tmp_path, entry, *mode, "--simulate", "valid")
    assert result.returncode == 0, result.stderr
    window = "KioskWindow" if mode else "ClerkWindow"
    assert f"self-test OK: {window} opened" in result.stdout


@pytest.mark.slow
def test_python_m_counterapp_is_the_counterapp_command(tmp_path: Path) -> None:
    env = {**os.environ, "COUNTERAPP_DATA_DIR": str(tmp_path)}
    script = [sys.executable, "-c", "from ui.cli import main; main()", "--help"]
    module = [sys.executable, "-m", "counterapp", "--help"]
    console, by_module = (
        subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        for command in (script, module)
    )
    assert by_module.returncode == console.returncode == 0, by_module.stderr
    assert by_module.stdout == console.stdout
    assert "gui" in by_module.stdout.split()


@pytest.mark.slow
def test_the_self_test_fails_when_the_card_cannot_be_read(tmp_path: Path) -> None:
    result = self_test(tmp_path, "counterapp-gui", "--simulate", "not-a-mynumber-card")
    assert result.returncode == 1
    assert "card.not_mynumber" in result.stderr


@pytest.mark.slow
def test_an_unknown_scenario_is_a_configuration_error(tmp_path: Path) -> None:
    result = self_test(tmp_path, "counterapp-gui", "--simulate", "no-such-card")
    assert result.returncode == 4
    assert "unknown scenario 'no-such-card'" in result.stderr


@pytest.mark.slow
def test_a_reader_that_is_not_there_fails_the_self_test(tmp_path: Path) -> None:
    result = self_test(tmp_path, "counterapp-gui", "--reader", "No Such Reader 99")
    assert result.returncode != 0
    assert "self-test OK" not in result.stdout


def test_leaving_the_kiosk_closes_the_whole_window(qtbot: QtBot, make_context: MakeContext) -> None:
    launcher = Launcher()
    qtbot.addWidget(launcher)
    launcher.show()
    kiosk = KioskWindow(make_context("valid"), admin_pin=None)
    launcher.attach(kiosk)
    launcher.close()
    assert launcher.isVisible()  # refused while the kiosk is locked
    kiosk.exit_kiosk()  # what the administrator PIN does
    assert not launcher.isVisible()


def test_the_kiosk_takes_its_idle_timeout_from_the_settings(
    qtbot: QtBot, ui_settings: Settings
) -> None:
    context = build_context(replace(ui_settings, kiosk_idle_seconds=15), None, "valid")
    try:
        kiosk = main_window(context, kiosk=True, language="ja")
        qtbot.addWidget(kiosk)
        assert isinstance(kiosk, KioskWindow) and kiosk.idle.idle_seconds == 15
        kiosk.exit_kiosk()
    finally:
        context.close()
