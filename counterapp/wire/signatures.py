"""Checking detached CMS (RFC 5652) signatures over forms, as the My Number card makes them.

The back office checks every signed form on receipt and the terminal checks a stored form
with the same code. Verification never raises for bad input: it answers a ``SignatureCheck``
whose ``reason`` is a message key.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# Importing tsp also teaches asn1crypto.cms the ESS signingCertificateV2 attribute.
from asn1crypto import cms, tsp  # noqa: F401
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from counterapp.wire.certificates import (
    CertificateSummary,
    UnreadableCertificate,
    load_der_certificate,
)

# RFC 5652 §5.3: signedAttrs are [0] IMPLICIT in the SignerInfo but signed as a SET OF.
_IMPLICIT_SIGNED_ATTRS_TAG = 0xA0
_SET_OF_TAG = 0x31
# rsaEncryption (RFC 3370) is what we write; sha256WithRSA is what some signers write.
_RSA_SIGNATURE_ALGORITHMS = frozenset({"rsassa_pkcs1v15", "sha256_rsa"})
# What asn1crypto raises, at load time or lazily on access, for garbled or unexpected DER.
_UNPARSABLE = (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError)


class SignatureProblem(Exception):
    """Base of the signature errors; ``message_key`` names what a user is told."""

    message_key = "signature.invalid"


class MalformedSignature(SignatureProblem):
    """The bytes are not a detached CMS SignedData of the shape we make and check."""

    message_key = "signature.malformed"


class ContentChanged(SignatureProblem):
    """The content is not what was signed (messageDigest differs)."""

    message_key = "signature.content_changed"


class BadSignature(SignatureProblem):
    """The signature over the signed attributes does not verify."""

    message_key = "signature.invalid"


class UntrustedSigner(SignatureProblem):
    """The signer's certificate was not issued by any configured anchor."""

    message_key = "signature.untrusted"


class CertificateNotValidThen(SignatureProblem):
    """The signer's certificate was outside its validity period at the signing time."""

    message_key = "signature.cert_expired"


@dataclass(frozen=True)
class SignatureCheck:
    """The outcome of checking one detached signature; ``reason`` is a message key."""

    ok: bool
    reason: str | None
    signer: CertificateSummary | None  # subject, serial, validity, SHA-256: never the SAN
    signing_time: dt.datetime | None


# -- checking -------------------------------------------------------------------------


@dataclass(frozen=True)
class _SignedAttributes:
    message_digest: bytes
    signing_time: dt.datetime | None
    ess_cert_hash: bytes | None


@dataclass(frozen=True)
class _Parsed:
    """What the checks need from a CMS, pulled out once so later steps cannot trip on DER."""

    signer: x509.Certificate
    attributes: _SignedAttributes
    to_be_signed: bytes
    signature: bytes


def verify_detached(
    cms_der: bytes, content: bytes, anchors: Sequence[x509.Certificate], at: dt.datetime
) -> SignatureCheck:
    """Check a detached CMS signature over ``content`` against ``anchors``; never raises."""
    try:
        parsed = _parse(cms_der)
    except SignatureProblem as problem:
        return SignatureCheck(False, problem.message_key, None, None)
    signer = CertificateSummary.of(parsed.signer)
    signing_time = parsed.attributes.signing_time
    try:
        _check(parsed, content, anchors, signing_time or at)
    except SignatureProblem as problem:
        return SignatureCheck(False, problem.message_key, signer, signing_time)
    return SignatureCheck(True, None, signer, signing_time)


def _check(
    parsed: _Parsed, content: bytes, anchors: Sequence[x509.Certificate], when: dt.datetime
) -> None:
    digest = hashlib.sha256(content).digest()
    if not hmac.compare_digest(parsed.attributes.message_digest, digest):
        raise ContentChanged("messageDigest differs from SHA-256 of the content")
    verify_rsa_pkcs1v15(parsed.signer, parsed.signature, parsed.to_be_signed)
    _check_ess_binding(parsed)
    _check_issued_by_anchor(parsed.signer, anchors, when)
    _check_valid_at(parsed.signer, when)


def verify_rsa_pkcs1v15(certificate: x509.Certificate, signature: bytes, message: bytes) -> None:
    """BadSignature unless ``signature`` is the certificate key's SHA-256 PKCS#1 v1.5 one."""
    key = certificate.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        raise BadSignature("the signer's key is not RSA")
    try:
        key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature as exc:
        raise BadSignature("RSA PKCS#1 v1.5 signature does not verify") from exc


def _check_ess_binding(parsed: _Parsed) -> None:
    expected = parsed.attributes.ess_cert_hash
    if expected is None:
        return
    actual = parsed.signer.fingerprint(hashes.SHA256())
    if not hmac.compare_digest(expected, actual):
        raise BadSignature("signingCertificateV2 names another certificate")


def _check_issued_by_anchor(
    cert: x509.Certificate, anchors: Sequence[x509.Certificate], when: dt.datetime
) -> None:
    # Every J-LIS CA generation has the same DN, so the issuer is chosen by signature.
    for anchor in anchors:
        if _valid_at(anchor, when) and _directly_issued(cert, anchor):
            return
    raise UntrustedSigner("no configured anchor issued the signer's certificate")


