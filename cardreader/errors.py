"""Typed errors raised by the card layer.

Every error carries a stable ``message_key`` so a front end can show text in the
user's language. Messages never contain a PIN or a My Number.
"""

from __future__ import annotations


class CardError(Exception):
    """Base class of every error the card layer raises on purpose."""

    message_key = "card.error"


class TransportError(CardError):
    """The reader or the connection to it failed."""

    message_key = "reader.error"


class ReaderNotFound(TransportError):
    """No reader with the requested name is attached."""

    message_key = "reader.not_found"


class NoCard(TransportError):
    """The reader is there but holds no card."""

    message_key = "card.absent"


class CardRemoved(TransportError):
    """The card left the reader while it was being used; nothing read so far is returned."""

    message_key = "card.removed"


class ApduError(CardError):
    """The card answered a command with a status word other than 9000."""

    message_key = "card.status"

    def __init__(self, sw: int, command: str = "") -> None:
        self.sw = sw
        self.command = command
        where = f" to {command}" if command else ""
        super().__init__(f"card answered {sw:04X}{where}")


class MalformedResponse(CardError):
    """The card's answer does not have the expected structure."""

    message_key = "card.malformed"


class NotMyNumberCard(CardError):
    """The card does not carry the requested My Number card application."""

    message_key = "card.not_mynumber"


class FileNotFound(CardError):
    """The application has no such file."""

    message_key = "card.file_not_found"


class SecurityStatusNotSatisfied(CardError):
    """The card needs a PIN (or another secret) verified before this command."""

    message_key = "pin.required"


class PinError(CardError):
    """Base class of PIN errors; ``pin_name`` says which PIN (never its value)."""

    message_key = "pin.error"

    def __init__(self, pin_name: str, message: str) -> None:
        self.pin_name = pin_name
        super().__init__(message)


class InvalidPinFormat(PinError):
    """The PIN does not have the card's format; it was not sent, no try was used."""

    message_key = "pin.invalid_format"


class WrongPin(PinError):
    """The card rejected the PIN; ``tries_left`` tries remain before it blocks."""

    message_key = "pin.wrong"

    def __init__(self, pin_name: str, tries_left: int) -> None:
        self.tries_left = tries_left
        super().__init__(pin_name, f"wrong {pin_name} PIN, {tries_left} tries left")


class PinBlocked(PinError):
    """The PIN is blocked; only the municipal office can unblock it."""

    message_key = "pin.blocked"

    def __init__(self, pin_name: str) -> None:
        super().__init__(pin_name, f"{pin_name} PIN is blocked")


class LastTryRefused(PinError):
    """Only one try is left and the caller did not explicitly allow using it."""

    message_key = "pin.last_try"

    def __init__(self, pin_name: str) -> None:
        self.tries_left = 1
        super().__init__(
            pin_name, f"{pin_name} PIN has one try left; pass allow_last_try=True to use it"
        )
