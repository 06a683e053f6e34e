"""What every application session shares: SELECT on open, whole-file reads, PIN handling."""

from __future__ import annotations

from typing import ClassVar

from cardreader import tlv
from cardreader.apdu import (
    SHORT_MAX_LE,
    ApduChannel,
    CommandApdu,
    ExtendedLengthUnsupported,
    Ins,
    ResponseApdu,
)
from cardreader.errors import (
    ApduError,
    FileNotFound,
    LastTryRefused,
    MalformedResponse,
    NotMyNumberCard,
    PinBlocked,
    SecurityStatusNotSatisfied,
    WrongPin,
)
from cardreader.pin import PinKind, PinStatus, encode_pin, wipe
from cardreader.trace import Redact

SW_PIN_BLOCKED = 0x6984
SW_SECURITY_STATUS = 0x6982
SW_NOT_FOUND = 0x6A82
SW_WRONG_PIN_NO_LIMIT = 0x6300
SFI_FLAG = 0x80
SW_END_OF_FILE = 0x6282  # ISO 7816-4: fewer bytes than Le, end of file reached
SFI_MAX_OFFSET = 0xFF
FULL_EF = 65536  # extended Le 00 00: "everything up to the end of the EF"


def raise_for_status(response: ResponseApdu, command: CommandApdu) -> bytes:
    """Return the data of a 9000 response; map file and access errors to domain errors."""
    if response.ok:
        return response.data
    if response.sw == SW_SECURITY_STATUS:
        raise SecurityStatusNotSatisfied(f"{command.describe()} needs a PIN first")
    if response.sw == SW_NOT_FOUND:
        raise FileNotFound(f"{command.describe()}: no such file")
    raise ApduError(response.sw, command.describe())


