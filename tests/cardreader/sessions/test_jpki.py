"""The JPKI session against the emulator: certificates, PIN rules, signatures."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from cardreader.emulator.resident import DEFAULT_RESIDENT
from cardreader.errors import (
    InvalidPinFormat,
    LastTryRefused,
    NotMyNumberCard,
    PinBlocked,
    SecurityStatusNotSatisfied,
    WrongPin,
)
from cardreader.pin import PinKind
from cardreader.sessions import CertificateKind, TokenKind
from tests.cardreader.conftest import OpenCard


def _verify_signature(cert_key: object, signature: bytes, message: bytes) -> None:
    assert isinstance(cert_key, rsa.RSAPublicKey)
    cert_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())


@pytest.mark.parametrize("extended", [True, False])
def test_auth_certificate_reads_whole_without_pin(open_card: OpenCard, extended: bool) -> None:
    jpki = open_card("valid", extended=extended).jpki()
    cert = jpki.read_auth_certificate()
    issuer = cert.issuer.rfc4514_string()
    assert "OU=JPKI for user authentication" in issuer and "O=JPKI" in issuer
    ca = jpki.read_certificate(CertificateKind.AUTH_CA)
    cert.verify_directly_issued_by(ca)


def test_token_label_tells_card_from_smartphone(open_card: OpenCard) -> None:
    assert open_card("valid").jpki().read_token_info().kind is TokenKind.MYNUMBER_CARD
    phone = open_card("smartphone-token").jpki().read_token_info()
    assert phone.kind is TokenKind.ANDROID and phone.kind.is_smartphone


def test_pin_status_uses_no_try(open_card: OpenCard) -> None:
    jpki = open_card("valid").jpki()
    for _ in range(5):
        assert jpki.pin_status(PinKind.AUTH).tries_left == 3
    assert jpki.pin_status(PinKind.SIGNING).tries_left == 5


def test_sign_with_auth_key_after_pin(open_card: OpenCard) -> None:
    jpki = open_card("valid").jpki()
    cert = jpki.read_auth_certificate()
    with pytest.raises(SecurityStatusNotSatisfied):
        jpki.sign_sha256(PinKind.AUTH, b"challenge")
    jpki.verify_pin(PinKind.AUTH, DEFAULT_RESIDENT.auth_pin)
    signature = jpki.sign_sha256(PinKind.AUTH, b"challenge")
    _verify_signature(cert.public_key(), signature, b"challenge")


def test_signing_certificate_needs_the_signing_password(open_card: OpenCard) -> None:
    jpki = open_card("valid").jpki()
    with pytest.raises(SecurityStatusNotSatisfied):
        jpki.read_signing_certificate()
    jpki.verify_pin(PinKind.SIGNING, DEFAULT_RESIDENT.signing_password.lower())
    cert = jpki.read_signing_certificate()
    assert "JPKI for digital signature" in cert.issuer.rfc4514_string()
    signature = jpki.sign_sha256(PinKind.SIGNING, b"form")
    _verify_signature(cert.public_key(), signature, b"form")


def test_wrong_pin_counts_down_and_blocks(open_card: OpenCard) -> None:
    jpki = open_card("valid").jpki()
    with pytest.raises(WrongPin) as first:
        jpki.verify_pin(PinKind.AUTH, "0000")
    assert first.value.tries_left == 2
    with pytest.raises(WrongPin) as second:
        jpki.verify_pin(PinKind.AUTH, "0000")
    assert second.value.tries_left == 1
    # One try left: the session refuses to use it without explicit permission.
    with pytest.raises(LastTryRefused):
        jpki.verify_pin(PinKind.AUTH, "0000")
    assert jpki.pin_status(PinKind.AUTH).tries_left == 1
    with pytest.raises(PinBlocked):
        jpki.verify_pin(PinKind.AUTH, "0000", allow_last_try=True)
    with pytest.raises(PinBlocked):
        jpki.verify_pin(PinKind.AUTH, DEFAULT_RESIDENT.auth_pin, allow_last_try=True)
    assert jpki.pin_status(PinKind.AUTH).blocked


def test_right_pin_resets_the_counter(open_card: OpenCard) -> None:
    jpki = open_card("valid").jpki()
    with pytest.raises(WrongPin):
        jpki.verify_pin(PinKind.AUTH, "9999")
    jpki.verify_pin(PinKind.AUTH, DEFAULT_RESIDENT.auth_pin)
    status = jpki.pin_status(PinKind.AUTH)
    assert status.tries_left == 3 and not status.blocked


def test_last_try_scenario_needs_explicit_permission(open_card: OpenCard) -> None:
    jpki = open_card("auth-pin-last-try").jpki()
    assert jpki.pin_status(PinKind.AUTH).last_try
    with pytest.raises(LastTryRefused):
        jpki.verify_pin(PinKind.AUTH, DEFAULT_RESIDENT.auth_pin)
    jpki.verify_pin(PinKind.AUTH, DEFAULT_RESIDENT.auth_pin, allow_last_try=True)


def test_blocked_pin_is_never_sent(open_card: OpenCard) -> None:
    card = open_card("auth-pin-blocked")
    jpki = card.jpki()
    before = card.channel.apdu_count
    with pytest.raises(PinBlocked):
        jpki.verify_pin(PinKind.AUTH, DEFAULT_RESIDENT.auth_pin, allow_last_try=True)
    assert card.channel.apdu_count == before + 1  # the status read only, no VERIFY with data


def test_malformed_pin_uses_no_try(open_card: OpenCard) -> None:
    card = open_card("valid")
    jpki = card.jpki()
    before = card.channel.apdu_count
    with pytest.raises(InvalidPinFormat):
        jpki.verify_pin(PinKind.AUTH, "12345")
    assert card.channel.apdu_count == before
    assert jpki.pin_status(PinKind.AUTH).tries_left == 3


def test_not_a_mynumber_card_is_recognised_by_its_applications(open_card: OpenCard) -> None:
    card = open_card("not-a-mynumber-card")
    with pytest.raises(NotMyNumberCard):
        card.jpki()
    with pytest.raises(NotMyNumberCard):
        card.kenhojo()
