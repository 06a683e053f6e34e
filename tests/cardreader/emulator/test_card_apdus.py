"""The virtual card answers raw APDUs the way the protocol sheet says the real card does."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from cardreader.emulator.card import VirtualCard
from cardreader.emulator.resident import DEFAULT_RESIDENT
from cardreader.emulator.scenarios import build_profile
from cardreader.sessions.kenhojo import parse_cvc, parse_signed_key

JPKI = "00A4040C0AD392F000260100000001"
KENHOJO = "00A4040C0AD3921000310001010408"
KENKAKU = "00A4040C0AD3921000310001010402"
VERIFY_AUTH = "0020009804" + DEFAULT_RESIDENT.auth_pin.encode().hex()
VERIFY_KENHOJO = "0020009104" + DEFAULT_RESIDENT.kenhojo_pin.encode().hex()


@pytest.fixture
def card() -> VirtualCard:
    virtual = VirtualCard(build_profile("valid"))
    virtual.power_on()
    return virtual


def send(card: VirtualCard, *apdus: str) -> tuple[bytes, int]:
    """Send APDUs in order; return the last response as (data, SW)."""
    response = b""
    for apdu in apdus:
        response = card.process(bytes.fromhex(apdu))
    return response[:-2], int.from_bytes(response[-2:], "big")


def test_select_mf_answers_6a86_after_reset_and_9000_once_an_ap_is_selected(
    card: VirtualCard,
) -> None:
    assert send(card, "00A40000")[1] == 0x6A86
    assert send(card, JPKI, "00A40000")[1] == 0x9000


def test_unknown_aid_is_6a82_but_a_prefix_of_five_bytes_selects(card: VirtualCard) -> None:
    assert send(card, "00A4040C05A000000003")[1] == 0x6A82  # OpenSC's MuscleApplet probe
    assert send(card, "00A4040C06D392F0002601")[1] == 0x9000
    assert send(card, "00A4040C03D392F0")[1] == 0x6A82


def test_pin_counter_63cx_then_63c0_then_6984(card: VirtualCard) -> None:
    send(card, JPKI)
    assert send(card, "00200098")[1] == 0x63C3  # status only: no try used
    assert send(card, "002000980430303030")[1] == 0x63C2
    assert send(card, "002000980430303030")[1] == 0x63C1
    assert send(card, "002000980430303030")[1] == 0x63C0  # the attempt that blocks
    assert send(card, VERIFY_AUTH)[1] == 0x6984  # even the right PIN
    assert send(card, "00200098")[1] == 0x6984


def test_verified_pin_answers_9000_to_the_status_check(card: VirtualCard) -> None:
    assert send(card, JPKI, VERIFY_AUTH, "00200098")[1] == 0x9000


def test_pin_state_is_cleared_by_leaving_the_ap_and_by_power_off(card: VirtualCard) -> None:
    send(card, JPKI, VERIFY_AUTH)
    assert send(card, KENHOJO, JPKI, "00200098")[1] == 0x63C3
    send(card, VERIFY_AUTH)
    card.reset()  # a warm reset keeps it (SOL, UNCERTAIN)
    assert send(card, JPKI, "00200098")[1] == 0x9000
    card.power_off()
    card.power_on()
    assert send(card, JPKI, "00200098")[1] == 0x63C3


def test_reading_needs_the_right_secret(card: VirtualCard) -> None:
    assert send(card, KENHOJO, "00B0810000")[1] == 0x6982
    data, sw = send(card, VERIFY_KENHOJO, "00B0810000")
    assert sw == 0x9000 and data[:3] == bytes.fromhex("FF100C") and len(data) == 17
    assert data[-2:] == b"\xff\xff"  # the filler the integrity digest covers


def test_key_and_pin_efs_are_never_readable(card: VirtualCard) -> None:
    assert send(card, JPKI, "00B0970000")[1] == 0x6981
    assert send(card, "00A4020C020018", "00B0000000")[1] == 0x6981


def test_reads_past_the_end_and_without_a_file(card: VirtualCard) -> None:
    send(card, JPKI)
    assert send(card, "00B0000010")[1] == 0x6986  # no current EF yet
    data, sw = send(card, "00B0860000")
    assert sw == 0x9000 and len(data) == 160  # short Le 00 = 256, file is shorter
    assert send(card, "00A4020C020006", "00B000A001")[1] == 0x6B00


def test_extended_read_returns_the_whole_ef(card: VirtualCard) -> None:
    data, sw = send(card, JPKI, "00B08A00000000")
    assert sw == 0x9000 and data[:2] == b"\x30\x82" and len(data) == 2048


def test_reader_without_extended_length_answers_6700() -> None:
    profile = build_profile("valid")
    profile.extended_length = False
    card = VirtualCard(profile)
    card.power_on()
    assert send(card, JPKI, "00B08A00000000")[1] == 0x6700


def test_class_byte_checks(card: VirtualCard) -> None:
    assert send(card, "01A4040C0AD392F000260100000001")[1] == 0x6881
    assert send(card, "0CA4040C0AD392F000260100000001")[1] == 0x6882
    assert send(card, JPKI, "0CB0860000")[1] == 0x69FC
    assert send(card, "A0A4040C0AD392F000260100000001")[1] == 0x6E00
    assert send(card, "00FF000000")[1] == 0x6D00
    assert send(card, "00")[1] == 0x6700


def test_signature_needs_the_pin_and_matches_the_certificate(card: VirtualCard) -> None:
    digest_info = "3031300d060960864801650304020105000420" + "11" * 32
    assert send(card, JPKI, "802A009733" + digest_info + "00")[1] == 0x6982
    certificate, _ = send(card, "00B08A00000000")
    signature, sw = send(card, VERIFY_AUTH, "802A009733" + digest_info + "00")
    assert sw == 0x9000 and len(signature) == 256
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    key = x509.load_der_x509_certificate(certificate[: 4 + certificate[2] * 256 + certificate[3]])
    public = key.public_key()
    assert isinstance(public, rsa.RSAPublicKey)
    public.verify(signature, b"\x11" * 32, padding.PKCS1v15(), Prehashed(hashes.SHA256()))
    assert send(card, "802A079733" + digest_info + "00")[1] == 0x6A86  # unknown scheme


def test_kenhojo_signs_without_a_pin_with_the_key_its_ef_0007_certifies(
    card: VirtualCard,
) -> None:
    cvc, _ = send(card, KENHOJO, "00B08400000000")
    signature, sw = send(card, "802A020020" + "22" * 32 + "00")  # scheme 02: 32-B hash
    assert sw == 0x9000
    assert send(card, "00B08700000000")[1] == 0x6982  # EF 0007 needs a PIN or a 照合番号
    send(card, "002000950E" + b"55021720352285".hex())
    signed, _ = send(card, "00B08700000000")
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    record = parse_signed_key(signed)
    parse_cvc(cvc[:568]).public_key.verify(
        record.signature, record.signed_data, padding.PKCS1v15(), hashes.SHA256()
    )
    record.public_key.verify(
        signature, b"\x22" * 32, padding.PKCS1v15(), Prehashed(hashes.SHA256())
    )


def test_get_challenge_short_only(card: VirtualCard) -> None:
    data, sw = send(card, "0084000008")
    assert sw == 0x9000 and len(data) == 8
    assert send(card, "00840000000008")[1] == 0x6985


def test_change_pin_after_verify(card: VirtualCard) -> None:
    send(card, JPKI)
    assert send(card, "0024019804" + b"5678".hex())[1] == 0x6982
    assert send(card, VERIFY_AUTH, "0024019804" + b"5678".hex())[1] == 0x9000
    card.power_off()
    card.power_on()
    assert send(card, JPKI, "0020009804" + b"5678".hex())[1] == 0x9000
