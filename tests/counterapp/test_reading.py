"""The counter read as a clerk experiences it: how many card round trips, and what comes back."""

from __future__ import annotations

import pytest

from cardreader.emulator.card import VirtualCard
from cardreader.emulator.inprocess import EmulatorConnection
from cardreader.emulator.resident import DEFAULT_RESIDENT, ResidentPins
from cardreader.emulator.scenarios import build_profile
from cardreader.pin import PinKind
from cardreader.sessions import MyNumberCard
from counterapp.reading import read_for_counter


@pytest.mark.parametrize(("extended", "budget"), [(True, 12), (False, 26)])
def test_full_counter_read_stays_within_its_apdu_budget(extended: bool, budget: int) -> None:
    profile = build_profile("valid")
    profile.extended_length = extended
    connection = EmulatorConnection(VirtualCard(profile))
    pins = ResidentPins()
    read = read_for_counter(MyNumberCard(connection), pins, b"\x01" * 32)
    assert read.challenge_signature is not None and read.kenhojo is not None
    assert read.kenhojo.basic.name == DEFAULT_RESIDENT.name
    assert pins.asked == [PinKind.AUTH, PinKind.KENHOJO]  # each PIN asked exactly once
    assert connection.stats.commands <= budget


def test_blocked_auth_pin_is_reported_and_kenhojo_still_read() -> None:
    card = MyNumberCard(EmulatorConnection(VirtualCard(build_profile("auth-pin-blocked"))))
    pins = ResidentPins()
    read = read_for_counter(card, pins, b"\x01" * 32)
    assert read.auth_problem == "pin.blocked" and read.challenge_signature is None
    assert pins.asked == [PinKind.KENHOJO]  # never asked for a PIN that cannot be used
    assert read.kenhojo is not None
