"""A start-up cache of the parsed form library, keyed by the SHA-256 of everything it came from.

Parsing the YAML definitions round-trip (with line numbers for error messages) takes most of
the start of ``form fill`` and of the clerk window; their contents change only with an update
or a municipality's edit. So the checked library is kept as JSON in the user's cache folder,
named by the hash of the definition files and of the code that reads them: any change to
either is a new name, and a missing, unreadable or invalid entry is simply rebuilt. JSON, not
pickle: the entry is read back through the same pydantic models, so it can hold data only.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Iterable
from pathlib import Path

import platformdirs

from counterapp import __version__

CACHE_ENV = "COUNTERAPP_CACHE_DIR"
# Bump when the shape of an entry changes (also covered by the version and source hashes).
ENTRY_FORMAT = b"form-library/1"
PREFIX = "form-library-"
# Entries of other contents are dropped after a week (several installs may share the folder).
STALE_SECONDS = 7 * 86_400

log = logging.getLogger(__name__)


def cache_folder() -> Path:
    """Where the entries live (``COUNTERAPP_CACHE_DIR`` overrides the per-user cache)."""
    override = os.environ.get(CACHE_ENV)
    base = Path(override) if override else Path(platformdirs.user_cache_dir("counterapp"))
    return base / "forms"


def content_key(files: Iterable[Path], root: Path, code: Iterable[Path]) -> str:
    """SHA-256 over the definition files (names and bytes) and the code that parses them."""
    digest = hashlib.sha256(ENTRY_FORMAT + __version__.encode())
    for path in code:  # absent in a frozen bundle, where the version stands for the code
        if path.is_file():
            digest.update(b"\0code\0" + path.read_bytes())
    for path in sorted(files):
        digest.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def read_entry(key: str) -> bytes | None:
    """The cached entry for ``key``, or None when there is none."""
    try:
        return (cache_folder() / f"{PREFIX}{key}.json").read_bytes()
    except OSError:
        return None


def write_entry(key: str, entry: bytes) -> None:
    """Keep ``entry`` under ``key`` (atomically) and drop week-old entries of other contents."""
    folder = cache_folder()
    target = folder / f"{PREFIX}{key}.json"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(entry)
        os.replace(partial, target)  # parallel processes may write the same entry
        for old in folder.glob(f"{PREFIX}*.json"):
            if old != target and time.time() - old.stat().st_mtime > STALE_SECONDS:
                old.unlink(missing_ok=True)
    except OSError as exc:  # a read-only cache costs time, never the forms
        log.info("form library cache not written: %s", exc)
