"""What a resident is told when the card read did not give a genuine card.

The core records a PIN step that failed as the reason of a verification check (the auth
PIN under "possession", the Kenhojo PIN under "integrity") and raises ``CardNotGenuine``.
The kiosk turns such a reason back into the PIN error it stands for, with the tries left
counted from the status the card reported when it asked for the PIN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cardreader.types import PinBlocked, PinError, PinKind, PinStatus, WrongPin
from counterapp.messages import MESSAGES
from counterapp.verification.checks import INTEGRITY, POSSESSION
from counterapp.verification.verdict import Verdict
from counterapp.visit import CardNotGenuine
from ui.i18n import core_language, error_message, t

PIN_STEPS = ((POSSESSION, PinKind.AUTH), (INTEGRITY, PinKind.KENHOJO))
NOT_A_PROBLEM = {"pin.cancelled"}  # the kiosk itself stops a step that cannot help


@dataclass(frozen=True)
class Explanation:
    """A heading and plain sentences, in the resident's language."""

    heading: str
    lines: tuple[str, ...]


def pin_errors(verdict: Verdict, asked: Mapping[PinKind, PinStatus]) -> list[PinError]:
    """The PIN errors behind a verdict's PIN-step reasons, in the order the PINs were asked."""
    errors: list[PinError] = []
    for check, kind in PIN_STEPS:
        reason = next((c.reason for c in verdict.checks if c.check == check), None)
        error = _pin_error(reason, kind, asked.get(kind))
        if error is not None:
            errors.append(error)
    return errors


def _pin_error(reason: str | None, kind: PinKind, status: PinStatus | None) -> PinError | None:
    if reason == "pin.blocked":
        return PinBlocked(kind.value)
    if reason == "pin.wrong":
        tries_left = max(0, status.tries_left - 1) if status else 0
        return WrongPin(kind.value, tries_left) if tries_left else PinBlocked(kind.value)
    if reason and reason.startswith("pin.") and reason not in NOT_A_PROBLEM:
        error = PinError(kind.value, reason)
        error.message_key = reason
        return error
    return None


def explain(error: BaseException, asked: Mapping[PinKind, PinStatus], language: str) -> Explanation:
    """The heading and sentences for a failed read."""
    if isinstance(error, CardNotGenuine):
        errors = pin_errors(error.verdict, asked)
        if errors:
            lines = [error_message(e, language) for e in errors]
            return Explanation(
                t("kiosk.pin_failed.heading", language),
                (*lines, t("kiosk.pin_failed.hint", language)),
            )
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
    lang = core_language(language)
    keys = dict.fromkeys(r for r in verdict.reasons if r in MESSAGES and r not in NOT_A_PROBLEM)
    return tuple("・" + MESSAGES[key].get(lang, MESSAGES[key]["ja"]) for key in keys)
