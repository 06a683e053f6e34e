"""A TEST ONLY public-key infrastructure shaped like J-LIS's, generated from a seed.

- Two self-signed CAs with the real JPKI issuer DNs plus ``OU=TEST ONLY``, and two
  impostor CAs with the very same DNs but other keys (the ``wrong-issuer`` scenario).
- End-entity certificates as JPKI issues them: RSA-2048, sha256WithRSA, key usage,
  CRL distribution point as a directoryName, and in the signing certificate the
  resident's name, sex, birth date and address as SAN otherName entries.
- A test "J-LIS" key that signs the Kenhojo/Kenkaku card-verifiable certificates.

RSA keys come from a SHA-256 counter stream over the seed, so every machine derives the
same keys; they are cached on disk because generating one takes about 0.3 s. Nothing here
is a secret: these keys are published test material and must never be trusted for real.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import platformdirs
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from cardreader import tlv
from cardreader.emulator import uncertain

SEED = b"counterapp TEST ONLY PKI, generation 1"
KEY_BITS = 2048
TEST_ONLY = "TEST ONLY"
CACHE_ENV = "COUNTERAPP_CACHE_DIR"
UTF8_STRING = 0x0C  # DER tag

AUTH_CA_OU = "JPKI for user authentication"
SIGN_CA_OU = "JPKI for digital signature"
JLIS_OU = "Japan Agency for Local Authority Information Systems"
SAN_OID_PREFIX = "1.2.392.200149.8.5.5"
# UNCERTAIN choices: see cardreader/emulator/uncertain.py.
AUTH_POLICY_OID = uncertain.AUTH_POLICY_OID
SIGN_POLICY_OID = uncertain.SIGN_POLICY_OID
ERA_DIGITS = uncertain.SAN_BIRTH_DATE_ERA_DIGITS

CA_NOT_BEFORE = dt.datetime(2014, 1, 1, tzinfo=dt.UTC)
CA_NOT_AFTER = dt.datetime(2044, 1, 1, tzinfo=dt.UTC)


def cache_dir() -> Path:
    """Where generated test keys are kept (``COUNTERAPP_CACHE_DIR`` overrides)."""
    override = os.environ.get(CACHE_ENV)
    base = Path(override) if override else Path(platformdirs.user_cache_dir("counterapp"))
    return base / "test-pki"


def _counter_stream(label: str) -> Callable[[int], bytes]:
    counter = 0
    buffer = bytearray()

    def randfunc(n: int) -> bytes:
        nonlocal counter
        while len(buffer) < n:
            buffer.extend(
                hashlib.sha256(SEED + label.encode() + counter.to_bytes(8, "big")).digest()
            )
            counter += 1
        out = bytes(buffer[:n])
        del buffer[:n]
        return out

    return randfunc


@cache
def test_key(label: str) -> rsa.RSAPrivateKey:
    """The TEST ONLY RSA-2048 key named ``label``: derived from the seed, cached on disk."""
    path = cache_dir() / f"TEST-ONLY-{hashlib.sha256(SEED + label.encode()).hexdigest()[:24]}.pem"
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        pem = _generate_pem(label)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pem)
        os.replace(partial, path)  # atomic: parallel test processes may race here
    # Checking an RSA private key (primality of p and q) takes ~30 ms a key, and the
    # emulator loads seven of them at start. These are the emulator's own keys, written by
    # _generate_pem above: nothing from a card or a trust anchor is ever loaded here.
    key = serialization.load_pem_private_key(
        pem, password=None, unsafe_skip_rsa_key_validation=True
    )
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def _generate_pem(label: str) -> bytes:
    """A fresh RSA key from the seed's counter stream (pycryptodome takes a randfunc)."""
    from Crypto.PublicKey import RSA  # only when the disk cache is empty

    pem: bytes = RSA.generate(KEY_BITS, randfunc=_counter_stream(label)).export_key("PEM")
    return pem


def ca_name(kind_ou: str) -> x509.Name:
    """The JPKI issuer DN (same for every CA generation), marked TEST ONLY."""
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "JPKI"),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, kind_ou),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, JLIS_OU),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, TEST_ONLY),
        ]
    )


