"""What each certificate scenario puts on the card, as a verifier would see it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.exceptions import InvalidSignature

from cardreader.emulator import pki
from cardreader.emulator.card import VirtualCard
from cardreader.emulator.inprocess import EmulatorConnection
from cardreader.emulator.resident import DEFAULT_RESIDENT, GAIJI_RESIDENT, load_resident
from cardreader.emulator.scenarios import SCENARIOS, build_profile, revoked_serials
from cardreader.errors import WrongPin
from cardreader.pin import PinKind
from cardreader.sessions import CertificateKind, MyNumberCard
from tests.cardreader.conftest import OpenCard

NOW = dt.datetime.now(dt.UTC)


def _auth(open_card: OpenCard, scenario: str) -> x509.Certificate:
    return open_card(scenario).jpki().read_auth_certificate()


def test_every_scenario_opens(open_card: OpenCard) -> None:
    assert {"valid", "expired", "revoked", "wrong-issuer", "removed-mid-read"} <= set(SCENARIOS)
    for name in SCENARIOS:
        open_card(name)


def test_valid_certificate_is_current_and_issued_by_the_test_ca(open_card: OpenCard) -> None:
    cert = _auth(open_card, "valid")
    assert cert.not_valid_before_utc <= NOW <= cert.not_valid_after_utc
    cert.verify_directly_issued_by(pki.authority(pki.AUTH_CA_OU).certificate)
    assert cert.serial_number not in revoked_serials()


@pytest.mark.parametrize(("scenario", "in_past"), [("expired", True), ("not-yet-valid", False)])
def test_validity_scenarios(open_card: OpenCard, scenario: str, in_past: bool) -> None:
    cert = _auth(open_card, scenario)
    if in_past:
        assert cert.not_valid_after_utc < NOW
    else:
        assert cert.not_valid_before_utc > NOW


def test_revoked_certificate_is_on_the_test_crl(open_card: OpenCard) -> None:
    cert = _auth(open_card, "revoked")
    crl = pki.issue_crl(
        pki.authority(pki.AUTH_CA_OU),
        revoked_serials(),
        this_update=NOW,
        next_update=NOW + dt.timedelta(days=1),
    )
    assert crl.get_revoked_certificate_by_serial_number(cert.serial_number) is not None


def test_wrong_issuer_has_the_same_dn_but_another_key(open_card: OpenCard) -> None:
    jpki = open_card("wrong-issuer").jpki()
    cert = jpki.read_auth_certificate()
    genuine = pki.authority(pki.AUTH_CA_OU).certificate
    assert cert.issuer == genuine.subject
    with pytest.raises(InvalidSignature):
        cert.verify_directly_issued_by(genuine)
    cert.verify_directly_issued_by(jpki.read_certificate(CertificateKind.AUTH_CA))


def test_signing_certificate_carries_the_holder_in_san_other_names(open_card: OpenCard) -> None:
    jpki = open_card("gaiji-name").jpki()
    jpki.verify_pin(PinKind.SIGNING, GAIJI_RESIDENT.signing_password)
    san = jpki.read_signing_certificate().extensions.get_extension_for_class(
        x509.SubjectAlternativeName
    )
    values = {
        name.type_id.dotted_string: name.value[2:].decode("utf-8")
        for name in san.value.get_values_for_type(x509.OtherName)
    }
    assert values["1.2.392.200149.8.5.5.1"] == GAIJI_RESIDENT.name
    assert values["1.2.392.200149.8.5.5.3"] == GAIJI_RESIDENT.sex
    assert values["1.2.392.200149.8.5.5.4"] == "3" + "19800217"  # 昭和 = era digit 3
    assert values["1.2.392.200149.8.5.5.5"] == DEFAULT_RESIDENT.address


def test_test_pki_is_marked_test_only_and_stable() -> None:
    ca = pki.authority(pki.AUTH_CA_OU).certificate
    assert "OU=TEST ONLY" in ca.subject.rfc4514_string()
    assert pki.test_key("ca/x").private_numbers() == pki.test_key("ca/x").private_numbers()


def test_a_resident_from_toml_is_what_the_card_carries(tmp_path: Path) -> None:
    path = tmp_path / "resident.toml"
    path.write_text('name = "試験　一郎"\nbirth_date = 1990-05-01\nkenhojo_pin = "4321"\n', "utf-8")
    resident = load_resident(path)
    card = MyNumberCard(EmulatorConnection(VirtualCard(build_profile("valid", resident))))
    kenhojo = card.kenhojo()
    with pytest.raises(WrongPin):
        kenhojo.verify_pin(DEFAULT_RESIDENT.kenhojo_pin)
    kenhojo.verify_pin("4321")
    basic = kenhojo.read_basic_info()
    assert (basic.name, basic.birth_date) == ("試験　一郎", dt.date(1990, 5, 1))
    assert basic.address == DEFAULT_RESIDENT.address


def test_unknown_resident_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "resident.toml"
    path.write_text('nmae = "typo"\n', "utf-8")
    with pytest.raises(ValueError, match="nmae"):
        load_resident(path)
