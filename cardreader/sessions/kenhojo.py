"""The 券面事項入力補助AP (Kenhojo): My Number, the four basic items and their integrity data."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey, RSAPublicNumbers

from cardreader import tlv
from cardreader.errors import MalformedResponse
from cardreader.mynumber import MyNumber
from cardreader.pin import PinKind, PinStatus
from cardreader.sessions.base import ApplicationSession
from cardreader.trace import Redact

KENHOJO_AID = bytes.fromhex("D3921000310001010408")

EF_MY_NUMBER = 0x01
EF_BASIC_INFO = 0x02
EF_INTEGRITY = 0x03
EF_CVC = 0x04
EF_PIN = 0x11

MY_NUMBER_FILE_SIZE = 17  # FF 10 0C + 12 digits + 2 filler bytes, all covered by DF31
TAG_MY_NUMBER = 0xFF10
TAG_BASIC_INFO = 0xFF20
TAG_INTEGRITY = 0xFF30
TAG_CVC = 0x7F21
TAG_CVC_BODY = 0x5F4E
TAG_CVC_SIGNATURE = 0x5F37
CVC_KEY_ID_LENGTH = 16


class Sex(enum.Enum):
    """Sex codes of JIS X 0303 / ISO 5218 as the card stores them."""

    UNKNOWN = "0"
    MALE = "1"
    FEMALE = "2"
    NOT_APPLICABLE = "9"

    @property
    def label_ja(self) -> str:
        return {"0": "不明", "1": "男", "2": "女", "9": "適用不能"}[self.value]


@dataclass(frozen=True)
class MyNumberFile:
    """The My Number and the physical file bytes its integrity digest covers."""

    number: MyNumber
    raw: bytes = field(repr=False)


@dataclass(frozen=True)
class BasicInfo:
    """基本4情報 exactly as the chip gives them; ``raw`` is the FF20 TLV."""

    name: str
    address: str
    birth_date: dt.date
    sex: Sex
    raw: bytes = field(repr=False)

    @property
    def signed_part(self) -> bytes:
        """The FF20 value from DF22 to its end: what the integrity record's DF32 digests."""
        items = tlv.children(self.raw, TAG_BASIC_INFO)
        return self.raw[items[0xDF22].start : tlv.parse_one(self.raw).end]


@dataclass(frozen=True)
class IntegrityRecord:
    """EF 0003: two SHA-256 digests and the card issuer's signature over them."""

    my_number_digest: bytes
    basic_info_digest: bytes
    signature: bytes
    signed_data: bytes  # the DF31 and DF32 TLVs, as signed


@dataclass(frozen=True)
class CardVerifiableCertificate:
    """A CVC (tag 7F21): the application's public key signed by a J-LIS key."""

    issuer_key_id: bytes
    subject_key_id: bytes
    public_key: RSAPublicKey
    body: bytes  # the 5F4E value, as signed
    signature: bytes


class KenhojoSession(ApplicationSession):
    """Commands of the 券面事項入力補助AP."""

    AID = KENHOJO_AID
    LABEL = "Kenhojo"

    def pin_status(self) -> PinStatus:
        """Tries left for the 券面事項入力補助用暗証番号; uses no try."""
        return self._pin_status(PinKind.KENHOJO, EF_PIN)

    def verify_pin(self, pin: bytes | bytearray | str, *, allow_last_try: bool = False) -> None:
        """Verify the Kenhojo PIN once; refuses the last try unless ``allow_last_try``."""
        self._verify_pin(PinKind.KENHOJO, EF_PIN, pin, allow_last_try=allow_last_try)

    def read_my_number(self) -> MyNumberFile:
        """The My Number (after the PIN). Its value never reaches a trace."""
        raw = self._read_file(EF_MY_NUMBER, redact=Redact.RESPONSE, size=MY_NUMBER_FILE_SIZE)
        return parse_my_number(raw)

    def read_basic_info(self) -> BasicInfo:
        """Name, address, birth date and sex (after the PIN)."""
        raw = self._read_file(EF_BASIC_INFO, redact=Redact.RESPONSE)
        return parse_basic_info(raw)

    def read_integrity_record(self) -> IntegrityRecord:
        """EF 0003 (after the PIN)."""
        return parse_integrity_record(self._read_file(EF_INTEGRITY))

    def read_certificate(self) -> CardVerifiableCertificate:
        """EF 0004, this application's CVC (no PIN)."""
        return parse_cvc(self._read_file(EF_CVC))


