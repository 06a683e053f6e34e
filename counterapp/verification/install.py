"""Adding trust to the data folder: CA certificates and CVC issuer keys, each pinned.

Something is installed only when its SHA-256 is a published value shipped with the
terminal or the administrator typed it (``--confirm-sha256``) after comparing it with
J-LIS's publication. Files are stored as DER under their fingerprint and listed in
``trust.toml`` with their pin; a shipped anchor or key is never replaced.
"""

from __future__ import annotations

import tomllib
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from counterapp.verification.shipped import (
    CVC_KEY_ID_SIZE,
    key_id_label,
    public_key_der,
    shipped_trust,
)
from counterapp.verification.trust import (
    TRUST_DIR,
    TRUST_FILE,
    TrustError,
    fingerprint,
    is_test_only,
    known_fingerprints,
    load_added,
    load_certificate,
    load_public_key,
)

MIN_RSA_BITS = 2048


def install_anchor(data_dir: Path, data: bytes, *, confirmed_sha256: str | None = None) -> str:
    """Install a CA certificate if its fingerprint is known or explicitly confirmed.

    Returns the fingerprint. A certificate already shipped is not stored again.
    """
    cert = load_certificate(data)
    der = cert.public_bytes(serialization.Encoding.DER)
    digest = fingerprint(der)
    if any(anchor.sha256 == digest for anchor in shipped_trust().anchors):
        return digest
    if digest not in known_fingerprints() and (confirmed_sha256 or "").lower() != digest:
        raise TrustError(
            f"unknown CA fingerprint {digest}; compare it with J-LIS's published value "
            "and pass it with --confirm-sha256 to install"
        )
    if is_test_only(cert):
        raise TrustError("refusing to install a TEST ONLY certificate as a trust anchor")
    _basic_ca_checks(cert)
    _store(data_dir, "anchor", f"anchor-{digest[:16]}.der", der, {})
    return digest


def _basic_ca_checks(cert: x509.Certificate) -> None:
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound as exc:
        raise TrustError("certificate is not a CA (no basic constraints)") from exc
    if not constraints.ca:
        raise TrustError("certificate is not a CA")


@dataclass(frozen=True)
class CvcKeyInput:
    """One CVC issuer key to add: its full 16-byte key id and the RSA public key."""

    name: str
    key_id: bytes
    key: rsa.RSAPublicKey

    @property
    def sha256(self) -> str:
        return fingerprint(public_key_der(self.key))


def parse_cvc_key_file(data: bytes) -> list[CvcKeyInput]:
    """A TOML of ``[[cvc_issuer]]`` tables (name, key_id hex, modulus hex, exponent)."""
    try:
        entries = tomllib.loads(data.decode("utf-8")).get("cvc_issuer", [])
        return [_key_from_entry(entry) for entry in entries]
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise TrustError(f"not a CVC issuer key file: {exc}") from exc


def _key_from_entry(entry: dict[str, Any]) -> CvcKeyInput:
    try:
        numbers = rsa.RSAPublicNumbers(int(entry["exponent"]), int(entry["modulus"], 16))
        return cvc_key_input(entry["key_id"], numbers.public_key(), entry.get("name", ""))
    except (KeyError, TypeError, ValueError) as exc:
        raise TrustError(f"CVC issuer entry {entry.get('name', '?')!r} is unusable") from exc


def cvc_key_input(key_id_hex: str, key: rsa.RSAPublicKey | bytes, name: str = "") -> CvcKeyInput:
    """Check a key id (exactly 16 bytes, in hex) and an RSA key (≥ 2048 bits, PEM/DER bytes)."""
    try:
        key_id = bytes.fromhex(key_id_hex)
    except ValueError as exc:
        raise TrustError("the key id must be hexadecimal") from exc
    if len(key_id) != CVC_KEY_ID_SIZE:
        raise TrustError(f"the key id must be all {CVC_KEY_ID_SIZE} bytes (32 hex digits)")
    public = load_public_key(key) if isinstance(key, bytes) else key
    if public.key_size < MIN_RSA_BITS:
        raise TrustError("CVC issuer key is shorter than 2048 bits")
    return CvcKeyInput(name or key_id_label(key_id), key_id, public)


def install_cvc_keys(
    data_dir: Path, keys: Iterable[CvcKeyInput], confirmed: Collection[str]
) -> list[tuple[CvcKeyInput, str]]:
    """Install each key whose SHA-256 (of its DER SubjectPublicKeyInfo) was confirmed.

    Returns (key, "shipped" | "installed") per key; raises TrustError, installing
    nothing, when any key is unconfirmed or contradicts a shipped key id.
    """
    shipped = {key.key_id: key for key in shipped_trust().cvc_keys}
    added = load_added(data_dir).cvc_issuer_keys
    wanted = {digest.lower() for digest in confirmed}
    results, to_store = [], []
    for item in keys:
        known = shipped.get(item.key_id)
        if known is not None:
            if known.key.public_numbers() != item.key.public_numbers():
                raise TrustError(f"{known.name} is shipped with another key: refusing {item.name}")
            results.append((item, "shipped"))
            continue
        if (
            item.key_id in added
            and added[item.key_id].public_numbers() != item.key.public_numbers()
        ):
            raise TrustError(f"another key is already installed for {key_id_label(item.key_id)}")
        if item.sha256 not in wanted:
            raise TrustError(
                f"unconfirmed CVC issuer key {key_id_label(item.key_id)}, SHA-256 {item.sha256}; "
                "compare it with its source and pass it with --confirm-sha256 to install"
            )
        results.append((item, "installed"))
        to_store.append(item)
    for item in to_store:
        name = f"cvc-{item.key_id.hex()}.der"
        _store(
            data_dir, "cvc_issuer", name, public_key_der(item.key), {"key_id": item.key_id.hex()}
        )
    return results


def _store(data_dir: Path, table: str, name: str, der: bytes, extra: dict[str, str]) -> None:
    folder = data_dir / TRUST_DIR
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(der)
    listing = folder / TRUST_FILE
    existing = listing.read_text("utf-8") if listing.exists() else ""
    digest = fingerprint(der)
    if digest in existing:
        return
    fields = "".join(f'{key} = "{value}"\n' for key, value in extra.items())
    entry = f'\n[[{table}]]\nfile = "{name}"\nsha256 = "{digest}"\n{fields}'
    listing.write_text(existing + entry, encoding="utf-8")
