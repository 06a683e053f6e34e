"""``counterapp trust``: anchors are installed only when their fingerprint is known or confirmed."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from cardreader.emulator import contents, pki
from counterapp.cardsource import CardSource
from counterapp.doctor import Health, run_checks
from counterapp.resources import resource_path
from counterapp.settings import load_settings
from counterapp.verification.install import cvc_key_input, install_anchor, install_cvc_keys
from counterapp.verification.sources import trust_for
from tests.counterapp.cli_runner import run_counterapp
from tests.counterapp.test_cli_verify import PINS, checks_of
from tests.counterapp.test_trust_generations import jlis_ca


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


# -- shipped trust, status, CVC issuer keys ------------------------------------------------

SHARED_STYLE_KEYS = """
[[cvc_issuer]]
name = "{name}"
key_id = "{key_id}"
exponent = {exponent}
modulus = "{modulus}"
"""


def _status(data_dir: Path, *args: str) -> dict[str, Any]:
    result = run_counterapp(data_dir, "trust", "status", "--json", "--at", "2026-11-26", *args)
    assert result.code in (0, 1), result.stderr
    return dict(result.json())


def _generation(status: dict[str, Any], kind: str, number: int) -> dict[str, Any]:
    return next(g for g in status["generations"] if g["kind"] == kind and g["generation"] == number)


def test_a_fresh_terminal_has_the_shipped_generations_and_names_generation_2_missing(
    tmp_path: Path,
) -> None:
    result = run_counterapp(tmp_path, "trust", "status", "--json", "--at", "2026-11-26")
    assert result.code == 1  # a generation in force is missing
    status = result.json()
    for kind in ("auth", "sign"):
        assert _generation(status, kind, 1)["state"] == "expired"  # kept for old signatures
        assert _generation(status, kind, 3)["state"] == "installed"
        missing = _generation(status, kind, 2)
        assert (missing["state"], missing["in_force"], missing["shipped"]) == (
            "missing",
            True,
            False,
        )
    assert {k["name"] for k in status["cvc_issuer_keys"]} == {"5000020", "5000023", "5000033"}
    assert all(k["shipped"] and not k["test"] for k in status["cvc_issuer_keys"])
    text = run_counterapp(tmp_path, "trust", "status", "--at", "2026-11-26").stdout
    assert "counterapp trust add authca02.cer" in text


def test_doctor_is_red_while_generation_2_is_missing(tmp_path: Path) -> None:
    result = run_counterapp(tmp_path, "doctor", "--json")
    assert result.code == 1
    trust = next(item for item in result.json() if item["part"] == "trust_anchors")
    assert trust["health"] == "fail"
    assert "generation 2" in trust["detail"] and "counterapp trust add" in trust["detail"]


def test_an_added_generation_2_is_recognised_by_its_name_and_serial(tmp_path: Path) -> None:
    ca = jlis_ca("generation-2-stand-in")  # J-LIS auth CA name, generation 2's serial
    der = ca.certificate.public_bytes(serialization.Encoding.DER)
    path = tmp_path / "authca02.cer"
    path.write_bytes(der)
    digest = hashlib.sha256(der).hexdigest()
    assert run_counterapp(tmp_path, "trust", "add", str(path)).code == 4  # not published
    added = run_counterapp(tmp_path, "trust", "add", str(path), "--confirm-sha256", digest)
    assert added.code == 0, added.stderr
    status = _status(tmp_path)
    assert _generation(status, "auth", 2)["state"] == "installed"
    assert _generation(status, "auth", 2)["sha256"] == digest
    assert _generation(status, "sign", 2)["state"] == "missing"


def test_a_shipped_anchor_added_again_is_not_copied_into_the_data_folder(tmp_path: Path) -> None:
    shipped = resource_path("trust", "jlis-sign-ca-g3-2023.pem")
    result = run_counterapp(tmp_path, "trust", "add", str(shipped))
    assert result.code == 0, result.stderr
    assert "already shipped" in result.stdout
    assert not (tmp_path / "trust" / "trust.toml").exists()


def _key_file(tmp_path: Path, name: str, key_id: str, key: rsa.RSAPublicKey) -> Path:
    numbers = key.public_numbers()
    path = tmp_path / "keys.toml"
    path.write_text(
        SHARED_STYLE_KEYS.format(
            name=name, key_id=key_id, exponent=numbers.e, modulus=f"{numbers.n:x}"
        ),
        encoding="utf-8",
    )
    return path


def test_a_cvc_issuer_key_is_added_only_with_its_confirmed_sha256(tmp_path: Path) -> None:
    key = pki.test_key("lab/municipal-cvc-issuer").public_key()
    key_id = b"7000099".ljust(16, b"\x00").hex()
    path = _key_file(tmp_path, "7000099", key_id, key)
    refused = run_counterapp(tmp_path, "trust", "add-cvc", str(path))
    assert refused.code == 4
    digest = hashlib.sha256(
        key.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    ).hexdigest()
    assert digest in refused.stderr
    added = run_counterapp(tmp_path, "trust", "add-cvc", str(path), "--confirm-sha256", digest)
    assert added.code == 0, added.stderr
    assert "7000099" in run_counterapp(tmp_path, "trust", "list").stdout
    keys = {k["key_id"]: k for k in _status(tmp_path)["cvc_issuer_keys"]}
    assert not keys[key_id]["shipped"]


def test_a_key_id_that_is_not_16_bytes_is_refused(tmp_path: Path) -> None:
    key = pki.test_key("lab/municipal-cvc-issuer")
    pem = tmp_path / "key.pem"
    pem.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    short = b"5000033".hex()
    result = run_counterapp(tmp_path, "trust", "add-cvc", str(pem), "--key-id", short)
    assert result.code == 4
    assert "16 bytes" in result.stderr


def test_a_shipped_cvc_key_cannot_be_replaced(tmp_path: Path) -> None:
    impostor = pki.test_key("lab/impostor-5000033").public_key()
    shipped_id = "35303030303333080530303100000000"
    path = _key_file(tmp_path, "5000033", shipped_id, impostor)
    digest = hashlib.sha256(
        impostor.public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    ).hexdigest()
    refused = run_counterapp(tmp_path, "trust", "add-cvc", str(path), "--confirm-sha256", digest)
    assert refused.code == 4
    assert "shipped" in refused.stderr
    # Nor by editing the data folder's trust.toml by hand.
    folder = tmp_path / "trust"
    folder.mkdir()
    der = impostor.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    (folder / "k.der").write_bytes(der)
    (folder / "trust.toml").write_text(
        f'[[cvc_issuer]]\nfile = "k.der"\nsha256 = "{digest}"\nkey_id = "{shipped_id}"\n',
        encoding="utf-8",
    )
    result = run_counterapp(tmp_path, "trust", "status")
    assert result.code == 4
    assert "shipped CVC issuer 5000033" in result.stderr


def test_jlis_test_hierarchies_count_only_on_a_lab_pc(tmp_path: Path) -> None:
    test_ca = _jpki_test_ca()
    der = test_ca.public_bytes(serialization.Encoding.DER)
    install_anchor(tmp_path, der, confirmed_sha256=hashlib.sha256(der).hexdigest())
    test_key = cvc_key_input(
        contents.key_id("6000033").hex(), pki.test_key("lab/jpki-test-cvc").public_key()
    )
    install_cvc_keys(tmp_path, [test_key], [test_key.sha256])
    reader = CardSource(reader="Lab reader 00")

    counter = trust_for(reader, load_settings(tmp_path))
    assert test_ca not in counter.anchors and test_key.key_id not in counter.cvc_issuer_keys
    assert len(counter.cvc_issuer_keys) == 3 and not counter.test_only

    (tmp_path / "settings.toml").write_text('test_trust = "test-lab"\n', encoding="utf-8")
    lab = trust_for(reader, load_settings(tmp_path))
    assert test_ca in lab.anchors and test_key.key_id in lab.cvc_issuer_keys
    assert lab.test_only  # a verdict under it says "test-only"


def _jpki_test_ca() -> x509.Certificate:
    key = pki.test_key("lab/jpki-test-ca")
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "JPKI-TEST"),
        ]
    )
    now = dt.datetime.now(dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(7)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def test_doctor_is_yellow_for_expired_generations_once_every_generation_in_force_is_there(
    tmp_path: Path,
) -> None:
    for kind, serial in (("auth", 0x0133C349), ("sign", 0x0132C4AB)):
        der = jlis_ca(f"{kind}-generation-2-stand-in", kind=kind, serial=serial).certificate
        data = der.public_bytes(serialization.Encoding.DER)
        install_anchor(tmp_path, data, confirmed_sha256=hashlib.sha256(data).hexdigest())
    at = dt.datetime(2026, 11, 26, tzinfo=dt.UTC)
    trust = next(f for f in run_checks(load_settings(tmp_path), at) if f.part == "trust_anchors")
    assert trust.health is Health.WARN
    assert "expired generation(s) kept for old signatures: auth 1, sign 1" in trust.detail
    later = dt.datetime(2034, 1, 1, tzinfo=dt.UTC)  # every shipped generation has expired
    assert (
        next(
            f for f in run_checks(load_settings(tmp_path), later) if f.part == "trust_anchors"
        ).health
        is Health.WARN
    )
