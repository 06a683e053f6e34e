"""The field conformance kit: how this reader and this card behave, with no personal data.

IT staff run ``counterapp hardware-check`` at a counter and send us the report. It holds
the reader's name, the ATR and protocol, whether extended-length APDUs pass (and that the
short-APDU fallback works), per-APDU latencies, the status words seen, and what the card
did for each behaviour our protocol notes could only take from one source.

What the report never holds: file contents that could identify the person or the card
(certificates, their subject or serial, the text data, card ids): for those, only whether
they answered and their length. No probe uses a PIN try: the tries counters are read with
an empty VERIFY. A PIN is sent only with ``ask_pins`` and only the value the person typed,
once, never again.
"""

from __future__ import annotations

import enum
import os
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from cardreader.apdu import ApduChannel, CommandApdu, ExtendedLengthUnsupported, Ins
from cardreader.errors import CardError, CardRemoved, PinError
from cardreader.pin import PinKind
from cardreader.sessions.jpki import JPKI_AID, CertificateKind, JpkiSession, sha256_digest_info
from cardreader.sessions.kenhojo import KENHOJO_AID
from cardreader.sessions.kenkaku import KENKAKU_AID
from counterapp import __version__
from counterapp.interaction import Cancelled, Interaction

READ_ROUNDS = 5
SIGN_ROUNDS = 5
SFI_FLAG = 0x80
EF_AUTH_CERT = 0x0A
EF_TOKEN_INFO = 0x06
EF_CERT_AVAILABILITY = 0x08
EF_AUTH_PIN = 0x18
SW_OK = 0x9000
SW_END_OF_FILE = 0x6282
SW_WRONG_LENGTH = 0x6700
SW_FIRST_AFTER_POWER = 0x6F00
SW_BAD_P1P2 = 0x6A86
GP_ISD_AID = bytes.fromhex("A0000001510000")
# MF-level GET DATA objects (SOL only). 0045 is the card id and 00F0/00F2 the municipality
# and expiry: presence and length only, never the value.
MF_DATA_OBJECTS = ("0045", "00F0", "00F2", "00F7", "00F8", "7F21", "5F51", "0042", "0066")
# Every secret whose tries counter an empty VERIFY reads, per application.
SECRETS = (
    ("jpki_auth_pin", JPKI_AID, 0x18),
    ("jpki_signing_password", JPKI_AID, 0x1B),
    ("kenhojo_pin", KENHOJO_AID, 0x11),
    ("kenhojo_key_0012", KENHOJO_AID, 0x12),
    ("kenhojo_collation_a", KENHOJO_AID, 0x14),
    ("kenhojo_collation_b", KENHOJO_AID, 0x15),
    ("kenkaku_birth_date_key", KENKAKU_AID, 0x11),
    ("kenkaku_collation_b", KENKAKU_AID, 0x12),
    ("kenkaku_collation_a", KENKAKU_AID, 0x13),
)


class Result(enum.Enum):
    """How an observation compares with our protocol notes."""

    AS_DOCUMENTED = "as_documented"
    DIFFERS = "differs"
    NOT_SUPPORTED = "not_supported"
    NOT_PROBED = "not_probed"
    ERROR = "error"


@dataclass(frozen=True)
class Observation:
    """One probed behaviour: what the notes say, and what this card and reader did."""

    behaviour: str
    documented: str
    result: Result
    observed: str


@dataclass(frozen=True)
class Latency:
    count: int
    p50_ms: float
    p95_ms: float


@dataclass
class HardwareReport:
    """Everything the check found; ``to_dict`` is what the JSON report holds."""

    reader: str
    atr: str
    protocol: str
    counterapp_version: str = ""
    extended_length: dict[str, Any] = field(default_factory=dict)
    latency: dict[str, Latency | None] = field(default_factory=dict)
    status_words: dict[str, int] = field(default_factory=dict)
    tries_left: dict[str, str] = field(default_factory=dict)
    observations: list[Observation] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["observations"] = [
            {**asdict(item), "result": item.result.value} for item in self.observations
        ]
        return data


