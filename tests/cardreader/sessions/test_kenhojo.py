"""The Kenhojo session: basic items, My Number, integrity record and CVC."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from cardreader.emulator.resident import DEFAULT_RESIDENT, GAIJI_RESIDENT, LONG_ADDRESS_RESIDENT
from cardreader.errors import CardRemoved, PinBlocked, SecurityStatusNotSatisfied
from cardreader.sessions import Sex
from tests.cardreader.conftest import OpenCard


@pytest.mark.parametrize("extended", [True, False])
def test_basic_info_and_my_number_after_pin(open_card: OpenCard, extended: bool) -> None:
    kenhojo = open_card("valid", extended=extended).kenhojo()
    with pytest.raises(SecurityStatusNotSatisfied):
        kenhojo.read_basic_info()
    kenhojo.verify_pin(DEFAULT_RESIDENT.kenhojo_pin)
    basic = kenhojo.read_basic_info()
    assert basic.name == DEFAULT_RESIDENT.name
    assert basic.address == DEFAULT_RESIDENT.address
    assert basic.birth_date == DEFAULT_RESIDENT.birth_date
    assert basic.sex is Sex(DEFAULT_RESIDENT.sex)
    my_number = kenhojo.read_my_number()
    assert my_number.number.reveal() == DEFAULT_RESIDENT.my_number
    assert len(my_number.raw) == 17
    assert DEFAULT_RESIDENT.my_number not in repr(my_number)


@pytest.mark.parametrize(
    ("scenario", "resident"),
    [("long-address", LONG_ADDRESS_RESIDENT), ("gaiji-name", GAIJI_RESIDENT)],
)
@pytest.mark.parametrize("extended", [True, False])
def test_resident_variants_read_exactly(
    open_card: OpenCard, scenario: str, resident: object, extended: bool
) -> None:
    kenhojo = open_card(scenario, extended=extended).kenhojo()
    kenhojo.verify_pin(DEFAULT_RESIDENT.kenhojo_pin)
    basic = kenhojo.read_basic_info()
    assert basic.name == resident.name  # type: ignore[attr-defined]
    assert basic.address == resident.address  # type: ignore[attr-defined]


def test_integrity_record_matches_the_files_and_the_cvc(open_card: OpenCard) -> None:
    kenhojo = open_card("valid").kenhojo()
    cvc = kenhojo.read_certificate()
    kenhojo.verify_pin(DEFAULT_RESIDENT.kenhojo_pin)
    record = kenhojo.read_integrity_record()
    basic = kenhojo.read_basic_info()
    my_number = kenhojo.read_my_number()
    assert record.my_number_digest == hashlib.sha256(my_number.raw).digest()
    assert record.basic_info_digest == hashlib.sha256(basic.signed_part).digest()
    cvc.public_key.verify(record.signature, record.signed_data, padding.PKCS1v15(), hashes.SHA256())


def test_tampered_text_no_longer_matches_its_digest(open_card: OpenCard) -> None:
    kenhojo = open_card("tampered-kenhojo").kenhojo()
    kenhojo.verify_pin(DEFAULT_RESIDENT.kenhojo_pin)
    record = kenhojo.read_integrity_record()
    basic = kenhojo.read_basic_info()
    assert record.basic_info_digest != hashlib.sha256(basic.signed_part).digest()


def test_blocked_kenhojo_pin(open_card: OpenCard) -> None:
    kenhojo = open_card("kenhojo-pin-blocked").kenhojo()
    assert kenhojo.pin_status().blocked
    with pytest.raises(PinBlocked):
        kenhojo.verify_pin(DEFAULT_RESIDENT.kenhojo_pin, allow_last_try=True)


def test_selecting_kenhojo_ends_the_jpki_session(open_card: OpenCard) -> None:
    card = open_card("valid")
    jpki = card.jpki()
    card.kenhojo()
    with pytest.raises(RuntimeError):
        jpki.read_auth_certificate()


def test_removed_card_leaves_no_half_read_result(open_card: OpenCard) -> None:
    card = open_card("removed-mid-read")
    results = []
    with pytest.raises(CardRemoved):
        jpki = card.jpki()
        results.append(jpki.read_auth_certificate())
        kenhojo = card.kenhojo()
        kenhojo.verify_pin(DEFAULT_RESIDENT.kenhojo_pin)
        results.append(kenhojo.read_basic_info())
        results.append(kenhojo.read_my_number())
    assert len(results) < 3
