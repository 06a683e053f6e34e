"""The trust material shipped in ``resources/trust/``: J-LIS CA anchors, CVC issuer keys,
and the list of every CA generation J-LIS has published.

Loaded read-only from the installed package and checked against the SHA-256 pins of
``shipped.toml``; nothing in the data folder can replace it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from counterapp.resources import resource_path

MANIFEST = "shipped.toml"
CVC_KEY_ID_SIZE = 16
TEST_KEY_ID_PREFIX = ord("6")  # J-LIS test cards: 6000xxx (production ids start with "5")
JLIS_TEST_ORGANIZATION = "JPKI-TEST"


class ShippedTrustError(Exception):
    """A shipped file does not match its pin: the installation is damaged."""

    message_key = "trust.invalid"


@dataclass(frozen=True)
class ShippedAnchor:
    certificate: x509.Certificate
    kind: str  # "auth" or "sign"
    generation: int
    sha256: str


@dataclass(frozen=True)
class Generation:
    """One J-LIS CA generation, whether this terminal has it or not."""

    kind: str
    number: int
    serial: int
    valid_from: dt.date
    valid_until: dt.date
    install_file: str  # the file name J-LIS publishes it under
    sha256: str | None  # the published fingerprint, where one is known


@dataclass(frozen=True)
class CvcIssuerKey:
    name: str  # the printable part of the key id, e.g. "5000033"
    key_id: bytes
    key: rsa.RSAPublicKey
    used_for: str


@dataclass(frozen=True)
class ShippedTrust:
    anchors: tuple[ShippedAnchor, ...]
    generations: tuple[Generation, ...]
    cvc_keys: tuple[CvcIssuerKey, ...]

    def ca_name(self, kind: str) -> x509.Name:
        """The DN every generation of ``kind`` shares."""
        return next(a.certificate.subject for a in self.anchors if a.kind == kind)

    def kind_of_name(self, name: x509.Name) -> str | None:
        """ "auth" or "sign" when ``name`` is a J-LIS CA's DN, else None."""
        return next((a.kind for a in self.anchors if a.certificate.subject == name), None)


def der_sha256(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def public_key_der(key: rsa.RSAPublicKey) -> bytes:
    return key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def key_id_label(key_id: bytes) -> str:
    """A key id as people read it: its printable ASCII start, then all 16 bytes in hex."""
    printable = bytes(b for b in key_id.split(b"\x08")[0] if 0x20 < b < 0x7F).decode("ascii")
    return f"{printable} ({key_id.hex()})" if printable else key_id.hex()


def is_test_key_id(key_id: bytes) -> bool:
    return bool(key_id) and key_id[0] == TEST_KEY_ID_PREFIX


def is_jlis_test_hierarchy(cert: x509.Certificate) -> bool:
    """A CA of J-LIS's test cards (O=JPKI-TEST): trusted only on a lab PC."""
    names = cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
    return any(attr.value == JLIS_TEST_ORGANIZATION for attr in names)


@cache
def shipped_trust() -> ShippedTrust:
    """Read and check the shipped manifest (once per process)."""
    manifest = tomllib.loads(resource_path("trust", MANIFEST).read_text("utf-8"))
    return ShippedTrust(
        anchors=tuple(_anchor(entry) for entry in manifest["anchor"]),
        generations=tuple(_generation(entry) for entry in manifest["generation"]),
        cvc_keys=tuple(_cvc_key(entry) for entry in manifest["cvc_issuer"]),
    )


def _pinned_file(entry: dict[str, Any]) -> bytes:
    return resource_path("trust", entry["file"]).read_bytes()


def _anchor(entry: dict[str, Any]) -> ShippedAnchor:
    cert = x509.load_pem_x509_certificate(_pinned_file(entry))
    digest = der_sha256(cert.public_bytes(serialization.Encoding.DER))
    if digest != entry["sha256"]:
        raise ShippedTrustError(f"shipped {entry['file']} does not match its pinned SHA-256")
    return ShippedAnchor(cert, entry["kind"], entry["generation"], digest)


def _generation(entry: dict[str, Any]) -> Generation:
    return Generation(
        kind=entry["kind"],
        number=entry["number"],
        serial=int(entry["serial"], 16),
        valid_from=entry["valid_from"],
        valid_until=entry["valid_until"],
        install_file=entry.get("file", f"{entry['kind']}ca{entry['number']:02d}.cer"),
        sha256=entry.get("sha256"),
    )


def _cvc_key(entry: dict[str, Any]) -> CvcIssuerKey:
    key = serialization.load_pem_public_key(_pinned_file(entry))
    if not isinstance(key, rsa.RSAPublicKey) or der_sha256(public_key_der(key)) != entry["sha256"]:
        raise ShippedTrustError(f"shipped {entry['file']} does not match its pinned SHA-256")
    key_id = bytes.fromhex(entry["key_id"])
    if len(key_id) != CVC_KEY_ID_SIZE:
        raise ShippedTrustError(f"shipped key id of {entry['name']} is not 16 bytes")
    return CvcIssuerKey(entry["name"], key_id, key, entry["used_for"])
