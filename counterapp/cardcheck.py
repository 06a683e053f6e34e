"""Is this card genuine? One read, one verdict, one audit entry — for every front end.

``counterapp verify`` asks for the verdict whatever it is; a visit asks for a card that is
genuine (``read_verified_card``) and fills nothing from any other.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cardreader.errors import CardRemoved, PinBlocked, PinError
from cardreader.mynumber import MyNumber
from cardreader.sessions import MyNumberCard
from counterapp.audit import AuditEvent, AuditLog
from counterapp.cardsource import CardSource
from counterapp.interaction import Interaction
from counterapp.pinless import PinlessRead, read_pinless
from counterapp.reading import CounterRead, read_for_counter, read_for_visit
from counterapp.settings import Settings
from counterapp.verification.engine import VerificationPolicy, evaluate
from counterapp.verification.pinless import evaluate_pinless
from counterapp.verification.revocation import AnyCrl
from counterapp.verification.sources import crls_for, trust_for
from counterapp.verification.trust import TrustConfig
from counterapp.verification.verdict import Overall, Verdict

if TYPE_CHECKING:
    from counterapp.forms.filled import CardData  # the forms (pydantic) only for a visit

CHALLENGE_BYTES = 32


class CardNotGenuine(Exception):
    """The card did not verify as genuine: nothing is filled from it."""

    message_key = "form.card_not_genuine"

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(f"card is {verdict.overall.value}: {', '.join(verdict.reasons)}")
        self.verdict = verdict


class PinNotAccepted(Exception):
    """A PIN step of a visit failed (wrong, blocked, last try declined); nothing was resent.

    ``read`` keeps what the visit has read and proven so far, so a new entry resumes there;
    ``error`` says which PIN and how many tries are left.
    """

    def __init__(self, read: CounterRead) -> None:
        assert read.pin_error is not None
        super().__init__(str(read.pin_error))
        self.read = read
        self.error: PinError = read.pin_error
        self.message_key = self.error.message_key

    @property
    def can_try_again(self) -> bool:
        """A new entry may be made: the PIN is not blocked (a wrong entry left tries)."""
        return not isinstance(self.error, PinBlocked) and getattr(self.error, "tries_left", 1) > 0


class CardPulled(CardRemoved):
    """The card left the reader during a visit's read; ``read`` keeps the steps already done."""

    def __init__(self, read: CounterRead) -> None:
        super().__init__("the card was removed from the reader")
        self.read = read


@dataclass(frozen=True)
class VerifiedCard:
    verdict: Verdict
    data: CardData


@dataclass(frozen=True)
class VerificationInputs:
    trust: TrustConfig
    crls: Sequence[AnyCrl]
    policy: VerificationPolicy
    when: dt.datetime


def verification_inputs(
    settings: Settings, source: CardSource, when: dt.datetime, crl_files: Sequence[Path] = ()
) -> VerificationInputs:
    """Trust anchors, CRLs and policy for a read at ``when``; raises TrustError or CrlError."""
    trust = trust_for(source, settings)
    crls = crls_for(trust, settings, when, crl_files)
    policy = VerificationPolicy(revocation_unknown=settings.revocation_unknown)
    return VerificationInputs(trust, crls, policy, when)


def audit_verdict(audit: AuditLog, verdict: Verdict) -> None:
    """The verdict and its reason keys (never personal data) in the audit log."""
    audit.append(
        AuditEvent.VERIFIED,
        verdict=verdict.overall.value,
        method=verdict.method,
        reasons=",".join(verdict.reasons),
    )


def check_card(
    card: MyNumberCard,
    interaction: Interaction,
    inputs: VerificationInputs,
    *,
    possession: bool = True,
) -> tuple[Verdict, CounterRead]:
    """Read the card (with a fresh challenge unless ``possession`` is off) and judge it."""
    challenge = secrets.token_bytes(CHALLENGE_BYTES) if possession else None
    read = read_for_counter(card, interaction, challenge)
    verdict = evaluate(read, inputs.trust, list(inputs.crls), inputs.when, inputs.policy)
    return verdict, read


def check_card_pinless(
    card: MyNumberCard,
    collation_b: str,
    inputs: VerificationInputs,
    *,
    holder_confirmed: bool = False,
    allow_last_try: bool = False,
) -> tuple[Verdict, PinlessRead]:
    """The PIN-less read with a fresh challenge, judged as its own kind of verdict.

    ``holder_confirmed``: a person compared the face photo with the holder (the CLI's
    ``--face-confirmed``); never inferred. A refused 照合番号B raises CollationNotAccepted.
    """
    challenge = secrets.token_bytes(CHALLENGE_BYTES)
    read = read_pinless(card, collation_b, challenge, allow_last_try=allow_last_try)
    verdict = evaluate_pinless(
        read,
        inputs.trust,
        list(inputs.crls),
        inputs.when,
        inputs.policy,
        holder_confirmed=holder_confirmed,
    )
    return verdict, read


def audit_holder_confirmed(audit: AuditLog, operator: str, *, matched: bool = True) -> None:
    """The clerk's face comparison on the PIN-less path (``matched``: the photo is the person
    at the counter): the entry's operator is who made it (a sign-in name in any script;
    never in ``detail``, which holds only ids and keys)."""
    event = AuditEvent.HOLDER_CONFIRMED if matched else AuditEvent.HOLDER_REJECTED
    audit.append(event, by=operator, method="pinless")


def read_verified_card(
    card: MyNumberCard,
    interaction: Interaction,
    inputs: VerificationInputs,
    earlier: CounterRead | None = None,
) -> VerifiedCard:
    """Read and judge the card for a visit; its data only if it is genuine.

    A failed PIN step raises PinNotAccepted and a card pulled mid-read CardPulled, both
    with what was read so far to resume from; a card that is not genuine, CardNotGenuine.
    """
    read = read_for_visit(card, interaction, secrets.token_bytes(CHALLENGE_BYTES), earlier)
    if read.removed:
        raise CardPulled(read)
    if read.pin_error is not None:
        raise PinNotAccepted(read)
    verdict = evaluate(read, inputs.trust, list(inputs.crls), inputs.when, inputs.policy)
    if verdict.overall is not Overall.GENUINE or read.kenhojo is None:
        raise CardNotGenuine(verdict)
    return VerifiedCard(verdict, _card_data(read))


def _card_data(read: CounterRead) -> CardData:
    """The pre-fill items of a counter read (which must include the Kenhojo items)."""
    from counterapp.forms.filled import CardData

    assert read.kenhojo is not None
    basic = read.kenhojo.basic
    number: MyNumber = read.kenhojo.my_number.number
    return CardData(basic.name, basic.address, basic.birth_date, basic.sex.value, number)
