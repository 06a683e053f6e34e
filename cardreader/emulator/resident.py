"""Test residents: whose data the virtual card carries, and its TEST ONLY secrets.

Defaults (documented in README): auth PIN ``1234``, Kenhojo PIN ``1234``, signing
password ``TEST1234``; 照合番号B is derived from the birth date, the card's expiry
year and the security code. A resident can be loaded from a TOML file instead.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from cardreader.mynumber import check_digit
from cardreader.pin import PinKind, PinStatus
from cardreader.sessions.kenkaku import collation_number_b


def with_check_digit(first_eleven: str) -> str:
    """A My Number that passes the check-digit test."""
    return first_eleven + str(check_digit(first_eleven))


@dataclass(frozen=True)
class Resident:
    """The person a virtual card belongs to."""

    key_label: str  # names the resident's cached TEST ONLY keys
    name: str  # family and given name separated by U+3000, as on the chip
    address: str
    birth_date: dt.date
    sex: str  # "1" male, "2" female, "9" not applicable
    my_number: str
    card_expiry: dt.date
    security_code: str = "2285"
    auth_pin: str = "1234"
    kenhojo_pin: str = "1234"
    signing_password: str = "TEST1234"
    municipality_code: str = "13101"

    def collation_number_b(self) -> str:
        """照合番号B that opens the card face (birth date in era years + expiry year + code)."""
        return collation_number_b(self.birth_date, self.card_expiry.year, self.security_code)

    def __repr__(self) -> str:
        return f"Resident({self.key_label!r})"  # never print the My Number or the PINs


# Born 1980-02-17 (昭和55), card expiring 2035, security code 2285: the protocol sheet's
# worked example, so 照合番号B is 55021720352285.
DEFAULT_RESIDENT = Resident(
    key_label="default",
    name="番号　花子",
    address="東京都千代田区霞が関２丁目１番２号",
    birth_date=dt.date(1980, 2, 17),
    sex="2",
    my_number=with_check_digit("12345678901"),
    card_expiry=dt.date(2035, 2, 17),
)

# The default resident's partner in the same 世帯 (same address), with PINs of his own: a
# household at the counter taps both cards in turn, each with its own PINs. Born 1978-09-03
# (昭和53), card expiring 2033, security code 4711.
PARTNER_RESIDENT = Resident(
    key_label="household-partner",
    name="番号　太郎",
    address=DEFAULT_RESIDENT.address,
    birth_date=dt.date(1978, 9, 3),
    sex="1",
    my_number=with_check_digit("24681357902"),
    card_expiry=dt.date(2033, 9, 3),
    security_code="4711",
    auth_pin="5678",
    kenhojo_pin="8765",
    signing_password="TEST5678",
)

# An address long enough that the basic-4 file needs more than one short READ BINARY.
LONG_ADDRESS_RESIDENT = replace(
    DEFAULT_RESIDENT,
    key_label="long-address",
    name="長住　所太郎",
    address=(
        "北海道札幌市中央区北一条西二丁目１番地１２３号　さっぽろ中央ビルディング東館"
        "第一別棟二十三階２３０１号室　株式会社テスト専用長住所管理事務所気付"
        "（住所が長い場合の読み取り確認用）"
    ),
    sex="1",
    my_number=with_check_digit("98765432109"),
)

# 髙 (U+9AD9) and 𠮷 (U+20BB7) are outside JIS X 0208: the 外字 case.
GAIJI_RESIDENT = replace(
    DEFAULT_RESIDENT,
    key_label="gaiji",
    name="髙橋　𠮷男",
    sex="1",
    my_number=with_check_digit("31415926535"),
)


def load_resident(path: Path) -> Resident:
    """A resident from TOML; missing keys keep the default resident's values."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    known = {f.name for f in fields(Resident)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"unknown resident keys: {', '.join(sorted(unknown))}")
    for key in ("birth_date", "card_expiry"):
        if key in data and not isinstance(data[key], dt.date):
            data[key] = dt.date.fromisoformat(str(data[key]))
    data.setdefault("key_label", "custom")
    return replace(DEFAULT_RESIDENT, **data)


class ResidentPins:
    """Types the resident's PINs when asked (tests, benchmarks, demos); refuses a last try.

    Satisfies ``counterapp.interaction.Interaction``; ``asked`` records which PINs were asked.
    """

    def __init__(self, resident: Resident = DEFAULT_RESIDENT) -> None:
        self.resident = resident
        self.asked: list[PinKind] = []

    def ask_pin(self, status: PinStatus) -> bytearray:
        self.asked.append(status.kind)
        values = {
            PinKind.AUTH: self.resident.auth_pin,
            PinKind.SIGNING: self.resident.signing_password,
            PinKind.KENHOJO: self.resident.kenhojo_pin,
        }
        return bytearray(values[status.kind].encode())

    def confirm_last_try(self, status: PinStatus) -> bool:
        return False
