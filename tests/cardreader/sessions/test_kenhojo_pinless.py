"""Kenhojo without a PIN: 照合番号B/A like PINs, EF 0007 and internal authentication."""

from __future__ import annotations

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from cardreader.emulator.resident import DEFAULT_RESIDENT
from cardreader.errors import (
    InvalidPinFormat,
    LastTryRefused,
    PinBlocked,
    SecurityStatusNotSatisfied,
    WrongPin,
)
from cardreader.mynumber import MyNumber
from tests.cardreader.conftest import OpenCard

COLLATION_B = DEFAULT_RESIDENT.collation_number_b()
MY_NUMBER = MyNumber(DEFAULT_RESIDENT.my_number)
WRONG_B = "55021720350000"


def test_collation_b_opens_the_four_items_the_record_and_the_signed_key_not_the_number(
    open_card: OpenCard,
) -> None:
    kenhojo = open_card("forgotten-pins").kenhojo()
    with pytest.raises(SecurityStatusNotSatisfied):
        kenhojo.read_basic_info()
    kenhojo.verify_collation_b(COLLATION_B)
    assert kenhojo.read_basic_info().name == DEFAULT_RESIDENT.name
    assert kenhojo.read_integrity_record().signature
    assert kenhojo.read_signed_key().public_key.key_size == 2048
    with pytest.raises(SecurityStatusNotSatisfied):
        kenhojo.read_my_number()


def test_collation_a_opens_the_my_number_file_only(open_card: OpenCard) -> None:
    kenhojo = open_card("forgotten-pins").kenhojo()
    kenhojo.verify_collation_a(MY_NUMBER)
    assert kenhojo.read_my_number().number == MY_NUMBER
    with pytest.raises(SecurityStatusNotSatisfied):
        kenhojo.read_basic_info()


def test_internal_authentication_needs_no_secret_and_verifies_with_the_ef_0007_key(
    open_card: OpenCard,
) -> None:
    kenhojo = open_card("forgotten-pins").kenhojo()
    challenge = b"\x42" * 32
    signature = kenhojo.internal_authenticate(challenge)  # before any VERIFY
    kenhojo.verify_collation_b(COLLATION_B)
    signed = kenhojo.read_signed_key()
    cvc = kenhojo.read_certificate()
    cvc.public_key.verify(signed.signature, signed.signed_data, padding.PKCS1v15(), hashes.SHA256())
    signed.public_key.verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(InvalidSignature):  # a fresh challenge gives a fresh answer
        signed.public_key.verify(signature, b"\x43" * 32, padding.PKCS1v15(), hashes.SHA256())


def test_a_cloned_chip_answers_with_a_key_ef_0007_does_not_certify(open_card: OpenCard) -> None:
    kenhojo = open_card("bad-internal-auth").kenhojo()
    signature = kenhojo.internal_authenticate(b"\x42" * 32)
    kenhojo.verify_collation_b(COLLATION_B)
    with pytest.raises(InvalidSignature):
        kenhojo.read_signed_key().public_key.verify(
            signature, b"\x42" * 32, padding.PKCS1v15(), hashes.SHA256()
        )


def test_tries_are_read_first_a_wrong_code_is_sent_once_and_counts_down(
    open_card: OpenCard,
) -> None:
    card = open_card("valid")
    kenhojo = card.kenhojo()
    assert kenhojo.collation_tries("b") == 3
    before = card.channel.apdu_count
    with pytest.raises(WrongPin) as caught:
        kenhojo.verify_collation_b(WRONG_B)
    assert caught.value.tries_left == 2
    assert card.channel.apdu_count == before + 1  # the status just read, then one VERIFY
    assert kenhojo.collation_tries("b") == 2
    assert kenhojo.collation_tries("a") == 3  # its own counter
    before = card.channel.apdu_count
    with pytest.raises(WrongPin):
        kenhojo.verify_collation_b(WRONG_B)  # read first again (another APDU came between)
    assert card.channel.apdu_count == before + 2


def test_the_last_try_is_never_sent_without_explicit_permission(open_card: OpenCard) -> None:
    card = open_card("collation-last-try")
    kenhojo = card.kenhojo()
    before = card.channel.apdu_count
    with pytest.raises(LastTryRefused):
        kenhojo.verify_collation_b(COLLATION_B)
    assert card.channel.apdu_count == before + 1  # the status read only
    with pytest.raises(LastTryRefused):
        kenhojo.verify_collation_a(MY_NUMBER)
    kenhojo.verify_collation_b(COLLATION_B, allow_last_try=True)
    assert kenhojo.read_basic_info().birth_date == DEFAULT_RESIDENT.birth_date


def test_a_blocked_code_is_never_sent(open_card: OpenCard) -> None:
    card = open_card("collation-last-try")
    kenhojo = card.kenhojo()
    with pytest.raises(PinBlocked):
        kenhojo.verify_collation_b(WRONG_B, allow_last_try=True)
    before = card.channel.apdu_count
    with pytest.raises(PinBlocked):
        kenhojo.verify_collation_b(COLLATION_B, allow_last_try=True)
    assert card.channel.apdu_count == before + 1


def test_a_malformed_code_uses_no_try(open_card: OpenCard) -> None:
    card = open_card("valid")
    kenhojo = card.kenhojo()
    before = card.channel.apdu_count
    with pytest.raises(InvalidPinFormat):
        kenhojo.verify_collation_b("5502172035228")
    assert card.channel.apdu_count == before
