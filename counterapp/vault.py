"""Encryption at rest: AES-256-GCM per field, one data key per record, one master key.

Each queued record (a form) gets its own random data key, stored only wrapped by the
terminal's master key. Dropping the wrapped key makes that record's ciphertext unreadable
for good (crypto-shredding), which is how personal data leaves the terminal after the back
office has acknowledged it. The master key lives in the OS key store (Windows Credential
Manager through ``keyring``) or, where there is none, in a 0600 key file: the weaker option,
reported by ``counterapp doctor``.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from counterapp import keystore

KEY_BYTES = 32
NONCE_BYTES = 12
KEY_FILE = Path("keys") / "master.key"


class KeyStoreKind(enum.StrEnum):
    KEYRING = "keyring"
    FILE = "file"


class VaultError(Exception):
    """The master key cannot be had, or stored data does not decrypt (damaged or shredded)."""

    message_key = "vault.unavailable"


class DecryptionFailed(VaultError):
    message_key = "vault.damaged"


class KeyMissing(VaultError):
    """The master key that sealed this terminal's data is not in the key store any more."""

    message_key = "vault.key_missing"


class KeyMismatch(VaultError):
    """The key store holds a master key, but not the one that sealed this terminal's data."""

    message_key = "vault.key_mismatch"


@dataclass(frozen=True)
class Vault:
    """Wraps record keys with the master key and encrypts field values with record keys."""

    master_key: bytes
    kind: KeyStoreKind
    location: str  # where the master key is kept, for ``doctor`` (never the key itself)

    def __repr__(self) -> str:
        return f"Vault({self.kind.value}, {self.location})"

    @property
    def check_value(self) -> str:
        """Names the master key without revealing it: recorded in the database it sealed."""
        return hmac.new(self.master_key, b"counterapp master key check", "sha256").hexdigest()[:32]

    def new_record_key(self, record_id: str) -> tuple[bytes, bytes]:
        """A fresh data key for a record, and the same key wrapped for storage."""
        key = AESGCM.generate_key(bit_length=256)
        return key, seal(self.master_key, key, f"record-key\x1f{record_id}")

    def record_key(self, record_id: str, wrapped: bytes) -> bytes:
        """Unwrap a stored record key."""
        return unseal(self.master_key, wrapped, f"record-key\x1f{record_id}")


def field_context(record_id: str, field_id: str) -> str:
    """Associated data of one field: a value moved to another record or field fails to open."""
    return f"{record_id}\x1f{field_id}"


def seal(key: bytes, plaintext: bytes, context: str) -> bytes:
    """AES-256-GCM: nonce || ciphertext+tag, bound to ``context`` as associated data."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, context.encode())


def unseal(key: bytes, sealed: bytes, context: str) -> bytes:
    """Open what ``seal`` made; a changed byte or a wrong context raises DecryptionFailed."""
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], context.encode())
    except (InvalidTag, ValueError) as exc:
        raise DecryptionFailed("stored data does not decrypt: damaged or altered") from exc


def open_vault(
    data_dir: Path, terminal_id: str, preference: str = "auto", *, create: bool = True
) -> Vault:
    """The terminal's master key: from the OS key store, else from the key file.

    With ``create=False`` a missing key raises KeyMissing instead of being made anew.
    """
    if preference in ("auto", "keyring") and keystore.keyring_usable():
        return _from_keyring(data_dir, terminal_id, create)
    if preference == "keyring":
        raise VaultError("no OS key store is available (setting key_store = 'keyring')")
    return _from_file(data_dir / KEY_FILE, create)


def forget_key(data_dir: Path, terminal_id: str, preference: str = "auto") -> None:
    """Remove the master key from its store (``counterapp keys reset`` makes a new one)."""
    if preference in ("auto", "keyring") and keystore.keyring_usable():
        try:
            keystore.delete_secret(_keyring_user(data_dir, terminal_id))
        except keystore.KeyStoreRefused as exc:
            raise VaultError(f"the OS key store refused access: {exc}") from exc
        return
    (data_dir / KEY_FILE).unlink(missing_ok=True)


def _keyring_user(data_dir: Path, terminal_id: str) -> str:
    folder = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    return f"master-key:{terminal_id}:{folder}"


def _from_keyring(data_dir: Path, terminal_id: str, create: bool) -> Vault:
    user = _keyring_user(data_dir, terminal_id)
    try:
        stored = keystore.read_secret(user)
        if stored is None and not create:
            raise KeyMissing(f"no master key in the OS key store ({keystore.SERVICE}/{user})")
        if stored is None:
            stored = base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()
            keystore.write_secret(user, stored)
    except keystore.KeyStoreRefused as exc:
        raise VaultError(f"the OS key store refused access: {exc}") from exc
    return Vault(_decoded(stored), KeyStoreKind.KEYRING, f"{keystore.SERVICE}/{user}")


def _from_file(path: Path, create: bool) -> Vault:
    if not path.exists() and not create:
        raise KeyMissing(f"the master key file {path} is missing")
    if not path.exists():
        _create_key_file(path)
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise VaultError(f"{path} is readable by other users: run 'chmod 600 {path}'")
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise VaultError(f"{path} cannot be read as a key file: {type(exc).__name__}") from exc
    return Vault(_decoded(text), KeyStoreKind.FILE, str(path))


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    encoded = base64.b64encode(AESGCM.generate_key(bit_length=256))
    # O_EXCL: two processes starting at once must not each write a different key.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(encoded)
        handle.flush()
        os.fsync(handle.fileno())


def _decoded(text: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise VaultError("the stored master key is not valid base64") from exc
    if len(key) != KEY_BYTES:
        raise VaultError("the stored master key has the wrong length")
    return key
