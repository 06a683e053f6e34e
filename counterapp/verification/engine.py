"""Turn what the card gave into one ``Verdict``: pure, no card I/O here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

from cryptography import x509

from counterapp.reading import CounterRead
from counterapp.verification.checks import (
    INTEGRITY,
    POSSESSION,
    check_chain,
    check_integrity,
    check_key,
    check_possession,
    check_validity,
    find_issuer,
)
from counterapp.verification.consistency import check_consistency
from counterapp.verification.revocation import check_revocation
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
    crls: Sequence[x509.CertificateRevocationList],
    at: dt.datetime,
    policy: VerificationPolicy = VerificationPolicy(),
    *,
    signing_certificate: x509.Certificate | None = None,
) -> Verdict:
    """Run every check on one counter read."""
    cert = read.auth_certificate
    issuer = find_issuer(cert, trust.anchors, at)
    revocation = check_revocation(cert, issuer, crls, at)
    if revocation.outcome is Outcome.UNKNOWN and policy.revocation_unknown == "warn":
        revocation = replace(revocation, advisory=True)
    checks = (
        check_chain(cert, trust.anchors, at),
        check_validity(cert, at),
        check_key(cert),
        revocation,
        _possession(read),
        _integrity(read, trust),
        check_consistency(read.kenhojo.basic if read.kenhojo else None, signing_certificate),
    )
    facts = CertificateFacts(
        serial=f"{cert.serial_number:X}",
        not_after=cert.not_valid_after_utc.isoformat(),
        issuer_generation=trust.generation_of(issuer) if issuer else "unknown",
    )
    return Verdict(checks, facts)


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
