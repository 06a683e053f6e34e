"""The virtual card's command processor: one APDU in, one response out, like the chip.

Behaviour follows the protocol sheet, docs/card-protocol.md. Where the sheet marks a fact
UNCERTAIN, the choice made is a named value in cardreader/emulator/uncertain.py.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from cardreader.emulator import uncertain
from cardreader.emulator.model import Application, CardProfile, EmulatedFile, Secret

SW_OK = 0x9000
SW_WRONG_LENGTH = 0x6700
SW_SECURITY_STATUS = 0x6982
SW_KEY_NOT_READABLE = 0x6981  # ISO 7816-4 "command incompatible with file structure"
SW_BLOCKED = 0x6984
SW_CONDITIONS = 0x6985
SW_NO_CURRENT_EF = 0x6986
SW_NOT_FOUND = 0x6A82
SW_BAD_P1P2 = 0x6A86
SW_OFFSET = 0x6B00
SW_INS = 0x6D00
SW_CLA = 0x6E00
SW_CHANNEL = 0x6881
SW_SM_SELECT = 0x6882
SW_SM_OTHER = 0x69FC
SW_WRONG_NO_LIMIT = 0x6300

SFI_FLAG = 0x80
INS_COMPUTE_SIGNATURE = 0x2A
SHA256_DIGEST_INFO_PREFIX = bytes.fromhex("3031300d060960864801650304020105000420")
MAX_SIGN_INPUT = 245  # PKCS#1 v1.5 type 1 leaves 245 bytes for a 2048-bit key
MIN_AID_PREFIX = uncertain.MIN_AID_PREFIX  # RID (5 bytes): a shorter "prefix" selects nothing

# UNCERTAIN choices (listed in cardreader/emulator/uncertain.py with what would refute them).
SW_READ_PAST_END = uncertain.SW_READ_PAST_END
RESET_CLEARS_SECURITY_STATE = uncertain.RESET_CLEARS_SECURITY_STATE


@dataclass(frozen=True)
class Command:
    """A parsed command APDU (ISO 7816-3 cases 1-4, short and extended)."""

    cla: int
    ins: int
    p1: int
    p2: int
    data: bytes
    le: int | None
    extended: bool


class MalformedCommand(ValueError):
    """The bytes are not a well-formed command APDU."""


def parse_command(raw: bytes) -> Command:
    """Parse the four ISO 7816-3 cases in their short and extended forms."""
    if len(raw) < 4:
        raise MalformedCommand(raw.hex())
    cla, ins, p1, p2 = raw[:4]
    body = raw[4:]
    if not body:
        return Command(cla, ins, p1, p2, b"", None, False)
    if len(body) == 1:
        return Command(cla, ins, p1, p2, b"", body[0] or 256, False)
    if body[0] != 0:
        return _parse_short(cla, ins, p1, p2, body)
    return _parse_extended(cla, ins, p1, p2, body)


def _parse_short(cla: int, ins: int, p1: int, p2: int, body: bytes) -> Command:
    lc = body[0]
    if len(body) == 1 + lc:
        return Command(cla, ins, p1, p2, body[1:], None, False)
    if len(body) == 2 + lc:
        return Command(cla, ins, p1, p2, body[1 : 1 + lc], body[-1] or 256, False)
    raise MalformedCommand("short Lc does not match the data")


def _parse_extended(cla: int, ins: int, p1: int, p2: int, body: bytes) -> Command:
    if len(body) == 3:
        return Command(cla, ins, p1, p2, b"", int.from_bytes(body[1:], "big") or 65536, True)
    lc = int.from_bytes(body[1:3], "big")
    if lc == 0 or len(body) not in (3 + lc, 5 + lc):
        raise MalformedCommand("extended Lc does not match the data")
    data = body[3 : 3 + lc]
    le = None
    if len(body) == 5 + lc:
        le = int.from_bytes(body[-2:], "big") or 65536
    return Command(cla, ins, p1, p2, data, le, True)


Response = tuple[bytes, int]


def status(sw: int, data: bytes = b"") -> Response:
    return data, sw


class VirtualCard:
    """A My Number card: applications, files, secrets and keys from a ``CardProfile``."""

    def __init__(self, profile: CardProfile) -> None:
        self.profile = profile
        self._current_app: Application | None = None
        self._current_ef: int | None = None
        self._verified: set[int] = set()
        self._verified_app: Application | None = None
        self._handlers: dict[int, Callable[[Command], Response]] = {
            0xA4: self._select,
            0x20: self._verify,
            0xB0: self._read_binary,
            0x2A: self._compute_signature,
            0x24: self._change_reference_data,
            0x84: self._get_challenge,
        }

    @property
    def atr(self) -> bytes:
        return self.profile.atr

    # -- power ----------------------------------------------------------------------------

    def power_on(self) -> None:
        self._current_app = None
        self._current_ef = None
        self._verified.clear()

    def power_off(self) -> None:
        self.power_on()

    def reset(self) -> None:
        """Warm reset: back to the MF; security state kept (see RESET_CLEARS_SECURITY_STATE)."""
        self._current_app = None
        self._current_ef = None
        if RESET_CLEARS_SECURITY_STATE:
            self._verified.clear()

    # -- dispatch -------------------------------------------------------------------------

    def process(self, raw: bytes) -> bytes:
        """Answer one command APDU with response data + SW1 SW2. Never raises."""
        data, sw = self._answer(raw)
        return data + sw.to_bytes(2, "big")

    def _answer(self, raw: bytes) -> Response:
        try:
            command = parse_command(raw)
        except MalformedCommand:
            return status(SW_WRONG_LENGTH)
        refused = self._check_class(command)
        if refused:
            return status(refused)
        if command.extended and not self.profile.extended_length:
            return status(SW_WRONG_LENGTH)  # the emulated reader drops extended APDUs
        handler = self._handlers.get(command.ins)
        if handler is None:
            return status(SW_INS)
        return handler(command)

    def _check_class(self, command: Command) -> int | None:
        cla = command.cla
        if cla & 0x03:
            return SW_CHANNEL  # only logical channel 0 (sheet §7)
        if cla & 0x0C:
            return SW_SM_SELECT if command.ins == 0xA4 else SW_SM_OTHER
        proprietary = 0x80 if command.ins == INS_COMPUTE_SIGNATURE else 0x00
        return SW_CLA if cla & 0xF0 != proprietary else None

    # -- SELECT ---------------------------------------------------------------------------

    def _select(self, command: Command) -> Response:
        if command.p1 == 0x04:
            return self._select_application(command.data)
        if command.p1 == 0x00:
            # Selecting the MF: 6A86 right after a reset, no effect once an AP is selected.
            return status(SW_OK if self._current_app else SW_BAD_P1P2)
        if command.p1 == 0x02:
            return self._select_ef(command.data)
        return status(SW_BAD_P1P2)

    def _select_application(self, aid: bytes) -> Response:
        application = self._find_application(aid)
        if application is None:
            return status(SW_NOT_FOUND)
        if application is not self._verified_app:
            # Leaving an AP clears its security state (sheet §3.4).
            self._verified.clear()
            self._verified_app = application
        self._current_app = application
        self._current_ef = None
        return status(SW_OK)

    def _find_application(self, aid: bytes) -> Application | None:
        for application in self.profile.applications:
            if application.aid == aid:
                return application
        if len(aid) >= MIN_AID_PREFIX:
            for application in self.profile.applications:
                if application.aid.startswith(aid):
                    return application
        return None

    def _select_ef(self, ef_id: bytes) -> Response:
        if self._current_app is None or len(ef_id) != 2:
            return status(SW_NOT_FOUND)
        ef = int.from_bytes(ef_id, "big")
        app = self._current_app
        if ef in app.files or ef in app.secrets or ef in app.keys:
            self._current_ef = ef
            return status(SW_OK)
        return status(SW_NOT_FOUND)

    # -- VERIFY ---------------------------------------------------------------------------

    def _verify(self, command: Command) -> Response:
        secret = self._secret_for(command.p1, command.p2)
        if isinstance(secret, int):
            return status(secret)
        if not command.data:
            return self._verify_status(secret)
        if secret.tries_left == 0:
            return status(SW_BLOCKED)
        if hmac.compare_digest(command.data, secret.value):
            secret.tries_left = secret.max_tries
            self._verified.add(secret.ef)
            return status(SW_OK)
        self._verified.discard(secret.ef)
        if secret.tries_left is None:
            return status(SW_WRONG_NO_LIMIT)
        secret.tries_left -= 1
        return status(0x63C0 | secret.tries_left)

    def _verify_status(self, secret: Secret) -> Response:
        if secret.tries_left == 0:
            return status(SW_BLOCKED)
        if secret.ef in self._verified:
            return status(SW_OK)
        if secret.tries_left is None:
            return status(SW_WRONG_NO_LIMIT)
        return status(0x63C0 | secret.tries_left)

    def _secret_for(self, p1: int, p2: int) -> Secret | int:
        if self._current_app is None:
            return SW_NOT_FOUND
        if p1 != 0 or p2 & SFI_FLAG == 0:
            return SW_BAD_P1P2
        sfi = p2 & 0x1F
        ef = sfi or self._current_ef
        if ef is None:
            return SW_NO_CURRENT_EF
        secret = self._current_app.secrets.get(ef)
        return secret if secret is not None else SW_NOT_FOUND

    # -- READ BINARY ----------------------------------------------------------------------

    def _read_binary(self, command: Command) -> Response:
        if self._current_app is None:
            return status(SW_NO_CURRENT_EF)
        if command.p1 & SFI_FLAG:
            if command.p1 & 0x60:
                return status(SW_BAD_P1P2)
            ef, offset = command.p1 & 0x1F, command.p2
        elif self._current_ef is None:
            return status(SW_NO_CURRENT_EF)
        else:
            ef, offset = self._current_ef, (command.p1 << 8) | command.p2
        found = self._file_for_read(ef)
        if isinstance(found, int):
            return status(found)
        self._current_ef = ef
        return self._read_from(found, offset, command.le or 256)

    def _file_for_read(self, ef: int) -> EmulatedFile | int:
        assert self._current_app is not None
        file = self._current_app.files.get(ef)
        if file is not None:
            return file
        if ef in self._current_app.secrets or ef in self._current_app.keys:
            return SW_KEY_NOT_READABLE  # PIN and key EFs are never readable
        return SW_NOT_FOUND

    def _read_from(self, file: EmulatedFile, offset: int, le: int) -> Response:
        if file.read_requires and not (file.read_requires & self._verified):
            return status(SW_SECURITY_STATUS)
        physical = file.physical
        if offset >= len(physical):
            return status(SW_OFFSET)
        chunk = physical[offset : offset + le]
        return status(SW_OK if len(chunk) == le else SW_READ_PAST_END, chunk)

    # -- COMPUTE SIGNATURE (80 2A) --------------------------------------------------------

    def _compute_signature(self, command: Command) -> Response:
        if self._current_app is None:
            return status(SW_NOT_FOUND)
        key_ef = self._key_ef(command.p2)
        if isinstance(key_ef, tuple):
            return key_ef
        key = self._current_app.keys.get(key_ef)
        if key is None:
            return status(SW_NOT_FOUND)
        if key.requires is not None and key.requires not in self._verified:
            return status(SW_SECURITY_STATUS)
        message = _signing_input(command.p1, command.data)
        if isinstance(message, int):
            return status(message)
        return status(SW_OK, raw_pkcs1_sign(key.key, message))

    def _key_ef(self, p2: int) -> int | Response:
        """The key EF a signature uses: P2 00 = the AP's default key, 80|SFI, or 80 = current."""
        assert self._current_app is not None
        if p2 == 0x00:
            return min(self._current_app.keys, default=-1)
        if p2 & SFI_FLAG == 0:
            return status(SW_BAD_P1P2)
        if p2 & 0x1F:
            return p2 & 0x1F
        if self._current_ef is None:
            return status(SW_NO_CURRENT_EF)
        return self._current_ef

    # -- CHANGE REFERENCE DATA and GET CHALLENGE ------------------------------------------

    def _change_reference_data(self, command: Command) -> Response:
        secret = self._secret_for(0, command.p2)
        if isinstance(secret, int):
            return status(secret)
        if command.p1 != 0x01:
            return status(SW_BAD_P1P2)
        if secret.ef not in self._verified:
            return status(SW_SECURITY_STATUS)
        if not command.data:
            return status(SW_WRONG_LENGTH)
        secret.value = command.data
        return status(SW_OK)

    def _get_challenge(self, command: Command) -> Response:
        if command.extended:
            return status(SW_CONDITIONS)  # sheet §3.1: the extended form is refused
        return status(SW_OK, os.urandom(command.le or 256))


