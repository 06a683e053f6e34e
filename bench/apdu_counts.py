"""APDUs and bytes per card operation: extended vs short-only reads, and OpenSC's count.

Run from the repository root: ``python bench/apdu_counts.py``. The OpenSC column starts pcscd
with the vpcd reader the way the test suite does (``tests/pcscd.py``: a port of its own, one
user of pcscd at a time); without pcscd, vpcd or OpenSC it prints n/a.
The floor is OpenSC reading the same auth certificate through the same emulator,
measured in the same run from the vpcd-side APDU count.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

# ``python bench/x.py`` puts bench/ on sys.path, not the repository root (tests/pcscd.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cardreader.emulator.card import VirtualCard
from cardreader.emulator.inprocess import EmulatorConnection
from cardreader.emulator.resident import DEFAULT_RESIDENT, ResidentPins
from cardreader.emulator.scenarios import build_profile
from cardreader.mynumber import MyNumber
from cardreader.pin import PinKind
from cardreader.sessions import MyNumberCard
from counterapp.pinless import read_my_number, read_pinless
from counterapp.reading import read_for_counter
from tests.pcscd import PcscdUnavailable, VirtualReader, exclusive_use, running_pcscd


@dataclass(frozen=True)
class Count:
    apdus: int
    bytes_sent: int
    bytes_received: int


def read_auth_cert(card: MyNumberCard) -> None:
    card.jpki().read_auth_certificate()


def read_kenhojo(card: MyNumberCard) -> None:
    kenhojo = card.kenhojo()
    kenhojo.verify_pin(DEFAULT_RESIDENT.kenhojo_pin)
    kenhojo.read_basic_info()
    kenhojo.read_my_number()
    kenhojo.read_integrity_record()
    kenhojo.read_certificate()


def verify_and_sign(card: MyNumberCard) -> None:
    jpki = card.jpki()
    jpki.verify_pin(PinKind.AUTH, DEFAULT_RESIDENT.auth_pin)
    jpki.sign_sha256(PinKind.AUTH, b"\x00" * 32)


def full_counter_read(card: MyNumberCard) -> None:
    read_for_counter(card, ResidentPins(), b"\x00" * 32)


def pinless_counter_read(card: MyNumberCard) -> None:
    """Auth certificate, Kenhojo 照合番号B + items + EF 0007 + internal auth, Kenkaku face."""
    read_pinless(card, DEFAULT_RESIDENT.collation_number_b(), b"\x00" * 32)


def pinless_without_face(card: MyNumberCard) -> None:
    """The PIN-less read up to internal authentication (what the card face adds is the rest)."""
    card.jpki().read_auth_certificate()
    kenhojo = card.kenhojo()
    kenhojo.verify_collation_b(DEFAULT_RESIDENT.collation_number_b())
    kenhojo.read_basic_info()
    kenhojo.read_integrity_record()
    kenhojo.read_certificate()
    kenhojo.read_signed_key()
    kenhojo.internal_authenticate(b"\x00" * 32)


def collation_a_my_number(card: MyNumberCard) -> None:
    read_my_number(card, MyNumber(DEFAULT_RESIDENT.my_number))


OPERATIONS: dict[str, Callable[[MyNumberCard], None]] = {
    "read auth certificate": read_auth_cert,
    "Kenhojo: PIN + 4 items + My Number + integrity + CVC": read_kenhojo,
    "auth PIN + sign": verify_and_sign,
    "full counter read (issue budget: 12 ext / 26 short)": full_counter_read,
    "PIN-less: cert + Kenhojo (照合番号B, EF 0007, int. auth)": pinless_without_face,
    "PIN-less counter read with the card face (goal: 12 ext)": pinless_counter_read,
    "PIN-less: 照合番号A + My Number (forms that carry it)": collation_a_my_number,
}


def measure(operation: Callable[[MyNumberCard], None], *, extended: bool) -> Count:
    profile = build_profile("valid")
    profile.extended_length = extended
    connection = EmulatorConnection(VirtualCard(profile))
    operation(MyNumberCard(connection))
    stats = connection.stats
    return Count(stats.commands, stats.bytes_sent, stats.bytes_received)


def opensc_auth_certificate_count() -> Count | None:
    """APDUs OpenSC's pkcs15-tool sends to read the auth certificate, counted at the bridge."""
    if shutil.which("pkcs15-tool") is None:
        return None
    try:
        with exclusive_use(print), running_pcscd(print) as reader:
            return _count_opensc_read(reader)
    except PcscdUnavailable as exc:
        print(f"pcscd: {exc}")
        return None


def _card_in(reader: str) -> bool:
    from cardreader.pcsc import list_readers

    return any(r.name == reader and r.card_present for r in list_readers())


def _count_opensc_read(reader: VirtualReader) -> Count:
    trace = Path(subprocess.check_output(["mktemp"], text=True).strip())
    command = [sys.executable, "-m", "counterapp", "simulate", "serve", "--trace-file", str(trace)]
    server = subprocess.Popen([*command, "--vpcd", reader.endpoint], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while not _card_in(reader.name):  # pcscd polls the vpcd slot every ~400 ms
            if time.monotonic() > deadline:
                raise PcscdUnavailable("the virtual card did not appear in pcscd")
            time.sleep(0.05)
        before = _count_commands(trace)
        subprocess.run(
            ["pkcs15-tool", "--read-certificate", "01", "--output", "/dev/null"],
            capture_output=True,
            check=True,
            timeout=60,
        )
        lines = trace.read_text().splitlines()[before * 2 :]
    finally:
        server.terminate()
        server.wait(timeout=10)
    sent = [line for line in lines if line.startswith(">")]
    received = [line for line in lines if line.startswith("<")]
    return Count(len(sent), _hex_bytes(sent), _hex_bytes(received))


def _count_commands(trace: Path) -> int:
    return sum(1 for line in trace.read_text().splitlines() if line.startswith(">"))


def _hex_bytes(lines: list[str]) -> int:
    """Total bytes of traced messages (the bridge logs ``> LENGTH HEADER`` / ``< LENGTH SW``)."""
    return sum(int(line.split()[1]) for line in lines)


def main() -> None:
    header = ("operation", "ext APDUs", "ext bytes", "short APDUs", "short bytes")
    print(f"{header[0]:55} {header[1]:>9} {header[2]:>10} {header[3]:>11} {header[4]:>11}")
    for name, operation in OPERATIONS.items():
        ext = measure(operation, extended=True)
        short = measure(operation, extended=False)
        print(
            f"{name:55} {ext.apdus:9d} {ext.bytes_sent + ext.bytes_received:10d} "
            f"{short.apdus:11d} {short.bytes_sent + short.bytes_received:11d}"
        )
    ours = measure(read_auth_cert, extended=True)
    opensc = opensc_auth_certificate_count()
    if opensc is None:
        print("OpenSC (pkcs15-tool --read-certificate): n/a (pcscd or OpenSC not available)")
        return
    print(
        f"OpenSC reading the auth certificate: {opensc.apdus} APDUs (incl. its card detection); "
        f"ours: {ours.apdus} APDUs; ratio ours/OpenSC = {ours.apdus / opensc.apdus:.2f}"
    )


if __name__ == "__main__":
    main()
