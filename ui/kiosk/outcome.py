"""What a resident is told when the card read did not give a genuine card.

A PIN step that failed arrives as ``PinNotAccepted`` (which PIN, tries left); a card that
is not genuine as ``CardNotGenuine`` with its verdict; anything else as a card error.
"""

from __future__ import annotations

from dataclasses import dataclass

from counterapp.verification.verdict import Verdict
from counterapp.visit import CardNotGenuine, PinNotAccepted
from ui.i18n import error_message, t

NOT_A_PROBLEM = {"pin.cancelled"}


@dataclass(frozen=True)
class Explanation:
    """A heading and plain sentences, in the resident's language."""

    heading: str
    lines: tuple[str, ...]


def explain(error: BaseException, language: str) -> Explanation:
    """The heading and sentences for a failed read."""
    if isinstance(error, PinNotAccepted):
        if error.can_try_again:
            heading, hint = "kiosk.pin_failed.heading", "kiosk.pin_failed.hint"
        else:  # locked: said so, and where it is unlocked (the staffed counter)
            heading, hint = "ui.pin.blocked.heading", "kiosk.pin_blocked.hint"
        return Explanation(
            t(heading, language), (error_message(error.error, language), t(hint, language))
        )
    if isinstance(error, CardNotGenuine):
        return Explanation(
            t("kiosk.not_genuine.heading", language),
            (
                error_message(error, language),
                *reason_texts(error.verdict, language),
                t("kiosk.ask_staff", language),
            ),
        )
    return Explanation(
        t("kiosk.error.heading", language),
        (error_message(error, language), t("kiosk.ask_staff", language)),
    )


# What a resident is told about a verdict: a few plain sentences, never the checks' own
# texts (those are for the clerk and the audit). Every other reason: the counter checks.
RESIDENT_REASONS = {
    "cert.expired": "kiosk.reason.expired",
    "cert.not_yet_valid": "kiosk.reason.not_yet_valid",
    "cert.revoked": "kiosk.reason.revoked",
}
OTHER_REASON = "kiosk.reason.check_at_counter"


def reason_texts(verdict: Verdict, language: str) -> tuple[str, ...]:
    """The verdict's reasons as resident sentences, each once (unlisted ones: ask the counter)."""
    keys = dict.fromkeys(
        RESIDENT_REASONS.get(reason, OTHER_REASON)
        for reason in verdict.reasons
        if reason not in NOT_A_PROBLEM
    )
    return tuple(t(key, language) for key in keys)