class CheckedConnection(Protocol):
    """A PC/SC connection the check can reset (``cardreader.pcsc.PcscConnection``)."""

    reader: str

    @property
    def atr(self) -> bytes: ...

    @property
    def protocol(self) -> str: ...

    def transmit(self, apdu: bytes) -> tuple[bytes, int]: ...

    def reset(self, *, power_cycle: bool = False) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class _Sample:
    ins: int
    seconds: float
    sw: int


class _Recorder:
    """Passes APDUs through and notes each one's round trip and status word."""

    def __init__(self, inner: CheckedConnection) -> None:
        self.inner = inner
        self.samples: list[_Sample] = []

    def transmit(self, apdu: bytes) -> tuple[bytes, int]:
        started = time.perf_counter()
        data, sw = self.inner.transmit(apdu)
        self.samples.append(_Sample(apdu[1], time.perf_counter() - started, sw))
        return data, sw

    def close(self) -> None:
        self.inner.close()


def run_hardware_check(
    connection: CheckedConnection, interaction: Interaction | None = None
) -> HardwareReport:
    """Probe the card in ``connection``; with ``interaction``, also time the signature."""
    recorder = _Recorder(connection)
    check = _Check(connection, recorder)
    report = HardwareReport(
        connection.reader, connection.atr.hex(" ").upper(), connection.protocol, __version__
    )
    report.observations += check.after_power_cycle()
    report.extended_length = check.extended_length()
    report.observations += check.reads()
    report.tries_left = check.tries_counters()
    report.observations += check.select_and_sfi_forms()
    report.observations += check.internal_authentication()
    if interaction is not None:
        try:
            report.observations += check.with_pin(interaction)
        finally:
            _forget_pin(connection)
    report.latency = {
        "read_binary": _latency(recorder.samples, Ins.READ_BINARY),
        "compute_signature": _latency(recorder.samples, Ins.COMPUTE_SIGNATURE),
        "all": _latency(recorder.samples, None),
    }
    report.status_words = dict(sorted(Counter(f"{s.sw:04X}" for s in recorder.samples).items()))
    return report


def _forget_pin(connection: CheckedConnection) -> None:
    """Leave no verified PIN on the card: power it off and on."""
    try:
        connection.reset(power_cycle=True)
    except CardError:
        return  # card removed or reset refused: the PIN state goes when the card loses power


def _latency(samples: list[_Sample], ins: int | None) -> Latency | None:
    times = sorted(s.seconds * 1000 for s in samples if ins is None or s.ins == ins)
    if not times:
        return None
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    return Latency(len(times), round(statistics.median(times), 3), round(p95, 3))


def _sw(sw: int) -> str:
    return f"{sw:04X}"


def _tries_text(sw: int) -> str:
    if sw == SW_OK:
        return "verified"
    if sw == 0x6984:
        return "0 (blocked)"
    if sw & 0xFFF0 == 0x63C0:
        return str(sw & 0x0F)
    if sw == 0x6300:
        return "no retry limit"
    if sw == 0x6A82:
        return "not present"
    return f"SW {_sw(sw)}"


