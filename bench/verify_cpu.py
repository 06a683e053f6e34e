"""CPU time of one full verification (no card I/O) against the raw-cryptography floor.

Run: ``python bench/verify_cpu.py``. The floor is the bare ``cryptography`` calls the
verification cannot avoid (the certificate, CRL, challenge, CVC and integrity-record
signatures and the two SHA-256 digests), timed in the same run on the same data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import statistics
import time
from collections.abc import Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from cardreader.emulator.card import VirtualCard
from cardreader.emulator.inprocess import EmulatorConnection
from cardreader.emulator.resident import ResidentPins
from cardreader.emulator.scenarios import build_profile
from cardreader.sessions import MyNumberCard
from counterapp.emulation import emulator_crls, emulator_trust
from counterapp.reading import CounterRead, read_for_counter
from counterapp.verification.engine import evaluate
from counterapp.verification.verdict import Overall

AT = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
ROUNDS = 300


def cpu_per_call(*works: Callable[[], object]) -> list[float]:
    """Median CPU seconds per call of each work, interleaved so both see the same machine."""
    samples: list[list[int]] = [[] for _ in works]
    for round_number in range(ROUNDS + 20):
        for work, bucket in zip(works, samples, strict=True):
            start = time.process_time_ns()
            work()
            if round_number >= 20:  # the first rounds warm caches up
                bucket.append(time.process_time_ns() - start)
    return [statistics.median(bucket) / 1e9 for bucket in samples]


def raw_floor(read: CounterRead) -> Callable[[], None]:
    """The signature checks and digests any verifier of this card must do, done bare."""
    trust, crl = emulator_trust(), emulator_crls(AT)[0]
    anchor = trust.anchors[0]
    anchor_key = anchor.public_key()
    cert = read.auth_certificate
    kenhojo = read.kenhojo
    assert kenhojo is not None and read.challenge and read.challenge_signature
    issuer_key = trust.cvc_issuer_keys[kenhojo.certificate.issuer_key_id]
    cert_key = cert.public_key()
    assert isinstance(anchor_key, rsa.RSAPublicKey) and isinstance(cert_key, rsa.RSAPublicKey)

    def floor() -> None:
        cert.verify_directly_issued_by(anchor)
        crl.is_signature_valid(anchor_key)
        cert_key.verify(
            read.challenge_signature, read.challenge, padding.PKCS1v15(), hashes.SHA256()
        )
        issuer_key.verify(
            kenhojo.certificate.signature,
            kenhojo.certificate.body,
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
        kenhojo.certificate.public_key.verify(
            kenhojo.integrity.signature,
            kenhojo.integrity.signed_data,
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
        hashlib.sha256(kenhojo.my_number.raw).digest()
        hashlib.sha256(kenhojo.basic.signed_part).digest()

    return floor


def main() -> None:
    card = MyNumberCard(EmulatorConnection(VirtualCard(build_profile("valid"))))
    read = read_for_counter(card, ResidentPins(), b"\x5a" * 32)
    trust, crls = emulator_trust(), emulator_crls(AT)
    assert evaluate(read, trust, crls, AT).overall is Overall.GENUINE
    ours, floor = cpu_per_call(lambda: evaluate(read, trust, crls, AT), raw_floor(read))
    print(f"full verification (evaluate): {ours * 1e3:.3f} ms CPU per card")
    print(f"raw cryptography floor:       {floor * 1e3:.3f} ms CPU per card")
    print(f"ratio ours/floor = {ours / floor:.2f}  (target: < 5 ms and <= 3x)")


if __name__ == "__main__":
    main()
