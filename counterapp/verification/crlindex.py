"""A CRL is parsed, validated and indexed once per update; a revocation check is a lookup.

JPKI CRLs hold hundreds of thousands of entries. Parsing one and scanning it on every
card costs far more than the card read itself, so each CRL file is indexed into a SQLite
table in the data folder, keyed by the CRL's SHA-256 (its issuer, dates and the digest
of its signed part are stored next to it). A file is recognised as unchanged by its
size and modification time, so an unchanged CRL is not even read again.

Rule for a CRL file that changed since it was indexed:

* the previous index of that file is still used while the previous CRL is within its
  nextUpdate, and the new index is built on a background thread (a counter read never
  waits for it);
* otherwise (no previous index, or the previous CRL is past its nextUpdate and would
  only make the check "unknown") the index is built before the check answers.

The signature is checked on every lookup against the issuer the chain found, but over the
stored digest of the signed part: one RSA verification, no re-hashing of the whole CRL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

log = logging.getLogger(__name__)

INDEX_FILE = Path("crl") / "index.sqlite"
INSERT_BATCH = 50_000
# Far above any JPKI CRL (a million entries is about 40 MB); a bigger file is refused
# before it is read, not loaded into memory.
MAX_CRL_BYTES = 1 << 30
MAX_OPEN_DATABASES = 4  # per thread
_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha1": hashes.SHA1,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS crl (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    issuer BLOB NOT NULL,
    last_update TEXT NOT NULL,
    next_update TEXT,
    hash_name TEXT NOT NULL,
    tbs_digest BLOB NOT NULL,
    signature BLOB NOT NULL,
    entries INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS revoked (
    crl_id INTEGER NOT NULL,
    serial BLOB NOT NULL,
    PRIMARY KEY (crl_id, serial)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS source (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    previous_sha256 TEXT
);
"""


class CrlIndexError(Exception):
    """A CRL file could not be read or is not a CRL."""

    message_key = "crl.invalid"


@dataclass(frozen=True)
class IndexedCrl:
    """One indexed CRL: what the revocation check needs, without the entries in memory."""

    sha256: str
    issuer_der: bytes
    last_update_utc: dt.datetime
    next_update_utc: dt.datetime | None
    entries: int
    crl_id: int
    database: Path
    hash_name: str
    tbs_digest: bytes
    signature: bytes

    def is_issued_by(self, subject: x509.Name) -> bool:
        """Does this CRL name ``subject`` (a CA certificate's subject) as its issuer?"""
        return subject.public_bytes() == self.issuer_der

    def is_signed_by(self, key: rsa.RSAPublicKey) -> bool:
        """The CRL's signature, verified over the stored digest of its signed part."""
        algorithm = _HASHES.get(self.hash_name)
        if algorithm is None:
            return False
        try:
            key.verify(self.signature, self.tbs_digest, padding.PKCS1v15(), Prehashed(algorithm()))
        except InvalidSignature:
            return False
        return True

    def is_revoked(self, serial: int) -> bool:
        """One indexed lookup."""
        with _connect(self.database) as db:
            row = db.execute(
                "SELECT 1 FROM revoked WHERE crl_id = ? AND serial = ?",
                (self.crl_id, serial_key(serial)),
            ).fetchone()
        return row is not None


