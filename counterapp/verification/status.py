"""Which J-LIS CA generations and CVC issuer keys this terminal has (``trust status``)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from counterapp.verification.shipped import (
    Generation,
    ShippedTrust,
    is_jlis_test_hierarchy,
    is_test_key_id,
    key_id_label,
    shipped_trust,
)
from counterapp.verification.trust import TrustConfig, fingerprint


class GenerationState(enum.StrEnum):
    INSTALLED = "installed"
    EXPIRED = "expired"  # installed, kept to check signatures made while it was valid
    MISSING = "missing"


@dataclass(frozen=True)
class GenerationStatus:
    generation: Generation
    state: GenerationState
    in_force: bool  # cards may chain to it today
    shipped: bool
    sha256: str | None

    def to_json(self) -> dict[str, Any]:
        g = self.generation
        return {
            "kind": g.kind,
            "generation": g.number,
            "state": self.state.value,
            "in_force": self.in_force,
            "shipped": self.shipped,
            "serial": _even_hex(g.serial),
            "valid_from": g.valid_from.isoformat(),
            "valid_until": g.valid_until.isoformat(),
            "sha256": self.sha256,
            "install_file": g.install_file,
        }


@dataclass(frozen=True)
class CvcKeyStatus:
    key_id: bytes
    name: str
    shipped: bool
    test: bool
    used_for: str

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "key_id": self.key_id.hex(),
            "shipped": self.shipped,
            "test": self.test,
            "used_for": self.used_for,
        }


@dataclass(frozen=True)
class TrustStatus:
    generations: tuple[GenerationStatus, ...]
    cvc_keys: tuple[CvcKeyStatus, ...]
    other_anchors: tuple[x509.Certificate, ...]  # added anchors that are no J-LIS generation

    @property
    def missing_in_force(self) -> tuple[GenerationStatus, ...]:
        return tuple(
            g for g in self.generations if g.state is GenerationState.MISSING and g.in_force
        )

    @property
    def expired(self) -> tuple[GenerationStatus, ...]:
        return tuple(g for g in self.generations if g.state is GenerationState.EXPIRED)

    def to_json(self) -> dict[str, Any]:
        return {
            "generations": [g.to_json() for g in self.generations],
            "cvc_issuer_keys": [k.to_json() for k in self.cvc_keys],
            "other_anchors": [
                {
                    "subject": a.subject.rfc4514_string(),
                    "sha256": _sha256(a),
                    "test": is_jlis_test_hierarchy(a),
                }
                for a in self.other_anchors
            ],
        }


def _even_hex(number: int) -> str:
    digits = f"{number:X}"
    return digits.rjust(len(digits) + len(digits) % 2, "0")


def trust_status(config: TrustConfig, today: dt.date) -> TrustStatus:
    """Every published generation of each kind, and every CVC issuer key, as of ``today``."""
    shipped = shipped_trust()
    generations = tuple(_generation_status(shipped, g, config, today) for g in shipped.generations)
    matched = {_sha256(a) for a in config.anchors if _generation_of(shipped, a) is not None}
    others = tuple(a for a in config.anchors if _sha256(a) not in matched)
    return TrustStatus(generations, _cvc_keys(shipped, config), others)


def _sha256(cert: x509.Certificate) -> str:
    return fingerprint(cert.public_bytes(serialization.Encoding.DER))


def _generation_of(shipped: ShippedTrust, cert: x509.Certificate) -> Generation | None:
    kind = shipped.kind_of_name(cert.subject)
    return next(
        (g for g in shipped.generations if g.kind == kind and g.serial == cert.serial_number),
        None,
    )


def _generation_status(
    shipped: ShippedTrust, generation: Generation, config: TrustConfig, today: dt.date
) -> GenerationStatus:
    anchor = next((a for a in config.anchors if _generation_of(shipped, a) == generation), None)
    in_force = generation.valid_from <= today <= generation.valid_until
    if anchor is None:
        state = GenerationState.MISSING
    elif today > generation.valid_until:
        state = GenerationState.EXPIRED
    else:
        state = GenerationState.INSTALLED
    is_shipped = any(
        a.kind == generation.kind and a.generation == generation.number for a in shipped.anchors
    )
    digest = _sha256(anchor) if anchor is not None else generation.sha256
    return GenerationStatus(generation, state, in_force, is_shipped, digest)


def _cvc_keys(shipped: ShippedTrust, config: TrustConfig) -> tuple[CvcKeyStatus, ...]:
    by_id = {key.key_id: key for key in shipped.cvc_keys}
    return tuple(
        CvcKeyStatus(
            key_id,
            by_id[key_id].name if key_id in by_id else key_id_label(key_id),
            key_id in by_id,
            is_test_key_id(key_id),
            by_id[key_id].used_for if key_id in by_id else "added by the administrator",
        )
        for key_id in config.cvc_issuer_keys
    )
