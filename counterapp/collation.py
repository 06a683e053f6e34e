"""照合番号 from what the clerk reads off the card in hand, checked before anything is sent.

照合番号B (14 digits) opens the card's text and face without a PIN: the birth date as
YYMMDD with the Japanese-era year, the card's expiry year (4 digits, Gregorian) and the
4-digit security code printed on the front. 照合番号A is the 12-digit My Number from the
back. A clerk types each part as printed — 西暦 or 和暦, full-width digits allowed — and a
part that cannot be right is refused with a ``CollationPartError`` naming the part, so no
try of the card's counter is used on a typing mistake.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Literal

from cardreader.mynumber import MyNumber, is_valid
from cardreader.sessions.kenkaku import collation_number_b
from cardreader.wareki import ERAS, Era

Part = Literal["birth_date", "expiry_year", "security_code", "collation_b", "my_number"]

COLLATION_B_LENGTH = 14
SECURITY_CODE_LENGTH = 4
MY_NUMBER_LENGTH = 12
# A card is valid at most ten years (five for under-18s) and the first ones were issued in
# 2016: an expiry year outside this range is a typing mistake, not a card.
EARLIEST_EXPIRY_YEAR = 2016
LATEST_EXPIRY_YEAR = 2100

_SEPARATORS = re.compile(r"[\s.\-/年月日・]+")
_ERA_LABELS = "|".join(label for era in ERAS for label in (era.name, era.romaji, era.initial))
_ERA_PREFIX = re.compile(rf"^(?P<era>{_ERA_LABELS})\s*\.?\s*(?P<rest>.*)$", re.IGNORECASE)


class CollationPartError(ValueError):
    """One part of a 照合番号 the clerk typed is wrong; nothing was sent to the card.

    ``part`` names it (birth_date, expiry_year, security_code, collation_b, my_number) and
    ``message_key`` is the catalogue text that tells the clerk what to correct.
    """

    def __init__(self, part: Part, detail: str) -> None:
        super().__init__(f"{part}: {detail}")
        self.part = part
        self.message_key = f"collation.{part}.invalid"


def normalise(text: str) -> str:
    """Full-width digits and letters to ASCII (NFKC), surrounding spaces removed."""
    return unicodedata.normalize("NFKC", text).strip()


def _find_era(label: str) -> Era:
    wanted = label.upper()
    return next(e for e in ERAS if wanted in (e.name, e.initial, e.romaji.upper()))


def _era_end(era: Era) -> dt.date | None:
    """The first day of the era after ``era`` (None for the current one)."""
    index = ERAS.index(era)
    return ERAS[index - 1].start if index > 0 else None


def _era_year(era: Era, year_text: str) -> int:
    year = 1 if year_text == "元" else int(year_text)
    if year < 1:
        raise ValueError("era year 0")
    return era.start.year + year - 1


def parse_printed_date(text: str) -> dt.date:
    """A birth date as printed or typed: 「昭和55年2月17日」「S55.2.17」「1980-02-17」「19800217」.

    Raises CollationPartError("birth_date") for anything that is not a real date.
    """
    value = normalise(text)
    try:
        return _parse_date(value)
    except (ValueError, IndexError) as exc:
        raise CollationPartError("birth_date", "not a date as printed on the card") from exc


def _parse_date(value: str) -> dt.date:
    match = _ERA_PREFIX.match(value)
    if match:
        era = _find_era(match["era"])
        parts = [p for p in _SEPARATORS.split(match["rest"]) if p]
        if len(parts) != 3:
            raise ValueError("three parts")
        year, month, day = _era_year(era, parts[0]), int(parts[1]), int(parts[2])
        day_value = dt.date(year, month, day)
        end = _era_end(era)
        if day_value < era.start or (end is not None and day_value >= end):
            raise ValueError("outside the era")
        return day_value
    if not value[:1].isdigit():
        raise ValueError("unknown era")
    if value.isdigit() and len(value) == 8:
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    parts = [p for p in _SEPARATORS.split(value) if p]
    if len(parts) != 3 or len(parts[0]) != 4:
        raise ValueError("YYYY-MM-DD")
    return dt.date(int(parts[0]), int(parts[1]), int(parts[2]))


def parse_expiry_year(text: str) -> int:
    """The card's expiry year: 4 digits 西暦 (「2035」) or 和暦 (「令和17年」「R17」).

    A whole printed date (「2035年2月17日」) gives its year. Raises
    CollationPartError("expiry_year").
    """
    value = normalise(text).rstrip("年").strip()
    try:
        year = _expiry_year(value)
    except (ValueError, IndexError) as exc:
        raise CollationPartError("expiry_year", "not a 4-digit year") from exc
    if not EARLIEST_EXPIRY_YEAR <= year <= LATEST_EXPIRY_YEAR:
        raise CollationPartError("expiry_year", "not a year a card expires in")
    return year


def _expiry_year(value: str) -> int:
    if value.isdigit() and len(value) == 4:
        return int(value)
    match = _ERA_PREFIX.match(value)
    if match:
        rest = [p for p in _SEPARATORS.split(match["rest"]) if p]
        if not rest:
            raise ValueError("no year")
        return _era_year(_find_era(match["era"]), rest[0])
    return _parse_date(value).year


def parse_security_code(text: str) -> str:
    """The 4-digit security code printed on the front; CollationPartError("security_code")."""
    value = normalise(text)
    if len(value) != SECURITY_CODE_LENGTH or not value.isascii() or not value.isdigit():
        raise CollationPartError("security_code", "4 digits")
    return value


def compose_collation_b(birth_date: str, expiry_year: str, security_code: str) -> str:
    """照合番号B (14 digits) from the three parts as the clerk typed them off the card.

    Each part is checked first and the first wrong one raises CollationPartError naming it.
    Example: 「昭和55年2月17日」, 「2035」, 「2285」 → ``55021720352285``.
    """
    born = parse_printed_date(birth_date)
    year = parse_expiry_year(expiry_year)
    code = parse_security_code(security_code)
    try:
        return collation_number_b(born, year, code)
    except ValueError as exc:  # before 明治: no era year
        raise CollationPartError("birth_date", "no era year for this date") from exc


def parse_collation_b(text: str) -> str:
    """A whole 照合番号B typed at once (14 digits), its parts checked for plausibility.

    The birth date part must be a real month and day, the expiry year plausible; the era
    year itself cannot be checked without knowing the era. Raises CollationPartError.
    """
    value = normalise(text).replace(" ", "")
    if len(value) != COLLATION_B_LENGTH or not value.isascii() or not value.isdigit():
        raise CollationPartError("collation_b", "14 digits")
    month, day = int(value[2:4]), int(value[4:6])
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise CollationPartError("birth_date", "month or day out of range")
    year = int(value[6:10])
    if not EARLIEST_EXPIRY_YEAR <= year <= LATEST_EXPIRY_YEAR:
        raise CollationPartError("expiry_year", "not a year a card expires in")
    return value


def collation_b_from_lines(lines: list[str]) -> str:
    """照合番号B from standard input: one line of 14 digits, or three lines (birth date,
    expiry year, security code) as printed on the card."""
    filled = [line for line in (line.strip() for line in lines) if line]
    if len(filled) == 1:
        return parse_collation_b(filled[0])
    if len(filled) == 3:
        return compose_collation_b(*filled)
    raise CollationPartError("collation_b", "14 digits, or three lines")


def parse_my_number(text: str) -> MyNumber:
    """The 12-digit My Number typed from the back of the card (照合番号A), check digit verified.

    Spaces and hyphens between the digit groups are allowed. Raises
    CollationPartError("my_number"); the message never contains the digits.
    """
    value = re.sub(r"[\s\-]", "", normalise(text))
    if len(value) != MY_NUMBER_LENGTH or not value.isascii() or not value.isdigit():
        raise CollationPartError("my_number", "12 digits")
    if not is_valid(value):
        raise CollationPartError("my_number", "check digit does not match")
    return MyNumber(value)
