"""A configured CRL file that is garbled, the wrong thing, expired or too big never crashes
a verification and never reads as "not revoked".

The CRL goes where a municipality puts it (``crl_sources`` in the settings, or the folder
the sync fills from the back office) and is read through ``verification_inputs``, the call
the CLI, the clerk window and the kiosk make before a card is checked. The emulator's test
auth CA CRL is mutated by hypothesis as bytes (DER and PEM) and, to reach past the
signature, as a signed part that the test CA then really signs. Each verdict is compared
with what ``cryptography`` alone says about the same bytes: the revocation check may pass
only for a CRL from the card's CA, correctly signed, fresh and not listing the card; bytes
that are no CRL at all must say so (``crl.unreadable``, naming the file), never "missing".
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from asn1crypto.core import Asn1Value
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from hypothesis import given
from hypothesis import strategies as st

from cardreader.emulator import pki
from counterapp.cardcheck import verification_inputs
from counterapp.cardsource import CardSource
from counterapp.emulation import emulator_crls
from counterapp.settings import Settings
from counterapp.verification.crlindex import MAX_CRL_BYTES
from counterapp.verification.engine import evaluate
from counterapp.verification.revocation import CrlError, read_crl_file
from counterapp.verification.sources import BACKOFFICE_CRLS
from counterapp.verification.verdict import CheckResult, Outcome, Overall, Verdict
from tests.counterapp.test_verification_fuzz import FUZZ, genuine_read, mutated

AT = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
CA = pki.authority(pki.AUTH_CA_OU)
EMULATED_CARD = CardSource(scenario="valid")
SHA256_WITH_RSA = bytes.fromhex("300d06092a864886f70d01010b0500")
UNKNOWN_RSA_ALGORITHM = bytes.fromhex("300d06092a864886f70d0101630500")  # 1.2.840.113549.1.1.99
# What a revocation check that does not pass may say.
NOT_PASSED = {
    (Outcome.UNKNOWN, "crl.unreadable"),
    (Outcome.UNKNOWN, "crl.missing"),
    (Outcome.UNKNOWN, "crl.stale"),
    (Outcome.FAIL, "cert.revoked"),
}


def genuine_crl() -> x509.CertificateRevocationList:
    return emulator_crls(AT)[0]  # the auth CA's, fresh at AT, not listing the valid card


_FILE_NUMBERS = itertools.count()


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One data folder (and CRL index) for all examples: each gets its own CRL file."""
    return tmp_path_factory.mktemp("crl-fuzz")


def verify_with_crl_file(data: bytes, folder: Path) -> tuple[Verdict, Path]:
    """The genuine card's verdict with ``data`` as the municipality's configured CRL file."""
    path = folder / f"auth-{next(_FILE_NUMBERS)}.crl"
    path.write_bytes(data)
    settings = Settings(data_dir=folder, crl_sources=(str(path),))
    return verify_with(settings), path


def verify_with(settings: Settings) -> Verdict:
    inputs = verification_inputs(settings, EMULATED_CARD, AT)
    return evaluate(genuine_read(), inputs.trust, list(inputs.crls), AT, inputs.policy)


def revocation_of(verdict: Verdict) -> CheckResult:
    (check,) = (c for c in verdict.checks if c.check == "revocation")
    return check


def cryptography_reads(data: bytes) -> x509.CertificateRevocationList | None:
    """The CRL in ``data`` as cryptography alone decodes it (every field), or None."""
    try:
        pem = data.lstrip().startswith(b"-----BEGIN")
        crl = x509.load_pem_x509_crl(data) if pem else x509.load_der_x509_crl(data)
        _ = (crl.issuer, crl.last_update_utc, crl.next_update_utc, crl.extensions)
        _ = crl.signature_hash_algorithm
        for revoked in crl:
            _ = (revoked.serial_number, revoked.revocation_date_utc, revoked.extensions)
    except Exception:  # the oracle: anything cryptography refuses is "no CRL"
        return None
    return crl


