"""``counterapp gui --self-test``: what CI and the frozen package use to prove the GUI starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def self_test(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COUNTERAPP_DATA_DIR": str(tmp_path), "COUNTERAPP_KEY_STORE": "file"}
    env.pop("DISPLAY", None)  # no display: the app must choose offscreen by itself
    env.pop("QT_QPA_PLATFORM", None)
    command = [sys.executable, "-c", "from ui.cli import main; main()", "gui", "--self-test"]
    return subprocess.run(
        [*command, *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("mode", [[], ["--kiosk"]], ids=["clerk", "kiosk"])
def test_the_self_test_opens_the_window_reads_the_card_and_exits_0(
    tmp_path: Path, mode: list[str]
) -> None:
    result = self_test(tmp_path, *mode, "--simulate", "valid")
    assert result.returncode == 0, result.stderr
    assert "self-test OK" in result.stdout


def test_the_self_test_fails_when_the_card_cannot_be_read(tmp_path: Path) -> None:
    result = self_test(tmp_path, "--simulate", "not-a-mynumber-card")
    assert result.returncode == 1
    assert "card.not_mynumber" in result.stderr
