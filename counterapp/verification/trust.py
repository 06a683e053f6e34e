"""Trust configuration: J-LIS CA anchors and CVC issuer keys, each pinned by SHA-256.

Anchors live in ``<data dir>/trust/`` and are listed in ``<data dir>/trust/trust.toml``
with their fingerprints; a file whose hash no longer matches its pin is refused.
The emulator's TEST ONLY anchors are used only when the card is the emulator, and a
terminal reading real cards refuses to verify with them.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from counterapp.resources import resource_path

TRUST_DIR = "trust"
TRUST_FILE = "trust.toml"
TEST_ONLY_MARK = "TEST ONLY"


class TrustError(Exception):
    """The trust configuration is missing, tampered with or unsafe."""

    message_key = "trust.invalid"


@dataclass(frozen=True)
class TrustConfig:
    """Anchors for the JPKI chain and issuer keys for the Kenhojo CVC."""

    anchors: tuple[x509.Certificate, ...]
    cvc_issuer_keys: dict[bytes, rsa.RSAPublicKey] = field(default_factory=dict)
    test_only: bool = False

    def generation_of(self, anchor: x509.Certificate) -> str:
        """Name a CA generation by its validity start (e.g. '2023'), since DNs are shared."""
        return f"{anchor.not_valid_before_utc:%Y}"


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def known_fingerprints() -> dict[str, str]:
    """Published J-LIS CA fingerprints shipped with the terminal: sha256 → name."""
    data = tomllib.loads(resource_path("trust", "jlis-known-fingerprints.toml").read_text("utf-8"))
    return {entry["sha256"].lower(): entry["name"] for entry in data["ca"]}


def is_test_only(cert: x509.Certificate) -> bool:
    return TEST_ONLY_MARK in cert.subject.rfc4514_string()


def load_certificate(data: bytes) -> x509.Certificate:
    """DER or PEM certificate; TrustError if neither."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise TrustError("not an X.509 certificate") from exc


def load_trust(data_dir: Path) -> TrustConfig:
    """Read and check every pinned file listed in the terminal's trust store."""
    folder = data_dir / TRUST_DIR
    path = folder / TRUST_FILE
    if not path.exists():
        return TrustConfig(anchors=())
    try:
        listing = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TrustError(f"cannot read {path}: {exc}") from exc
    anchors = tuple(
        load_certificate(_read_pinned(folder, entry)) for entry in listing.get("anchor", [])
    )
    keys = {
        bytes.fromhex(entry["key_id"]): _load_public_key(_read_pinned(folder, entry))
        for entry in listing.get("cvc_issuer", [])
    }
    return TrustConfig(anchors, keys, test_only=any(is_test_only(a) for a in anchors))


def _read_pinned(folder: Path, entry: dict[str, str]) -> bytes:
    try:
        data = (folder / entry["file"]).read_bytes()
        pin = entry["sha256"].lower()
    except (KeyError, OSError) as exc:
        raise TrustError(f"trust entry {entry!r} is unusable: {exc}") from exc
    if fingerprint(data) != pin:
        raise TrustError(f"{entry['file']} does not match its pinned SHA-256")
    return data


def _load_public_key(data: bytes) -> rsa.RSAPublicKey:
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise TrustError("CVC issuer key is not a PEM public key") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise TrustError("CVC issuer key is not RSA")
    return key


def install_anchor(data_dir: Path, data: bytes, *, confirmed_sha256: str | None = None) -> str:
    """Install a CA certificate if its fingerprint is known or explicitly confirmed.

    Returns the fingerprint. The certificate is stored as DER under its fingerprint
    and appended to trust.toml with its pin.
    """
    cert = load_certificate(data)
    der = cert.public_bytes(serialization.Encoding.DER)
    digest = fingerprint(der)
    if digest not in known_fingerprints() and (confirmed_sha256 or "").lower() != digest:
        raise TrustError(
            f"unknown CA fingerprint {digest}; compare it with J-LIS's published value "
            "and pass it with --confirm-sha256 to install"
        )
    if is_test_only(cert):
        raise TrustError("refusing to install a TEST ONLY certificate as a trust anchor")
    _basic_ca_checks(cert)
    folder = data_dir / TRUST_DIR
    folder.mkdir(parents=True, exist_ok=True)
    name = f"anchor-{digest[:16]}.der"
    (folder / name).write_bytes(der)
    listing = folder / TRUST_FILE
    existing = listing.read_text("utf-8") if listing.exists() else ""
    if digest not in existing:
        entry = f'\n[[anchor]]\nfile = "{name}"\nsha256 = "{digest}"\n'
        listing.write_text(existing + entry, encoding="utf-8")
    return digest


def _basic_ca_checks(cert: x509.Certificate) -> None:
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound as exc:
        raise TrustError("certificate is not a CA (no basic constraints)") from exc
    if not constraints.ca:
        raise TrustError("certificate is not a CA")
