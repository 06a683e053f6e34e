"""PIN values and PIN status. A PIN is never logged, stored or retried by this package."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from cardreader.errors import InvalidPinFormat


class PinKind(enum.Enum):
    """The card's secrets, with the names a clerk knows them by."""

    AUTH = "auth"  # 利用者証明用電子証明書 暗証番号
    SIGNING = "signing"  # 署名用電子証明書 暗証番号 (password)
    KENHOJO = "kenhojo"  # 券面事項入力補助用 暗証番号

    @property
    def max_tries(self) -> int:
        return 5 if self is PinKind.SIGNING else 3


_FOUR_DIGITS = re.compile(rb"[0-9]{4}")
_SIGNING_PASSWORD = re.compile(rb"[A-Z0-9]{6,16}")


def encode_pin(kind: PinKind, pin: bytes | bytearray | str) -> bytearray:
    """Check the PIN's format and return the ASCII bytes to send (signing password uppercased).

    Raises ``InvalidPinFormat`` before anything is sent, so no try is used.
    """
    raw = bytearray(pin.encode("ascii", "replace") if isinstance(pin, str) else pin)
    if kind is PinKind.SIGNING:
        raw = bytearray(raw.upper())
        if not _SIGNING_PASSWORD.fullmatch(raw):
            raise InvalidPinFormat(
                kind.value, "signing password must be 6-16 letters A-Z or digits"
            )
    elif not _FOUR_DIGITS.fullmatch(raw):
        raise InvalidPinFormat(kind.value, f"{kind.value} PIN must be 4 digits")
    return raw


def wipe(buf: bytearray) -> None:
    """Overwrite a PIN buffer in place once it has been sent."""
    buf[:] = b"\x00" * len(buf)


@dataclass(frozen=True)
class PinStatus:
    """Tries left for one PIN, read without using a try."""

    kind: PinKind
    tries_left: int
    verified: bool = False

    @property
    def blocked(self) -> bool:
        return self.tries_left == 0 and not self.verified

    @property
    def last_try(self) -> bool:
        return self.tries_left == 1 and not self.verified
