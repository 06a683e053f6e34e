"""The PIN-less counter read: 照合番号B, internal authentication and the signed card face.

For the resident who has forgotten a PIN, whose PINs are blocked or whose card was issued
without one. What the card gives without a PIN is proven as far as a card can prove it
(J-LIS signatures on the text, the face and the AP key; the chip's own signature over our
challenge); who holds the card is the clerk's face comparison, recorded separately
(``CounterService.confirm_holder``). Each 照合番号 is tried once, its tries read first, and
never sent on its last try without ``allow_last_try``.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509

from cardreader.errors import LastTryRefused, PinBlocked, PinError, WrongPin
from cardreader.mynumber import MyNumber
from cardreader.sessions import BasicInfo, MyNumberCard, MyNumberFile
from cardreader.sessions.kenhojo import CardVerifiableCertificate, IntegrityRecord, SignedApKey
from counterapp.reading import BasicRead, CardFaceRead


class CollationNotAccepted(Exception):
    """A 照合番号 was refused (wrong, blocked, or its last try not allowed); nothing resent.

    ``which`` is ``"a"`` or ``"b"``; ``tries_left`` the card's count after this attempt
    (0: blocked; 1 with ``last_try_refused``: nothing was sent); ``message_key`` the
    catalogue text (``pin.wrong``, ``pin.blocked``, ``pin.last_try``) with the 照合番号's name.
    """

    def __init__(self, error: PinError) -> None:
        super().__init__(str(error))
        self.error = error
        self.which = "a" if error.pin_name == "collation_a" else "b"
        self.message_key = error.message_key
        self.last_try_refused = isinstance(error, LastTryRefused)
        if isinstance(error, PinBlocked):
            self.tries_left = 0
        else:
            self.tries_left = getattr(error, "tries_left", 0)

    @property
    def can_try_again(self) -> bool:
        """A corrected entry may be sent (tries are left)."""
        return isinstance(self.error, WrongPin) and self.tries_left > 0


@dataclass(frozen=True)
class PinlessRead:
    """Everything the PIN-less read gives: enough to verify the card and fill forms.

    ``my_number`` is set only after 照合番号A (``read_my_number``).
    """

    auth_certificate: x509.Certificate
    basic: BasicInfo
    integrity: IntegrityRecord
    certificate: CardVerifiableCertificate  # the Kenhojo CVC
    signed_key: SignedApKey
    challenge: bytes
    challenge_signature: bytes
    face: CardFaceRead
    my_number: MyNumberFile | None = None


def read_pinless(
    card: MyNumberCard, collation_b: str, challenge: bytes, *, allow_last_try: bool = False
) -> PinlessRead:
    """The PIN-less read in order: auth certificate (no secret); Kenhojo 照合番号B, the four
    items, integrity record, CVC, EF 0007 and internal authentication over ``challenge``;
    Kenkaku 照合番号B, the card face and its CVC.

    A refused 照合番号B raises CollationNotAccepted (sent at most once per application;
    a wrong one in Kenhojo stops the read before Kenkaku).
    """
    certificate = card.jpki().read_auth_certificate()
    try:
        kenhojo = card.kenhojo()
        kenhojo.verify_collation_b(collation_b, allow_last_try=allow_last_try)
        basic = kenhojo.read_basic_info()
        integrity = kenhojo.read_integrity_record()
        cvc = kenhojo.read_certificate()
        signed_key = kenhojo.read_signed_key()
        signature = kenhojo.internal_authenticate(challenge)
        kenkaku = card.kenkaku()
        kenkaku.verify_collation_b(collation_b, allow_last_try=allow_last_try)
        face = CardFaceRead(kenkaku.read_card_face(), kenkaku.read_certificate())
    except PinError as exc:
        raise CollationNotAccepted(exc) from None
    return PinlessRead(certificate, basic, integrity, cvc, signed_key, challenge, signature, face)


def read_basic_pinless(
    card: MyNumberCard, collation_b: str, *, allow_last_try: bool = False
) -> BasicRead:
    """The four basic items opened with 照合番号B (tried once); no My Number, no verdict."""
    kenhojo = card.kenhojo()
    try:
        kenhojo.verify_collation_b(collation_b, allow_last_try=allow_last_try)
    except PinError as exc:
        raise CollationNotAccepted(exc) from None
    return BasicRead(kenhojo.read_basic_info(), None, method="pinless")


def read_my_number(
    card: MyNumberCard, my_number: MyNumber, *, allow_last_try: bool = False
) -> MyNumberFile:
    """照合番号A (the My Number typed from the card, sent once) and the My Number file.

    The file read back is what the integrity record's DF31 digest covers: proof that the
    number typed is the number J-LIS wrote on this card.
    """
    kenhojo = card.kenhojo()
    try:
        kenhojo.verify_collation_a(my_number, allow_last_try=allow_last_try)
    except PinError as exc:
        raise CollationNotAccepted(exc) from None
    return kenhojo.read_my_number()