def _signing_input(scheme: int, data: bytes) -> bytes | int:
    """The DigestInfo (or raw data) the key signs for the P1 signing scheme (sheet §3.1).

    Schemes 01 (bare hash) and 04/05 (PSS) are answered 6A86 (uncertain.py:
    UNSUPPORTED_SIGN_SCHEMES): single-source, and no client this product knows of uses them.
    """
    if scheme == 0x00:
        if not data or len(data) > MAX_SIGN_INPUT:
            return SW_WRONG_LENGTH
        return data
    if scheme == 0x02:
        if len(data) != 32:
            return SW_WRONG_LENGTH
        return SHA256_DIGEST_INFO_PREFIX + data
    if scheme == 0x03:
        return SHA256_DIGEST_INFO_PREFIX + hashlib.sha256(data).digest()
    return SW_BAD_P1P2


def raw_pkcs1_sign(key: RSAPrivateKey, message: bytes) -> bytes:
    """PKCS#1 v1.5 type-1 padding over the data as given, as the card does (no hashing)."""
    numbers = key.private_numbers()
    size = (key.key_size + 7) // 8
    block = int.from_bytes(b"\x00\x01" + b"\xff" * (size - 3 - len(message)) + b"\x00" + message)
    # The Chinese remainder theorem: two half-size exponentiations, ~4x faster than m^d mod n.
    p, q = numbers.p, numbers.q
    m1, m2 = pow(block, numbers.dmp1, p), pow(block, numbers.dmq1, q)
    value = m2 + q * ((numbers.iqmp * (m1 - m2)) % p)
    return value.to_bytes(size, "big")
