"""照合番号 from what the clerk reads off the card: printed forms, each wrong part named."""

from __future__ import annotations

import datetime as dt

import pytest

from cardreader.emulator.resident import DEFAULT_RESIDENT
from counterapp.collation import (
    CollationPartError,
    collation_b_from_lines,
    compose_collation_b,
    parse_collation_b,
    parse_expiry_year,
    parse_my_number,
    parse_printed_date,
)

SHEET_EXAMPLE = "55021720352285"  # born 1980-02-17 (昭和55), expires 2035, code 2285


@pytest.mark.parametrize(
    "printed",
    [
        "昭和55年2月17日",
        "昭和５５年２月１７日",
        "S55.2.17",
        "s55/02/17",
        "Showa 55.2.17",
        "1980-02-17",
        "1980/2/17",
        "1980年2月17日",
        "19800217",
    ],
)
def test_the_birth_date_as_printed_in_any_common_form(printed: str) -> None:
    assert parse_printed_date(printed) == dt.date(1980, 2, 17)
    assert compose_collation_b(printed, "2035", "2285") == SHEET_EXAMPLE


def test_the_emulators_resident_is_the_protocol_sheets_worked_example() -> None:
    assert DEFAULT_RESIDENT.collation_number_b() == SHEET_EXAMPLE


@pytest.mark.parametrize(
    ("printed", "expected"),
    [("平成元年1月8日", dt.date(1989, 1, 8)), ("令和元年5月1日", dt.date(2019, 5, 1))],
)
def test_the_first_year_of_an_era_is_gannen(printed: str, expected: dt.date) -> None:
    assert parse_printed_date(printed) == expected


@pytest.mark.parametrize(("typed", "year"), [("2035", 2035), ("令和17年", 2035), ("R17", 2035)])
def test_the_expiry_year_in_western_or_era_years(typed: str, year: int) -> None:
    assert parse_expiry_year(typed) == year


@pytest.mark.parametrize(
    ("birth", "expiry", "code", "part"),
    [
        ("昭和55年2月30日", "2035", "2285", "birth_date"),
        ("昭和65年2月17日", "2035", "2285", "birth_date"),  # 昭和 ended in its 64th year
        ("平成1年1月7日", "2035", "2285", "birth_date"),  # the day before 平成 began
        ("X55.2.17", "2035", "2285", "birth_date"),
        ("1980-02-17", "35", "2285", "expiry_year"),
        ("1980-02-17", "1999", "2285", "expiry_year"),
        ("1980-02-17", "2035", "228", "security_code"),
        ("1980-02-17", "2035", "22a5", "security_code"),
    ],
)
def test_a_wrong_part_is_named_before_anything_is_sent(
    birth: str, expiry: str, code: str, part: str
) -> None:
    with pytest.raises(CollationPartError) as raised:
        compose_collation_b(birth, expiry, code)
    assert raised.value.part == part
    assert raised.value.message_key == f"collation.{part}.invalid"


@pytest.mark.parametrize(
    ("typed", "part"),
    [
        ("5502172035228", "collation_b"),
        ("550217203522850", "collation_b"),
        ("55021720352a85", "collation_b"),
        ("55131720352285", "birth_date"),
        ("55023220352285", "birth_date"),
        ("55021719992285", "expiry_year"),
    ],
)
def test_a_whole_collation_b_is_checked_for_length_and_plausible_parts(
    typed: str, part: str
) -> None:
    with pytest.raises(CollationPartError) as raised:
        parse_collation_b(typed)
    assert raised.value.part == part


def test_standard_input_gives_one_line_of_14_digits_or_three_lines() -> None:
    assert collation_b_from_lines([SHEET_EXAMPLE + "\n"]) == SHEET_EXAMPLE
    assert collation_b_from_lines(["S55.2.17\n", "2035\n", "2285\n"]) == SHEET_EXAMPLE
    with pytest.raises(CollationPartError):
        collation_b_from_lines(["S55.2.17\n", "2035\n"])


@pytest.mark.parametrize("typed", ["1234 5678 9018", "1234-5678-9018", "１２３４５６７８９０１８"])
def test_the_my_number_is_typed_in_groups_or_full_width(typed: str) -> None:
    assert parse_my_number(typed).reveal() == DEFAULT_RESIDENT.my_number == "123456789018"


@pytest.mark.parametrize("typed", ["123456789017", "12345678901", "12345678901a"])
def test_a_my_number_with_a_wrong_check_digit_or_length_is_refused_without_the_digits(
    typed: str,
) -> None:
    with pytest.raises(CollationPartError) as raised:
        parse_my_number(typed)
    assert raised.value.part == "my_number"
    assert typed not in str(raised.value)
