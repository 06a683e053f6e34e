"""The audit log's HMAC key: kept where the vault's master key is kept, never in the database.

Someone who can write ``counterapp.db`` can rebuild a plain hash chain; without this key
they cannot make an entry (or the chain's tip) that ``audit verify`` accepts. The key lives
in the OS key store (Windows Credential Manager through ``keyring``) or, with
``key_store = "file"``, in a 0600 file beside the master key: a separate secret, so a
lost master key (crypto-shredded forms) never makes the audit log unverifiable.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path

from counterapp import keystore

KEY_BYTES = 32
KEY_FILE = Path("keys") / "audit.key"


class AuditKeyError(Exception):
    """The audit key cannot be had."""

    message_key = "vault.unavailable"


@dataclass(frozen=True)
class AuditKey:
    secret: bytes
    created: bool  # made by this call: entries already in the log were written without it

    def __repr__(self) -> str:
        return "AuditKey(…)"


def open_audit_key(data_dir: Path, preference: str = "auto") -> AuditKey:
    """The data folder's audit key, created on first use."""
    if preference in ("auto", "keyring") and keystore.keyring_usable():
        return _from_keyring(data_dir)
    if preference == "keyring":
        raise AuditKeyError("no OS key store is available (setting key_store = 'keyring')")
    return _from_file(data_dir / KEY_FILE)


def _from_keyring(data_dir: Path) -> AuditKey:
    folder = hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:16]
    user = f"audit-key:{folder}"
    created = False
    try:
        stored = keystore.read_secret(user)
        if stored is None:
            stored = base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()
            keystore.write_secret(user, stored)
            created = True
    except keystore.KeyStoreRefused as exc:
        raise AuditKeyError(f"the OS key store refused access: {exc}") from exc
    return AuditKey(_decoded(stored), created)


def _from_file(path: Path) -> AuditKey:
    created = not path.exists() and _create_key_file(path)
    if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise AuditKeyError(f"{path} is readable by other users: run 'chmod 600 {path}'")
    return AuditKey(_decoded(path.read_text(encoding="ascii").strip()), created)


def _create_key_file(path: Path) -> bool:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:  # O_EXCL: two processes starting at once must not each write a different key
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(base64.b64encode(secrets.token_bytes(KEY_BYTES)))
        handle.flush()
        os.fsync(handle.fileno())
    return True


def _decoded(text: str) -> bytes:
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError as exc:
        raise AuditKeyError("the stored audit key is not valid base64") from exc
    if len(key) != KEY_BYTES:
        raise AuditKeyError("the stored audit key has the wrong length")
    return key
