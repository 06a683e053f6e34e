"""``counterapp trust``: anchors are installed only when their fingerprint is known or confirmed."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from cardreader.emulator import pki
from tests.counterapp.cli_runner import run_counterapp
from tests.counterapp.test_cli_verify import PINS, checks_of


def _municipal_ca(tmp_path: Path) -> tuple[Path, str]:
    """A CA certificate that is not TEST ONLY and not in the shipped fingerprint list."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Lab CA for trust tests")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    path = tmp_path / "ca.der"
    path.write_bytes(der)
    return path, hashlib.sha256(der).hexdigest()


@pytest.mark.slow
def test_unknown_ca_needs_a_confirmed_fingerprint(tmp_path: Path) -> None:
    path, digest = _municipal_ca(tmp_path)
    refused = run_counterapp(tmp_path, "trust", "add", str(path))
    assert refused.code == 4
    assert digest in refused.stderr
    wrong = run_counterapp(tmp_path, "trust", "add", str(path), "--confirm-sha256", "00" * 32)
    assert wrong.code == 4
    added = run_counterapp(tmp_path, "trust", "add", str(path), "--confirm-sha256", digest)
    assert added.code == 0, added.stderr
    listed = run_counterapp(tmp_path, "trust", "list")
    assert "Lab CA for trust tests" in listed.stdout


def test_test_only_ca_is_never_installed(tmp_path: Path) -> None:
    der = pki.authority(pki.AUTH_CA_OU).certificate.public_bytes(serialization.Encoding.DER)
    path = tmp_path / "TEST-ONLY-auth-ca.der"
    path.write_bytes(der)
    digest = hashlib.sha256(der).hexdigest()
    result = run_counterapp(tmp_path, "trust", "add", str(path), "--confirm-sha256", digest)
    assert result.code == 4
    assert "TEST ONLY" in result.stderr


@pytest.mark.slow
def test_configured_anchors_replace_the_test_ones(tmp_path: Path) -> None:
    path, digest = _municipal_ca(tmp_path)
    assert run_counterapp(tmp_path, "trust", "add", str(path), "--confirm-sha256", digest).code == 0
    result = run_counterapp(tmp_path, "verify", "--json", "--simulate", "valid", stdin=PINS)
    assert result.code == 1  # the emulator's card does not chain to the lab CA
    assert result.json()["trust"] == "configured"
    assert checks_of(result)["chain"]["reason"] == "chain.untrusted"


@pytest.mark.slow
def test_a_tampered_anchor_file_stops_verification(tmp_path: Path) -> None:
    path, digest = _municipal_ca(tmp_path)
    assert run_counterapp(tmp_path, "trust", "add", str(path), "--confirm-sha256", digest).code == 0
    stored = next((tmp_path / "trust").glob("anchor-*.der"))
    stored.write_bytes(stored.read_bytes() + b"\x00")
    result = run_counterapp(tmp_path, "verify", "--simulate", "valid", stdin=PINS)
    assert result.code == 4
    assert "pinned SHA-256" in result.stderr
