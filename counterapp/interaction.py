"""The questions the core may ask a person. The CLI and the Qt front end implement them."""

from __future__ import annotations

from typing import Protocol

from cardreader.pin import PinStatus


class Cancelled(Exception):
    """The person declined to answer."""

    message_key = "pin.cancelled"


class Interaction(Protocol):
    """What the core needs from whoever sits at the terminal."""

    def ask_pin(self, status: PinStatus) -> bytearray:
        """Ask for the PIN ``status`` names, showing its tries left; raise Cancelled to stop."""
        ...

    def confirm_last_try(self, status: PinStatus) -> bool:
        """Ask whether to use the PIN's very last try."""
        ...
