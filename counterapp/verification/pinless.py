"""The PIN-less verdict: its own kind (method ``pinless``), never mixed with the PIN path.

Checks: the auth certificate as on the PIN path (chain, validity, key, revocation); chip
possession by internal authentication against the J-LIS-signed AP key (``possession``
with method ``internal_auth``); integrity of the four items (and of the My Number once
照合番号A proved it); the card face's signature; consistency of the face with the text;
and ``holder``: the clerk's face comparison, unknown (``holder.not_confirmed``) until a
person records it. Pure: no card I/O here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from cryptography.hazmat.primitives.asymmetric import rsa

from cardreader.sessions.kenhojo import CardVerifiableCertificate, SignedApKey
from counterapp.pinless import PinlessRead
from counterapp.verification.checks import (
    INTEGRITY,
    POSSESSION,
    check_cvc,
    check_integrity,
    signature_ok,
)
from counterapp.verification.consistency import CONSISTENCY, check_consistency
from counterapp.verification.engine import (
    VerificationPolicy,
    certificate_checks,
    face_check,
    guarded,
    with_check,
)
from counterapp.verification.revocation import AnyCrl
from counterapp.verification.trust import TrustConfig
from counterapp.verification.verdict import CheckResult, Outcome, Verdict

PINLESS = "pinless"
INTERNAL_AUTH = "internal_auth"
HOLDER = "holder"
DEFAULT_POLICY = VerificationPolicy()


def check_internal_auth(
    signed_key: SignedApKey,
    cvc: CardVerifiableCertificate,
    challenge: bytes,
    signature: bytes,
    issuer_keys: dict[bytes, rsa.RSAPublicKey],
) -> CheckResult:
    """The chip signed our random challenge with the AP key J-LIS certified (EF 0007).

    The CVC verifies with a J-LIS issuer key, the CVC key verifies EF 0007's signature
    over the AP key, and that key verifies the chip's answer: copied files cannot answer.
    The result names its method (``internal_auth``) whatever its outcome.
    """
    return replace(
        _internal_auth(signed_key, cvc, challenge, signature, issuer_keys), method=INTERNAL_AUTH
    )


def _internal_auth(
    signed_key: SignedApKey,
    cvc: CardVerifiableCertificate,
    challenge: bytes,
    signature: bytes,
    issuer_keys: dict[bytes, rsa.RSAPublicKey],
) -> CheckResult:
    problem = check_cvc(POSSESSION, cvc, issuer_keys)
    if problem is not None:
        return problem
    if not signature_ok(cvc.public_key, signed_key.signature, signed_key.signed_data):
        return CheckResult.failed(
            POSSESSION, "signed_key.bad_signature", "EF 0007 key not signed by the CVC key"
        )
    # The chip signed SHA-256(challenge)'s DigestInfo: exactly PKCS#1 v1.5 / SHA-256.
    if not signature_ok(signed_key.public_key, signature, challenge):
        return CheckResult.failed(
            POSSESSION, "possession.bad_internal_auth", "chip's answer does not verify"
        )
    return CheckResult.passed(POSSESSION, "challenge signed by the chip's J-LIS-certified key")


def holder_check(confirmed: bool) -> CheckResult:
    """The clerk compared the face photo with the person: a person's act, never inferred."""
    if confirmed:
        return CheckResult.passed(HOLDER, "the clerk compared the photo with the person")
    return CheckResult.unknown(HOLDER, "holder.not_confirmed", "face comparison not recorded")


def evaluate_pinless(
    read: PinlessRead,
    trust: TrustConfig,
    crls: Sequence[AnyCrl],
    at: dt.datetime,
    policy: VerificationPolicy = DEFAULT_POLICY,
    *,
    holder_confirmed: bool = False,
) -> Verdict:
    """Every check of the PIN-less path on one read; undetermined until the holder check."""
    certificate, facts = certificate_checks(read.auth_certificate, trust, crls, at, policy)
    keys = trust.cvc_issuer_keys
    checks = (
        *certificate,
        guarded(
            POSSESSION,
            lambda: check_internal_auth(
                read.signed_key, read.certificate, read.challenge, read.challenge_signature, keys
            ),
        ),
        guarded(
            INTEGRITY,
            lambda: check_integrity(
                read.basic, read.my_number, read.integrity, read.certificate, keys
            ),
        ),
        guarded(CONSISTENCY, lambda: check_consistency(read.basic, None, read.face.face)),
        face_check(read.face, trust),
        holder_check(holder_confirmed),
    )
    return Verdict(checks, facts, test_trust=trust.test_only, method=PINLESS)


def with_holder_confirmed(verdict: Verdict) -> Verdict:
    """``verdict`` with the clerk's face comparison recorded as passed."""
    assert verdict.method == PINLESS, "the holder check belongs to the PIN-less path"
    return with_check(verdict, holder_check(True))


def holder_confirmed(verdict: Verdict) -> bool:
    return any(c.check == HOLDER and c.outcome is Outcome.PASS for c in verdict.checks)
