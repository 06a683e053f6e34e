"""The card face the clerk compares (photo, printed name and address) is proven J-LIS data."""

from __future__ import annotations

import datetime as dt

import pytest

from cardreader.emulator import contents, pki
from cardreader.emulator.card import VirtualCard
from cardreader.emulator.inprocess import EmulatorConnection
from cardreader.emulator.resident import DEFAULT_RESIDENT, ResidentPins
from cardreader.emulator.scenarios import build_profile, cvc_issuer_key
from cardreader.sessions import MyNumberCard
from cardreader.sessions.kenhojo import parse_cvc
from cardreader.sessions.kenkaku import parse_card_face
from counterapp.emulation import emulator_crls, emulator_trust
from counterapp.reading import CardFaceRead, read_for_counter, read_signed_card_face
from counterapp.verification.cardface import check_card_face
from counterapp.verification.engine import evaluate, with_card_face
from counterapp.verification.shipped import shipped_trust
from counterapp.verification.verdict import Outcome, Overall

AT = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
AP_KEY = f"ap/{DEFAULT_RESIDENT.key_label}/kenkaku"


def _card(scenario: str) -> MyNumberCard:
    return MyNumberCard(EmulatorConnection(VirtualCard(build_profile(scenario))))


def _face(scenario: str) -> CardFaceRead:
    with _card(scenario) as card:
        return read_signed_card_face(card, DEFAULT_RESIDENT.collation_number_b())


@pytest.mark.parametrize(
    ("scenario", "outcome", "reason", "overall"),
    [
        ("valid", Outcome.PASS, None, Overall.GENUINE),
        ("tampered-card-face", Outcome.FAIL, "kenkaku.bad_signature", Overall.NOT_GENUINE),
    ],
)
def test_the_face_signature_decides_the_verdict(
    scenario: str, outcome: Outcome, reason: str | None, overall: Overall
) -> None:
    with _card(scenario) as card:
        read = read_for_counter(card, ResidentPins(), b"\x5a" * 32)
        face = read_signed_card_face(card, DEFAULT_RESIDENT.collation_number_b())
    verdict = evaluate(read, emulator_trust(), emulator_crls(AT), AT, card_face=face)
    check = next(c for c in verdict.checks if c.check == "card_face")
    assert (check.outcome, check.reason) == (outcome, reason)
    assert verdict.overall is overall


def test_a_face_read_after_the_verdict_is_added_to_it() -> None:
    with _card("tampered-card-face") as card:
        read = read_for_counter(card, ResidentPins(), b"\x5a" * 32)
    verdict = evaluate(read, emulator_trust(), emulator_crls(AT), AT)
    assert verdict.overall is Overall.GENUINE  # the face was not read yet
    judged = with_card_face(verdict, _face("tampered-card-face"), emulator_trust())
    assert judged.overall is Overall.NOT_GENUINE


def test_a_face_signed_by_a_key_the_cvc_does_not_certify_fails() -> None:
    genuine = _face("valid")
    other_key = pki.test_key("lab/not-the-kenkaku-key")
    face = parse_card_face(contents.card_face_file(DEFAULT_RESIDENT, other_key))
    result = check_card_face(face, genuine.certificate, emulator_trust().cvc_issuer_keys)
    assert (result.outcome, result.reason) == (Outcome.FAIL, "kenkaku.bad_signature")


def test_a_cvc_not_signed_by_the_installed_issuer_key_fails() -> None:
    ap_key = pki.test_key(AP_KEY)
    impostor_issuer = pki.test_key("lab/impostor-cvc-issuer")
    cvc = parse_cvc(
        contents.cvc(
            impostor_issuer, contents.KENKAKU_ISSUER_KEY_ID, "TEST-kenkaku", ap_key.public_key()
        )
    )
    face = _face("valid").face
    result = check_card_face(face, cvc, emulator_trust().cvc_issuer_keys)
    assert (result.outcome, result.reason) == (Outcome.FAIL, "cvc.untrusted")


def test_a_test_card_face_under_production_keys_is_undetermined_and_names_the_key() -> None:
    face = _face("valid")
    production = {key.key_id: key.key for key in shipped_trust().cvc_keys}
    result = check_card_face(face.face, face.certificate, production)
    assert (result.outcome, result.reason) == (Outcome.UNKNOWN, "cvc.unknown_issuer")
    assert dict(result.params)["key_id"].startswith("6000023")


def test_key_ids_match_in_all_16_bytes() -> None:
    # "5000023" padded with zeros is not the production id (…08 05 "001" …).
    ap_key = pki.test_key(AP_KEY)
    cvc = parse_cvc(contents.cvc(cvc_issuer_key(), "5000023", "TEST-kenkaku", ap_key.public_key()))
    production = {key.key_id: key.key for key in shipped_trust().cvc_keys}
    assert cvc.issuer_key_id[:7] == b"5000023"
    result = check_card_face(_face("valid").face, cvc, production)
    assert result.reason == "cvc.unknown_issuer"
