"""The narrowest connection to a card: send one APDU, get data and status word back."""

from __future__ import annotations

from typing import Protocol


class CardConnection(Protocol):
    """What every transport (PC/SC, the in-process emulator) offers."""

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        """Send one command APDU; return the response data and the status word.

        Raises ``CardRemoved`` when the card is gone and ``TransportError`` for
        other reader failures.
        """
        ...

    def close(self) -> None:
        """Release the card."""
        ...
