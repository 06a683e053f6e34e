from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from cardreader.emulator.card import VirtualCard
from cardreader.emulator.inprocess import EmulatorConnection
from cardreader.emulator.scenarios import build_profile
from cardreader.sessions import MyNumberCard

OpenCard = Callable[..., MyNumberCard]


@pytest.fixture
def open_card() -> Iterator[OpenCard]:
    """Open an in-process emulated card: ``open_card("valid", extended=False)``."""
    opened: list[MyNumberCard] = []

    def factory(scenario: str = "valid", *, extended: bool = True) -> MyNumberCard:
        profile = build_profile(scenario)
        profile.extended_length = extended
        card = MyNumberCard(EmulatorConnection(VirtualCard(profile)))
        opened.append(card)
        return card

    yield factory
    for card in opened:
        card.close()
