"""The counter read as a clerk experiences it: how many card round trips, and what comes back."""

from __future__ import annotations

import pytest

from cardreader.emulator.card import VirtualCard
from cardreader.emulator.inprocess import EmulatorConnection
from cardreader.emulator.resident import DEFAULT_RESIDENT
from cardreader.emulator.scenarios import build_profile
from cardreader.pin import PinKind, PinStatus
from cardreader.sessions import MyNumberCard
from counterapp.reading import read_for_counter


class ResidentTypesPins:
    """Answers each PIN prompt once with the test resident's PIN, and counts the prompts."""

    def __init__(self) -> None:
        self.asked: list[PinKind] = []

    def ask_pin(self, status: PinStatus) -> bytearray:
        self.asked.append(status.kind)
        pin = (
            DEFAULT_RESIDENT.auth_pin
            if status.kind is PinKind.AUTH
            else DEFAULT_RESIDENT.kenhojo_pin
        )
        return bytearray(pin.encode())

    def confirm_last_try(self, status: PinStatus) -> bool:
        return False


@pytest.mark.parametrize(("extended", "budget"), [(True, 12), (False, 26)])
def test_full_counter_read_stays_within_its_apdu_budget(extended: bool, budget: int) -> None:
    profile = build_profile("valid")
    profile.extended_length = extended
    connection = EmulatorConnection(VirtualCard(profile))
    pins = ResidentTypesPins()
    read = read_for_counter(MyNumberCard(connection), pins, b"\x01" * 32)
    assert read.challenge_signature is not None and read.kenhojo is not None
    assert read.kenhojo.basic.name == DEFAULT_RESIDENT.name
    assert pins.asked == [PinKind.AUTH, PinKind.KENHOJO]  # each PIN asked exactly once
    assert connection.stats.commands <= budget


def test_blocked_auth_pin_is_reported_and_kenhojo_still_read() -> None:
    card = MyNumberCard(EmulatorConnection(VirtualCard(build_profile("auth-pin-blocked"))))
    pins = ResidentTypesPins()
    read = read_for_counter(card, pins, b"\x01" * 32)
    assert read.auth_problem == "pin.blocked" and read.challenge_signature is None
    assert pins.asked == [PinKind.KENHOJO]  # never asked for a PIN that cannot be used
    assert read.kenhojo is not None
