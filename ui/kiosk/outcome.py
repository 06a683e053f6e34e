"""What a resident is told when the card read did not give a genuine card.

A PIN step that failed arrives as ``PinNotAccepted`` (which PIN, tries left); a card that
is not genuine as ``CardNotGenuine`` with its verdict; anything else as a card error.
"""

from __future__ import annotations

from dataclasses import dataclass

from counterapp.messages import MESSAGES, text
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
        hint = "kiosk.pin_failed.hint" if error.can_try_again else "ui.pin.help.resident"
        return Explanation(
            t("kiosk.pin_failed.heading", language),
            (error_message(error.error, language), t(hint, language)),
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


def reason_texts(verdict: Verdict, language: str) -> tuple[str, ...]:
    """Each reason of a verdict once, as a sentence (unknown keys are left out)."""
    keys = dict.fromkeys(r for r in verdict.reasons if r in MESSAGES and r not in NOT_A_PROBLEM)
    return tuple("・" + text(key, language) for key in keys)
