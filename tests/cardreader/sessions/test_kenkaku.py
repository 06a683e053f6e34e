"""The Kenkaku session: 照合番号B and the signed card face."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from cardreader.emulator.resident import DEFAULT_RESIDENT
from cardreader.errors import InvalidPinFormat, SecurityStatusNotSatisfied, WrongPin
from cardreader.sessions import Sex, collation_number_b
from cardreader.sessions.kenkaku import card_face_signed_data
from tests.cardreader.conftest import OpenCard


def test_collation_number_b_uses_the_era_year() -> None:
    # The protocol sheet's worked example (SOL): 昭和55, expires 2035, code 2285.
    assert collation_number_b(dt.date(1980, 2, 17), 2035, "2285") == "55021720352285"
    assert collation_number_b(dt.date(2019, 5, 1), 2029, "0001") == "01050120290001"


@pytest.mark.parametrize("extended", [True, False])
def test_card_face_after_collation_b(open_card: OpenCard, extended: bool) -> None:
    kenkaku = open_card("valid", extended=extended).kenkaku()
    with pytest.raises(SecurityStatusNotSatisfied):
        kenkaku.read_card_face()
    kenkaku.verify_collation_b(DEFAULT_RESIDENT.collation_number_b())
    face = kenkaku.read_card_face()
    assert face.birth_date == DEFAULT_RESIDENT.birth_date
    assert face.sex is Sex(DEFAULT_RESIDENT.sex)
    assert face.name_image.startswith(b"\x89PNG")
    assert face.photo[:12] in (b"\x00\x00\x00\x0cjP  \r\n\x87\n",) or face.photo[:4] == (
        b"\xff\x4f\xff\x51"
    )
    assert face.expiry == DEFAULT_RESIDENT.card_expiry


def test_wrong_collation_number_counts_down(open_card: OpenCard) -> None:
    kenkaku = open_card("valid").kenkaku()
    with pytest.raises(InvalidPinFormat):
        kenkaku.verify_collation_b("1234")
    with pytest.raises(WrongPin) as caught:
        kenkaku.verify_collation_b("00000000000000")
    assert caught.value.tries_left == 2


def _face_signature_verifies(open_card: OpenCard, scenario: str) -> bool:
    kenkaku = open_card(scenario).kenkaku()
    certificate = kenkaku.read_certificate()
    kenkaku.verify_collation_b(DEFAULT_RESIDENT.collation_number_b())
    face = kenkaku.read_card_face()
    try:
        certificate.public_key.verify(
            face.signature, card_face_signed_data(face.raw), padding.PKCS1v15(), hashes.SHA256()
        )
    except InvalidSignature:
        return False
    return True


def test_the_card_face_is_signed_with_the_kenkaku_cvc_key(open_card: OpenCard) -> None:
    assert _face_signature_verifies(open_card, "valid")


def test_a_face_edited_after_signing_does_not_verify(open_card: OpenCard) -> None:
    kenkaku = open_card("tampered-card-face").kenkaku()
    kenkaku.verify_collation_b(DEFAULT_RESIDENT.collation_number_b())
    tampered = kenkaku.read_card_face()
    assert tampered.birth_date == DEFAULT_RESIDENT.birth_date  # only the address image changed
    assert not _face_signature_verifies(open_card, "tampered-card-face")