def _directly_issued(cert: x509.Certificate, anchor: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(anchor)  # issuer name match + signature
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def _check_valid_at(cert: x509.Certificate, when: dt.datetime) -> None:
    if not _valid_at(cert, when):
        raise CertificateNotValidThen("the signer's certificate was not valid at signing time")


def _valid_at(cert: x509.Certificate, when: dt.datetime) -> bool:
    return cert.not_valid_before_utc <= when <= cert.not_valid_after_utc


# -- parsing ------------------------------------------------------------------------------


def _parse(cms_der: bytes) -> _Parsed:
    """Pull signer, attributes and signature out of a detached SignedData."""
    try:
        return _parse_signed_data(cms.ContentInfo.load(cms_der, strict=True))
    except _UNPARSABLE as exc:
        raise MalformedSignature("not a DER CMS SignedData") from exc


def _parse_signed_data(info: cms.ContentInfo) -> _Parsed:
    if info["content_type"].native != "signed_data":
        raise MalformedSignature("not SignedData")
    signed_data = info["content"]
    encap = signed_data["encap_content_info"]
    if encap["content_type"].native != "data" or encap["content"].native is not None:
        raise MalformedSignature("not a detached signature over id-data")
    if len(signed_data["signer_infos"]) != 1:
        raise MalformedSignature("exactly one signer expected")
    signer_info = signed_data["signer_infos"][0]
    _require_algorithms(signer_info)
    signature: bytes = signer_info["signature"].native
    return _Parsed(
        signer=_signer_certificate(signed_data, signer_info["sid"]),
        attributes=_read_attributes(signer_info["signed_attrs"]),
        to_be_signed=signed_attrs_der(signer_info),
        signature=signature,
    )


def _require_algorithms(signer_info: cms.SignerInfo) -> None:
    if signer_info["digest_algorithm"]["algorithm"].native != "sha256":
        raise MalformedSignature("digest algorithm is not SHA-256")
    if signer_info["signature_algorithm"]["algorithm"].native not in _RSA_SIGNATURE_ALGORITHMS:
        raise MalformedSignature("signature algorithm is not RSA PKCS#1 v1.5")


def _signer_certificate(signed_data: cms.SignedData, sid: cms.SignerIdentifier) -> x509.Certificate:
    """The embedded certificate ``sid`` names (issuer + serial, or subject key identifier)."""
    for choice in signed_data["certificates"] or []:
        if choice.name == "certificate" and _identifies(sid, choice.chosen):
            try:
                return load_der_certificate(choice.chosen.dump())
            except UnreadableCertificate as exc:
                raise MalformedSignature("the signer certificate is not valid DER") from exc
    raise MalformedSignature("the signer certificate is not embedded")


def _identifies(sid: cms.SignerIdentifier, cert: asn1_x509.Certificate) -> bool:
    if sid.name == "issuer_and_serial_number":
        wanted = sid.chosen
        same_serial: bool = wanted["serial_number"].native == cert.serial_number
        return same_serial and wanted["issuer"] == cert.issuer
    same_key: bool = sid.chosen.native == cert.key_identifier
    return same_key


def _read_attributes(attrs: cms.CMSAttributes) -> _SignedAttributes:
    values = _single_values(attrs)
    if "content_type" not in values or values["content_type"].native != "data":
        raise MalformedSignature("contentType attribute missing or not id-data")
    if "message_digest" not in values:
        raise MalformedSignature("messageDigest attribute missing")
    digest: bytes = values["message_digest"].native
    time = values.get("signing_time")
    signing_time: dt.datetime | None = None if time is None else time.native
    if signing_time is not None and signing_time.tzinfo is None:
        raise MalformedSignature("signingTime has no time zone")
    return _SignedAttributes(digest, signing_time, _ess_cert_hash(values))


def _single_values(attrs: cms.CMSAttributes) -> dict[str, Any]:
    # RFC 5652 §11: these attributes have exactly one value and appear at most once,
    # otherwise a verifier and a signer could read different digests or times.
    if attrs.native is None:
        raise MalformedSignature("no signed attributes")
    values: dict[str, Any] = {}
    for attr in attrs:
        kind: str = attr["type"].native
        if kind in values or len(attr["values"]) != 1:
            raise MalformedSignature(f"attribute {kind} repeated or multi-valued")
        values[kind] = attr["values"][0]
    return values


def _ess_cert_hash(values: dict[str, Any]) -> bytes | None:
    ess = values.get("signing_certificate_v2")
    if ess is None:
        return None
    first = ess["certs"][0]
    if first["hash_algorithm"]["algorithm"].native != "sha256":
        raise MalformedSignature("signingCertificateV2 hash is not SHA-256")
    cert_hash: bytes = first["cert_hash"].native
    return cert_hash


def signed_attrs_der(signer_info: cms.SignerInfo) -> bytes:
    """The signed attributes exactly as encoded, re-tagged as the SET OF that is signed."""
    encoded: bytes = signer_info["signed_attrs"].dump()
    if not encoded or encoded[0] != _IMPLICIT_SIGNED_ATTRS_TAG:
        raise MalformedSignature("signed attributes are missing or not [0] IMPLICIT")
    return bytes([_SET_OF_TAG]) + encoded[1:]
