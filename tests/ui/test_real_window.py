"""The clerk window and the kiosk in a real X server (Xvfb), not only offscreen.

A counter PC has a display: Qt's xcb platform plugin must load with the libraries the set-up
installs (.ci/install-system-deps), and both windows must open and read a card on it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REQUIRE_ENV = "COUNTERAPP_REQUIRE_XVFB"
SCREEN = "1366x768x24"  # the smallest counter PC the clerk window must fit


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    """A fresh Xvfb server on a display number it picks itself."""
    binary = shutil.which("Xvfb")
    if binary is None:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"Xvfb is not installed (.ci/install-system-deps; {REQUIRE_ENV}=1)")
        pytest.skip("Xvfb is not installed (.ci/install-system-deps)")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(
        [binary, "-displayfd", str(write_end), "-screen", "0", SCREEN, "-nolisten", "tcp"],
        pass_fds=(write_end,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_end)
    with os.fdopen(read_end) as announced:
        number = announced.readline().strip()  # Xvfb writes the display once it is ready
    try:
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("mode", [[], ["--kiosk"]], ids=["clerk", "kiosk"])
def test_the_window_opens_on_a_real_x_server_and_reads_a_card(
    tmp_path: Path, display: str, mode: list[str]
) -> None:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    env |= {"COUNTERAPP_DATA_DIR": str(tmp_path), "COUNTERAPP_KEY_STORE": "file"}
    command = [sys.executable, "-c", "from ui.main import main; main()", "--self-test", *mode]
    result = subprocess.run(
        [*command, "--simulate", "valid"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    window = "KioskWindow" if mode else "ClerkWindow"
    assert f"self-test OK: {window} opened on xcb" in result.stdout
