"""The 券面事項入力補助AP (Kenhojo): My Number, the four basic items and their integrity data.

Without a PIN the same data opens with a 照合番号: B (printed on the card) opens the four
items, the integrity record and EF 0007; A (the My Number) opens the My Number file. The
AP's own key (EF 0013) signs a challenge with no secret at all (internal authentication);
EF 0007 carries its public half with the issuer's signature, checkable with the CVC key.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey, RSAPublicNumbers

from cardreader import tlv
from cardreader.apdu import CommandApdu
from cardreader.errors import InvalidPinFormat, MalformedResponse
from cardreader.mynumber import MyNumber
from cardreader.pin import PinKind, PinStatus
from cardreader.sessions.base import ApplicationSession
from cardreader.sessions.jpki import SIGNATURE_LENGTH, sha256_digest_info
from cardreader.trace import Redact

KENHOJO_AID = bytes.fromhex("D3921000310001010408")

EF_MY_NUMBER = 0x01
EF_BASIC_INFO = 0x02
EF_INTEGRITY = 0x03
EF_CVC = 0x04
EF_SIGNED_KEY = 0x07
EF_PIN = 0x11
EF_COLLATION_A = 0x14
EF_COLLATION_B = 0x15
COLLATION_B_LENGTH = 14
INS_COMPUTE_SIGNATURE = 0x2A
DEFAULT_KEY = 0x00  # P2 00: the AP's default key (EF 0013), no secret needed

MY_NUMBER_FILE_SIZE = 17  # FF 10 0C + 12 digits + 2 filler bytes, all covered by DF31
TAG_MY_NUMBER = 0xFF10
TAG_BASIC_INFO = 0xFF20
TAG_INTEGRITY = 0xFF30
TAG_CVC = 0x7F21
TAG_SIGNED_KEY = 0xFF50
TAG_SIGNED_KEY_PUBLIC = 0xDF51
TAG_SIGNED_KEY_SIGNATURE = 0xDF52
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


@dataclass(frozen=True)
class SignedApKey:
    """EF 0007: the public half of the AP's internal-authentication key, signed by the issuer.

    ``signed_data`` is the DF51 TLV exactly as stored: what DF52 signs (PKCS#1 v1.5 /
    SHA-256, verifiable with the key of this AP's CVC).
    """

    public_key: RSAPublicKey
    signature: bytes
    signed_data: bytes


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

    # -- PIN-less: 照合番号 and internal authentication ------------------------------------

    def collation_tries(self, which: str) -> int | None:
        """Tries left of 照合番号 ``"a"`` or ``"b"`` (empty VERIFY, no try used); None: verified."""
        return self._tries_left(EF_COLLATION_A if which == "a" else EF_COLLATION_B)

    def verify_collation_b(self, code: str, *, allow_last_try: bool = False) -> None:
        """Open the four items, integrity record and EF 0007 with 照合番号B (14 digits).

        Tries are read first; the last try is refused unless ``allow_last_try``; sent once.
        """
        if len(code) != COLLATION_B_LENGTH or not code.isascii() or not code.isdigit():
            raise InvalidPinFormat("collation_b", "照合番号B has 14 digits")
        self._verify_secret("collation_b", EF_COLLATION_B, code, allow_last_try)

    def verify_collation_a(self, my_number: MyNumber, *, allow_last_try: bool = False) -> None:
        """Open the My Number file with 照合番号A (the My Number itself), tried once."""
        self._verify_secret("collation_a", EF_COLLATION_A, my_number.reveal(), allow_last_try)

    def read_signed_key(self) -> SignedApKey:
        """EF 0007 (after the PIN or a 照合番号): the internal-authentication key, signed."""
        return parse_signed_key(self._read_file(EF_SIGNED_KEY))

    def internal_authenticate(self, challenge: bytes) -> bytes:
        """The AP key's PKCS#1 v1.5 signature over SHA-256(challenge): ``80 2A 00 00``.

        Needs no secret. Check it against ``read_signed_key()``'s key, after that key's
        issuer signature is verified: only the chip holding the private key can answer.
        """
        command = CommandApdu(
            0x80, INS_COMPUTE_SIGNATURE, 0x00, DEFAULT_KEY, sha256_digest_info(challenge), le=256
        )
        signature = self._send(command)
        if len(signature) != SIGNATURE_LENGTH:
            raise MalformedResponse("internal authentication answer has the wrong length")
        return signature


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


def parse_signed_key(raw: bytes) -> SignedApKey:
    """Parse FF50 { DF51 RSA key (90 exponent, 91 modulus), DF52 issuer signature }."""
    items = tlv.children(raw, TAG_SIGNED_KEY)
    try:
        key, signature = items[TAG_SIGNED_KEY_PUBLIC], items[TAG_SIGNED_KEY_SIGNATURE]
    except KeyError as exc:
        raise MalformedResponse("signed key record lacks its key or signature") from exc
    return SignedApKey(rsa_key(key.value), signature.value, raw[key.start : key.end])


def rsa_key(key_part: bytes) -> RSAPublicKey:
    """An RSA public key from the card's 90 (exponent) and 91 (modulus) items."""
    key_items = {item.tag: item.value for item in tlv.iterate(key_part)}
    try:
        numbers = RSAPublicNumbers(
            int.from_bytes(key_items[0x90], "big"), int.from_bytes(key_items[0x91], "big")
        )
        return numbers.public_key()
    except (KeyError, ValueError) as exc:
        raise MalformedResponse("the card does not hold a usable RSA key") from exc


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
    public_key = rsa_key(key_part)
    return CardVerifiableCertificate(
        ids[:CVC_KEY_ID_LENGTH], ids[CVC_KEY_ID_LENGTH:], public_key, body, signature
    )
