"""The counter visit: read and verify the card, pre-fill the forms, sign, queue.

Only a card whose verdict is genuine fills anything; a card that is not genuine (or whose
genuineness cannot be established) leaves no form behind.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509

from cardreader.mynumber import MyNumber
from cardreader.pin import PinKind
from cardreader.sessions import MyNumberCard
from counterapp.audit import AuditEvent, AuditLog
from counterapp.cardsource import CardSource
from counterapp.forms.filled import CardData, FilledForm
from counterapp.forms.loader import FormLibrary
from counterapp.forms.prefill import Answers, Context, fill_event, fill_form
from counterapp.interaction import Interaction
from counterapp.reading import CounterRead, read_for_counter, verify_once
from counterapp.settings import Settings
from counterapp.signing import sign_detached
from counterapp.verification.engine import VerificationPolicy, evaluate
from counterapp.verification.sources import crls_for, trust_for
from counterapp.verification.trust import TrustConfig
from counterapp.verification.verdict import Overall, Verdict

CHALLENGE_BYTES = 32


class CardNotGenuine(Exception):
    """The card did not verify as genuine: nothing is filled from it."""

    message_key = "form.card_not_genuine"

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(f"card is {verdict.overall.value}: {', '.join(verdict.reasons)}")
        self.verdict = verdict


class UnknownForm(LookupError):
    message_key = "form.unknown"


@dataclass(frozen=True)
class VerifiedCard:
    verdict: Verdict
    data: CardData


@dataclass(frozen=True)
class VerificationInputs:
    trust: TrustConfig
    crls: Sequence[x509.CertificateRevocationList]
    policy: VerificationPolicy
    when: dt.datetime


def verification_inputs(
    settings: Settings, source: CardSource, now: dt.datetime
) -> VerificationInputs:
    """Trust anchors, CRLs and policy for a read at ``now``; raises TrustError or CrlError."""
    trust = trust_for(source, settings)
    crls = crls_for(trust, settings, now)
    policy = VerificationPolicy(revocation_unknown=settings.revocation_unknown)
    return VerificationInputs(trust, crls, policy, now)


def audit_verdict(audit: AuditLog, verdict: Verdict) -> None:
    """The verdict and its reason keys (never personal data) in the audit log."""
    audit.append(
        AuditEvent.VERIFIED, verdict=verdict.overall.value, reasons=",".join(verdict.reasons)
    )


def read_verified_card(
    card: MyNumberCard, interaction: Interaction, inputs: VerificationInputs
) -> VerifiedCard:
    """Read the card with a fresh challenge and return its data only if it is genuine."""
    read = read_for_counter(card, interaction, secrets.token_bytes(CHALLENGE_BYTES))
    verdict = evaluate(read, inputs.trust, list(inputs.crls), inputs.when, inputs.policy)
    if verdict.overall is not Overall.GENUINE or read.kenhojo is None:
        raise CardNotGenuine(verdict)
    return VerifiedCard(verdict, card_data(read))


def card_data(read: CounterRead) -> CardData:
    """The pre-fill items of a counter read (which must include the Kenhojo items)."""
    assert read.kenhojo is not None
    basic = read.kenhojo.basic
    number: MyNumber = read.kenhojo.my_number.number
    return CardData(basic.name, basic.address, basic.birth_date, basic.sex.value, number)


def fill_target(
    library: FormLibrary, target: str, card: CardData, answers: Answers, context: Context
) -> tuple[FilledForm, ...]:
    """The forms of a life event (by id or Japanese name), or a single form by id."""
    try:
        event = library.event(target)
    except KeyError:
        if target not in library.forms:
            raise UnknownForm(target) from None
        return (fill_form(library.forms[target], card, answers, context),)
    return fill_event(library, event, card, answers, context)


def sign_forms(
    card: MyNumberCard, interaction: Interaction, forms: Sequence[FilledForm], when: dt.datetime
) -> dict[int, bytes]:
    """The resident signs every form with the signing key: one password entry for the visit."""
    jpki = card.jpki()
    verify_once(
        jpki.pin_status(PinKind.SIGNING),
        interaction,
        lambda pin, allow: jpki.verify_pin(PinKind.SIGNING, pin, allow_last_try=allow),
    )
    certificate = jpki.read_signing_certificate()
    return {
        index: sign_detached(
            filled.canonical(),
            certificate,
            lambda digest_info: jpki.sign_digest_info(PinKind.SIGNING, digest_info),
            when,
        )
        for index, filled in enumerate(forms)
    }


def reception_number(visit: str, today: dt.date) -> str:
    """The number a resident is told at the counter: the date and the visit id's tail."""
    return f"{today:%Y%m%d}-{visit[-6:]}"
