"""The municipal CA: it issues the server's TLS certificate and one client certificate per
terminal. Keys are EC P-256 PEM files readable only by their owner (mode 0600).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

DEFAULT_SERVER_NAMES = ("localhost", "127.0.0.1")
CA_LIFETIME = dt.timedelta(days=20 * 365)
SERVER_LIFETIME = dt.timedelta(days=825)
TERMINAL_LIFETIME = dt.timedelta(days=3 * 365)
# A server certificate this close to its end is reissued when the service starts.
SERVER_RENEWAL_MARGIN = dt.timedelta(days=30)
# Clocks of terminals drift; a certificate valid from "now" would fail on a PC a bit behind.
BACKDATE = dt.timedelta(hours=1)
MAX_TERMINAL_NAME = 64
ORGANIZATION = "counterapp back office"


class CaError(Exception):
    """The CA is missing, or a certificate or name is not acceptable: exit code 4."""


@dataclass(frozen=True)
class CaFiles:
    """Where the CA and the server's key and certificate live."""

    directory: Path

    @property
    def ca_cert(self) -> Path:
        return self.directory / "ca.pem"

    @property
    def ca_key(self) -> Path:
        return self.directory / "ca.key"

    @property
    def server_cert(self) -> Path:
        return self.directory / "server.pem"

    @property
    def server_key(self) -> Path:
        return self.directory / "server.key"

    def exists(self) -> bool:
        """True when the CA's certificate and key are both there."""
        return self.ca_cert.exists() and self.ca_key.exists()


@dataclass(frozen=True)
class Issued:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class TerminalFiles:
    certificate: Path
    key: Path
    ca: Path


# -- the CA and the server certificate ------------------------------------------------------


def init_ca(
    files: CaFiles,
    now: dt.datetime,
    *,
    force: bool = False,
    server_names: Sequence[str] = DEFAULT_SERVER_NAMES,
) -> bool:
    """Create the CA and a server certificate; False (nothing done) if a CA exists already."""
    if files.exists() and not force:
        return False
    # The data folder and the CA folder are owner-only (mkdir -p gives parents no mode).
    files.directory.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    files.directory.mkdir(exist_ok=True, mode=0o700)
    ca = _issue_ca(now)
    write_key(files.ca_key, ca.key)
    write_certificate(files.ca_cert, ca.certificate)
    issue_server(files, now, server_names)
    return True


def issue_server(
    files: CaFiles, now: dt.datetime, server_names: Sequence[str] = DEFAULT_SERVER_NAMES
) -> None:
    """(Re)issue the server's TLS certificate from the CA."""
    ca = load_ca(files)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(f"{ORGANIZATION} server")
    builder = _leaf(ca, subject, key, now, SERVER_LIFETIME, ExtendedKeyUsageOID.SERVER_AUTH)
    san = x509.SubjectAlternativeName([_general_name(name) for name in server_names])
    certificate = builder.add_extension(san, critical=False).sign(ca.key, hashes.SHA256())
    write_key(files.server_key, key)
    write_certificate(files.server_cert, certificate)


def server_needs_renewal(files: CaFiles, now: dt.datetime) -> bool:
    """True when the server certificate is missing or ends within the renewal margin."""
    if not files.server_cert.exists() or not files.server_key.exists():
        return True
    certificate = load_certificate(files.server_cert)
    return certificate.not_valid_after_utc - now < SERVER_RENEWAL_MARGIN


