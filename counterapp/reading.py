"""Headless card-reading use cases shared by the CLI and the GUI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from cardreader.errors import LastTryRefused, NotMyNumberCard, PinBlocked, PinError
from cardreader.mynumber import MyNumber
from cardreader.pin import PinKind, PinStatus, wipe
from cardreader.sessions import BasicInfo, CardFace, MyNumberCard, MyNumberFile, TokenInfo
from cardreader.sessions.kenhojo import CardVerifiableCertificate, IntegrityRecord
from counterapp.interaction import Cancelled, Interaction


@dataclass(frozen=True)
class CertificateSummary:
    """What a clerk or IT staff needs to know about a certificate."""

    subject: str
    issuer: str
    serial: str
    not_before: dt.datetime
    not_after: dt.datetime
    sha256: str

    @classmethod
    def of(cls, cert: x509.Certificate) -> CertificateSummary:
        return cls(
            subject=cert.subject.rfc4514_string(),
            issuer=cert.issuer.rfc4514_string(),
            serial=f"{cert.serial_number:X}",
            not_before=cert.not_valid_before_utc,
            not_after=cert.not_valid_after_utc,
            sha256=cert.fingerprint(hashes.SHA256()).hex(),
        )


@dataclass(frozen=True)
class CardInfo:
    """Everything readable without a PIN. Never the My Number."""

    token: TokenInfo
    auth_certificate: CertificateSummary
    pins: dict[PinKind, PinStatus | None]  # None: the token has no such application


@dataclass(frozen=True)
class BasicRead:
    """The four basic items and the My Number, read with the Kenhojo PIN."""

    basic: BasicInfo
    my_number: MyNumber


def read_card_info(card: MyNumberCard) -> CardInfo:
    """Token type, auth certificate and tries left of every PIN, without using a try."""
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
    ``*_problem`` (a message key such as ``pin.wrong``), so verification can say so.
    """

    auth_certificate: x509.Certificate
    challenge: bytes | None = None
    challenge_signature: bytes | None = None
    auth_problem: str | None = None
    kenhojo: KenhojoRead | None = None
    kenhojo_problem: str | None = None


def read_for_counter(
    card: MyNumberCard, interaction: Interaction, challenge: bytes | None
) -> CounterRead:
    """The full counter read in the fewest APDUs (12 with extended length).

    Auth certificate; with a ``challenge``: auth PIN tries + VERIFY + signature over it;
    then Kenhojo PIN tries + VERIFY, My Number, basic items, integrity record and CVC.
    Each PIN is asked once and never retried; a pulled card raises before any partial
    result is returned.
    """
    jpki = card.jpki()
    certificate = jpki.read_auth_certificate()
    signature, auth_problem = None, None
    if challenge is not None:
        try:
            verify_once(
                jpki.pin_status(PinKind.AUTH),
                interaction,
                lambda pin, allow: jpki.verify_pin(PinKind.AUTH, pin, allow_last_try=allow),
            )
            signature = jpki.sign_sha256(PinKind.AUTH, challenge)
        except (PinError, Cancelled) as exc:
            auth_problem = exc.message_key
    kenhojo, kenhojo_problem = _read_kenhojo(card, interaction)
    return CounterRead(certificate, challenge, signature, auth_problem, kenhojo, kenhojo_problem)


def _read_kenhojo(
    card: MyNumberCard, interaction: Interaction
) -> tuple[KenhojoRead | None, str | None]:
    try:
        kenhojo = card.kenhojo()
    except NotMyNumberCard:
        return None, "kenhojo.absent"
    try:
        verify_once(
            kenhojo.pin_status(),
            interaction,
            lambda pin, allow: kenhojo.verify_pin(pin, allow_last_try=allow),
        )
    except (PinError, Cancelled) as exc:
        return None, exc.message_key
    read = KenhojoRead(
        my_number=kenhojo.read_my_number(),
        basic=kenhojo.read_basic_info(),
        integrity=kenhojo.read_integrity_record(),
        certificate=kenhojo.read_certificate(),
    )
    return read, None


def read_card_face(card: MyNumberCard, collation_b: str) -> CardFace:
    """The card face (photo, name and address as printed) opened with 照合番号B, tried once.

    For the clerk's visual identity check. 照合番号B is what is printed on the card
    (birth date, expiry year, security code): the clerk reads it off the card in hand.
    """
    kenkaku = card.kenkaku()
    kenkaku.verify_collation_b(collation_b)
    return kenkaku.read_card_face()
