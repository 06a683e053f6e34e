"""The My Number (個人番号) as a value that does not print itself."""

from __future__ import annotations

from cardreader.errors import MalformedResponse


def check_digit(first_eleven: str) -> int:
    """The 12th digit of a My Number (総務省令 個人番号の検査用数字)."""
    if len(first_eleven) != 11 or not first_eleven.isascii() or not first_eleven.isdigit():
        raise ValueError("need the first 11 digits")
    total = 0
    for n, char in enumerate(reversed(first_eleven), start=1):
        weight = n + 1 if n <= 6 else n - 5
        total += int(char) * weight
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_valid(number: str) -> bool:
    """True for 12 ASCII digits whose last digit is the check digit."""
    return (
        len(number) == 12
        and number.isascii()
        and number.isdigit()
        and check_digit(number[:11]) == int(number[11])
    )


class MyNumber:
    """A My Number. ``repr``/``str`` are masked; ``reveal()`` is the only way to the digits."""

    __slots__ = ("_digits",)

    def __init__(self, digits: str) -> None:
        if not is_valid(digits):
            raise MalformedResponse("My Number has a wrong format or check digit")
        self._digits = digits

    def reveal(self) -> str:
        """The 12 digits. Call only where the user explicitly asked to see them."""
        return self._digits

    def masked(self) -> str:
        """Fully masked: not even the last digits are shown."""
        return "*" * 12

    def __repr__(self) -> str:
        return f"MyNumber({self.masked()})"

    __str__ = masked

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MyNumber) and other._digits == self._digits

    def __hash__(self) -> int:
        return hash(self._digits)
