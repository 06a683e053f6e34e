"""Certificates as the terminal and the back office show and load them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes

# What cryptography raises, at load time or lazily on access, for a garbled certificate.
_UNPARSABLE = (
    ValueError,
    UnsupportedAlgorithm,
    x509.UnsupportedGeneralNameType,
    x509.InvalidVersion,
    x509.DuplicateExtension,
)


class UnreadableCertificate(ValueError):
    """The bytes are not a DER X.509 certificate cryptography can use."""


@dataclass(frozen=True)
class CertificateSummary:
    """What a clerk or IT staff needs to know about a certificate."""

    subject: str
    issuer: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    sha256: str

    @classmethod
    def of(cls, cert: x509.Certificate) -> CertificateSummary:
        return cls(
            subject=cert.subject.rfc4514_string(),
            issuer=cert.issuer.rfc4514_string(),
            serial=f"{cert.serial_number:X}",
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            sha256=cert.fingerprint(hashes.SHA256()).hex(),
        )


def load_der_certificate(der: bytes) -> x509.Certificate:
    """A DER X.509 certificate, fully decoded; UnreadableCertificate if it is not one."""
    try:
        cert = x509.load_der_x509_certificate(der)
        # cryptography decodes these lazily: touch them so a garbled certificate fails here.
        _ = (cert.subject, cert.issuer, cert.extensions, cert.signature_algorithm_oid)
        cert.public_key()
    except _UNPARSABLE as exc:
        raise UnreadableCertificate("not a DER X.509 certificate") from exc
    return cert
