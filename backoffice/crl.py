"""The CRLs the back office hands to terminals: ``--crl`` files and ``<data dir>/crl/``.

Files are read on every request, so a CRL replaced by a scheduled download is served at
once without a restart.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from counterapp.wire.schema import CrlEntry, CrlResponse

CRL_SUFFIXES = (".crl", ".pem", ".der")

logger = logging.getLogger(__name__)


class CrlError(Exception):
    """A configured CRL file cannot be read."""


def crl_files(configured: Iterable[Path], crl_dir: Path) -> list[Path]:
    """The configured files, then the data folder's CRLs, without repeats."""
    files = list(configured)
    if crl_dir.is_dir():
        files += sorted(p for p in crl_dir.iterdir() if p.suffix.lower() in CRL_SUFFIXES)
    unique: dict[Path, None] = {path.resolve(): None for path in files}
    return list(unique)


def load_crl(path: Path) -> x509.CertificateRevocationList:
    """A CRL from a PEM or DER file; CrlError if it is neither."""
    try:
        data = path.read_bytes()
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_crl(data)
        return x509.load_der_x509_crl(data)
    except (OSError, ValueError) as exc:
        raise CrlError(f"CRLを読めません / cannot read the CRL: {path}") from exc


def crl_response(files: Iterable[Path]) -> CrlResponse:
    """Every readable CRL as a wire entry; an unreadable file is logged and left out."""
    entries = []
    for path in files:
        try:
            entries.append(_entry(load_crl(path)))
        except CrlError:
            logger.warning("CRL file left out, unreadable: %s", path)
    return CrlResponse(crls=tuple(entries))


def _entry(crl: x509.CertificateRevocationList) -> CrlEntry:
    return CrlEntry(
        der=base64.b64encode(crl.public_bytes(serialization.Encoding.DER)).decode("ascii"),
        issuer=crl.issuer.rfc4514_string(),
        this_update=crl.last_update_utc,
        next_update=crl.next_update_utc,
    )
