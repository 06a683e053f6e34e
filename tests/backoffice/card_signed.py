"""Submission items signed by the emulated card, as a terminal signs them (terminal code:
the server-only intake tests do not use this module)."""

from __future__ import annotations

import base64

from cardreader.emulator.card import VirtualCard
from cardreader.emulator.inprocess import EmulatorConnection
from cardreader.emulator.resident import ResidentPins
from cardreader.emulator.scenarios import build_profile
from cardreader.sessions import MyNumberCard
from counterapp.signing import sign_with_card
from counterapp.wire.schema import SubmissionItem
from tests.backoffice.forms import SIGNED_AT


def signed(unsigned: SubmissionItem, scenario: str = "valid") -> SubmissionItem:
    """The item signed over its canonical bytes by the emulated card's signing key."""
    card = MyNumberCard(EmulatorConnection(VirtualCard(build_profile(scenario))))
    (cms,) = sign_with_card(card, ResidentPins(), [unsigned.canonical()], SIGNED_AT)
    return unsigned.model_copy(update={"signature": base64.b64encode(cms).decode("ascii")})
