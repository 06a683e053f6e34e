"""Sealing a form for the back office, so a terminal that loses its own key loses no form.

At enqueue the terminal seals each form's wire item to the back office's public X25519 key
(pinned at enrolment): an ephemeral X25519 key agreement, HKDF-SHA256 and AES-256-GCM, the
hybrid construction of HPKE (RFC 9180, base mode) built from ``cryptography``'s primitives.
Only the back office's private key opens it. The form's id is bound in as associated data,
so a sealed copy moved to another form's id does not open.

Layout: version (1 byte) || ephemeral public key (32) || nonce (12) || ciphertext+tag.
"""

from __future__ import annotations

import hashlib
import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

VERSION = b"\x01"
_INFO = b"counterapp sealed form v1"
_KEY_BYTES = 32
_NONCE_BYTES = 12
_HEADER = len(VERSION) + _KEY_BYTES + _NONCE_BYTES


class SealError(ValueError):
    """A sealed copy that does not open: another key, a changed byte, another form's id."""

    message_key = "submission.sealed_unreadable"


def key_id(public: X25519PublicKey) -> str:
    """A short fingerprint of the back office's public key (hex), sent with each sealed copy."""
    return hashlib.sha256(public.public_bytes_raw()).hexdigest()[:32]


def seal_for(recipient: X25519PublicKey, plaintext: bytes, context: str) -> bytes:
    """Seal ``plaintext`` so that only the holder of ``recipient``'s private key opens it."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_raw = ephemeral.public_key().public_bytes_raw()
    key = _derive(ephemeral.exchange(recipient), ephemeral_raw, recipient.public_bytes_raw())
    nonce = secrets.token_bytes(_NONCE_BYTES)
    return VERSION + ephemeral_raw + nonce + AESGCM(key).encrypt(nonce, plaintext, context.encode())


def open_sealed(private: X25519PrivateKey, sealed: bytes, context: str) -> bytes:
    """Open what ``seal_for`` made; SealError if it was not sealed to this key for ``context``."""
    if len(sealed) <= _HEADER or sealed[:1] != VERSION:
        raise SealError("not a sealed copy of version 1")
    ephemeral_raw = sealed[1 : 1 + _KEY_BYTES]
    nonce = sealed[1 + _KEY_BYTES : _HEADER]
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_raw))
        key = _derive(shared, ephemeral_raw, private.public_key().public_bytes_raw())
        return AESGCM(key).decrypt(nonce, sealed[_HEADER:], context.encode())
    except (InvalidTag, ValueError) as exc:
        raise SealError("the sealed copy does not open with this key") from exc


def public_pem(public: X25519PublicKey) -> bytes:
    """The public key as PEM (SubjectPublicKeyInfo), as the back office publishes it."""
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_pem(data: bytes) -> X25519PublicKey:
    """Read a published key; SealError if it is not an X25519 public key."""
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError as exc:
        raise SealError("not a PEM public key") from exc
    if not isinstance(key, X25519PublicKey):
        raise SealError("the back office's sealing key is not an X25519 key")
    return key


def _derive(shared: bytes, ephemeral_raw: bytes, recipient_raw: bytes) -> bytes:
    info = _INFO + ephemeral_raw + recipient_raw
    return HKDF(algorithm=hashes.SHA256(), length=_KEY_BYTES, salt=None, info=info).derive(shared)
