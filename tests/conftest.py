"""Suite-wide fixtures: a real pcscd with the vpcd reader, virtual cards in it, options.

pcscd is found, not installed: ``.ci/install-system-deps`` installs the Debian packages.
Without them the pcscd tests skip, unless ``COUNTERAPP_REQUIRE_PCSCD=1`` (set by
``.ci/test``) turns that into a failure so CI can never pass by skipping them.

pcscd is one per machine: a run that selects tests needing it takes ``tests.pcscd.LOCK_FILE``
when collection ends (outside any test's timeout) and keeps it to the end, so a second run
waits instead of breaking the first. The vpcd port is chosen per run (``tests/pcscd.py``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from tests.pcscd import PcscdUnavailable, VirtualReader, exclusive_use, running_pcscd

REQUIRE_ENV = "COUNTERAPP_REQUIRE_PCSCD"
CARD_WAIT_SECONDS = 15.0
PCSCD_LOCK = pytest.StashKey[ExitStack]()


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


def _announcer(config: pytest.Config) -> Callable[[str], None]:
    reporter = config.pluginmanager.get_plugin("terminalreporter")

    def announce(message: str) -> None:
        if reporter is not None:
            reporter.write_line(f"pcscd: {message}", yellow=True)
        else:
            print(f"pcscd: {message}", file=sys.stderr)

    return announce


def pytest_collection_finish(session: pytest.Session) -> None:
    if session.config.option.collectonly:
        return
    if any("pcscd" in getattr(item, "fixturenames", ()) for item in session.items):
        lock = ExitStack()
        lock.enter_context(exclusive_use(_announcer(session.config)))
        session.config.stash[PCSCD_LOCK] = lock


def pytest_unconfigure(config: pytest.Config) -> None:
    lock = config.stash.get(PCSCD_LOCK, None)
    if lock is not None:
        lock.close()


def _missing(reason: str) -> NoReturn:
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ENV}=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def pcscd(pytestconfig: pytest.Config) -> Iterator[VirtualReader]:
    """A pcscd whose vpcd reader listens on a port chosen for this run."""
    with ExitStack() as stack:
        announce = _announcer(pytestconfig)
        if PCSCD_LOCK not in pytestconfig.stash:  # e.g. requested dynamically
            stack.enter_context(exclusive_use(announce))
        try:
            reader = stack.enter_context(running_pcscd(announce))
        except PcscdUnavailable as exc:
            _missing(str(exc))
        yield reader


@dataclass
class RunningCard:
    """A ``counterapp simulate serve`` process holding a virtual card in the vpcd slot."""

    process: subprocess.Popen[bytes]
    reader: str
    trace_file: Path

    def toggle(self) -> None:
        """Pull the card out or put it back (SIGUSR1)."""
        self.process.send_signal(signal.SIGUSR1)

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
def virtual_card(pcscd: VirtualReader, tmp_path: Path) -> Iterator[StartCard]:
    """Start the emulator bridge: ``virtual_card("valid", "--remove-after", "5")``."""
    started: list[RunningCard] = []

    def start(scenario: str = "valid", *extra: str) -> RunningCard:
        # vpcd now and then never notices a card placed right after its empty second slot
        # was probed: the card is taken out and placed again once, as a person would.
        for _attempt in range(2):
            assert wait_for(lambda: not card_present(pcscd.name)), "a card is still in the slot"
            trace = tmp_path / f"vpcd-trace-{len(started)}.txt"
            command = [sys.executable, "-m", "counterapp", "--data-dir", str(tmp_path)]
            command += ["simulate", "serve", "--scenario", scenario, "--trace-file", str(trace)]
            command += ["--vpcd", pcscd.endpoint]
            process = subprocess.Popen([*command, *extra], stderr=subprocess.DEVNULL)
            card = RunningCard(process, pcscd.name, trace)
            started.append(card)
            if wait_for(lambda: card_present(pcscd.name), timeout=CARD_WAIT_SECONDS / 2):
                return card
            card.stop()
        pytest.fail("the virtual card did not appear in pcscd")

    yield start
    for card in started:
        card.stop()
    wait_for(lambda: not card_present(pcscd.name))
