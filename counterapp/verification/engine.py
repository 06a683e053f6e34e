"""Turn what the card gave into one ``Verdict``: pure, no card I/O here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

from cardreader.errors import MalformedResponse
from counterapp.reading import CardFaceRead, CounterRead
from counterapp.verification.cardface import CARD_FACE, check_card_face
from counterapp.verification.checks import (
    CHAIN,
    INTEGRITY,
    KEY,
    POSSESSION,
    VALIDITY,
    check_chain,
    check_integrity,
    check_key,
    check_possession,
    check_validity,
    find_issuer,
)
from counterapp.verification.consistency import CONSISTENCY, check_consistency
from counterapp.verification.gap import generation_gap
from counterapp.verification.revocation import REVOCATION, AnyCrl, check_revocation
from counterapp.verification.trust import TrustConfig
from counterapp.verification.verdict import CertificateFacts, CheckResult, Outcome, Verdict


@dataclass(frozen=True)
class VerificationPolicy:
    """How strict the terminal is where the evidence is incomplete."""

    # A missing or stale CRL: "fail" makes the verdict undetermined, "warn" shows a warning.
    revocation_unknown: Literal["fail", "warn"] = "fail"


def evaluate(
    read: CounterRead,
    trust: TrustConfig,
    crls: Sequence[AnyCrl],
    at: dt.datetime,
    policy: VerificationPolicy = VerificationPolicy(),
    *,
    signing_certificate: x509.Certificate | None = None,
    card_face: CardFaceRead | None = None,
) -> Verdict:
    """Run every check on one counter read. Data that cannot be parsed fails its check.

    With ``card_face`` (read with 照合番号B) the verdict also has the ``card_face`` check.
    """
    cert = read.auth_certificate
    certificate, facts = certificate_checks(cert, trust, crls, at, policy)
    basic = read.kenhojo.basic if read.kenhojo else None
    checks = (
        certificate
        + (
            guarded(POSSESSION, lambda: _possession(read)),
            guarded(INTEGRITY, lambda: _integrity(read, trust)),
            guarded(
                CONSISTENCY,
                lambda: check_consistency(
                    basic, signing_certificate, card_face.face if card_face else None
                ),
            ),
        )
        + ((face_check(card_face, trust),) if card_face else ())
    )
    return Verdict(checks, facts, test_trust=trust.test_only)


def certificate_checks(
    cert: x509.Certificate,
    trust: TrustConfig,
    crls: Sequence[AnyCrl],
    at: dt.datetime,
    policy: VerificationPolicy,
) -> tuple[tuple[CheckResult, ...], CertificateFacts]:
    """Chain, validity, key and revocation of the auth certificate (needs no PIN), and its
    facts: the same on the PIN and the PIN-less path."""
    issuer = _guarded_issuer(cert, trust, at)
    gap = None if issuer else _guarded_gap(cert, trust)
    revocation = guarded(REVOCATION, lambda: check_revocation(cert, issuer, crls, at))
    if revocation.outcome is Outcome.UNKNOWN and policy.revocation_unknown == "warn":
        revocation = replace(revocation, advisory=True)
    checks = (
        guarded(CHAIN, lambda: check_chain(issuer, bool(trust.anchors), gap)),
        guarded(VALIDITY, lambda: check_validity(cert, at)),
        guarded(KEY, lambda: check_key(cert)),
        revocation,
    )
    facts = CertificateFacts(
        serial=f"{cert.serial_number:X}",
        not_after=cert.not_valid_after_utc.isoformat(),
        issuer_generation=trust.generation_of(issuer) if issuer else "unknown",
    )
    return checks, facts


def face_check(card_face: CardFaceRead, trust: TrustConfig) -> CheckResult:
    """The ``card_face`` check alone: for a face read after the verdict (the clerk's view)."""
    return guarded(
        CARD_FACE,
        lambda: check_card_face(card_face.face, card_face.certificate, trust.cvc_issuer_keys),
    )


def with_card_face(verdict: Verdict, card_face: CardFaceRead, trust: TrustConfig) -> Verdict:
    """``verdict`` with the ``card_face`` check added (a tampered face makes it not genuine)."""
    return with_check(verdict, face_check(card_face, trust))


def with_check(verdict: Verdict, check: CheckResult) -> Verdict:
    """``verdict`` with ``check`` added, replacing an earlier result of the same check."""
    kept = tuple(c for c in verdict.checks if c.check != check.check)
    return replace(verdict, checks=(*kept, check))


# cryptography parses some certificate and CRL fields lazily and raises these on access.
_MALFORMED = (
    ValueError,
    MalformedResponse,
    UnsupportedAlgorithm,
    x509.UnsupportedGeneralNameType,
    x509.InvalidVersion,
)


def guarded(name: str, run: Callable[[], CheckResult]) -> CheckResult:
    """``run()``, with data that cannot be parsed failing check ``name`` (data.malformed)."""
    try:
        return run()
    except _MALFORMED as exc:
        return CheckResult.failed(name, "data.malformed", type(exc).__name__)


def _guarded_issuer(
    cert: x509.Certificate, trust: TrustConfig, at: dt.datetime
) -> x509.Certificate | None:
    try:
        return find_issuer(cert, trust.anchors, at)
    except _MALFORMED:
        return None


def _guarded_gap(cert: x509.Certificate, trust: TrustConfig) -> dict[str, str] | None:
    try:
        return generation_gap(cert, trust.anchors)
    except _MALFORMED:
        return None


def _possession(read: CounterRead) -> CheckResult:
    if read.auth_problem:
        return CheckResult.unknown(POSSESSION, read.auth_problem, "auth PIN step did not succeed")
    if read.challenge is None or read.challenge_signature is None:
        return CheckResult.skipped(POSSESSION, "possession.not_checked", "--no-possession")
    return check_possession(read.auth_certificate, read.challenge, read.challenge_signature)


def _integrity(read: CounterRead, trust: TrustConfig) -> CheckResult:
    if read.kenhojo is None:
        reason = read.kenhojo_problem or "kenhojo.not_read"
        return CheckResult.unknown(INTEGRITY, reason, "Kenhojo data not read")
    k = read.kenhojo
    return check_integrity(k.basic, k.my_number, k.integrity, k.certificate, trust.cvc_issuer_keys)