class _Check:
    """The probes, in an order where each finds the card in a known state."""

    def __init__(self, connection: CheckedConnection, recorder: _Recorder) -> None:
        self.connection = connection
        self.channel = ApduChannel(recorder)

    def send(self, command: CommandApdu) -> tuple[bytes, int]:
        response = self.channel.transmit(command)
        return response.data, response.sw

    def select(self, aid: bytes) -> int:
        self.channel.selected_aid = None  # raw SELECTs: sessions must select again
        return self.send(CommandApdu(0x00, Ins.SELECT, 0x04, 0x0C, aid))[1]

    def empty_verify(self, ef: int) -> int:
        return self.send(CommandApdu(0x00, Ins.VERIFY, 0x00, SFI_FLAG | ef))[1]

    # -- probes ---------------------------------------------------------------------------

    def after_power_cycle(self) -> list[Observation]:
        """SELECT MF right after power-on, then the MF-level GET DATA objects."""
        try:
            self.connection.reset(power_cycle=True)
        except CardRemoved:
            raise
        except CardError as exc:
            text = f"the reader refused a power cycle ({type(exc).__name__})"
            return [Observation("select_mf_after_reset", "6A86", Result.NOT_SUPPORTED, text)]
        select_mf = CommandApdu(0x00, Ins.SELECT, 0x00, 0x00)
        first = self.send(select_mf)[1]
        found = [
            Observation(
                "first_command_after_power_on",
                "6F00 on one examined card, else a normal answer",
                Result.AS_DOCUMENTED,
                f"SW {_sw(first)}",
            )
        ]
        mf = self.send(select_mf)[1] if first == SW_FIRST_AFTER_POWER else first
        found.append(
            Observation(
                "select_mf_after_reset",
                "SELECT MF (00 A4 00 00) answers 6A86 after a reset",
                Result.AS_DOCUMENTED if mf == SW_BAD_P1P2 else Result.DIFFERS,
                f"SW {_sw(mf)}",
            )
        )
        found.append(self.mf_get_data())
        self.select(JPKI_AID)
        mf_after_ap = self.send(select_mf)[1]
        found.append(
            Observation(
                "select_mf_after_ap",
                "SELECT MF answers 9000 with no effect once an AP is selected",
                Result.AS_DOCUMENTED if mf_after_ap == SW_OK else Result.DIFFERS,
                f"SW {_sw(mf_after_ap)}",
            )
        )
        found.append(self.isd_restores_mf())
        return found

    def isd_restores_mf(self) -> Observation:
        """Does selecting the GlobalPlatform ISD bring the card back to its power-on state?"""
        isd = self.select(GP_ISD_AID)
        mf = self.send(CommandApdu(0x00, Ins.SELECT, 0x00, 0x00))[1] if isd == SW_OK else None
        if isd != SW_OK:
            result, observed = Result.NOT_SUPPORTED, f"SELECT ISD: SW {_sw(isd)}"
        else:
            result = Result.AS_DOCUMENTED if mf == SW_BAD_P1P2 else Result.DIFFERS
            observed = f"SELECT ISD: SW 9000; SELECT MF then: SW {_sw(mf or 0)}"
        return Observation(
            "isd_restores_power_on_state",
            "selecting the ISD (A0 00 00 01 51 00 00) restores the power-on (MF) state",
            result,
            observed,
        )

    def mf_get_data(self) -> Observation:
        """Which MF data objects answer, and how long they are (never their value)."""
        seen = []
        for tag in MF_DATA_OBJECTS:
            p1, p2 = bytes.fromhex(tag)
            data, sw = self.send(CommandApdu(0x00, 0xCA, p1, p2, le=256))
            if sw == SW_WRONG_LENGTH:
                data, sw = self._extended_get_data(p1, p2)
            seen.append(f"{tag}: {f'{len(data)} B' if sw == SW_OK else 'SW ' + _sw(sw)}")
        answered = any(item.endswith(" B") for item in seen)
        return Observation(
            "mf_get_data",
            "GET DATA 0045, 00F0, 00F2, 00F7, 00F8, 7F21, 5F51, 0042, 0066 answer at the MF",
            Result.AS_DOCUMENTED if answered else Result.NOT_SUPPORTED,
            "; ".join(seen),
        )

    def _extended_get_data(self, p1: int, p2: int) -> tuple[bytes, int]:
        try:
            return self.send(CommandApdu(0x00, 0xCA, p1, p2, le=65536))
        except ExtendedLengthUnsupported:
            return b"", SW_WRONG_LENGTH

    def extended_length(self) -> dict[str, Any]:
        """Probe an extended READ BINARY, then check that short reads work as the fallback."""
        self.select(JPKI_AID)
        command = CommandApdu(0x00, Ins.READ_BINARY, SFI_FLAG | EF_AUTH_CERT, 0, le=65536)
        result: dict[str, Any] = {"probe": "READ BINARY 00 B0 8A 00 00 00 00 (auth certificate)"}
        try:
            data, sw = self.send(command)
        except ExtendedLengthUnsupported:
            result.update(supported=False, probe_sw=_sw(SW_WRONG_LENGTH), probe_bytes=0)
        else:
            supported = sw in (SW_OK, SW_END_OF_FILE) and bool(data)
            result.update(supported=supported, probe_sw=_sw(sw), probe_bytes=len(data))
        short = ApduChannel(self.channel.connection, extended=False)
        before = short.apdu_count
        try:
            JpkiSession(short).read_auth_certificate()
            result["short_fallback"] = f"OK in {short.apdu_count - before} APDUs"
        except CardRemoved:
            raise
        except CardError as exc:
            result["short_fallback"] = f"failed: {type(exc).__name__}"
        return result

    def reads(self) -> list[Observation]:
        """Repeated reads of public files, for latencies; EF 0006 label and EF 0008 shape."""
        session = JpkiSession(self.channel)
        for _ in range(READ_ROUNDS):
            session.read_certificate(CertificateKind.AUTH)
            session.read_certificate(CertificateKind.AUTH_CA)
        token = session.read_token_info()
        availability, sw = self.send(
            CommandApdu(0x00, Ins.READ_BINARY, SFI_FLAG | EF_CERT_AVAILABILITY, 0, le=3)
        )
        shape = availability.hex(" ").upper() if sw == SW_OK else f"SW {_sw(sw)}"
        return [
            Observation(
                "jpki_token_label",
                "EF 0006 label JPKIAPICCTOKEN2 on a My Number card",
                Result.AS_DOCUMENTED if token.label == "JPKIAPICCTOKEN2" else Result.DIFFERS,
                token.label or "(empty)",
            ),
            Observation(
                "jpki_ef_0008",
                "EF 0008 holds 3 bytes, 8F 8F 00 when both certificates are present",
                Result.AS_DOCUMENTED if availability == b"\x8f\x8f\x00" else Result.DIFFERS,
                shape,
            ),
        ]

    def tries_counters(self) -> dict[str, str]:
        """Tries left of every secret, read with an empty VERIFY (no try is used)."""
        counters: dict[str, str] = {}
        selected: bytes | None = None
        for name, aid, ef in SECRETS:
            if aid != selected:
                sw = self.select(aid)
                selected = aid
                if sw != SW_OK:
                    counters[name] = f"application not selectable (SW {_sw(sw)})"
                    continue
            counters[name] = _tries_text(self.empty_verify(ef))
        return counters

    def select_and_sfi_forms(self) -> list[Observation]:
        """SELECT by AID prefix, and the SFI forms of READ BINARY and VERIFY."""
        prefix = JPKI_AID[:7]
        sw = self.select(prefix)
        label = b""
        if sw == SW_OK:
            label, _ = self.send(
                CommandApdu(0x00, Ins.READ_BINARY, SFI_FLAG | EF_TOKEN_INFO, 0, le=32)
            )
        text = label.decode("ascii", "replace").strip(" \x00")
        by_prefix = Observation(
            "select_by_aid_prefix",
            "SELECT by an AID prefix (D3 92 F0 00 26 01 00) selects the JPKI AP",
            Result.AS_DOCUMENTED if sw == SW_OK and text.startswith("JPKI") else Result.DIFFERS,
            f"SW {_sw(sw)}" + (f", EF 0006 label {text}" if text else ""),
        )
        self.select(JPKI_AID)
        _, read_sw = self.send(
            CommandApdu(0x00, Ins.READ_BINARY, SFI_FLAG | EF_TOKEN_INFO, 0, le=4)
        )
        by_sfi = self.empty_verify(EF_AUTH_PIN)
        self.send(CommandApdu(0x00, Ins.SELECT, 0x02, 0x0C, EF_AUTH_PIN.to_bytes(2, "big")))
        by_current = self.send(CommandApdu(0x00, Ins.VERIFY, 0x00, SFI_FLAG))[1]
        return [
            by_prefix,
            Observation(
                "read_binary_by_sfi",
                "READ BINARY 00 B0 (80|SFI) off Le reads without SELECT EF",
                Result.AS_DOCUMENTED if read_sw == SW_OK else Result.DIFFERS,
                f"SW {_sw(read_sw)}",
            ),
            Observation(
                "verify_by_sfi",
                "empty VERIFY 00 20 00 (80|SFI) answers like VERIFY on the selected EF",
                Result.AS_DOCUMENTED if by_sfi == by_current else Result.DIFFERS,
                f"by SFI: SW {_sw(by_sfi)}; after SELECT EF: SW {_sw(by_current)}",
            ),
        ]

    def internal_authentication(self) -> list[Observation]:
        """Does each text AP sign a random challenge with no secret (80 2A 00 00)?

        The answer is a signature over random bytes: only whether it came and its length
        are kept. Checking it needs EF 0007, which needs 照合番号B: not done here.
        """
        found = []
        for name, aid in (("kenhojo", KENHOJO_AID), ("kenkaku", KENKAKU_AID)):
            self.select(aid)
            digest_info = sha256_digest_info(os.urandom(32))
            data, sw = self.send(
                CommandApdu(0x80, Ins.COMPUTE_SIGNATURE, 0, 0, digest_info, le=256)
            )
            answered = sw == SW_OK and len(data) == 256
            found.append(
                Observation(
                    f"internal_authentication_{name}",
                    f"{name}: 80 2A 00 00 signs a DigestInfo with no secret (256 bytes)",
                    Result.AS_DOCUMENTED if answered else Result.DIFFERS,
                    f"SW {_sw(sw)}, {len(data)} bytes",
                )
            )
        return found

    def with_pin(self, interaction: Interaction) -> list[Observation]:
        """Verify the auth PIN the person types, once; time signatures; probe the PIN state."""
        session = JpkiSession(self.channel)
        status = session.pin_status(PinKind.AUTH)
        if status.tries_left == 0:
            return [_not_probed("signature", "the auth PIN is blocked")]
        allow_last = status.tries_left == 1 and interaction.confirm_last_try(status)
        if status.tries_left == 1 and not allow_last:
            return [_not_probed("signature", "one try left: not used")]
        try:
            if not status.verified:
                session.verify_pin(
                    PinKind.AUTH, interaction.ask_pin(status), allow_last_try=allow_last
                )
        except (PinError, Cancelled) as exc:
            return [_not_probed("signature", f"PIN step did not succeed ({exc.message_key})")]
        for _ in range(SIGN_ROUNDS):
            session.sign_sha256(PinKind.AUTH, os.urandom(32))
        return self.pin_state_probes()

    def pin_state_probes(self) -> list[Observation]:
        """Does a verified auth PIN survive a re-SELECT, a warm reset, another AP?"""
        found: list[Observation] = []
        steps: list[tuple[str, str, bool, Callable[[], None]]] = [
            ("pin_kept_on_reselect", "re-selecting the same AP is not a reliable reset", True,
             lambda: None),
            ("pin_kept_on_warm_reset", "a warm reset does not clear a VERIFY", True,
             lambda: self.connection.reset()),
            ("pin_cleared_by_other_ap", "selecting another AP clears the AP left", False,
             self.leave_for_kenhojo),
        ]  # fmt: skip
        still_verified = True
        for behaviour, documented, expect_kept, action in steps:
            if not still_verified:
                found.append(_not_probed(behaviour, "the PIN state was already cleared"))
                continue
            try:
                action()
            except CardRemoved:
                raise
            except CardError as exc:
                found.append(_not_probed(behaviour, f"not supported ({type(exc).__name__})"))
                continue
            self.select(JPKI_AID)
            sw = self.empty_verify(EF_AUTH_PIN)
            kept = sw == SW_OK
            still_verified = kept
            found.append(
                Observation(
                    behaviour,
                    documented,
                    Result.AS_DOCUMENTED if kept == expect_kept else Result.DIFFERS,
                    f"{'kept' if kept else 'cleared'} (empty VERIFY: SW {_sw(sw)})",
                )
            )
        return found

    def leave_for_kenhojo(self) -> None:
        self.select(KENHOJO_AID)


def _not_probed(behaviour: str, why: str) -> Observation:
    return Observation(behaviour, "", Result.NOT_PROBED, why)
