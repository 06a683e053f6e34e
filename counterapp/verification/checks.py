"""Each verification check as a small function returning its own ``CheckResult``.

Checks never raise for bad input: a malformed certificate, CRL, record or CVC
becomes a failed or unknown result with a stable reason key.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import SignatureAlgorithmOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from cardreader.sessions import BasicInfo, MyNumberFile
from cardreader.sessions.kenhojo import CardVerifiableCertificate, IntegrityRecord
from counterapp.verification.shipped import key_id_label
from counterapp.verification.verdict import CheckResult

MIN_RSA_BITS = 2048
CHAIN = "chain"
VALIDITY = "validity"
KEY = "key"
REVOCATION = "revocation"
POSSESSION = "possession"
INTEGRITY = "integrity"
CONSISTENCY = "consistency"


def _ca_key_usage(_policy: object, _cert: x509.Certificate, usage: x509.KeyUsage | None) -> None:
    if usage is None or not usage.key_cert_sign:
        raise ValueError("a JPKI CA signs certificates (keyCertSign)")


# JPKI is not the Web PKI: its end-entity certificates carry no serverAuth/clientAuth EKU
# and no DNS names, so the Web PKI extension rules are replaced by JPKI's own: a CA has
# basicConstraints and keyCertSign; anything else is judged by the other checks.
_JPKI_CA_POLICY = (
    ExtensionPolicy.permit_all()
    .require_present(x509.BasicConstraints, Criticality.AGNOSTIC, None)
    .require_present(x509.KeyUsage, Criticality.AGNOSTIC, _ca_key_usage)
)
# JPKI marks certificatePolicies critical; the validator must know it handles it.
_JPKI_EE_POLICY = ExtensionPolicy.permit_all().may_be_present(
    x509.CertificatePolicies, Criticality.AGNOSTIC, None
)


def _chain_time(cert: x509.Certificate, at: dt.datetime) -> dt.datetime:
    # Validity is its own check: validate the path at a moment the leaf is valid,
    # so an expired card reads "expired", not "untrusted".
    if at < cert.not_valid_before_utc:
        return cert.not_valid_before_utc
    if at > cert.not_valid_after_utc:
        return cert.not_valid_after_utc
    return at


def find_issuer(
    cert: x509.Certificate, anchors: tuple[x509.Certificate, ...], at: dt.datetime
) -> x509.Certificate | None:
    """The anchor that issued ``cert``, chosen by RFC 5280 path validation (by signature).

    Several J-LIS CA generations share one DN, so the name alone does not decide.
    """
    if not anchors:
        return None
    verifier = (
        PolicyBuilder()
        .store(Store(list(anchors)))
        .time(_chain_time(cert, at))
        .extension_policies(ca_policy=_JPKI_CA_POLICY, ee_policy=_JPKI_EE_POLICY)
        .build_client_verifier()
    )
    try:
        chain = verifier.verify(cert, []).chain
    except VerificationError:
        return None
    return chain[-1] if len(chain) > 1 else None


def check_chain(
    issuer: x509.Certificate | None,
    anchors_configured: bool,
    gap: dict[str, str] | None = None,
) -> CheckResult:
    """RFC 5280 path from the card's certificate to a pinned anchor (``find_issuer``'s result).

    ``gap`` (from ``generation_gap``): the certificate names a J-LIS CA generation this
    terminal lacks. That is a gap in the terminal's trust, not evidence of forgery.
    """
    if not anchors_configured:
        return CheckResult.unknown(CHAIN, "trust.no_anchors", "no trust anchor configured")
    if issuer is None and gap is not None:
        detail = f"no installed J-LIS {gap['kind']} CA has key identifier {gap['key_id']}"
        return CheckResult.unknown(CHAIN, "trust.generation_missing", detail, gap)
    if issuer is None:
        return CheckResult.failed(CHAIN, "chain.untrusted", "no path to a configured anchor")
    return CheckResult.passed(CHAIN, f"issued by {issuer.subject.rfc4514_string()}")


def check_validity(cert: x509.Certificate, at: dt.datetime) -> CheckResult:
    """The certificate is inside its validity period at ``at``."""
    if at < cert.not_valid_before_utc:
        return CheckResult.failed(
            VALIDITY, "cert.not_yet_valid", f"valid from {cert.not_valid_before_utc:%Y-%m-%d}"
        )
    if at > cert.not_valid_after_utc:
        return CheckResult.failed(
            VALIDITY, "cert.expired", f"expired {cert.not_valid_after_utc:%Y-%m-%d}"
        )
    return CheckResult.passed(VALIDITY, f"valid until {cert.not_valid_after_utc:%Y-%m-%d}")


def check_key(cert: x509.Certificate) -> CheckResult:
    """RSA ≥ 2048 bits, sha256WithRSAEncryption, digitalSignature key usage as JPKI issues."""
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey) or key.key_size < MIN_RSA_BITS:
        return CheckResult.failed(KEY, "cert.weak_key", "not an RSA key of 2048 bits or more")
    if cert.signature_algorithm_oid != SignatureAlgorithmOID.RSA_WITH_SHA256:
        return CheckResult.failed(KEY, "cert.bad_algorithm", "not sha256WithRSAEncryption")
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return CheckResult.failed(KEY, "cert.bad_key_usage", "no key usage extension")
    if not usage.digital_signature or usage.key_cert_sign:
        return CheckResult.failed(KEY, "cert.bad_key_usage", "key usage is not an end entity's")
    return CheckResult.passed(KEY, f"RSA-{key.key_size}, sha256WithRSA")


def check_possession(cert: x509.Certificate, challenge: bytes, signature: bytes) -> CheckResult:
    """The card signed our random challenge with the certificate's key (after the PIN)."""
    key = cert.public_key()
    if not isinstance(key, rsa.RSAPublicKey):
        return CheckResult.failed(POSSESSION, "possession.bad_signature", "not an RSA key")
    try:
        key.verify(signature, challenge, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return CheckResult.failed(
            POSSESSION, "possession.bad_signature", "challenge signature does not verify"
        )
    return CheckResult.passed(POSSESSION, "challenge signed by the card's auth key")


def check_integrity(
    basic: BasicInfo,
    my_number: MyNumberFile | None,
    record: IntegrityRecord,
    cvc: CardVerifiableCertificate,
    issuer_keys: dict[bytes, rsa.RSAPublicKey],
) -> CheckResult:
    """Kenhojo data as the issuer signed it: both digests, the record signature, the CVC.

    ``my_number`` None (PIN-less, before 照合番号A): the four items alone are checked.
    """
    problem = check_cvc(INTEGRITY, cvc, issuer_keys)
    if problem is not None:
        return problem
    if not signature_ok(cvc.public_key, record.signature, record.signed_data):
        return CheckResult.failed(INTEGRITY, "kenhojo.bad_signature", "integrity record signature")
    if my_number is not None and hashlib.sha256(my_number.raw).digest() != record.my_number_digest:
        return CheckResult.failed(INTEGRITY, "kenhojo.tampered", "My Number digest differs")
    if hashlib.sha256(basic.signed_part).digest() != record.basic_info_digest:
        return CheckResult.failed(INTEGRITY, "kenhojo.tampered", "basic information digest differs")
    if my_number is None:
        return CheckResult.passed(INTEGRITY, "the four items match the issuer's signature")
    return CheckResult.passed(INTEGRITY, "card text matches the issuer's signature")


def check_cvc(
    check: str, cvc: CardVerifiableCertificate, issuer_keys: dict[bytes, rsa.RSAPublicKey]
) -> CheckResult | None:
    """None when the CVC verifies with the issuer key it names (all 16 bytes of its id)."""
    issuer_key = issuer_keys.get(cvc.issuer_key_id)
    if issuer_key is None:
        label = key_id_label(cvc.issuer_key_id)
        detail = f"CVC issuer key {label} not installed"
        return CheckResult.unknown(check, "cvc.unknown_issuer", detail, {"key_id": label})
    if not signature_ok(issuer_key, cvc.signature, cvc.body):
        return CheckResult.failed(check, "cvc.untrusted", "CVC signature does not verify")
    return None


def signature_ok(key: rsa.RSAPublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError):
        return False
    return True
