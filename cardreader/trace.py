"""Redacted APDU trace on its own log level, below DEBUG.

Enable with ``logging.getLogger("cardreader.apdu").setLevel(TRACE)``. Command
data marked secret (PINs) and response data marked personal (My Number, name,
address) are replaced by their length: they never reach a log handler.
"""

from __future__ import annotations

import enum
import logging

TRACE = 5
logging.addLevelName(TRACE, "TRACE")

log = logging.getLogger("cardreader.apdu")


class Redact(enum.Flag):
    """Which half of an exchange must never be written anywhere."""

    NONE = 0
    COMMAND = enum.auto()
    RESPONSE = enum.auto()
    BOTH = COMMAND | RESPONSE


def _hidden(length: int) -> str:
    return f"<{length} bytes redacted>"


def format_command(raw: bytes, redact: Redact) -> str:
    """Hex of the command; its data field replaced when redacted (header and Lc stay)."""
    if Redact.COMMAND in redact and len(raw) > 5:
        return f"{raw[:5].hex(' ').upper()} {_hidden(len(raw) - 5)}"
    return raw.hex(" ").upper()


def format_response(data: bytes, sw: int, redact: Redact) -> str:
    """Hex of the response; data replaced when redacted, the status word always shown."""
    shown = _hidden(len(data)) if (Redact.RESPONSE in redact and data) else data.hex(" ").upper()
    return f"{shown} {sw:04X}".strip()


def trace_command(raw: bytes, redact: Redact) -> None:
    if log.isEnabledFor(TRACE):
        log.log(TRACE, "> %s", format_command(raw, redact))


def trace_response(data: bytes, sw: int, redact: Redact) -> None:
    if log.isEnabledFor(TRACE):
        log.log(TRACE, "< %s", format_response(data, sw, redact))
