"""A household at the counter: each member taps their own card, a child is entered by hand."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cardreader.emulator.resident import DEFAULT_RESIDENT, PARTNER_RESIDENT, ResidentPins
from counterapp.cardsource import CardSlot, CardSource, SourceError
from counterapp.forms.loader import load_library
from counterapp.keyguard import open_queue
from counterapp.settings import Settings, load_settings
from counterapp.store import audit_log
from counterapp.visit import CounterService, PinNotAccepted, SameCardAgain, Visit


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("COUNTERAPP_KEY_STORE", "file")
    monkeypatch.setenv("COUNTERAPP_MUNICIPALITY", "千代田区")
    return load_settings(tmp_path)


@pytest.fixture
def service(settings: Settings) -> Iterator[CounterService]:
    audit = audit_log(settings)
    source = CardSource(scenario="valid")
    yield CounterService(settings, source, load_library(), audit, open_queue(settings, audit))
    audit.db.close()


def test_the_partner_card_is_a_genuine_card_of_the_same_household(
    service: CounterService,
) -> None:
    slot = CardSlot(service.source)
    slot.place("household-partner")
    verified = service.read(slot.open(), ResidentPins(PARTNER_RESIDENT))
    assert verified.data.name == PARTNER_RESIDENT.name != DEFAULT_RESIDENT.name
    assert verified.data.address == DEFAULT_RESIDENT.address  # one 世帯, one address
    assert (verified.data.birth_date, verified.data.sex) == (PARTNER_RESIDENT.birth_date, "1")
    assert PARTNER_RESIDENT.auth_pin != DEFAULT_RESIDENT.auth_pin


def test_each_card_keeps_its_own_pins_and_counters_while_it_lies_aside(
    service: CounterService,
) -> None:
    slot = CardSlot(service.source)
    slot.place("household-partner")
    with pytest.raises(PinNotAccepted) as wrong:  # the first resident's PIN on the partner's card
        service.read(slot.open(), ResidentPins(DEFAULT_RESIDENT), Visit())
    assert wrong.value.error.tries_left == 2  # type: ignore[attr-defined]
    slot.place(None)  # the first resident's card back on the reader: its own PIN works
    assert service.read(slot.open(), ResidentPins()).data.name == DEFAULT_RESIDENT.name
    slot.place("household-partner")  # the partner's card again: still one try used
    card = slot.open()
    from cardreader.pin import PinKind

    assert card.jpki().pin_status(PinKind.AUTH).tries_left == 2


def test_an_unknown_card_is_refused_before_anything_is_read(service: CounterService) -> None:
    with pytest.raises(SourceError):
        CardSlot(service.source).place("no-such-card")


def test_the_same_card_twice_is_refused(service: CounterService) -> None:
    visit = service.begin("moving-in")
    slot = CardSlot(service.source)
    visit.card = service.read(slot.open(), ResidentPins())
    with pytest.raises(SameCardAgain):
        service.read_member(slot.open(), ResidentPins(), visit)
