"""Signing a document with the card's 署名用 key, as a resident and a back office see it.

The card is the in-process emulator; OpenSSL is the independent verifier.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from asn1crypto import cms
from cryptography.hazmat.primitives import serialization
from hypothesis import given, settings
from hypothesis import strategies as st

from cardreader.emulator import pki
from cardreader.emulator.card import VirtualCard
from cardreader.emulator.inprocess import EmulatorConnection
from cardreader.emulator.resident import DEFAULT_RESIDENT, ResidentPins
from cardreader.emulator.scenarios import build_profile
from cardreader.errors import WrongPin
from cardreader.pin import PinKind
from cardreader.sessions import MyNumberCard
from counterapp.emulation import emulator_trust
from counterapp.signing import CardSignatureFailed, sign_detached, sign_with_card
from counterapp.wire.signatures import SignatureCheck, verify_detached

SIGNED_AT = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
CONTENT = "転入届 / moving-in notification: 番号 花子, 2026-11-20\n".encode()
INS_COMPUTE_SIGNATURE = 0x2A
OPENSSL = shutil.which("openssl")


class RecordingConnection(EmulatorConnection):
    """The emulator's reader, noting each command's INS byte (what a USB trace would show)."""

    def __init__(self, card: VirtualCard) -> None:
        super().__init__(card)
        self.instructions: list[int] = []

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        self.instructions.append(apdu[1])
        return super().transmit(apdu)


def _card(scenario: str = "valid") -> tuple[MyNumberCard, RecordingConnection]:
    connection = RecordingConnection(VirtualCard(build_profile(scenario)))
    return MyNumberCard(connection), connection


def _verify(signature: bytes, content: bytes = CONTENT) -> SignatureCheck:
    return verify_detached(signature, content, emulator_trust().anchors, SIGNED_AT)


@dataclass(frozen=True)
class Signed:
    signature: bytes
    pins: ResidentPins


@pytest.fixture(scope="module")
def signed() -> Signed:
    """CONTENT signed once by the genuine emulated card (the RSA work is shared by the tests)."""
    card, _ = _card()
    pins = ResidentPins()
    return Signed(sign_with_card(card, pins, [CONTENT], SIGNED_AT)[0], pins)


# -- signing with the card and checking the result -------------------------------------------


def test_card_signature_verifies_with_the_test_anchors(signed: Signed) -> None:
    check = _verify(signed.signature)
    assert check.ok and check.reason is None
    assert signed.pins.asked == [PinKind.SIGNING]  # the signing password, asked once
    assert check.signing_time == SIGNED_AT
    assert check.signer is not None and "TEST ONLY default sign" in check.signer.subject


def test_signer_summary_carries_no_personal_data_from_the_certificate(signed: Signed) -> None:
    summary = repr(_verify(signed.signature).signer)
    for personal in (DEFAULT_RESIDENT.name, DEFAULT_RESIDENT.address, "19800217"):
        assert personal not in summary


@settings(max_examples=60, deadline=None)
@given(data=st.data())
@pytest.mark.slow
def test_any_changed_content_byte_is_detected(signed: Signed, data: st.DataObject) -> None:
    position = data.draw(st.integers(0, len(CONTENT) - 1), label="position")
    value = data.draw(st.integers(0, 255).filter(lambda v: v != CONTENT[position]), label="value")
    altered = CONTENT[:position] + bytes([value]) + CONTENT[position + 1 :]
    check = _verify(signed.signature, altered)
    assert not check.ok and check.reason == "signature.content_changed"


def test_appended_or_missing_content_is_detected(signed: Signed) -> None:
    assert _verify(signed.signature, CONTENT + b"\n").reason == "signature.content_changed"
    assert _verify(signed.signature, CONTENT[:-1]).reason == "signature.content_changed"


@settings(max_examples=40, deadline=None)
@given(index=st.integers(0, 255), flip=st.integers(1, 255))
def test_altered_signature_value_is_invalid(signed: Signed, index: int, flip: int) -> None:
    value = cms.ContentInfo.load(signed.signature)["content"]["signer_infos"][0]["signature"]
    start = signed.signature.index(value.native)
    tampered = bytearray(signed.signature)
    tampered[start + index] ^= flip
    check = _verify(bytes(tampered))
    assert not check.ok and check.reason == "signature.invalid"


@settings(max_examples=200, deadline=None)
@given(garbage=st.binary(max_size=4096))
def test_garbage_is_malformed_not_an_exception(garbage: bytes) -> None:
    check = _verify(garbage)
    assert not check.ok and check.reason == "signature.malformed" and check.signer is None


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_truncated_signature_is_malformed(signed: Signed, data: st.DataObject) -> None:
    length = data.draw(st.integers(0, len(signed.signature) - 1), label="length")
    check = _verify(signed.signature[:length])
    assert not check.ok and check.reason == "signature.malformed"


@settings(max_examples=300, deadline=None)
@given(data=st.data())
@pytest.mark.slow
def test_any_single_byte_change_gives_an_answer_not_a_crash(
    signed: Signed, data: st.DataObject
) -> None:
    position = data.draw(st.integers(0, len(signed.signature) - 1), label="position")
    value = data.draw(st.integers(0, 255), label="value")
    mutated = bytearray(signed.signature)
    mutated[position] = value
    check = _verify(bytes(mutated))
    assert isinstance(check, SignatureCheck)
    assert check.ok == (check.reason is None)


def test_signature_is_untrusted_with_the_impostor_ca(signed: Signed) -> None:
    impostors = [
        pki.authority(ou, impostor=True).certificate for ou in (pki.AUTH_CA_OU, pki.SIGN_CA_OU)
    ]
    check = verify_detached(signed.signature, CONTENT, impostors, SIGNED_AT)
    assert not check.ok and check.reason == "signature.untrusted"


def test_card_from_an_impostor_ca_is_untrusted() -> None:
    card, _ = _card("wrong-issuer")
    signature = sign_with_card(card, ResidentPins(), [CONTENT], SIGNED_AT)[0]
    assert _verify(signature).reason == "signature.untrusted"


def test_no_anchors_means_untrusted(signed: Signed) -> None:
    check = verify_detached(signed.signature, CONTENT, [], SIGNED_AT)
    assert check.reason == "signature.untrusted"


def test_expired_certificate_at_signing_time_is_reported() -> None:
    card, _ = _card("expired")
    signature = sign_with_card(card, ResidentPins(), [CONTENT], SIGNED_AT)[0]
    check = _verify(signature)
    assert not check.ok and check.reason == "signature.cert_expired"


def test_signature_made_while_valid_still_verifies_after_expiry(signed: Signed) -> None:
    # The certificate expires in 2031; a document signed in 2026 stays valid after that.
    later = dt.datetime(2033, 1, 1, tzinfo=dt.UTC)
    assert verify_detached(signed.signature, CONTENT, emulator_trust().anchors, later).ok


# -- the card misbehaving or the resident mistyping ------------------------------------------


def test_wrong_signing_password_propagates_and_nothing_is_signed() -> None:
    card, connection = _card()
    pins = ResidentPins(replace(DEFAULT_RESIDENT, signing_password="WRONG999"))
    with pytest.raises(WrongPin) as raised:
        sign_with_card(card, pins, [CONTENT], SIGNED_AT)[0]
    assert raised.value.tries_left == 4  # one try used: sent once, never retried
    assert pins.asked == [PinKind.SIGNING]
    assert INS_COMPUTE_SIGNATURE not in connection.instructions
    assert card.jpki().pin_status(PinKind.SIGNING).tries_left == 4


def test_card_signing_with_the_wrong_key_is_refused_before_any_cms_exists() -> None:
    # A card whose key does not match its certificate answers 9000 with a valid-looking
    # signature; it must be caught at the counter, not at the back office.
    card, _ = _card()
    jpki = card.jpki()
    jpki.verify_pin(PinKind.SIGNING, DEFAULT_RESIDENT.signing_password)
    certificate = jpki.read_signing_certificate()
    jpki.verify_pin(PinKind.AUTH, DEFAULT_RESIDENT.auth_pin)
    with pytest.raises(CardSignatureFailed) as raised:
        sign_detached(
            CONTENT,
            certificate,
            lambda digest_info: jpki.sign_digest_info(PinKind.AUTH, digest_info),
            SIGNED_AT,
        )
    assert raised.value.message_key == "signature.card_failed"


# -- an independent verifier -----------------------------------------------------------------


def _openssl_verify(tmp_path: Path, signature: bytes, content: bytes) -> int:
    if OPENSSL is None:
        pytest.skip("the openssl command-line tool is not installed")
    ca = pki.authority(pki.SIGN_CA_OU).certificate.public_bytes(serialization.Encoding.PEM)
    (tmp_path / "ca.pem").write_bytes(ca)
    (tmp_path / "sig.der").write_bytes(signature)
    (tmp_path / "data.bin").write_bytes(content)
    command = [OPENSSL, "cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der"]
    command += ["-content", "data.bin", "-CAfile", "ca.pem", "-purpose", "any", "-out", "/dev/null"]
    # Check at the signing time so the test does not depend on today's date.
    command += ["-attime", str(int(SIGNED_AT.timestamp()))]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, check=False).returncode


def test_openssl_accepts_the_card_signature(signed: Signed, tmp_path: Path) -> None:
    assert _openssl_verify(tmp_path, signed.signature, CONTENT) == 0


def test_openssl_rejects_altered_content(signed: Signed, tmp_path: Path) -> None:
    altered = CONTENT.replace("花子".encode(), "太郎".encode())
    assert _openssl_verify(tmp_path, signed.signature, altered) != 0