class ApplicationSession:
    """Base of the per-application sessions; selecting the AID is what opens it."""

    AID: ClassVar[bytes]
    LABEL: ClassVar[str]

    def __init__(self, channel: ApduChannel) -> None:
        self._channel = channel
        # (secret EF, APDU count right after the status was read, tries left): lets a
        # VERIFY that directly follows a status read skip asking the card again.
        self._fresh_status: tuple[int, int, int | None] | None = None
        self._select_application()

    def _select_application(self) -> None:
        command = CommandApdu(0x00, Ins.SELECT, 0x04, 0x0C, self.AID)
        response = self._channel.transmit(command)
        if response.sw == SW_NOT_FOUND:
            raise NotMyNumberCard(f"the card has no {self.LABEL} application")
        raise_for_status(response, command)
        self._channel.selected_aid = self.AID

    def _ensure_selected(self) -> None:
        # Selecting another application clears this one's security state on the card,
        # so a session used after that would silently run without its PIN.
        if self._channel.selected_aid != self.AID:
            raise RuntimeError(f"{self.LABEL} session ended: another application was selected")

    def _send(self, command: CommandApdu) -> bytes:
        self._ensure_selected()
        return raise_for_status(self._channel.transmit(command), command)

    # -- reading whole files --------------------------------------------------------------

    def _read_file(
        self, ef: int, *, redact: Redact = Redact.NONE, size: int | None = None
    ) -> bytes:
        """Read an EF by its short id up to the end of its TLV (or exactly ``size`` bytes)."""
        self._ensure_selected()
        if self._channel.prefers_extended:
            try:
                data = self._read_sfi(ef, FULL_EF, redact)
            except ExtendedLengthUnsupported:
                pass
            else:
                return _trim(data, size)
        return self._read_short(ef, redact, size)

    def _read_sfi(self, ef: int, le: int, redact: Redact) -> bytes:
        command = CommandApdu(0x00, Ins.READ_BINARY, SFI_FLAG | ef, 0, le=le, redact=redact)
        response = self._channel.transmit(command)
        if response.sw == SW_END_OF_FILE:
            return response.data
        return raise_for_status(response, command)

    def _read_short(self, ef: int, redact: Redact, size: int | None) -> bytes:
        first = self._read_sfi(ef, size if size and size < SHORT_MAX_LE else SHORT_MAX_LE, redact)
        total = size if size is not None else _tlv_length(first)
        if total <= len(first):
            return _trim(first, total)
        # Offsets past 255 need the 15-bit form, which reads the current EF.
        self._send(CommandApdu(0x00, Ins.SELECT, 0x02, 0x0C, ef.to_bytes(2, "big")))
        data = bytearray(first)
        while len(data) < total:
            want = min(SHORT_MAX_LE, total - len(data))
            command = CommandApdu(
                0x00, Ins.READ_BINARY, len(data) >> 8, len(data) & 0xFF, le=want, redact=redact
            )
            chunk = self._send(command)
            if not chunk:
                raise MalformedResponse("file ends before its declared length")
            data += chunk
        return bytes(data[:total])

    # -- PINs -----------------------------------------------------------------------------

    def _tries_left(self, ef: int) -> int | None:
        """Tries left for a secret (empty VERIFY, no try used); None when already verified."""
        command = CommandApdu(0x00, Ins.VERIFY, 0x00, SFI_FLAG | ef)
        self._ensure_selected()
        response = self._channel.transmit(command)
        tries = _tries_from_status(response)
        self._fresh_status = (ef, self._channel.apdu_count, tries)
        return tries

    def _tries_before_verify(self, ef: int) -> int | None:
        """Tries left, reusing a status read with no APDU in between."""
        if self._fresh_status and self._fresh_status[:2] == (ef, self._channel.apdu_count):
            return self._fresh_status[2]
        return self._tries_left(ef)

    def _pin_status(self, kind: PinKind, ef: int) -> PinStatus:
        tries = self._tries_left(ef)
        if tries is None:
            return PinStatus(kind, kind.max_tries, verified=True)
        return PinStatus(kind, tries)

    def _verify_pin(
        self, kind: PinKind, ef: int, pin: bytes | bytearray | str, *, allow_last_try: bool
    ) -> None:
        """Check the PIN's format, then verify it (see ``_verify_raw``)."""
        self._verify_raw(kind.value, ef, encode_pin(kind, pin), allow_last_try=allow_last_try)

    def _verify_secret(self, name: str, ef: int, value: str, allow_last_try: bool) -> None:
        """A 照合番号 (ASCII digits): tries read first, sent once, like a PIN."""
        self._verify_raw(name, ef, bytearray(value.encode("ascii")), allow_last_try=allow_last_try)

    def _verify_raw(self, name: str, ef: int, encoded: bytearray, *, allow_last_try: bool) -> None:
        """Check the tries left, then send the secret exactly once and wipe it."""
        try:
            tries = self._tries_before_verify(ef)
            if tries == 0:
                raise PinBlocked(name)
            if tries == 1 and not allow_last_try:
                raise LastTryRefused(name)
            command = CommandApdu(
                0x00, Ins.VERIFY, 0x00, SFI_FLAG | ef, bytes(encoded), redact=Redact.COMMAND
            )
            response = self._channel.transmit(command)
        finally:
            wipe(encoded)
        _raise_for_verify(name, response)


def _tries_from_status(response: ResponseApdu) -> int | None:
    if response.ok:
        return None
    if response.sw == SW_PIN_BLOCKED:
        return 0
    if response.sw1 == 0x63 and response.sw2 & 0xF0 == 0xC0:
        return response.sw2 & 0x0F
    raise ApduError(response.sw, "VERIFY (status)")


def _raise_for_verify(name: str, response: ResponseApdu) -> None:
    if response.ok:
        return
    if response.sw == SW_PIN_BLOCKED:
        raise PinBlocked(name)
    if response.sw1 == 0x63 and response.sw2 & 0xF0 == 0xC0:
        tries_left = response.sw2 & 0x0F
        if tries_left == 0:
            raise PinBlocked(name)
        raise WrongPin(name, tries_left)
    if response.sw == SW_WRONG_PIN_NO_LIMIT:
        raise WrongPin(name, -1)
    raise ApduError(response.sw, "VERIFY")


def _tlv_length(head: bytes) -> int:
    # Unwritten EFs read as filler; FF20 and friends are real (two-byte) tags.
    if not head or head[0] == 0x00 or head[:2] == b"\xff\xff":
        raise MalformedResponse("the file holds no data")
    return tlv.total_length(head)


def _trim(data: bytes, size: int | None) -> bytes:
    total = size if size is not None else _tlv_length(data)
    if total > len(data):
        raise MalformedResponse("file ends before its declared length")
    return data[:total]
