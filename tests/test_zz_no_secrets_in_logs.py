"""No PIN and no My Number in any log or APDU trace the test suite produced.

Collected last (file name), so it sees the whole session's log file written by
``tests.logguard``; it also runs a full counter read with the trace on itself.
"""

from __future__ import annotations

import logging

from cardreader.emulator.card import VirtualCard
from cardreader.emulator.inprocess import EmulatorConnection
from cardreader.emulator.resident import (
    DEFAULT_RESIDENT,
    GAIJI_RESIDENT,
    LONG_ADDRESS_RESIDENT,
    ResidentPins,
)
from cardreader.emulator.scenarios import build_profile
from cardreader.sessions import MyNumberCard
from counterapp.reading import read_for_counter
from tests.logguard import session_log_path


def _forbidden() -> list[str]:
    secrets = {DEFAULT_RESIDENT.auth_pin, DEFAULT_RESIDENT.kenhojo_pin}
    needles = [" ".join(f"{b:02X}" for b in pin.encode()) for pin in secrets]
    needles.append(DEFAULT_RESIDENT.signing_password)
    for resident in (DEFAULT_RESIDENT, LONG_ADDRESS_RESIDENT, GAIJI_RESIDENT):
        needles.append(resident.my_number)
        needles.append(" ".join(f"{b:02X}" for b in resident.my_number.encode()))
    return needles


def test_no_pin_or_my_number_in_the_session_log() -> None:
    card = MyNumberCard(EmulatorConnection(VirtualCard(build_profile("valid"))))
    read_for_counter(card, ResidentPins(), b"\x00" * 32)
    for handler in logging.getLogger().handlers:
        handler.flush()
    path = session_log_path()
    assert path is not None and path.exists()
    text = path.read_text(encoding="utf-8")
    assert "00 20 00 98 04 <4 bytes redacted>" in text  # the trace was on
    leaked = [needle for needle in _forbidden() if needle in text]
    assert not leaked, f"{len(leaked)} secret value(s) found in {path}"
