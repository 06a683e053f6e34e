"""The emulator as a ``CardConnection`` inside the same process (fast tests, ``--simulate``)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

from cardreader.emulator.card import VirtualCard
from cardreader.errors import CardRemoved


@dataclass
class TransferStats:
    """What crossed the (virtual) reader: command count and bytes each way."""

    commands: int = 0
    bytes_sent: int = 0
    bytes_received: int = 0


class EmulatorConnection:
    """Transmit APDUs straight into a ``VirtualCard``; the card can be pulled and put back."""

    def __init__(
        self,
        card: VirtualCard,
        *,
        remove_after: int | Literal["profile"] | None = "profile",
        latency: float = 0.0,
    ) -> None:
        # remove_after: pull the card after this many APDUs (None: never; default: as the
        # card's scenario says).
        self.card = card
        self.latency = latency  # seconds per APDU, like a contactless reader's round trip
        self.stats = TransferStats()
        self._remove_after = (
            card.profile.remove_after if remove_after == "profile" else remove_after
        )
        self._present = True
        card.power_on()

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        if self._remove_after is not None and self.stats.commands >= self._remove_after:
            self._present = False
        if not self._present:
            raise CardRemoved("the card was removed from the reader")
        if self.latency:
            time.sleep(self.latency)
        self.stats.commands += 1
        self.stats.bytes_sent += len(apdu)
        response = self.card.process(apdu)
        self.stats.bytes_received += len(response)
        return response[:-2], int.from_bytes(response[-2:], "big")

    def remove(self) -> None:
        """Pull the card out: the next APDU fails with ``CardRemoved``."""
        self._present = False
        self.card.power_off()

    def reinsert(self) -> None:
        """Put the card back (powered up afresh, no PIN verified)."""
        self._present = True
        self._remove_after = None
        self.card.power_on()

    def close(self) -> None:
        self.card.power_off()
