"""The one value a verification returns: every check with its outcome and reason."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

SCHEMA_VERSION = 1


class Outcome(enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"


class Overall(enum.Enum):
    GENUINE = "genuine"
    NOT_GENUINE = "not_genuine"
    UNDETERMINED = "undetermined"


@dataclass(frozen=True)
class CheckResult:
    """One check: its name, outcome and a stable reason key (None when it passed)."""

    check: str
    outcome: Outcome
    reason: str | None = None
    detail: str = ""  # English, for logs and IT staff; never personal data
    # An advisory unknown is shown as a warning and does not block "genuine"
    # (settings: revocation_unknown = "warn"). It is never a silent pass.
    advisory: bool = False
    # Facts that name what to do about the reason (e.g. the key id of a missing CA
    # generation); filled into the reason's hint text. Never personal data.
    params: tuple[tuple[str, str], ...] = ()
    # How the check was made where there is more than one way (possession: internal_auth
    # on the PIN-less path). None: the check's only way.
    method: str | None = None

    @classmethod
    def passed(cls, check: str, detail: str = "", method: str | None = None) -> CheckResult:
        return cls(check, Outcome.PASS, None, detail, method=method)

    @classmethod
    def failed(cls, check: str, reason: str, detail: str = "") -> CheckResult:
        return cls(check, Outcome.FAIL, reason, detail)

    @classmethod
    def unknown(
        cls, check: str, reason: str, detail: str = "", params: dict[str, str] | None = None
    ) -> CheckResult:
        return cls(check, Outcome.UNKNOWN, reason, detail, params=tuple((params or {}).items()))

    @classmethod
    def skipped(cls, check: str, reason: str, detail: str = "") -> CheckResult:
        return cls(check, Outcome.SKIPPED, reason, detail)


@dataclass(frozen=True)
class CertificateFacts:
    """What a clerk needs about the auth certificate."""

    serial: str
    not_after: str
    issuer_generation: str


@dataclass(frozen=True)
class Verdict:
    """Overall result plus every check, so the clerk sees why."""

    checks: tuple[CheckResult, ...]
    certificate: CertificateFacts | None = None
    # Verified against the emulator's TEST ONLY anchors: says nothing about a real card.
    test_trust: bool = False
    # How the holder was identified: "pin" (the card's PINs) or "pinless" (照合番号B, internal
    # authentication and the clerk's face comparison). Two kinds of verdict, never mixed.
    method: str = "pin"

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(c.reason for c in self.checks if c.advisory and c.reason)

    @property
    def overall(self) -> Overall:
        """Any failure: not genuine; any unknown: undetermined; else genuine."""
        outcomes = {c.outcome for c in self.checks if not c.advisory}
        if Outcome.FAIL in outcomes:
            return Overall.NOT_GENUINE
        if Outcome.UNKNOWN in outcomes or Outcome.PASS not in outcomes:
            return Overall.UNDETERMINED
        return Overall.GENUINE

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(c.reason for c in self.checks if c.outcome is not Outcome.PASS and c.reason)

    def to_json(self) -> dict[str, Any]:
        """Stable JSON form (schema_version bumps on incompatible change)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "verdict": self.overall.value,
            "method": self.method,
            "trust": "test-only" if self.test_trust else "configured",
            "reasons": [
                c.reason
                for c in self.checks
                if c.outcome in (Outcome.FAIL, Outcome.UNKNOWN) and c.reason and not c.advisory
            ],
            "checks": [
                {
                    "check": c.check,
                    "outcome": c.outcome.value,
                    "reason": c.reason,
                    "detail": c.detail,
                    **({"params": dict(c.params)} if c.params else {}),
                    **({"method": c.method} if c.method else {}),
                }
                for c in self.checks
            ],
            "certificate": None
            if self.certificate is None
            else {
                "serial": self.certificate.serial,
                "not_after": self.certificate.not_after,
                "issuer_generation": self.certificate.issuer_generation,
            },
            "warnings": list(self.warnings),
        }
