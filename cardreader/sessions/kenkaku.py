"""The 券面事項確認AP (Kenkaku): the card face as the issuer signed it, opened by 照合番号."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from cardreader import tlv
from cardreader.errors import InvalidPinFormat, MalformedResponse
from cardreader.mynumber import MyNumber
from cardreader.sessions.base import ApplicationSession
from cardreader.sessions.kenhojo import (
    CardVerifiableCertificate,
    Sex,
    parse_card_date,
    parse_cvc,
)
from cardreader.trace import Redact
from cardreader.wareki import to_wareki

KENKAKU_AID = bytes.fromhex("D3921000310001010402")

EF_CARD_FACE = 0x02
EF_CVC = 0x04
EF_COLLATION_B = 0x12
EF_COLLATION_A = 0x13
TAG_CARD_FACE = 0xFF20
COLLATION_B_LENGTH = 14
# The three groups of card-face items the DF28 signature covers, one SHA-256 each (§5.4):
# {birth date, sex, card public key}, {name image, address image}, {photo}.
SIGNED_GROUPS = ((0xDF22, 0xDF23, 0xDF24), (0xDF25, 0xDF26), (0xDF27,))


def collation_number_b(birth_date: dt.date, expiry_year: int, security_code: str) -> str:
    """照合番号B: birth date YYMMDD with the Japanese-era year, expiry year, security code.

    Example (protocol sheet §4): 1980-02-17 (昭和55), 2035, 2285 → 55021720352285.
    """
    if len(security_code) != 4 or not security_code.isdigit():
        raise ValueError("the security code has 4 digits")
    era = to_wareki(birth_date)
    return f"{era.year % 100:02d}{era.month:02d}{era.day:02d}{expiry_year:04d}{security_code}"


@dataclass(frozen=True)
class CardFace:
    """The card-face record (EF 0002): what is printed on the card, signed by the issuer."""

    birth_date: dt.date
    sex: Sex
    card_public_key: bytes = field(repr=False)
    name_image: bytes = field(repr=False)  # PNG
    address_image: bytes = field(repr=False)  # PNG
    photo: bytes = field(repr=False)  # JPEG 2000
    signature: bytes = field(repr=False)
    expiry: dt.date
    security_code_image: bytes = field(repr=False)  # PNG
    raw: bytes = field(repr=False)


class KenkakuSession(ApplicationSession):
    """Commands of the 券面事項確認AP."""

    AID = KENKAKU_AID
    LABEL = "Kenkaku"

    def collation_tries(self, which: str) -> int | None:
        """Tries left of 照合番号 ``"a"`` or ``"b"`` (empty VERIFY, no try used); None: verified."""
        return self._tries_left(EF_COLLATION_A if which == "a" else EF_COLLATION_B)

    def verify_collation_b(self, code: str, *, allow_last_try: bool = False) -> None:
        """Open the card face with 照合番号B (14 digits)."""
        if len(code) != COLLATION_B_LENGTH or not code.isascii() or not code.isdigit():
            raise InvalidPinFormat("collation_b", "照合番号B has 14 digits")
        self._verify_secret("collation_b", EF_COLLATION_B, code, allow_last_try)

    def verify_collation_a(self, my_number: MyNumber, *, allow_last_try: bool = False) -> None:
        """Open the card face with 照合番号A (the My Number)."""
        self._verify_secret("collation_a", EF_COLLATION_A, my_number.reveal(), allow_last_try)

    def read_card_face(self) -> CardFace:
        """The card face (after 照合番号A or B)."""
        return parse_card_face(self._read_file(EF_CARD_FACE, redact=Redact.RESPONSE))

    def read_certificate(self) -> CardVerifiableCertificate:
        """EF 0004, this application's CVC (no secret)."""
        return parse_cvc(self._read_file(EF_CVC))


def parse_card_face(raw: bytes) -> CardFace:
    """Parse the FF20 card-face record of §5.4."""
    items = tlv.children(raw, TAG_CARD_FACE)
    try:
        value = {tag: items[tag].value for tag in range(0xDF22, 0xDF2B)}
        return CardFace(
            birth_date=parse_card_date(value[0xDF22].decode("ascii")),
            sex=Sex(value[0xDF23].decode("ascii")),
            card_public_key=value[0xDF24],
            name_image=value[0xDF25],
            address_image=value[0xDF26],
            photo=value[0xDF27],
            signature=value[0xDF28],
            expiry=parse_card_date(value[0xDF29].decode("ascii")),
            security_code_image=value[0xDF2A],
            raw=raw,
        )
    except (KeyError, UnicodeDecodeError, ValueError) as exc:
        raise MalformedResponse("card face record is incomplete") from exc


def card_face_signed_data(raw: bytes) -> bytes:
    """The 96 bytes DF28 signs: SHA-256 of each item group's TLVs, as stored in the file.

    UNCERTAIN beyond SOL and JSA (sheet §5.4): the signature is PKCS#1 v1.5 with a SHA-256
    DigestInfo over these 96 bytes. DF29 (expiry) and DF2A (security code) are not covered.
    """
    items = tlv.children(raw, TAG_CARD_FACE)
    try:
        groups = [b"".join(raw[items[t].start : items[t].end] for t in g) for g in SIGNED_GROUPS]
    except KeyError as exc:
        raise MalformedResponse("card face record is incomplete") from exc
    return b"".join(hashlib.sha256(group).digest() for group in groups)
