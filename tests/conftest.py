"""Suite-wide fixtures: a real pcscd with the vpcd reader, virtual cards in it, options.

pcscd is found, not installed: ``.ci/install-system-deps`` installs the Debian packages.
Without them the pcscd tests skip, unless ``COUNTERAPP_REQUIRE_PCSCD=1`` (set by
``.ci/test``) turns that into a failure so CI can never pass by skipping them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

VPCD_PORT = 35963
VPCD_READER = "Virtual PCD 00 00"
PCSCD_RUN_DIR = Path("/run/pcscd")
REQUIRE_ENV = "COUNTERAPP_REQUIRE_PCSCD"
CARD_WAIT_SECONDS = 15.0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--reader", help="run tests/hardware against this PC/SC reader")
    parser.addoption(
        "--ask-pins",
        action="store_true",
        help="hardware tests that need a PIN ask for it once on the terminal (use with -s)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--reader"):
        return
    skip = pytest.mark.skip(reason="hardware test: give --reader NAME to run it")
    for item in items:
        if "hardware" in item.keywords:
            item.add_marker(skip)


def _vpcd_listening() -> bool:
    out = subprocess.run(
        ["ss", "-Hltn", f"sport = :{VPCD_PORT}"], capture_output=True, text=True, check=False
    )
    return bool(out.stdout.strip())


def _missing(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1)")
    pytest.skip(reason)


class OwnPcscd:
    """The pcscd this test session started, if it did (never one somebody else runs)."""

    process: subprocess.Popen[bytes] | None = None

    @classmethod
    def start(cls) -> bool:
        binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
        # A hard-killed pcscd leaves these behind and the next one refuses to start.
        for stale in ("pcscd.comm", "pcscd.pid"):
            (PCSCD_RUN_DIR / stale).unlink(missing_ok=True)
        process = subprocess.Popen(
            [binary, "--foreground"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 15
        while not _vpcd_listening():
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                return False
            time.sleep(0.1)
        cls.process = process
        return True

    @classmethod
    def stop(cls) -> None:
        process, cls.process = cls.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def pcscd() -> Iterator[None]:
    """A pcscd whose vpcd slot listens on 127.0.0.1:35963 (reused when already running)."""
    binary = shutil.which("pcscd") or "/usr/sbin/pcscd"
    if not Path(binary).exists() or not Path("/etc/reader.conf.d/vpcd").exists():
        _missing("pcscd and vsmartcard-vpcd are not installed (.ci/install-system-deps)")
    if _vpcd_listening():
        yield
        return
    if not OwnPcscd.start():
        _missing("pcscd did not start with the vpcd reader")
    yield
    OwnPcscd.stop()


@dataclass
class RunningCard:
    """A ``counterapp simulate serve`` process holding a virtual card in the vpcd slot."""

    process: subprocess.Popen[bytes]
    reader: str
    trace_file: Path

    def toggle(self) -> None:
        """Pull the card out or put it back (SIGUSR1)."""
        self.process.send_signal(__import__("signal").SIGUSR1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def card_present(reader: str) -> bool:
    from cardreader.pcsc import list_readers

    return any(r.name == reader and r.card_present for r in list_readers())


def wait_for(condition: Callable[[], bool], timeout: float = CARD_WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


StartCard = Callable[..., RunningCard]


@pytest.fixture
def virtual_card(pcscd: None, tmp_path: Path) -> Iterator[StartCard]:
    """Start the emulator bridge: ``virtual_card("valid", remove_after=5)``; waits for pcscd."""
    started: list[RunningCard] = []

    def start(scenario: str = "valid", *extra: str) -> RunningCard:
        assert wait_for(lambda: not card_present(VPCD_READER)), "a card is still in the slot"
        trace = tmp_path / f"vpcd-trace-{len(started)}.txt"
        command = [sys.executable, "-m", "counterapp", "--data-dir", str(tmp_path)]
        command += ["simulate", "serve", "--scenario", scenario, "--trace-file", str(trace)]
        process = subprocess.Popen([*command, *extra], stderr=subprocess.DEVNULL)
        card = RunningCard(process, VPCD_READER, trace)
        started.append(card)
        if not wait_for(lambda: card_present(VPCD_READER)):
            card.stop()
            pytest.fail("the virtual card did not appear in pcscd")
        return card

    yield start
    for card in started:
        card.stop()
    wait_for(lambda: not card_present(VPCD_READER))
