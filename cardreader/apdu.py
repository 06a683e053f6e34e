"""ISO/IEC 7816-4 command and response APDUs, and the channel that sends them.

The channel handles ``61xx`` (GET RESPONSE), ``6Cxx`` (re-issue with the right
Le) and falls back from extended to short APDUs when the reader does not pass
extended length. It raises only the generic ``ApduError``; card sessions turn
status words into domain errors.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from cardreader.connection import CardConnection
from cardreader.errors import ApduError, CardRemoved, TransportError
from cardreader.trace import Redact, trace_command, trace_response

SW_OK = 0x9000
SW_WRONG_LENGTH = 0x6700
SHORT_MAX_LC = 255
SHORT_MAX_LE = 256
EXTENDED_MAX_LE = 65536

INS_GET_RESPONSE = 0xC0


class Ins(enum.IntEnum):
    """Instruction bytes the My Number card answers."""

    SELECT = 0xA4
    READ_BINARY = 0xB0
    VERIFY = 0x20
    CHANGE_REFERENCE_DATA = 0x24
    COMPUTE_SIGNATURE = 0x2A
    GET_RESPONSE = 0xC0
    GET_CHALLENGE = 0x84


@dataclass(frozen=True)
class CommandApdu:
    """One command APDU. ``le`` is the expected length (None: no Le field)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes = b""
    le: int | None = None
    redact: Redact = Redact.NONE

    def __post_init__(self) -> None:
        for name in ("cla", "ins", "p1", "p2"):
            if not 0 <= getattr(self, name) <= 0xFF:
                raise ValueError(f"{name} must be one byte")
        if len(self.data) > 65535:
            raise ValueError("command data longer than 65535 bytes")
        if self.le is not None and not 0 <= self.le <= EXTENDED_MAX_LE:
            raise ValueError("Le must be 0..65536")

    @property
    def needs_extended(self) -> bool:
        """True when the APDU cannot be encoded in short form."""
        return len(self.data) > SHORT_MAX_LC or (self.le or 0) > SHORT_MAX_LE

    def header(self) -> bytes:
        return bytes((self.cla, self.ins, self.p1, self.p2))

    def encode(self, extended: bool | None = None) -> bytes:
        """Encode the APDU; short form unless ``extended`` or the lengths need it."""
        use_extended = self.needs_extended if extended is None else extended
        if not use_extended and self.needs_extended:
            raise ValueError("APDU does not fit in short form")
        out = bytearray(self.header())
        if use_extended:
            if self.data:
                out += b"\x00" + len(self.data).to_bytes(2, "big") + self.data
            if self.le is not None:
                le = b"\x00\x00" if self.le == EXTENDED_MAX_LE else self.le.to_bytes(2, "big")
                out += le if self.data else b"\x00" + le
        else:
            if self.data:
                out += bytes((len(self.data),)) + self.data
            if self.le is not None:
                out += bytes((self.le % 256,))
        return bytes(out)

    def describe(self) -> str:
        """A short name for messages, e.g. 'READ BINARY'; never the data."""
        try:
            return Ins(self.ins).name.replace("_", " ")
        except ValueError:
            return f"INS {self.ins:02X}"


@dataclass(frozen=True)
class ResponseApdu:
    """Response data and the status word."""

    data: bytes
    sw: int

    @property
    def sw1(self) -> int:
        return self.sw >> 8

    @property
    def sw2(self) -> int:
        return self.sw & 0xFF

    @property
    def ok(self) -> bool:
        return self.sw == SW_OK


def decode_response(raw: bytes) -> ResponseApdu:
    """Split a raw response (data + SW1 SW2) into its parts."""
    if len(raw) < 2:
        raise TransportError("response shorter than a status word")
    return ResponseApdu(raw[:-2], int.from_bytes(raw[-2:], "big"))


class ApduChannel:
    """Sends command APDUs over a connection, with GET RESPONSE, re-issue and length fallback."""

    def __init__(self, connection: CardConnection, *, extended: bool | None = None) -> None:
        self.connection = connection
        # None: not known yet; the first extended APDU finds out.
        self.extended_supported = extended
        self.apdu_count = 0
        # The application the card has selected; sessions check it before every command.
        self.selected_aid: bytes | None = None

    @property
    def prefers_extended(self) -> bool:
        """True unless the reader is known not to pass extended length."""
        return self.extended_supported is not False

    def transmit(self, command: CommandApdu) -> ResponseApdu:
        """Send ``command`` and return the complete response (any status word)."""
        if command.needs_extended and self.extended_supported is None:
            return self._probe_extended(command)
        response = self._send(command, extended=command.needs_extended)
        return self._complete(command, response)

    def check(self, command: CommandApdu) -> bytes:
        """Send ``command``; return its data or raise ``ApduError`` unless SW is 9000."""
        response = self.transmit(command)
        if not response.ok:
            raise ApduError(response.sw, command.describe())
        return response.data

    def _probe_extended(self, command: CommandApdu) -> ResponseApdu:
        try:
            response = self._send(command, extended=True)
        except CardRemoved:
            raise
        except TransportError:
            response = None
        if response is not None and response.sw != SW_WRONG_LENGTH:
            self.extended_supported = True
            return self._complete(command, response)
        self.extended_supported = False
        raise ExtendedLengthUnsupported()

    def _send(self, command: CommandApdu, *, extended: bool) -> ResponseApdu:
        raw = command.encode(extended=extended)
        trace_command(raw, command.redact)
        self.apdu_count += 1
        data, sw = self.connection.transmit(raw)
        response = ResponseApdu(data, sw)
        trace_response(response.data, response.sw, command.redact)
        return response

    def _complete(self, command: CommandApdu, response: ResponseApdu) -> ResponseApdu:
        if response.sw1 == 0x6C and command.le is not None:
            fixed = replace(command, le=response.sw2 or SHORT_MAX_LE)
            response = self._send(fixed, extended=False)
        data = bytearray(response.data)
        while response.sw1 == 0x61:
            more = CommandApdu(
                command.cla & 0x03,
                INS_GET_RESPONSE,
                0,
                0,
                le=response.sw2 or SHORT_MAX_LE,
                redact=command.redact,
            )
            response = self._send(more, extended=False)
            data += response.data
        return ResponseApdu(bytes(data), response.sw)


class ExtendedLengthUnsupported(TransportError):
    """The reader does not pass extended-length APDUs; the caller retries with short ones."""

    message_key = "reader.no_extended_length"
