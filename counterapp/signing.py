"""Detached CMS (RFC 5652) signatures made with the My Number card's 署名用 (signing) key.

The card holds the key and applies PKCS#1 v1.5 padding to a DigestInfo; everything else
(signed attributes, SignedData) is built here. Checking a signature is the shared
package's job (``counterapp.wire.signatures``), the same code the back office runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Sequence

# Importing tsp also teaches asn1crypto.cms the ESS signingCertificateV2 attribute.
from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from cardreader.pin import PinKind
from cardreader.sessions import MyNumberCard
from cardreader.sessions.jpki import sha256_digest_info
from counterapp.interaction import Interaction
from counterapp.reading import verify_once
from counterapp.wire.signatures import (
    BadSignature,
    SignatureProblem,
    signed_attrs_der,
    verify_rsa_pkcs1v15,
)

SignDigestInfo = Callable[[bytes], bytes]

# RFC 5652 §11.3: UTCTime for 1950-2049, GeneralizedTime otherwise.
_UTC_TIME_YEARS = range(1950, 2050)


class CardSignatureFailed(SignatureProblem):
    """The card returned a signature that does not verify with its signing certificate."""

    message_key = "signature.card_failed"


# -- signing ------------------------------------------------------------------------------


def sign_detached(
    content: bytes,
    certificate: x509.Certificate,
    sign_digest_info: SignDigestInfo,
    signing_time: dt.datetime,
) -> bytes:
    """A DER CMS ContentInfo with a detached SignedData over ``content``, signed by the card."""
    cert = asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))
    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                name="issuer_and_serial_number",
                value={"issuer": cert.issuer, "serial_number": cert.serial_number},
            ),
            "digest_algorithm": {"algorithm": "sha256"},
            "signed_attrs": _signed_attributes(content, cert, signing_time),
            "signature_algorithm": {"algorithm": "rsassa_pkcs1v15"},
            "signature": b"",
        }
    )
    to_be_signed = signed_attrs_der(signer_info)
    signature = sign_digest_info(sha256_digest_info(to_be_signed))
    _check_card_signature(certificate, to_be_signed, signature)
    signer_info["signature"] = signature
    return _content_info(cert, signer_info)


def sign_with_card(
    card: MyNumberCard,
    interaction: Interaction,
    contents: Sequence[bytes],
    signing_time: dt.datetime,
) -> list[bytes]:
    """Sign each of ``contents`` with the card's signing key: one password entry, never retried."""
    jpki = card.jpki()
    verify_once(
        jpki.pin_status(PinKind.SIGNING),
        interaction,
        lambda pin, allow: jpki.verify_pin(PinKind.SIGNING, pin, allow_last_try=allow),
    )
    # The signing certificate carries the holder's name and address: the card only
    # releases it once the signing password is verified.
    certificate = jpki.read_signing_certificate()
    return [
        sign_detached(
            content,
            certificate,
            lambda digest_info: jpki.sign_digest_info(PinKind.SIGNING, digest_info),
            signing_time,
        )
        for content in contents
    ]


def _signed_attributes(
    content: bytes, cert: asn1_x509.Certificate, signing_time: dt.datetime
) -> cms.CMSAttributes:
    # asn1crypto sorts a SET OF by encoding on dump, as DER needs: OpenSSL re-encodes the
    # attributes before verifying, so an unsorted set would not verify there.
    return cms.CMSAttributes(
        [
            _attribute("content_type", "data"),
            _attribute("message_digest", hashlib.sha256(content).digest()),
            _attribute("signing_time", _cms_time(signing_time)),
            _attribute("signing_certificate_v2", _ess_signing_certificate(cert)),
        ]
    )


def _attribute(kind: str, value: object) -> cms.CMSAttribute:
    return cms.CMSAttribute({"type": kind, "values": [value]})


def _cms_time(when: dt.datetime) -> cms.Time:
    if when.tzinfo is None:
        raise ValueError("signing_time must be timezone-aware")
    utc = when.astimezone(dt.UTC).replace(microsecond=0)
    kind = "utc_time" if utc.year in _UTC_TIME_YEARS else "general_time"
    return cms.Time(name=kind, value=utc)


def _ess_signing_certificate(cert: asn1_x509.Certificate) -> tsp.SigningCertificateV2:
    # Binds the signer certificate into what is signed (RFC 5035), so another certificate
    # for the same key cannot be swapped in. SHA-256 is the default and so left out (DER).
    issuer = asn1_x509.GeneralNames(
        [asn1_x509.GeneralName(name="directory_name", value=cert.issuer)]
    )
    return tsp.SigningCertificateV2(
        {
            "certs": [
                {
                    "cert_hash": hashlib.sha256(cert.dump()).digest(),
                    "issuer_serial": {"issuer": issuer, "serial_number": cert.serial_number},
                }
            ]
        }
    )


def _check_card_signature(
    certificate: x509.Certificate, to_be_signed: bytes, signature: bytes
) -> None:
    # A card that answers 9000 with the wrong bytes (wrong key, faulty chip) must not
    # produce a CMS that only fails later, at the back office.
    try:
        verify_rsa_pkcs1v15(certificate, signature, to_be_signed)
    except BadSignature as exc:
        raise CardSignatureFailed("the card's signature does not verify") from exc


def _content_info(cert: asn1_x509.Certificate, signer_info: cms.SignerInfo) -> bytes:
    signed_data = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": [{"algorithm": "sha256"}],
            "encap_content_info": {"content_type": "data"},  # no content: detached
            "certificates": [cert],
            "signer_infos": [signer_info],
        }
    )
    encoded: bytes = cms.ContentInfo({"content_type": "signed_data", "content": signed_data}).dump()
    return encoded
