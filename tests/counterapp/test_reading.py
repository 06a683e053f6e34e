"""The counter read as a clerk experiences it: how many card round trips, and what comes back."""

from __future__ import annotations

import pytest

from cardreader.emulator.card import VirtualCard
from cardreader.emulator.inprocess import EmulatorConnection
from cardreader.emulator.resident import DEFAULT_RESIDENT, ResidentPins
from cardreader.emulator.scenarios import build_profile
from cardreader.errors import WrongPin
from cardreader.pin import PinKind, PinStatus
from cardreader.sessions import MyNumberCard
from counterapp.reading import read_for_counter, read_for_visit


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


class MistypedKenhojoPin(ResidentPins):
    """The resident mistypes the Kenhojo PIN once, then types it right."""

    def ask_pin(self, status: PinStatus) -> bytearray:
        pin = super().ask_pin(status)
        if status.kind is PinKind.KENHOJO and self.asked.count(PinKind.KENHOJO) == 1:
            return bytearray(b"9999")
        return pin


def test_a_visit_stops_at_a_wrong_pin_and_resumes_without_the_accepted_one() -> None:
    card = VirtualCard(build_profile("valid"))
    pins = MistypedKenhojoPin()
    first = read_for_visit(MyNumberCard(EmulatorConnection(card)), pins, b"\x01" * 32, None)
    assert isinstance(first.pin_error, WrongPin) and first.pin_error.tries_left == 2
    assert first.challenge_signature is not None and first.kenhojo is None
    again = read_for_visit(MyNumberCard(EmulatorConnection(card)), pins, b"\x02" * 32, first)
    assert again.complete and again.challenge == b"\x01" * 32  # possession proven once
    assert pins.asked == [PinKind.AUTH, PinKind.KENHOJO, PinKind.KENHOJO]


def test_a_card_pulled_after_the_auth_step_resumes_at_the_kenhojo_pin() -> None:
    card = VirtualCard(build_profile("valid"))
    pins = ResidentPins()
    pulled = EmulatorConnection(card, remove_after=6)  # after the challenge signature
    first = read_for_visit(MyNumberCard(pulled), pins, b"\x01" * 32, None)
    assert first.removed and first.challenge_signature is not None and first.kenhojo is None
    again = read_for_visit(MyNumberCard(EmulatorConnection(card)), pins, b"\x02" * 32, first)
    assert again.complete and not again.removed
    assert pins.asked == [PinKind.AUTH, PinKind.KENHOJO]


def test_another_card_put_back_starts_the_read_over() -> None:
    pins = ResidentPins()
    first_card = VirtualCard(build_profile("valid"))
    pulled = EmulatorConnection(first_card, remove_after=6)
    first = read_for_visit(MyNumberCard(pulled), pins, b"\x01" * 32, None)
    other = VirtualCard(build_profile("gaiji-name"))  # another resident's card
    again = read_for_visit(MyNumberCard(EmulatorConnection(other)), pins, b"\x02" * 32, first)
    assert again.challenge == b"\x02" * 32  # nothing of the first card was kept
    assert again.auth_certificate != first.auth_certificate