def may_pass(crl: x509.CertificateRevocationList) -> bool:
    """From the card's CA, signed by it, fresh at AT and not listing the card."""
    serial = genuine_read().auth_certificate.serial_number
    return (
        crl.issuer == CA.certificate.subject
        and crl.is_signature_valid(CA.certificate.public_key())
        and crl.next_update_utc is not None
        and crl.next_update_utc >= AT
        and crl.get_revoked_certificate_by_serial_number(serial) is None
    )


def assert_never_a_silent_pass(data: bytes, verdict: Verdict, path: Path) -> None:
    revocation = revocation_of(verdict)
    crl = cryptography_reads(data)
    if crl is None:
        assert (revocation.outcome, revocation.reason) == (Outcome.UNKNOWN, "crl.unreadable")
        assert str(path) in dict(revocation.params)["sources"]
    elif revocation.outcome is Outcome.PASS:
        assert may_pass(crl), "revocation passed on a CRL that should not pass"
    else:
        assert (revocation.outcome, revocation.reason) in NOT_PASSED, revocation
    # The card itself is genuine: only the CRL decides between genuine and not.
    assert (verdict.overall is Overall.GENUINE) == (revocation.outcome is Outcome.PASS)


def der(tag: int, content: bytes) -> bytes:
    """One DER TLV (any content, even one that is not valid for the tag)."""
    return Asn1Value(
        class_=tag >> 6, method=(tag >> 5) & 1, tag=tag & 0x1F, contents=content
    ).dump()


def signed_by_ca(tbs: bytes, algorithm: bytes = SHA256_WITH_RSA) -> bytes:
    """A CRL made of ``tbs`` (the signed part) really signed by the test auth CA."""
    signature = CA.key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
    return der(0x30, tbs + algorithm + der(0x03, b"\x00" + signature))


def tbs_content(crl: x509.CertificateRevocationList) -> bytes:
    """The signed part's content, without its SEQUENCE header."""
    tbs = crl.tbs_certlist_bytes
    header = 2 if tbs[1] < 0x80 else 2 + (tbs[1] & 0x7F)
    return tbs[header:]


@st.composite
def resigned(draw: st.DrawFn) -> bytes:
    """The signed part (with the outer algorithm) mutated, then signed by the CA again.

    The outer algorithm travels with the signed part, so a mutation that rewrites every
    copy of a chunk (``replace_all``) can change both algorithm fields consistently.
    """
    body = tbs_content(genuine_crl()) + SHA256_WITH_RSA
    if draw(st.booleans()):
        start = draw(st.integers(0, len(body) - 1))
        chunk = body[start : start + draw(st.integers(1, 12))]
        body = body.replace(chunk, draw(st.binary(min_size=len(chunk), max_size=len(chunk))))
    else:
        body = draw(mutated(body))
    split = max(0, len(body) - len(SHA256_WITH_RSA))
    return signed_by_ca(der(0x30, body[:split]), body[split:])


@FUZZ
@given(data=st.data())
@pytest.mark.parametrize("encoding", [serialization.Encoding.DER, serialization.Encoding.PEM])
def test_garbled_crl_file(
    data_dir: Path, encoding: serialization.Encoding, data: st.DataObject
) -> None:
    garbled = data.draw(mutated(genuine_crl().public_bytes(encoding)))
    verdict, path = verify_with_crl_file(garbled, data_dir)
    assert_never_a_silent_pass(garbled, verdict, path)


@FUZZ
@given(signed=resigned())
def test_odd_crl_content_really_signed_by_the_ca(data_dir: Path, signed: bytes) -> None:
    verdict, path = verify_with_crl_file(signed, data_dir)
    assert_never_a_silent_pass(signed, verdict, path)


def _certificate() -> bytes:
    return CA.certificate.public_bytes(serialization.Encoding.DER)


def _crl(**dates: dt.datetime) -> bytes:
    this_update = dates.get("this_update", AT - dt.timedelta(hours=1))
    next_update = dates.get("next_update", this_update + dt.timedelta(days=7))
    crl = pki.issue_crl(CA, [], this_update=this_update, next_update=next_update)
    return crl.public_bytes(serialization.Encoding.DER)


