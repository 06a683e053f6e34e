"""A J-LIS CA generation this terminal lacks is a gap in its trust, not a forged card."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from functools import cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from cardreader.emulator import pki
from cardreader.emulator.card import VirtualCard
from cardreader.emulator.inprocess import EmulatorConnection
from cardreader.emulator.resident import DEFAULT_RESIDENT, ResidentPins
from cardreader.emulator.scenarios import build_profile
from cardreader.sessions import MyNumberCard
from counterapp.emulation import emulator_trust
from counterapp.reading import CounterRead, read_for_counter
from counterapp.verification.engine import evaluate
from counterapp.verification.explain import verdict_text
from counterapp.verification.install import install_anchor
from counterapp.verification.shipped import shipped_trust
from counterapp.verification.trust import TrustConfig, load_trust
from counterapp.verification.verdict import Outcome, Overall, Verdict

AT = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
CARD_KEY = f"ee/{DEFAULT_RESIDENT.key_label}/auth"


@cache
def genuine_read() -> CounterRead:
    card = MyNumberCard(EmulatorConnection(VirtualCard(build_profile("valid"))))
    return read_for_counter(card, ResidentPins(), b"\x5a" * 32)


def jlis_ca(label: str, *, kind: str = "auth", serial: int = 0x0133C349) -> pki.Authority:
    """A CA with J-LIS's real CA name but a key J-LIS never used (a generation we lack)."""
    key = pki.test_key(f"lab/{label}")
    name = shipped_trust().ca_name(kind)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(dt.datetime(2019, 9, 14, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2029, 9, 14, tzinfo=dt.UTC))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return pki.Authority(cert, key)


def leaf(issuer: pki.Authority) -> x509.Certificate:
    """The card's auth certificate, as if issued by ``issuer`` (its key stays the card's)."""
    return pki.issue_end_entity(
        issuer,
        pki.test_key(CARD_KEY).public_key(),
        serial=0x1234,
        subject_cn="TEST ONLY generation-gap auth",
        not_before=dt.datetime(2026, 4, 1, tzinfo=dt.UTC),
        not_after=dt.datetime(2031, 2, 17, tzinfo=dt.UTC),
    )


def forged_leaf(name: x509.Name, key_identifier: bytes) -> x509.Certificate:
    """Names a J-LIS CA and its key identifier, but is signed by a key of the forger's."""
    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "forged")]))
        .issuer_name(name)
        .public_key(pki.test_key(CARD_KEY).public_key())
        .serial_number(0x5678)
        .not_valid_before(dt.datetime(2026, 4, 1, tzinfo=dt.UTC))
        .not_valid_after(dt.datetime(2031, 2, 17, tzinfo=dt.UTC))
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, False, False, False, False),
            critical=True,
        )
        .add_extension(x509.AuthorityKeyIdentifier(key_identifier, None, None), critical=False)
        .sign(forger, hashes.SHA256())
    )


def production_trust(data_dir: Path) -> TrustConfig:
    """The shipped J-LIS anchors (plus anything added), with the emulator's CVC keys so
    that only the chain decides."""
    return dataclasses.replace(
        load_trust(data_dir), cvc_issuer_keys=emulator_trust().cvc_issuer_keys
    )


def judge(cert: x509.Certificate, trust: TrustConfig) -> Verdict:
    return evaluate(dataclasses.replace(genuine_read(), auth_certificate=cert), trust, [], AT)


def ski(cert: x509.Certificate) -> bytes:
    return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest


def test_an_uninstalled_generation_is_undetermined_and_names_its_key_id(tmp_path: Path) -> None:
    ca = jlis_ca("generation-not-installed")
    verdict = judge(leaf(ca), production_trust(tmp_path))
    assert verdict.overall is Overall.UNDETERMINED
    assert verdict.to_json()["reasons"] == ["trust.generation_missing"]
    chain = next(c for c in verdict.checks if c.check == "chain")
    key_id = ski(ca.certificate).hex(":").upper()
    assert chain.outcome is Outcome.UNKNOWN
    assert dict(chain.params) == {"kind": "auth", "key_id": key_id}
    assert key_id in verdict_text(verdict, "en")
    assert "counterapp trust add" in verdict_text(verdict, "ja")


def test_once_that_generation_is_installed_the_same_card_is_genuine(tmp_path: Path) -> None:
    ca = jlis_ca("generation-installed-later")
    der = ca.certificate.public_bytes(serialization.Encoding.DER)
    install_anchor(tmp_path, der, confirmed_sha256=hashlib.sha256(der).hexdigest())
    verdict = judge(leaf(ca), production_trust(tmp_path))
    assert next(c for c in verdict.checks if c.check == "chain").outcome is Outcome.PASS


def test_a_bad_signature_under_an_installed_generation_is_not_genuine(tmp_path: Path) -> None:
    ca = jlis_ca("generation-installed")
    der = ca.certificate.public_bytes(serialization.Encoding.DER)
    install_anchor(tmp_path, der, confirmed_sha256=hashlib.sha256(der).hexdigest())
    forged = forged_leaf(ca.certificate.subject, ski(ca.certificate))
    verdict = judge(forged, production_trust(tmp_path))
    assert verdict.overall is Overall.NOT_GENUINE
    assert next(c for c in verdict.checks if c.check == "chain").reason == "chain.untrusted"


def test_a_forgery_naming_a_shipped_generation_is_not_genuine(tmp_path: Path) -> None:
    generation_3 = next(
        a.certificate for a in shipped_trust().anchors if a.kind == "auth" and a.generation == 3
    )
    forged = forged_leaf(generation_3.subject, ski(generation_3))
    verdict = judge(forged, production_trust(tmp_path))
    assert verdict.overall is Overall.NOT_GENUINE
    assert "chain.untrusted" in verdict.to_json()["reasons"]


def test_a_non_jlis_issuer_name_is_untrusted_not_a_gap(tmp_path: Path) -> None:
    # The emulator's CAs carry OU=TEST ONLY: not a J-LIS name, so no gap to fill.
    verdict = judge(genuine_read().auth_certificate, production_trust(tmp_path))
    assert next(c for c in verdict.checks if c.check == "chain").reason == "chain.untrusted"