def load_ca(files: CaFiles) -> Issued:
    """The CA's certificate and key; CaError if there is no CA yet."""
    if not files.exists():
        raise CaError(
            f"認証局がありません。先に `backoffice ca init` を実行してください / "
            f"no CA in {files.directory}: run `backoffice ca init` first"
        )
    key = serialization.load_pem_private_key(files.ca_key.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise CaError(f"the CA key is not an EC key: {files.ca_key}")
    return Issued(load_certificate(files.ca_cert), key)


def _issue_ca(now: dt.datetime) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(f"{ORGANIZATION} municipal CA")
    public = key.public_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(now + CA_LIFETIME)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(certificate, key)


# -- terminals ------------------------------------------------------------------------------


def issue_terminal(files: CaFiles, name: str, now: dt.datetime) -> Issued:
    """A client certificate (clientAuth, CN = the terminal's name) with a fresh key."""
    check_terminal_name(name)
    ca = load_ca(files)
    key = ec.generate_private_key(ec.SECP256R1())
    builder = _leaf(ca, _name(name), key, now, TERMINAL_LIFETIME, ExtendedKeyUsageOID.CLIENT_AUTH)
    return Issued(builder.sign(ca.key, hashes.SHA256()), key)


def write_terminal(
    out_dir: Path, issued: Issued, ca_certificate: x509.Certificate
) -> TerminalFiles:
    """Write terminal.key (0600), terminal.pem and ca.pem into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files = TerminalFiles(out_dir / "terminal.pem", out_dir / "terminal.key", out_dir / "ca.pem")
    write_key(files.key, issued.key)
    write_certificate(files.certificate, issued.certificate)
    write_certificate(files.ca, ca_certificate)
    return files


def check_terminal_name(name: str) -> None:
    """A terminal name is 1 to 64 printable characters (it becomes the certificate's CN)."""
    if not name.strip() or len(name) > MAX_TERMINAL_NAME or not name.isprintable():
        raise CaError(
            f"端末名は1〜{MAX_TERMINAL_NAME}文字の印字可能な文字にしてください / "
            f"a terminal name is 1-{MAX_TERMINAL_NAME} printable characters"
        )


def terminal_certificate_problem(certificate: x509.Certificate, now: dt.datetime) -> str | None:
    """Why a certificate cannot serve a terminal (expired, not yet valid, no clientAuth)."""
    if certificate.not_valid_after_utc <= now:
        return (
            f"証明書の有効期限が切れています（{certificate.not_valid_after_utc:%Y-%m-%d}）/ "
            f"the certificate expired on {certificate.not_valid_after_utc:%Y-%m-%d}"
        )
    if certificate.not_valid_before_utc > now:
        return (
            f"証明書はまだ有効ではありません（{certificate.not_valid_before_utc:%Y-%m-%d}から）/ "
            f"the certificate is not valid before {certificate.not_valid_before_utc:%Y-%m-%d}"
        )
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return None  # no EKU: any purpose (RFC 5280 4.2.1.12)
    if ExtendedKeyUsageOID.CLIENT_AUTH not in usage:
        return (
            "証明書の拡張鍵用途に clientAuth がありません（端末認証に使えません）/ "
            "the certificate's extended key usage lacks clientAuth (it cannot identify a terminal)"
        )
    return None


def issued_by(certificate: x509.Certificate, ca_certificate: x509.Certificate) -> bool:
    """True when ``ca_certificate`` signed ``certificate``."""
    try:
        certificate.verify_directly_issued_by(ca_certificate)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


# -- files and helpers ----------------------------------------------------------------------


def fingerprint(certificate: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, lowercase hex: how terminals are registered."""
    return certificate.fingerprint(hashes.SHA256()).hex()


def load_certificate(path: Path) -> x509.Certificate:
    """A certificate from a PEM or DER file; CaError if it is neither."""
    data = path.read_bytes()
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_certificate(data)
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise CaError(f"証明書を読めません / not a certificate: {path}") from exc


def write_certificate(path: Path, certificate: x509.Certificate) -> None:
    """Write a certificate as PEM."""
    path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))


def write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> None:
    """Write an unencrypted PKCS#8 key that only the owner can read (0600)."""
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Created with 0600 and chmod-ed again: an existing file keeps its old mode on open().
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        os.chmod(path, 0o600)
        handle.write(pem)


def _leaf(
    ca: Issued,
    subject: x509.Name,
    key: ec.EllipticCurvePrivateKey,
    now: dt.datetime,
    lifetime: dt.timedelta,
    purpose: x509.ObjectIdentifier,
) -> x509.CertificateBuilder:
    public = key.public_key()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.certificate.subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - BACKDATE)
        .not_valid_after(min(now + lifetime, ca.certificate.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(), critical=True)
        .add_extension(x509.ExtendedKeyUsage([purpose]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
    )


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _usage(*, cert_sign: bool = False) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)
