"""Revocation check at JPKI's scale: a 1,000,000-entry CRL, indexed lookup vs the linear path.

Run: ``python bench/revocation.py [ENTRIES]``. The CRL is signed by the emulator's test
auth CA and kept in the user cache folder (building and signing it takes a while). It is
assembled as DER directly: cryptography's CRL builder needs one Python object per entry.

Printed, all from this run:
- the old per-visit cost: read + parse + validate the CRL file, check its signature,
  scan it for the card's serial (what every verification did before the index);
- the index build time (once per CRL update);
- the per-card check with the index (load the configured CRL, check signature + lookup).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from asn1crypto.core import Asn1Value
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from cardreader.emulator import pki
from counterapp.verification.crlindex import build_index, index_database
from counterapp.verification.revocation import check_revocation, load_crls, parse_crl

DEFAULT_ENTRIES = 1_000_000
THIS_UPDATE = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
NEXT_UPDATE = THIS_UPDATE + dt.timedelta(days=7)
AT = THIS_UPDATE + dt.timedelta(days=1)
SHA256_WITH_RSA = bytes.fromhex("300d06092a864886f70d01010b0500")
INDEXED_ROUNDS = 2000
LINEAR_ROUNDS = 3


def der(tag: int, content: bytes) -> bytes:
    """One DER TLV (any content, even one that is not valid for the tag)."""
    return Asn1Value(
        class_=tag >> 6, method=(tag >> 5) & 1, tag=tag & 0x1F, contents=content
    ).dump()


def der_integer(value: int) -> bytes:
    return der(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


def utc_time(when: dt.datetime) -> bytes:
    return der(0x17, when.strftime("%y%m%d%H%M%SZ").encode())


def serial_of(index: int) -> int:
    """Spread-out 64-bit serials, like a CA's random ones."""
    return int.from_bytes(hashlib.sha256(index.to_bytes(8, "big")).digest()[:8], "big") >> 1


def build_crl_der(entries: int) -> bytes:
    """A v2 CRL of the test auth CA listing ``entries`` serials, signed with its key."""
    authority = pki.authority(pki.AUTH_CA_OU)
    revoked_on = utc_time(THIS_UPDATE - dt.timedelta(days=1))
    listing = b"".join(der(0x30, der_integer(serial_of(i)) + revoked_on) for i in range(entries))
    tbs = der(
        0x30,
        der_integer(1)
        + SHA256_WITH_RSA
        + authority.name.public_bytes()
        + utc_time(THIS_UPDATE)
        + utc_time(NEXT_UPDATE)
        + der(0x30, listing),
    )
    signature = authority.key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
    return der(0x30, tbs + SHA256_WITH_RSA + der(0x03, b"\x00" + signature))


def cached_crl(entries: int) -> Path:
    path = pki.cache_dir() / f"bench-crl-{entries}.der"
    if not path.exists():
        started = time.perf_counter()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(build_crl_der(entries))
        print(f"built the {entries:,}-entry CRL in {time.perf_counter() - started:.1f} s")
    return path


def per_call(work: Callable[[], object], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return samples


def main(entries: int) -> None:
    path = cached_crl(entries)
    ca = pki.authority(pki.AUTH_CA_OU).certificate
    card_serial = serial_of(entries // 2)  # a revoked card: the worst case for neither path
    print(f"CRL: {entries:,} entries, {path.stat().st_size / 1e6:.1f} MB")

    with tempfile.TemporaryDirectory() as data:
        data_dir = Path(data)
        started = time.perf_counter()
        indexed = build_index(path, index_database(data_dir))
        build_seconds = time.perf_counter() - started
        assert indexed.entries == entries
        cert = _card_certificate(card_serial)

        def indexed_check() -> None:
            crls = load_crls([str(path)], data_dir, AT)
            assert check_revocation(cert, ca, crls, AT).reason == "cert.revoked"

        def linear_check() -> None:
            crl = parse_crl(path.read_bytes())
            assert check_revocation(cert, ca, [crl], AT).reason == "cert.revoked"

        indexed_times = per_call(indexed_check, INDEXED_ROUNDS)
        linear_times = per_call(linear_check, LINEAR_ROUNDS)

    new = statistics.median(indexed_times)
    old = statistics.median(linear_times)
    p95 = statistics.quantiles(indexed_times, n=20)[-1]
    print(f"index build (once per CRL update): {build_seconds:.1f} s")
    print(f"old per-visit path (parse + signature + scan): {old * 1e3:.0f} ms (median of 3)")
    print(
        f"indexed per-card check: {new * 1e3:.3f} ms median, {p95 * 1e3:.3f} ms p95 "
        f"(of {INDEXED_ROUNDS}); {old / new:,.0f}x faster; goal <= 1 ms: "
        f"{'met' if new <= 0.001 else 'NOT met'}"
    )


def _card_certificate(serial: int) -> x509.Certificate:
    """A card certificate with ``serial`` from the test auth CA (fixed key: fast)."""
    authority = pki.authority(pki.AUTH_CA_OU)
    return pki.issue_end_entity(
        authority,
        pki.test_key("bench/revocation/card").public_key(),
        serial=serial,
        subject_cn="bench",
        not_before=THIS_UPDATE - dt.timedelta(days=30),
        not_after=THIS_UPDATE + dt.timedelta(days=365),
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_ENTRIES)
