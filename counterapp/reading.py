"""Headless card-reading use cases shared by the CLI and the GUI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from cryptography import x509

from cardreader.errors import CardRemoved, LastTryRefused, NotMyNumberCard, PinBlocked, PinError
from cardreader.mynumber import MyNumber
from cardreader.pin import PinKind, PinStatus, wipe
from cardreader.sessions import (
    BasicInfo,
    CardFace,
    JpkiSession,
    MyNumberCard,
    MyNumberFile,
    TokenInfo,
)
from cardreader.sessions.kenhojo import CardVerifiableCertificate, IntegrityRecord
from counterapp.interaction import Cancelled, Interaction

if TYPE_CHECKING:  # the summary is made only for card info: a read does not load it
    from counterapp.wire.certificates import CertificateSummary


@dataclass(frozen=True)
class CardInfo:
    """Everything readable without a PIN. Never the My Number."""

    token: TokenInfo
    auth_certificate: CertificateSummary
    pins: dict[PinKind, PinStatus | None]  # None: the token has no such application


@dataclass(frozen=True)
class BasicRead:
    """The four basic items and the My Number, read with the Kenhojo PIN.

    PIN-less (照合番号B) reads give no My Number (None): only 照合番号A opens it.
    """

    basic: BasicInfo
    my_number: MyNumber | None
    method: str = "pin"


def read_card_info(card: MyNumberCard) -> CardInfo:
    """Token type, auth certificate and tries left of every PIN, without using a try."""
    from counterapp.wire.certificates import CertificateSummary

    jpki = card.jpki()
    token = jpki.read_token_info()
    cert = jpki.read_auth_certificate()
    pins: dict[PinKind, PinStatus | None] = {
        PinKind.AUTH: jpki.pin_status(PinKind.AUTH),
        PinKind.SIGNING: jpki.pin_status(PinKind.SIGNING),
    }
    try:
        pins[PinKind.KENHOJO] = card.kenhojo().pin_status()
    except NotMyNumberCard:
        pins[PinKind.KENHOJO] = None  # smartphone JPKI has no Kenhojo application
    return CardInfo(token, CertificateSummary.of(cert), pins)


def ask_pin_for(status: PinStatus, interaction: Interaction) -> tuple[bytearray, bool]:
    """Ask for the PIN ``status`` names; on its last try, ask first whether to use it.

    Returns the PIN and whether the last try may be used. Nothing is asked for a
    blocked PIN.
    """
    if status.blocked:
        raise PinBlocked(status.kind.value)
    if status.last_try and not interaction.confirm_last_try(status):
        raise LastTryRefused(status.kind.value)
    return interaction.ask_pin(status), status.last_try


def verify_once(
    status: PinStatus,
    interaction: Interaction,
    verify: Callable[[bytearray, bool], None],
) -> None:
    """Ask for the PIN, send it once with ``verify(pin, allow_last_try)``, then wipe it."""
    pin, allow_last_try = ask_pin_for(status, interaction)
    try:
        verify(pin, allow_last_try)
    finally:
        wipe(pin)


def read_basic(card: MyNumberCard, interaction: Interaction) -> BasicRead:
    """Verify the Kenhojo PIN (asked once, never retried) and read the 4 items and My Number."""
    kenhojo = card.kenhojo()
    verify_once(
        kenhojo.pin_status(),
        interaction,
        lambda pin, allow: kenhojo.verify_pin(pin, allow_last_try=allow),
    )
    basic = kenhojo.read_basic_info()
    my_number = kenhojo.read_my_number().number
    return BasicRead(basic, my_number)


@dataclass(frozen=True)
class KenhojoRead:
    """The Kenhojo items with the data that proves them."""

    basic: BasicInfo
    my_number: MyNumberFile
    integrity: IntegrityRecord
    certificate: CardVerifiableCertificate


@dataclass(frozen=True)
class CounterRead:
    """Everything one counter visit reads: enough to verify the card and fill forms.

    A PIN step that did not succeed leaves its part empty and names why in
    ``*_problem`` (a message key such as ``pin.wrong``), so verification can say so;
    ``pin_error`` is that step's error (which PIN, tries left) when a visit stopped there.
    """

    auth_certificate: x509.Certificate
    challenge: bytes | None = None
    challenge_signature: bytes | None = None
    auth_problem: str | None = None
    kenhojo: KenhojoRead | None = None
    kenhojo_problem: str | None = None
    pin_error: PinError | None = None
    removed: bool = False  # the card left the reader after the steps this read holds

    @property
    def complete(self) -> bool:
        """Both PIN steps succeeded: possession is proven and the Kenhojo items are read."""
        return self.challenge_signature is not None and self.kenhojo is not None


def read_for_counter(
    card: MyNumberCard, interaction: Interaction, challenge: bytes | None
) -> CounterRead:
    """The full counter read in the fewest APDUs (12 with extended length), for a verdict.

    Auth certificate; with a ``challenge``: auth PIN tries + VERIFY + signature over it;
    then Kenhojo PIN tries + VERIFY, My Number, basic items, integrity record and CVC.
    Each PIN is asked once and never retried; a PIN step that fails is named in the
    result and the read goes on; a pulled card raises before any partial result is returned.
    """
    jpki = card.jpki()
    certificate = jpki.read_auth_certificate()
    signature, auth_problem = None, None
    if challenge is not None:
        try:
            signature = _prove_possession(jpki, interaction, challenge)
        except (PinError, Cancelled) as exc:
            auth_problem = exc.message_key
    kenhojo, kenhojo_problem = None, None
    try:
        kenhojo = _read_kenhojo(card, interaction)
    except NotMyNumberCard:
        kenhojo_problem = "kenhojo.absent"
    except (PinError, Cancelled) as exc:
        kenhojo_problem = exc.message_key
    return CounterRead(certificate, challenge, signature, auth_problem, kenhojo, kenhojo_problem)


def read_for_visit(
    card: MyNumberCard, interaction: Interaction, challenge: bytes, earlier: CounterRead | None
) -> CounterRead:
    """The counter read of a visit: it stops at the first PIN step that fails.

    A step that succeeded ``earlier`` in the visit on this same card (same auth
    certificate) is not repeated, so a new PIN entry or a card put back resumes the visit
    without asking again for a PIN that was already accepted. A card pulled after its
    certificate was read gives the steps done so far with ``removed`` set (pulled before:
    CardRemoved); cancelling raises Cancelled.
    """
    jpki = card.jpki()
    certificate = jpki.read_auth_certificate()
    read = earlier if earlier and earlier.auth_certificate == certificate else None
    read = replace(read or CounterRead(certificate), auth_problem=None, pin_error=None)
    try:
        if read.challenge_signature is None:
            try:
                signature = _prove_possession(jpki, interaction, challenge)
            except PinError as exc:
                return replace(read, auth_problem=exc.message_key, pin_error=exc)
            read = replace(read, challenge=challenge, challenge_signature=signature)
        if read.kenhojo is None:
            try:
                read = replace(read, kenhojo=_read_kenhojo(card, interaction), kenhojo_problem=None)
            except NotMyNumberCard:
                return replace(read, kenhojo_problem="kenhojo.absent")
            except PinError as exc:
                return replace(read, kenhojo_problem=exc.message_key, pin_error=exc)
    except CardRemoved:
        return replace(read, removed=True)  # what was proven before stays proven
    return replace(read, removed=False)


def _prove_possession(jpki: JpkiSession, interaction: Interaction, challenge: bytes) -> bytes:
    """The auth PIN (asked once) and the card's signature over ``challenge``."""
    verify_once(
        jpki.pin_status(PinKind.AUTH),
        interaction,
        lambda pin, allow: jpki.verify_pin(PinKind.AUTH, pin, allow_last_try=allow),
    )
    return jpki.sign_sha256(PinKind.AUTH, challenge)


