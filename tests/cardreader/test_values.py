"""PIN formats, the My Number value and era years."""

from __future__ import annotations

import datetime as dt

import pytest

from cardreader.errors import InvalidPinFormat, MalformedResponse
from cardreader.mynumber import MyNumber, check_digit, is_valid
from cardreader.pin import PinKind, encode_pin
from cardreader.wareki import to_wareki


@pytest.mark.parametrize(
    ("kind", "pin", "sent"),
    [
        (PinKind.AUTH, "1234", b"1234"),
        (PinKind.KENHOJO, b"0000", b"0000"),
        (PinKind.SIGNING, "test1234", b"TEST1234"),
    ],
)
def test_valid_pins_are_sent_as_ascii(kind: PinKind, pin: str | bytes, sent: bytes) -> None:
    assert bytes(encode_pin(kind, pin)) == sent


@pytest.mark.parametrize(
    ("kind", "pin"),
    [
        (PinKind.AUTH, "123"),
        (PinKind.AUTH, "12345"),
        (PinKind.AUTH, "12a4"),
        (PinKind.KENHOJO, "１２３４"),
        (PinKind.SIGNING, "TEST1"),
        (PinKind.SIGNING, "A" * 17),
        (PinKind.SIGNING, "TEST-1234"),
    ],
)
def test_malformed_pins_are_refused_before_sending(kind: PinKind, pin: str) -> None:
    with pytest.raises(InvalidPinFormat) as caught:
        encode_pin(kind, pin)
    assert pin not in str(caught.value)


def test_my_number_check_digit() -> None:
    assert check_digit("12345678901") == 8
    assert is_valid("123456789018")
    assert not is_valid("123456789012")
    assert not is_valid("１２３４５６７８９０１８")


def test_my_number_never_prints_itself() -> None:
    number = MyNumber("123456789018")
    assert "9018" not in repr(number) and "9018" not in str(number) and "9018" not in f"{number}"
    assert number.reveal() == "123456789018"
    with pytest.raises(MalformedResponse) as caught:
        MyNumber("123456789012")
    assert "123456789012" not in str(caught.value)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
        (dt.date(1926, 12, 24), "大正15年12月24日"),
        (dt.date(1926, 12, 25), "昭和元年12月25日"),
        (dt.date(1912, 7, 29), "明治45年7月29日"),
        (dt.date(1912, 7, 30), "大正元年7月30日"),
        (dt.date(1980, 2, 17), "昭和55年2月17日"),
    ],
)
def test_era_boundaries(day: dt.date, expected: str) -> None:
    assert str(to_wareki(day)) == expected
