"""Checks that the CLI scenarios do not reach on their own: CA generations, consistency."""

from __future__ import annotations

import dataclasses
import datetime as dt

from cardreader.emulator import pki
from cardreader.emulator.contents import basic_info_file
from cardreader.emulator.resident import DEFAULT_RESIDENT, LONG_ADDRESS_RESIDENT
from cardreader.emulator.scenarios import SCENARIO_SPECS, end_entity_certificates
from cardreader.sessions.kenhojo import BasicInfo, parse_basic_info
from counterapp.verification.checks import find_issuer
from counterapp.verification.consistency import check_consistency
from counterapp.verification.verdict import Outcome

AT = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)


def _basic(name: str, address: str) -> BasicInfo:
    return parse_basic_info(basic_info_file(name, address, DEFAULT_RESIDENT))


def test_issuer_is_picked_by_signature_among_cas_with_one_dn() -> None:
    auth = end_entity_certificates("valid", SCENARIO_SPECS["valid"])[0]
    impostor = pki.authority(pki.AUTH_CA_OU, impostor=True).certificate
    genuine = pki.authority(pki.AUTH_CA_OU).certificate
    assert impostor.subject == genuine.subject
    assert find_issuer(auth, (impostor, genuine), AT) == genuine
    assert find_issuer(auth, (impostor,), AT) is None


def test_signing_certificate_agrees_with_the_kenhojo_items() -> None:
    signing = end_entity_certificates("valid", SCENARIO_SPECS["valid"])[2]
    result = check_consistency(_basic(DEFAULT_RESIDENT.name, DEFAULT_RESIDENT.address), signing)
    assert result.outcome is Outcome.PASS


def test_half_width_digits_and_spaces_are_the_only_normalisation() -> None:
    signing = end_entity_certificates("valid", SCENARIO_SPECS["valid"])[2]
    half_width = DEFAULT_RESIDENT.address.replace("２", "2").replace("１", "1")
    assert check_consistency(_basic("番号 花子", half_width), signing).outcome is Outcome.PASS
    other_kanji = check_consistency(_basic("番號　花子", DEFAULT_RESIDENT.address), signing)
    assert other_kanji.outcome is Outcome.FAIL
    assert other_kanji.reason == "consistency.mismatch"


def test_another_residents_certificate_is_a_mismatch() -> None:
    spec = dataclasses.replace(SCENARIO_SPECS["valid"], resident=LONG_ADDRESS_RESIDENT)
    signing = end_entity_certificates("long-address", spec)[2]
    result = check_consistency(_basic(DEFAULT_RESIDENT.name, DEFAULT_RESIDENT.address), signing)
    assert result.outcome is Outcome.FAIL


def test_nothing_to_compare_is_skipped_not_passed() -> None:
    result = check_consistency(_basic(DEFAULT_RESIDENT.name, DEFAULT_RESIDENT.address))
    assert result.outcome is Outcome.SKIPPED
