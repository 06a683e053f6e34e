"""A start-up cache of parsed data files, keyed by the SHA-256 of everything they came from.

Parsing YAML (the form library round-trip, with line numbers for error messages; the
message catalogue's files, ``catalogue``) takes much of the start of ``form fill`` and of
the clerk window, while the files change only with an update or a municipality's edit. So
the parsed result is kept as JSON in the user's cache folder, named by the hash of the files
and of the code that reads them: any change to either is a new name, and a missing,
unreadable or invalid entry is simply rebuilt by the caller. JSON, not pickle: an entry can
hold data only, and callers read it back through the same checks (pydantic models, type
checks) as the files. It is in the shared package because the back office reads its texts
through the same catalogue. The settings use it only to remember that pydantic accepted a
``settings.toml`` (an empty entry named by the file's hash): the values themselves are
always read from the file.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import platformdirs

CACHE_ENV = "COUNTERAPP_CACHE_DIR"
# Bump when the shape of entries changes (also covered by the hashes of the code).
ENTRY_FORMAT = b"parsed/1"
# Entries of other contents are dropped after a week (several installs may share the folder).
STALE_SECONDS = 7 * 86_400

log = logging.getLogger(__name__)


def cache_folder() -> Path:
    """Where the entries live (``COUNTERAPP_CACHE_DIR`` overrides the per-user cache)."""
    override = os.environ.get(CACHE_ENV)
    base = Path(override) if override else Path(platformdirs.user_cache_dir("counterapp"))
    return base / "parsed"


def content_key(kind: str, files: Iterable[Path], root: Path, code: Iterable[Path]) -> str:
    """SHA-256 over the data files (names and bytes) and the code that parses them."""
    digest = hashlib.sha256(ENTRY_FORMAT + kind.encode() + b"\0" + _build_identity())
    for path in code:  # absent in a frozen bundle, where its build stands for the code
        if path.is_file():
            digest.update(b"\0code\0" + path.read_bytes())
    for path in sorted(files):
        digest.update(b"\0" + path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _build_identity() -> bytes:
    """In a frozen bundle (PyInstaller), the program file: each build is a new one."""
    if not getattr(sys, "frozen", False):
        return b""
    built = os.stat(sys.executable)
    return f"{built.st_size}:{built.st_mtime_ns}".encode()


def entry_path(kind: str, key: str) -> Path:
    return cache_folder() / f"{kind}-{key}.json"


def read_entry(kind: str, key: str) -> bytes | None:
    """The cached entry for ``key``, or None when there is none."""
    try:
        return entry_path(kind, key).read_bytes()
    except OSError:
        return None


def write_entry(kind: str, key: str, entry: bytes) -> None:
    """Keep ``entry`` under ``key`` (atomically) and drop week-old entries of other contents."""
    target = entry_path(kind, key)
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(entry)
        os.replace(partial, target)  # parallel processes may write the same entry
        for old in folder.glob(f"{kind}-*.json"):
            if old != target and time.time() - old.stat().st_mtime > STALE_SECONDS:
                old.unlink(missing_ok=True)
    except OSError as exc:  # a read-only cache costs time, never the forms
        log.info("%s cache not written: %s", kind, exc)