def serial_key(serial: int) -> bytes:
    """A certificate serial as the index stores it (big-endian, sign bit room)."""
    return serial.to_bytes(serial.bit_length() // 8 + 1, "big", signed=True)


def index_database(data_dir: Path) -> Path:
    return data_dir / INDEX_FILE


def current_index(path: Path, data_dir: Path, now: dt.datetime) -> IndexedCrl:
    """The index for the CRL file at ``path``, following the rule in the module docstring."""
    database = index_database(data_dir)
    stat = path.stat()
    with _connect(database) as db:
        source = db.execute(
            "SELECT size, mtime_ns, sha256 FROM source WHERE path = ?", (str(path),)
        ).fetchone()
        known = _load(db, database, source[2]) if source else None
    if known is not None and (source[0], source[1]) == (stat.st_size, stat.st_mtime_ns):
        return known
    if known is not None and _within_next_update(known, now):
        _BUILDS.start(path, database)
        return known
    return build_index(path, database)


def build_index(path: Path, database: Path) -> IndexedCrl:
    """Read, parse, validate and index one CRL file now (once per content)."""
    try:
        stat = path.stat()
        if stat.st_size > MAX_CRL_BYTES:
            raise CrlIndexError(f"larger than {MAX_CRL_BYTES >> 20} MiB, not a CRL")
        data = path.read_bytes()
    except OSError as exc:
        raise CrlIndexError(f"cannot read {path.name}") from exc
    digest = hashlib.sha256(data).hexdigest()
    with _connect(database) as db:
        indexed = _load(db, database, digest)
    if indexed is None:
        crl = parse_full(data)
        started = dt.datetime.now(dt.UTC)
        indexed = _store(crl, digest, database)
        seconds = (dt.datetime.now(dt.UTC) - started).total_seconds()
        log.info("indexed CRL %s: %d entries in %.1f s", digest[:12], indexed.entries, seconds)
    _remember_source(database, path, stat.st_size, stat.st_mtime_ns, digest)
    return indexed


def parse_full(data: bytes) -> x509.CertificateRevocationList:
    """DER or PEM CRL with its header decoded; CrlIndexError otherwise (entries: see below)."""
    try:
        if data.lstrip().startswith(b"-----BEGIN"):
            crl = x509.load_pem_x509_crl(data)
        else:
            crl = x509.load_der_x509_crl(data)
        # cryptography decodes these lazily: touch them now so a garbled CRL fails here.
        _ = (crl.issuer, crl.last_update_utc, crl.next_update_utc, crl.extensions)
        _ = crl.signature_hash_algorithm
    except UnsupportedAlgorithm as exc:
        raise CrlIndexError("signature algorithm not supported") from exc
    except (ValueError, x509.UnsupportedGeneralNameType, x509.InvalidVersion) as exc:
        raise CrlIndexError("not a CRL") from exc
    return crl


def sorted_serial_keys(crl: x509.CertificateRevocationList) -> list[bytes]:
    """Every entry decoded (a garbled one fails the CRL), as sorted index keys."""
    try:
        keys = []
        for revoked in crl:
            _ = (revoked.revocation_date_utc, revoked.extensions)
            keys.append(serial_key(revoked.serial_number))
    except (ValueError, x509.UnsupportedGeneralNameType, x509.InvalidVersion) as exc:
        raise CrlIndexError("not a CRL") from exc
    keys.sort()  # inserting in key order is about twice as fast
    return keys


def wait_for_background_builds(timeout: float | None = None) -> None:
    """Let running background index builds finish (tests, and before exiting a tool)."""
    _BUILDS.join(timeout)


def _store(crl: x509.CertificateRevocationList, digest: str, database: Path) -> IndexedCrl:
    algorithm = crl.signature_hash_algorithm
    hash_name = algorithm.name if algorithm is not None else ""
    tbs_digest = b""
    if hash_name in _HASHES:
        hasher = hashes.Hash(_HASHES[hash_name]())
        hasher.update(crl.tbs_certlist_bytes)
        tbs_digest = hasher.finalize()
    # IntegrityError: another process indexed the same CRL first; use theirs.
    with contextlib.suppress(sqlite3.IntegrityError):
        _insert_crl(database, crl, digest, hash_name, tbs_digest, sorted_serial_keys(crl))
    with _connect(database) as db:
        found = _load(db, database, digest)
    assert found is not None
    return found


def _insert_crl(
    database: Path,
    crl: x509.CertificateRevocationList,
    digest: str,
    hash_name: str,
    tbs_digest: bytes,
    keys: list[bytes],
) -> None:
    """The CRL row and all its serials in one transaction: readers never see half an index."""
    next_update = crl.next_update_utc
    with _connect(database) as db:
        cursor = db.execute(
            "INSERT INTO crl (sha256, issuer, last_update, next_update, hash_name, tbs_digest,"
            " signature, entries) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
            (
                digest,
                crl.issuer.public_bytes(),
                crl.last_update_utc.isoformat(),
                next_update.isoformat() if next_update else None,
                hash_name,
                tbs_digest,
                crl.signature,
            ),
        )
        crl_id = int(cursor.lastrowid or 0)
        entries = _insert_serials(db, crl_id, keys)
        db.execute("UPDATE crl SET entries = ? WHERE id = ?", (entries, crl_id))


def _insert_serials(db: sqlite3.Connection, crl_id: int, keys: list[bytes]) -> int:
    for start in range(0, len(keys), INSERT_BATCH):
        batch = keys[start : start + INSERT_BATCH]
        db.executemany("INSERT OR IGNORE INTO revoked VALUES (?, ?)", ((crl_id, k) for k in batch))
    return len(keys)


def _remember_source(database: Path, path: Path, size: int, mtime_ns: int, digest: str) -> None:
    """Point the file at its new index; keep the previous one, drop indexes nobody uses."""
    with _connect(database) as db:
        row = db.execute("SELECT sha256 FROM source WHERE path = ?", (str(path),)).fetchone()
        previous = row[0] if row and row[0] != digest else None
        db.execute(
            "INSERT OR REPLACE INTO source VALUES (?, ?, ?, ?, ?)",
            (str(path), size, mtime_ns, digest, previous),
        )
        unused = db.execute(
            "SELECT id FROM crl WHERE sha256 NOT IN (SELECT sha256 FROM source)"
            " AND sha256 NOT IN (SELECT previous_sha256 FROM source"
            " WHERE previous_sha256 IS NOT NULL)"
        ).fetchall()
        for (crl_id,) in unused:
            db.execute("DELETE FROM revoked WHERE crl_id = ?", (crl_id,))
            db.execute("DELETE FROM crl WHERE id = ?", (crl_id,))


def _load(db: sqlite3.Connection, database: Path, digest: str) -> IndexedCrl | None:
    row = db.execute(
        "SELECT id, issuer, last_update, next_update, hash_name, tbs_digest, signature, entries"
        " FROM crl WHERE sha256 = ?",
        (digest,),
    ).fetchone()
    if row is None:
        return None
    crl_id, issuer, last_update, next_update, hash_name, tbs_digest, signature, entries = row
    return IndexedCrl(
        sha256=digest,
        issuer_der=issuer,
        last_update_utc=dt.datetime.fromisoformat(last_update),
        next_update_utc=dt.datetime.fromisoformat(next_update) if next_update else None,
        entries=entries,
        crl_id=crl_id,
        database=database,
        hash_name=hash_name,
        tbs_digest=tbs_digest,
        signature=signature,
    )


def _within_next_update(indexed: IndexedCrl, now: dt.datetime) -> bool:
    return indexed.next_update_utc is not None and indexed.next_update_utc >= now


_CONNECTIONS = threading.local()


@contextlib.contextmanager
def _connect(database: Path) -> Iterator[sqlite3.Connection]:
    """One transaction: committed when the block ends, rolled back when it raises.

    Each thread keeps its connection open: closing the last connection to a WAL database
    checkpoints it, which would cost more than the lookup itself.
    """
    cache: dict[Path, sqlite3.Connection] = getattr(_CONNECTIONS, "by_path", None) or {}
    _CONNECTIONS.by_path = cache
    db = cache.get(database)
    if db is None or not database.exists():
        if db is not None:
            cache.pop(database).close()  # the file was deleted: start over
        while len(cache) >= MAX_OPEN_DATABASES:  # another data folder (tests): close the oldest
            cache.pop(next(iter(cache))).close()
        database.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(database, timeout=60)
        db.execute("PRAGMA journal_mode=WAL")  # lookups go on while an index is built
        db.executescript(_SCHEMA)
        cache[database] = db
    with db:
        yield db


class _BackgroundBuilds:
    """At most one index build per CRL file at a time, off the caller's thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[Path, threading.Thread] = {}

    def start(self, path: Path, database: Path) -> None:
        with self._lock:
            running = self._running.get(path)
            if running is not None and running.is_alive():
                return
            thread = threading.Thread(
                target=self._build, args=(path, database), name="crl-index", daemon=False
            )
            self._running[path] = thread
            thread.start()

    def _build(self, path: Path, database: Path) -> None:
        try:
            build_index(path, database)
        except CrlIndexError:
            log.warning("CRL %s changed but cannot be indexed; the previous one stays", path.name)

    def join(self, timeout: float | None) -> None:
        with self._lock:
            threads = list(self._running.values())
        for thread in threads:
            thread.join(timeout)


_BUILDS = _BackgroundBuilds()
