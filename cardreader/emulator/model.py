"""The data a virtual card runs on: applications, files, secrets and keys.

``cardreader.emulator.card.VirtualCard`` executes APDUs against a ``CardProfile``;
``cardreader.emulator.scenarios`` builds profiles from a test resident and the
test PKI. Secrets are EF ids (``0x0018`` auth PIN, ...), exactly as on the card.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey


@dataclass
class Secret:
    """A PIN-like key reference with its own retry counter (``max_tries`` None: no limit)."""

    ef: int
    value: bytes
    max_tries: int | None = 3
    tries_left: int | None = 3


@dataclass(frozen=True)
class EmulatedFile:
    """A transparent EF. ``content`` is followed by ``padding`` up to ``size``.

    ``read_requires``: secrets (EF ids) any one of which must be verified to read
    it; empty means no secret is needed.
    """

    ef: int
    content: bytes
    size: int | None = None
    padding: int = 0xFF
    read_requires: frozenset[int] = frozenset()

    @property
    def physical(self) -> bytes:
        """The bytes a READ BINARY sees, filler included."""
        size = self.size if self.size is not None else len(self.content)
        return self.content + bytes([self.padding]) * (size - len(self.content))


@dataclass(frozen=True)
class SigningKey:
    """A private key EF usable with COMPUTE SIGNATURE (80 2A) once ``requires`` is verified."""

    ef: int
    key: RSAPrivateKey
    requires: int | None


@dataclass
class Application:
    """One DF selected by AID."""

    name: str
    aid: bytes
    files: dict[int, EmulatedFile] = field(default_factory=dict)
    secrets: dict[int, Secret] = field(default_factory=dict)
    keys: dict[int, SigningKey] = field(default_factory=dict)


@dataclass
class CardProfile:
    """Everything a virtual card holds."""

    atr: bytes
    applications: list[Application]
    # APDUs answered before the card vanishes (the removed-mid-read scenario).
    remove_after: int | None = None
    # Whether the (emulated) reader passes extended-length APDUs.
    extended_length: bool = True