def parse_my_number(raw: bytes) -> MyNumberFile:
    """Parse FF10 + 12 ASCII digits (the physical file, filler included, is kept in ``raw``)."""
    item = tlv.parse_one(raw)
    if item.tag != TAG_MY_NUMBER:
        raise MalformedResponse("My Number file has an unexpected tag")
    try:
        digits = item.value.decode("ascii")
    except UnicodeDecodeError as exc:
        raise MalformedResponse("My Number is not ASCII digits") from exc
    return MyNumberFile(MyNumber(digits), raw)


def parse_basic_info(raw: bytes) -> BasicInfo:
    """Parse the FF20 basic-4 record (UTF-8 text, YYYYMMDD birth date, one-digit sex)."""
    items = tlv.children(raw, TAG_BASIC_INFO)
    try:
        name, address, birth, sex = (items[tag].value.decode("utf-8") for tag in _BASIC_TAGS)
    except KeyError as exc:
        raise MalformedResponse("basic information lacks an item") from exc
    except UnicodeDecodeError as exc:
        raise MalformedResponse("basic information is not UTF-8") from exc
    return BasicInfo(name, address, parse_card_date(birth), _parse_sex(sex), raw)


_BASIC_TAGS = (0xDF22, 0xDF23, 0xDF24, 0xDF25)


def parse_card_date(text: str) -> dt.date:
    """A YYYYMMDD date as the card stores it."""
    try:
        if len(text) != 8 or not text.isascii() or not text.isdigit():
            raise ValueError(text)
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError as exc:
        raise MalformedResponse("date on the card is not YYYYMMDD") from exc


def _parse_sex(code: str) -> Sex:
    try:
        return Sex(code)
    except ValueError as exc:
        raise MalformedResponse("sex code is not 0, 1, 2 or 9") from exc


def parse_integrity_record(raw: bytes) -> IntegrityRecord:
    """Parse FF30 { DF31 digest, DF32 digest, DF33 signature }."""
    items = tlv.children(raw, TAG_INTEGRITY)
    try:
        first, second, signature = items[0xDF31], items[0xDF32], items[0xDF33]
    except KeyError as exc:
        raise MalformedResponse("integrity record lacks an item") from exc
    if len(first.value) != 32 or len(second.value) != 32:
        raise MalformedResponse("integrity digests are not SHA-256")
    return IntegrityRecord(
        first.value, second.value, signature.value, raw[first.start : second.end]
    )


def parse_cvc(raw: bytes) -> CardVerifiableCertificate:
    """Parse 7F21 { 5F4E body, 5F37 signature }; the body holds key ids and an RSA key."""
    items = tlv.children(raw, TAG_CVC)
    try:
        body, signature = items[TAG_CVC_BODY].value, items[TAG_CVC_SIGNATURE].value
    except KeyError as exc:
        raise MalformedResponse("CVC lacks its body or signature") from exc
    ids, key_part = body[: 2 * CVC_KEY_ID_LENGTH], body[2 * CVC_KEY_ID_LENGTH :]
    if len(ids) != 2 * CVC_KEY_ID_LENGTH:
        raise MalformedResponse("CVC body is too short")
    key_items = {item.tag: item.value for item in tlv.iterate(key_part)}
    try:
        numbers = RSAPublicNumbers(
            int.from_bytes(key_items[0x90], "big"), int.from_bytes(key_items[0x91], "big")
        )
        public_key = numbers.public_key()
    except (KeyError, ValueError) as exc:
        raise MalformedResponse("CVC does not hold a usable RSA key") from exc
    return CardVerifiableCertificate(
        ids[:CVC_KEY_ID_LENGTH], ids[CVC_KEY_ID_LENGTH:], public_key, body, signature
    )
