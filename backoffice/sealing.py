"""The back office's sealing key: terminals seal every form to its public half at enqueue.

A terminal that has lost its own master key (a removed key file, another Windows user, a
reinstalled PC) can still deliver its queued forms sealed to this key; only the back office
opens them (``counterapp.wire.sealing``). The private key is a 0600 PEM file in the data
folder, made on first use; the public key goes out with each terminal's enrolment files
(``backoffice ca issue-terminal``) and is served at ``/v1/sealing-key``.
"""

from __future__ import annotations

import base64
import binascii
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from counterapp.wire.schema import SealedItem, SubmissionItem
from counterapp.wire.sealing import SealError, key_id, open_sealed, public_pem

KEY_FILE = Path("sealing") / "sealing.key"
PUBLIC_FILE_NAME = "sealing.pem"


class SealingKeyError(Exception):
    """The sealing key file exists but cannot be read: exit code 4."""


def load_or_create(data_dir: Path) -> X25519PrivateKey:
    """The back office's private sealing key, created (0600) the first time."""
    path = data_dir / KEY_FILE
    if not path.exists():
        _create(path)
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise SealingKeyError(f"{path}: cannot read the sealing key") from exc
    if not isinstance(key, X25519PrivateKey):
        raise SealingKeyError(f"{path}: not an X25519 key")
    return key


def write_public(data_dir: Path, out_dir: Path) -> Path:
    """Write the public key for a terminal's enrolment files; return its path."""
    target = out_dir / PUBLIC_FILE_NAME
    target.write_bytes(public_pem(load_or_create(data_dir).public_key()))
    return target


def open_item(private: X25519PrivateKey, item: SealedItem) -> SubmissionItem:
    """The form inside a sealed copy; SealError if it does not open or is not that form."""
    if item.key_id != key_id(private.public_key()):
        raise SealError("sealed to another back-office key")
    try:
        sealed = base64.b64decode(item.sealed, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise SealError("not base64") from exc
    plaintext = open_sealed(private, sealed, item.client_id)
    try:
        inner = SubmissionItem.model_validate_json(plaintext)
    except ValueError as exc:
        raise SealError("the sealed copy holds no valid form") from exc
    if inner.client_id != item.client_id:
        raise SealError("the sealed copy belongs to another form")
    return inner


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    pem = X25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:  # O_EXCL: two workers starting at once must not each make a different key
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
