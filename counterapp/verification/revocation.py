"""Certificate revocation lists: from files or URLs, cached with their next update.

JPKI publishes no HTTP CRL pointer (the CRL DP is a directoryName), so the CRL
comes from configuration: a file the back office delivers, or a URL. Configured CRLs
are indexed once per update (``crlindex``); a CRL object given directly (a ``--crl``
file, the emulator's test CRLs) is checked as it is.

A configured source that gives no CRL (garbled, truncated, empty, a certificate, too
large, unreachable, absent) is never skipped in silence: it stays in the list as an
``UnreadableCrl``, and when no usable CRL from the card's issuer remains the check is
unknown and names the sources to fix: ``crl.unreadable`` when one is there but is no CRL,
``crl.missing`` (with the file names) when the configured files are simply not there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa

from counterapp.verification.crlindex import (
    MAX_CRL_BYTES,
    CrlIndexError,
    IndexedCrl,
    current_index,
)
from counterapp.verification.verdict import CheckResult

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnreadableCrl:
    """A configured CRL source that gave no CRL: the check names it instead of "no CRL"."""

    source: str  # the file or URL as configured (never personal data)
    problem: str  # English, for the check's detail and the log
    absent: bool = False  # a configured file that does not exist


# An indexed CRL (configured sources), a parsed one (explicit files, test CRLs), or a
# configured source that could not be read (see the module docstring).
ParsedCrl = x509.CertificateRevocationList | IndexedCrl
AnyCrl = ParsedCrl | UnreadableCrl

REVOCATION = "revocation"
CRL_CACHE_DIR = "crl"
FETCH_TIMEOUT_S = 10.0
# A CRL from a URL is held in memory while it is checked: a million revoked certificates make
# ~40 MB, so more than this is a wrong address or a broken server, refused before it is read.
MAX_DOWNLOAD_BYTES = 256 << 20


class CrlError(Exception):
    """A CRL could not be read or parsed."""

    message_key = "crl.invalid"


def read_crl_file(path: Path) -> x509.CertificateRevocationList:
    """The CRL in the file at ``path`` (``--crl``); CrlError naming the file otherwise."""
    try:
        if path.stat().st_size > MAX_CRL_BYTES:
            raise CrlError(f"{path}: larger than {MAX_CRL_BYTES >> 20} MiB, not a CRL")
        data = path.read_bytes()
    except OSError as exc:
        raise CrlError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    try:
        return parse_crl(data)
    except CrlError as exc:
        raise CrlError(f"{path}: {exc}") from exc


def parse_crl(data: bytes) -> x509.CertificateRevocationList:
    """DER or PEM CRL; CrlError otherwise."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            crl = x509.load_pem_x509_crl(data)
        else:
            crl = x509.load_der_x509_crl(data)
        # cryptography decodes these lazily: touch them now so a garbled CRL fails here.
        _ = (crl.issuer, crl.last_update_utc, crl.next_update_utc, crl.extensions)
        _ = crl.signature_hash_algorithm
        for revoked in crl:
            _ = (revoked.serial_number, revoked.revocation_date_utc, revoked.extensions)
    except UnsupportedAlgorithm as exc:
        raise CrlError("signature algorithm not supported") from exc
    except (ValueError, x509.UnsupportedGeneralNameType, x509.InvalidVersion) as exc:
        raise CrlError("not a CRL") from exc
    return crl


def load_crls(sources: Iterable[str], cache_dir: Path, now: dt.datetime) -> list[AnyCrl]:
    """Every configured CRL, indexed; a URL is fetched only when its copy is past next update.

    A source that cannot be read is kept as an ``UnreadableCrl`` (never dropped in silence).
    """
    found: list[AnyCrl] = []
    for source in sources:
        try:
            if source.startswith(("http://", "https://")):
                found.append(_cached_fetch(source, cache_dir, now))
            else:
                found.append(current_index(Path(source), cache_dir, now))
        except FileNotFoundError:
            log.info("configured CRL %s does not exist", source)  # the check names it
            found.append(UnreadableCrl(source, "no such file", absent=True))
        except (OSError, CrlError, CrlIndexError) as exc:
            problem = str(exc) if isinstance(exc, CrlError | CrlIndexError) else "cannot read"
            log.info("configured CRL %s gives no CRL: %s", source, problem)  # the check names it
            found.append(UnreadableCrl(source, problem))
    return found


