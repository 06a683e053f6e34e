"""The JPKI signing-CA anchors that residents' form signatures are verified against.

Each anchor is ``<data dir>/trust/<sha256>.pem``: the file name pins the content, so an
anchor edited in place is ignored (and reported by ``backoffice trust list``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509

from backoffice.ca import CaError, fingerprint, load_certificate, write_certificate

TEST_ONLY_MARK = "TEST ONLY"  # every DN of the card emulator's test PKI carries it

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Anchor:
    sha256: str
    subject: str
    not_after: dt.datetime
    intact: bool  # False: the file no longer matches the fingerprint in its name


def add_anchor(trust_dir: Path, source: Path, *, allow_test_only: bool = False) -> Anchor:
    """Install a CA certificate as a signing anchor; CaError if it is not acceptable."""
    certificate = load_certificate(source)
    _require_ca(certificate)
    subject = certificate.subject.rfc4514_string()
    if TEST_ONLY_MARK in subject and not allow_test_only:
        raise CaError(
            "テスト用の証明書です。試験環境でのみ --allow-test-only を付けて登録してください / "
            "a TEST ONLY certificate: add it only on a test system, with --allow-test-only"
        )
    trust_dir.mkdir(parents=True, exist_ok=True)
    sha256 = fingerprint(certificate)
    write_certificate(trust_dir / f"{sha256}.pem", certificate)
    return Anchor(sha256, subject, certificate.not_valid_after_utc, intact=True)


def list_anchors(trust_dir: Path) -> list[Anchor]:
    """Every installed anchor, including changed ones (marked not intact)."""
    found = []
    for path in sorted(trust_dir.glob("*.pem")):
        try:
            certificate = load_certificate(path)
        except CaError:
            found.append(Anchor(path.stem, "(unreadable)", dt.datetime.min, intact=False))
            continue
        intact = fingerprint(certificate) == path.stem
        subject = certificate.subject.rfc4514_string()
        found.append(Anchor(path.stem, subject, certificate.not_valid_after_utc, intact))
    return found


def load_anchors(trust_dir: Path) -> list[x509.Certificate]:
    """The intact anchors, ready for signature verification."""
    anchors = []
    for path in sorted(trust_dir.glob("*.pem")):
        try:
            certificate = load_certificate(path)
        except CaError:
            logger.warning("unreadable trust anchor ignored: %s", path.name)
            continue
        if fingerprint(certificate) != path.stem:
            logger.warning("trust anchor changed since it was added, ignored: %s", path.name)
            continue
        anchors.append(certificate)
    return anchors


def _require_ca(certificate: x509.Certificate) -> None:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        constraints = None
    if constraints is None or not constraints.value.ca:
        raise CaError("認証局の証明書ではありません / not a CA certificate (basicConstraints CA)")