def _read_kenhojo(card: MyNumberCard, interaction: Interaction) -> KenhojoRead:
    """The Kenhojo PIN (asked once), then the items and what proves them."""
    kenhojo = card.kenhojo()
    verify_once(
        kenhojo.pin_status(),
        interaction,
        lambda pin, allow: kenhojo.verify_pin(pin, allow_last_try=allow),
    )
    return KenhojoRead(
        my_number=kenhojo.read_my_number(),
        basic=kenhojo.read_basic_info(),
        integrity=kenhojo.read_integrity_record(),
        certificate=kenhojo.read_certificate(),
    )


@dataclass(frozen=True)
class CardFaceRead:
    """The card face with the Kenkaku CVC whose key signed it: enough to prove the face."""

    face: CardFace
    certificate: CardVerifiableCertificate


def read_signed_card_face(card: MyNumberCard, collation_b: str) -> CardFaceRead:
    """The card face (photo, name and address as printed) opened with 照合番号B, tried once,
    with the Kenkaku CVC (EF 0004, no secret) that proves it.

    For the clerk's visual identity check. 照合番号B is what is printed on the card
    (birth date, expiry year, security code): the clerk reads it off the card in hand.
    """
    kenkaku = card.kenkaku()
    kenkaku.verify_collation_b(collation_b)
    return CardFaceRead(kenkaku.read_card_face(), kenkaku.read_certificate())
