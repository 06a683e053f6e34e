"""Trust configuration: J-LIS CA anchors and CVC issuer keys, each pinned by SHA-256.

The shipped anchors and keys come read-only from the package (``shipped.py``). The
operator may add more in ``<data dir>/trust/``, listed in ``<data dir>/trust/trust.toml``
with their fingerprints; a file whose hash no longer matches its pin is refused, and an
added key can never stand in for a shipped key id. The emulator's TEST ONLY anchors are
used only when the card is the emulator, and a terminal reading real cards refuses them.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from counterapp.resources import resource_path
from counterapp.verification.shipped import (
    ShippedTrustError,
    is_jlis_test_hierarchy,
    is_test_key_id,
    key_id_label,
    shipped_trust,
)

TRUST_DIR = "trust"
TRUST_FILE = "trust.toml"
TEST_ONLY_MARK = "TEST ONLY"


class TrustError(Exception):
    """The trust configuration is missing, tampered with or unsafe."""

    message_key = "trust.invalid"


@dataclass(frozen=True)
class TrustConfig:
    """Anchors for the JPKI chain and issuer keys for the Kenhojo/Kenkaku CVCs."""

    anchors: tuple[x509.Certificate, ...]
    cvc_issuer_keys: dict[bytes, rsa.RSAPublicKey] = field(default_factory=dict)
    test_only: bool = False
    # The operator installed anchors of their own: they, not the emulator's test ones, decide.
    operator_configured: bool = False

    def generation_of(self, anchor: x509.Certificate) -> str:
        """Name a CA generation by its validity start (e.g. '2023'), since DNs are shared."""
        return f"{anchor.not_valid_before_utc:%Y}"

    def without_test_hierarchies(self) -> TrustConfig:
        """Leave out J-LIS test-card CAs (O=JPKI-TEST) and test CVC keys (6000xxx)."""
        anchors = tuple(a for a in self.anchors if not is_jlis_test_hierarchy(a))
        keys = {k: v for k, v in self.cvc_issuer_keys.items() if not is_test_key_id(k)}
        return replace(self, anchors=anchors, cvc_issuer_keys=keys, test_only=_is_test(anchors))


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def known_fingerprints() -> dict[str, str]:
    """Published J-LIS CA fingerprints shipped with the terminal: sha256 → name."""
    data = tomllib.loads(resource_path("trust", "jlis-known-fingerprints.toml").read_text("utf-8"))
    return {entry["sha256"].lower(): entry["name"] for entry in data["ca"]}


def is_test_only(cert: x509.Certificate) -> bool:
    return TEST_ONLY_MARK in cert.subject.rfc4514_string()


def _is_test(anchors: tuple[x509.Certificate, ...]) -> bool:
    return any(is_test_only(a) or is_jlis_test_hierarchy(a) for a in anchors)


def load_certificate(data: bytes) -> x509.Certificate:
    """DER or PEM certificate; TrustError if neither."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise TrustError("not an X.509 certificate") from exc


def load_public_key(data: bytes) -> rsa.RSAPublicKey:
    """A DER or PEM RSA public key; TrustError if neither."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            key = serialization.load_pem_public_key(data)
        else:
            key = serialization.load_der_public_key(data)
    except ValueError as exc:
        raise TrustError("CVC issuer key is not a public key") from exc
    if not isinstance(key, rsa.RSAPublicKey):
        raise TrustError("CVC issuer key is not RSA")
    return key


@dataclass(frozen=True)
class AddedTrust:
    """What the operator installed in the data folder."""

    anchors: tuple[x509.Certificate, ...] = ()
    cvc_issuer_keys: dict[bytes, rsa.RSAPublicKey] = field(default_factory=dict)


def load_added(data_dir: Path) -> AddedTrust:
    """Read and check every pinned file listed in the data folder's trust store."""
    folder = data_dir / TRUST_DIR
    path = folder / TRUST_FILE
    if not path.exists():
        return AddedTrust()
    try:
        listing = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TrustError(f"cannot read {path}: {exc}") from exc
    anchors = tuple(
        load_certificate(_read_pinned(folder, entry)) for entry in listing.get("anchor", [])
    )
    keys = {
        bytes.fromhex(entry["key_id"]): load_public_key(_read_pinned(folder, entry))
        for entry in listing.get("cvc_issuer", [])
    }
    return AddedTrust(anchors, keys)


def load_trust(data_dir: Path) -> TrustConfig:
    """The shipped anchors and keys plus what the operator added, every file pin-checked."""
    try:
        shipped = shipped_trust()
    except (OSError, ValueError, KeyError, ShippedTrustError) as exc:
        raise TrustError(f"the shipped trust material is damaged: {exc}") from exc
    added = load_added(data_dir)
    keys = {key.key_id: key.key for key in shipped.cvc_keys}
    for key_id, key in added.cvc_issuer_keys.items():
        if key_id in keys and keys[key_id].public_numbers() != key.public_numbers():
            raise TrustError(
                f"{TRUST_FILE} lists another key for the shipped CVC issuer {key_id_label(key_id)}"
            )
        keys[key_id] = key
    shipped_anchors = tuple(a.certificate for a in shipped.anchors)
    anchors = shipped_anchors + tuple(a for a in added.anchors if a not in shipped_anchors)
    return TrustConfig(
        anchors, keys, test_only=_is_test(anchors), operator_configured=bool(added.anchors)
    )


def _read_pinned(folder: Path, entry: dict[str, str]) -> bytes:
    try:
        data = (folder / entry["file"]).read_bytes()
        pin = entry["sha256"].lower()
    except (KeyError, OSError) as exc:
        raise TrustError(f"trust entry {entry!r} is unusable: {exc}") from exc
    if fingerprint(data) != pin:
        raise TrustError(f"{entry['file']} does not match its pinned SHA-256")
    return data