def _cached_fetch(url: str, cache_dir: Path, now: dt.datetime) -> IndexedCrl:
    """The URL's CRL: the cached copy while fresh, else fetched and indexed at fetch time."""
    cache = cache_dir / CRL_CACHE_DIR / f"{hashlib.sha256(url.encode()).hexdigest()[:24]}.crl"
    cached = current_index(cache, cache_dir, now) if cache.exists() else None
    if cached is not None and _fresh(cached, now):
        return cached
    # httpx (with rich and pygments behind it) only when a CRL really comes from a URL.
    import httpx

    try:
        fetched = _download(url)
        parse_crl(fetched)
    except (httpx.HTTPError, CrlError) as exc:
        if cached is not None:
            return cached  # stale: the check will say so
        raise CrlError(f"cannot fetch {url}: {exc}") from exc
    cache.parent.mkdir(parents=True, exist_ok=True)
    temporary = cache.with_suffix(".tmp")
    temporary.write_bytes(fetched)
    temporary.replace(cache)
    return current_index(cache, cache_dir, now)


def _download(url: str) -> bytes:
    """The body at ``url``; CrlError as soon as it is (or says it is) over the download cap."""
    import httpx

    too_large = CrlError(f"larger than {MAX_DOWNLOAD_BYTES >> 20} MiB, not a CRL")
    with httpx.stream("GET", url, timeout=FETCH_TIMEOUT_S, follow_redirects=True) as response:
        response.raise_for_status()
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_DOWNLOAD_BYTES:
            raise too_large
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > MAX_DOWNLOAD_BYTES:
                raise too_large
    return bytes(body)


def _fresh(crl: ParsedCrl, now: dt.datetime) -> bool:
    return crl.next_update_utc is not None and crl.next_update_utc >= now


def check_revocation(
    cert: x509.Certificate,
    issuer: x509.Certificate | None,
    crls: Iterable[AnyCrl],
    at: dt.datetime,
) -> CheckResult:
    """Revoked: fail. No usable CRL, or one past its next update: unknown, never a pass."""
    if issuer is None:
        return CheckResult.skipped(REVOCATION, "revocation.no_issuer", "chain not established")
    key = issuer.public_key()
    readable = [crl for crl in crls if not isinstance(crl, UnreadableCrl)]
    usable = [
        crl
        for crl in readable
        if isinstance(key, rsa.RSAPublicKey) and _issued_and_signed(crl, issuer.subject, key)
    ]
    if not usable:
        return _no_usable_crl([crl for crl in crls if isinstance(crl, UnreadableCrl)])
    crl = max(usable, key=lambda c: c.last_update_utc)
    if _lists(crl, cert.serial_number):
        return CheckResult.failed(REVOCATION, "cert.revoked", "serial listed on the CRL")
    if not _fresh(crl, at):
        return CheckResult.unknown(REVOCATION, "crl.stale", "CRL is past its next update")
    return CheckResult.passed(REVOCATION, f"not on the CRL of {crl.last_update_utc:%Y-%m-%d}")


def _no_usable_crl(failed: list[UnreadableCrl]) -> CheckResult:
    """Unknown: the configured sources that are no CRL, else those not there, else "missing"."""
    if not failed:
        return CheckResult.unknown(REVOCATION, "crl.missing", "no CRL from the issuing CA")
    unreadable = [crl for crl in failed if not crl.absent]
    reason = "crl.unreadable" if unreadable else "crl.missing"
    named = unreadable or failed
    return CheckResult.unknown(
        REVOCATION,
        reason,
        "no usable CRL; configured: " + "; ".join(f"{c.source} ({c.problem})" for c in named),
        params={"sources": ", ".join(crl.source for crl in named)},
    )


def _issued_and_signed(crl: ParsedCrl, subject: x509.Name, key: rsa.RSAPublicKey) -> bool:
    if isinstance(crl, IndexedCrl):
        return crl.is_issued_by(subject) and crl.is_signed_by(key)
    return crl.issuer == subject and crl.is_signature_valid(key)


def _lists(crl: ParsedCrl, serial: int) -> bool:
    if isinstance(crl, IndexedCrl):
        return crl.is_revoked(serial)
    return crl.get_revoked_certificate_by_serial_number(serial) is not None