# name -> (file content, the revocation reason a clerk sees)
WRONG_FILES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "crl.unreadable"),
    "blank lines": (b"\n\n  \n", "crl.unreadable"),
    "truncated": (_crl()[:300], "crl.unreadable"),
    "a certificate (DER)": (_certificate(), "crl.unreadable"),
    "a certificate (PEM)": (
        CA.certificate.public_bytes(serialization.Encoding.PEM),
        "crl.unreadable",
    ),
    "a PEM header around DER": (
        b"-----BEGIN X509 CRL-----\n" + _crl() + b"\n-----END X509 CRL-----\n",
        "crl.unreadable",
    ),
    "text": ("失効リスト\n".encode() * 100, "crl.unreadable"),
    "unknown signature algorithm": (
        signed_by_ca(
            der(0x30, tbs_content(genuine_crl()).replace(SHA256_WITH_RSA, UNKNOWN_RSA_ALGORITHM)),
            UNKNOWN_RSA_ALGORITHM,
        ),
        "crl.unreadable",
    ),
    "expired": (
        _crl(this_update=AT - dt.timedelta(days=30), next_update=AT - dt.timedelta(days=23)),
        "crl.stale",
    ),
    "the signing CA's CRL": (
        emulator_crls(AT)[1].public_bytes(serialization.Encoding.DER),
        "crl.missing",
    ),
    "signed by another key": (
        pki.issue_crl(
            pki.authority(pki.AUTH_CA_OU, impostor=True),
            [],
            this_update=AT - dt.timedelta(hours=1),
            next_update=AT + dt.timedelta(days=1),
        ).public_bytes(serialization.Encoding.DER),
        "crl.missing",
    ),
}


@pytest.mark.parametrize("name", sorted(WRONG_FILES))
def test_a_wrong_crl_file_is_named_and_never_passes(tmp_path: Path, name: str) -> None:
    content, reason = WRONG_FILES[name]
    verdict, path = verify_with_crl_file(content, tmp_path)
    revocation = revocation_of(verdict)
    assert (revocation.outcome, revocation.reason) == (Outcome.UNKNOWN, reason)
    assert verdict.overall is Overall.UNDETERMINED
    assert_never_a_silent_pass(content, verdict, path)
    if reason == "crl.unreadable":  # ``verify --crl`` with the same file: a typed refusal
        with pytest.raises(CrlError, match=str(path)):
            read_crl_file(path)


def test_a_crl_file_too_big_to_be_a_crl_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.crl"
    with path.open("wb") as sparse:  # no disk space used: only its size matters
        sparse.truncate(MAX_CRL_BYTES + 1)
    settings = Settings(data_dir=tmp_path, crl_sources=(str(path),))
    revocation = revocation_of(verify_with(settings))
    assert (revocation.outcome, revocation.reason) == (Outcome.UNKNOWN, "crl.unreadable")
    assert "MiB" in revocation.detail
    with pytest.raises(CrlError, match="MiB"):
        read_crl_file(path)


def test_a_garbled_crl_from_the_back_office_is_named(tmp_path: Path) -> None:
    folder = tmp_path / BACKOFFICE_CRLS
    folder.mkdir(parents=True)
    (folder / "0.crl").write_bytes(_crl()[:-40])
    settings = Settings(data_dir=tmp_path, backoffice_url="https://10.0.0.5:8443")
    revocation = revocation_of(verify_with(settings))
    assert (revocation.outcome, revocation.reason) == (Outcome.UNKNOWN, "crl.unreadable")
    assert dict(revocation.params)["sources"] == str(folder / "0.crl")


def test_a_good_crl_beside_a_garbled_one_is_used(tmp_path: Path) -> None:
    good, garbled = tmp_path / "auth.crl", tmp_path / "sign.crl"
    good.write_bytes(_crl())
    garbled.write_bytes(b"garbage")
    settings = Settings(data_dir=tmp_path, crl_sources=(str(good), str(garbled)))
    assert verify_with(settings).overall is Overall.GENUINE


def test_the_genuine_crl_file_passes(tmp_path: Path) -> None:
    # Guards the tests above: they prove nothing if the genuine file did not pass.
    der_bytes = genuine_crl().public_bytes(serialization.Encoding.DER)
    verdict, _ = verify_with_crl_file(der_bytes, tmp_path)
    assert verdict.overall is Overall.GENUINE
