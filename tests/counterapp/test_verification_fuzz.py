"""Garbled, truncated and oversized card data never crashes verification and is never genuine.

Each input the verifier parses (certificates, CRLs, integrity record, CVC, basic items,
My Number file, the possession signature) is mutated by hypothesis. Parsing may refuse
it with a typed error; if it parses, the verdict is ``genuine`` only when the parsed
content is exactly what the issuer signed.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import replace
from functools import cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cardreader.emulator.card import VirtualCard
from cardreader.emulator.inprocess import EmulatorConnection
from cardreader.emulator.resident import ResidentPins
from cardreader.emulator.scenarios import build_profile
from cardreader.errors import CardError
from cardreader.sessions import MyNumberCard
from cardreader.sessions.jpki import parse_certificate
from cardreader.sessions.kenhojo import (
    parse_basic_info,
    parse_cvc,
    parse_integrity_record,
    parse_my_number,
)
from counterapp.emulation import emulator_crls, emulator_trust
from counterapp.reading import CounterRead, read_for_counter
from counterapp.verification.engine import evaluate
from counterapp.verification.revocation import CrlError, parse_crl
from counterapp.verification.verdict import Overall, Verdict

AT = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
# FUZZ_EXAMPLES=3000 for a longer hunt (the suite runs 150 per input).
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@cache
def genuine_read() -> CounterRead:
    card = MyNumberCard(EmulatorConnection(VirtualCard(build_profile("valid"))))
    return read_for_counter(card, ResidentPins(), b"\x5a" * 32)


@cache
def crls() -> list[x509.CertificateRevocationList]:
    return emulator_crls(AT)


def judge(
    read: CounterRead, crl_list: list[x509.CertificateRevocationList] | None = None
) -> Verdict:
    return evaluate(read, emulator_trust(), crls() if crl_list is None else crl_list, AT)


@st.composite
def mutated(draw: st.DrawFn, original: bytes) -> bytes:
    """Truncate, flip, insert, overwrite or oversize ``original``."""
    kind = draw(st.sampled_from(["truncate", "flip", "insert", "overwrite", "oversize", "random"]))
    if kind == "truncate":
        return original[: draw(st.integers(0, len(original) - 1))]
    if kind == "random":
        return draw(st.binary(max_size=2 * len(original)))
    position = draw(st.integers(0, len(original) - 1))
    if kind == "flip":
        value = original[position] ^ draw(st.integers(1, 255))
        return original[:position] + bytes([value]) + original[position + 1 :]
    if kind == "insert":
        return original[:position] + draw(st.binary(min_size=1, max_size=8)) + original[position:]
    if kind == "overwrite":
        chunk = draw(st.binary(min_size=1, max_size=16))
        return original[:position] + chunk + original[position + len(chunk) :]
    return original + draw(st.binary(min_size=1, max_size=70000))


def check_case(
    original: bytes,
    garbled: bytes,
    parse: Callable[[bytes], Any],
    rebuild: Callable[[Any], CounterRead],
    same: Callable[[Any], bool],
) -> None:
    try:
        parsed = parse(garbled)
    except (CardError, CrlError):
        return  # a typed refusal is the right answer
    verdict = judge(rebuild(parsed))
    if verdict.overall is Overall.GENUINE:
        assert same(parsed), f"genuine verdict for altered data ({len(garbled)} bytes)"


def _der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


@FUZZ
@given(data=st.data())
def test_garbled_auth_certificate(data: st.DataObject) -> None:
    read = genuine_read()
    original = _der(read.auth_certificate)
    check_case(
        original,
        data.draw(mutated(original)),
        parse_certificate,
        lambda cert: replace(read, auth_certificate=cert),
        lambda cert: _der(cert) == original,
    )


@FUZZ
@given(data=st.data())
def test_garbled_integrity_record(data: st.DataObject) -> None:
    read = genuine_read()
    assert read.kenhojo is not None
    kenhojo = read.kenhojo
    original = kenhojo.integrity.signed_data + kenhojo.integrity.signature
    raw = _integrity_raw(kenhojo.integrity)
    check_case(
        raw,
        data.draw(mutated(raw)),
        parse_integrity_record,
        lambda record: replace(read, kenhojo=replace(kenhojo, integrity=record)),
        lambda record: record.signed_data + record.signature == original,
    )


def _integrity_raw(record: Any) -> bytes:
    from cardreader import tlv

    return tlv.encode(0xFF30, record.signed_data + tlv.encode(0xDF33, record.signature))


@FUZZ
@given(data=st.data())
def test_garbled_cvc(data: st.DataObject) -> None:
    read = genuine_read()
    assert read.kenhojo is not None
    kenhojo = read.kenhojo
    from cardreader import tlv

    cvc = kenhojo.certificate
    raw = tlv.encode(0x7F21, tlv.encode(0x5F4E, cvc.body) + tlv.encode(0x5F37, cvc.signature))
    check_case(
        raw,
        data.draw(mutated(raw)),
        parse_cvc,
        lambda parsed: replace(read, kenhojo=replace(kenhojo, certificate=parsed)),
        lambda parsed: (parsed.body, parsed.signature) == (cvc.body, cvc.signature),
    )


@FUZZ
@given(data=st.data())
def test_garbled_basic_information(data: st.DataObject) -> None:
    read = genuine_read()
    assert read.kenhojo is not None
    kenhojo = read.kenhojo
    basic = kenhojo.basic
    check_case(
        basic.raw,
        data.draw(mutated(basic.raw)),
        parse_basic_info,
        lambda parsed: replace(read, kenhojo=replace(kenhojo, basic=parsed)),
        lambda parsed: (
            (parsed.name, parsed.address, parsed.birth_date, parsed.sex)
            == (basic.name, basic.address, basic.birth_date, basic.sex)
        ),
    )


@FUZZ
@given(data=st.data())
def test_garbled_my_number_file(data: st.DataObject) -> None:
    read = genuine_read()
    assert read.kenhojo is not None
    kenhojo = read.kenhojo
    raw = kenhojo.my_number.raw
    check_case(
        raw,
        data.draw(mutated(raw)),
        parse_my_number,
        lambda parsed: replace(read, kenhojo=replace(kenhojo, my_number=parsed)),
        lambda parsed: parsed.number == kenhojo.my_number.number,
    )


@FUZZ
@given(data=st.data())
def test_garbled_possession_signature(data: st.DataObject) -> None:
    read = genuine_read()
    assert read.challenge_signature is not None
    original = read.challenge_signature
    garbled = data.draw(mutated(original))
    verdict = judge(replace(read, challenge_signature=garbled))
    assert verdict.overall is not Overall.GENUINE or garbled == original


@FUZZ
@given(data=st.data())
def test_garbled_crl(data: st.DataObject) -> None:
    read = genuine_read()
    original = crls()[0].public_bytes(serialization.Encoding.DER)
    try:
        crl = parse_crl(data.draw(mutated(original)))
    except CrlError:
        return
    verdict = judge(read, [crl])
    if verdict.overall is Overall.GENUINE:
        assert crl.public_bytes(serialization.Encoding.DER) == original


def test_the_genuine_read_is_genuine() -> None:
    # Guards the fuzz tests above: they prove nothing if the baseline were not genuine.
    assert judge(genuine_read()).overall is Overall.GENUINE