@dataclass(frozen=True)
class Authority:
    """A CA: its certificate and (test) private key."""

    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    @property
    def name(self) -> x509.Name:
        return self.certificate.subject


@cache
def authority(kind_ou: str, *, impostor: bool = False) -> Authority:
    """The test CA for ``kind_ou`` (or an impostor with the same DN and another key)."""
    label = f"ca/{kind_ou}/{'impostor' if impostor else 'genuine'}"
    key = test_key(label)
    name = ca_name(kind_ou)
    serial = int.from_bytes(hashlib.sha256(label.encode()).digest()[:8], "big")
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(CA_NOT_BEFORE)
        .not_valid_after(CA_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DirectoryName(
                        x509.Name(
                            [
                                x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                                x509.NameAttribute(
                                    NameOID.ORGANIZATION_NAME, "公的個人認証サービス"
                                ),
                            ]
                        )
                    )
                ]
            ),
            critical=False,
        )
    )
    return Authority(builder.sign(key, hashes.SHA256()), key)


def _key_usage(*, cert_sign: bool = False, non_repudiation: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=non_repudiation,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


@dataclass(frozen=True)
class Holder:
    """What an end-entity certificate says about its holder (signing certificate only)."""

    name: str
    sex: str
    birth_date: dt.date
    address: str


def san_birth_date(day: dt.date) -> str:
    """Birth date as the signing certificate's SAN carries it: era digit + YYYYMMDD."""
    era = next((digit for start, digit in ERA_DIGITS if day >= start), "2")
    return era + day.strftime("%Y%m%d")


def _other_name(index: int, value: str) -> x509.OtherName:
    der = tlv.encode(UTF8_STRING, value.encode("utf-8"))
    return x509.OtherName(x509.ObjectIdentifier(f"{SAN_OID_PREFIX}.{index}"), der)


def holder_san(holder: Holder) -> x509.SubjectAlternativeName:
    """Name, substitute name, sex, birth date, address, substitute address (OIDs .1-.6)."""
    values = (
        holder.name,
        holder.name,
        holder.sex,
        san_birth_date(holder.birth_date),
        holder.address,
        holder.address,
    )
    return x509.SubjectAlternativeName(
        [_other_name(i, value) for i, value in enumerate(values, start=1)]
    )


def issue_end_entity(
    issuer: Authority,
    key: rsa.RSAPublicKey,
    *,
    serial: int,
    subject_cn: str,
    not_before: dt.datetime,
    not_after: dt.datetime,
    holder: Holder | None = None,
) -> x509.Certificate:
    """An auth (``holder`` None) or signing certificate issued by ``issuer``."""
    signing = holder is not None
    builder = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"),
                    x509.NameAttribute(NameOID.COMMON_NAME, subject_cn),
                ]
            )
        )
        .issuer_name(issuer.name)
        .public_key(key)
        .serial_number(serial)
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(_key_usage(non_repudiation=signing), critical=True)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key), critical=False)
        .add_extension(
            x509.CertificatePolicies(
                [
                    x509.PolicyInformation(
                        x509.ObjectIdentifier(SIGN_POLICY_OID if signing else AUTH_POLICY_OID), None
                    )
                ]
            ),
            critical=True,
        )
        .add_extension(
            x509.CRLDistributionPoints(
                [x509.DistributionPoint([x509.DirectoryName(issuer.name)], None, None, None)]
            ),
            critical=False,
        )
    )
    if holder is not None:
        builder = builder.add_extension(holder_san(holder), critical=False)
    return builder.sign(issuer.key, hashes.SHA256())


def issue_crl(
    issuer: Authority,
    revoked_serials: list[int],
    *,
    this_update: dt.datetime,
    next_update: dt.datetime,
) -> x509.CertificateRevocationList:
    """A CRL from a test CA listing ``revoked_serials`` (revoked at ``this_update``)."""
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer.name)
        .last_update(this_update)
        .next_update(next_update)
    )
    for serial in revoked_serials:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(this_update - dt.timedelta(days=1))
            .build()
        )
    return builder.sign(issuer.key, hashes.SHA256())


def serial_for(label: str) -> int:
    """A stable positive serial number for a test certificate."""
    return int.from_bytes(hashlib.sha256(b"serial/" + label.encode()).digest()[:8], "big") >> 1
