"""Which master key sealed this terminal's data, and refusing any other.

The database records the check value of the master key that sealed it (never the key).
While sealed forms exist, a missing key is not replaced and a different key is refused:
``KeyMissing`` / ``KeyMismatch`` (exit 4, ``doctor`` red). Only ``counterapp keys reset``,
audited and confirmed, makes a new key over sealed data. The forms it leaves unreadable
here are still delivered: each was also sealed for the back office at enqueue.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlite_utils
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

from counterapp.audit import AuditEvent, AuditLog
from counterapp.queue import FormQueue
from counterapp.settings import Settings
from counterapp.vault import (
    DecryptionFailed,
    KeyMismatch,
    KeyMissing,
    Vault,
    VaultError,
    forget_key,
    open_vault,
)
from counterapp.wire.sealing import SealError, load_public_pem


@dataclass(frozen=True)
class KeyState:
    """What a key reset would cost: forms sealed under the current key, and how many of them
    have a copy sealed for the back office (still deliverable after the reset)."""

    sealed_forms: int
    deliverable: int


WHAT_TO_DO = (
    "restore the key (from a backup, as the same Windows user, with the same terminal_id), "
    "or run 'counterapp keys reset' (forms sealed for the back office are still delivered)"
)


def open_checked_vault(db: sqlite_utils.Database, settings: Settings) -> Vault:
    """The master key that sealed ``db``; a new one only while nothing is sealed yet."""
    recorded = recorded_check_value(db)
    sealed = sealed_form_count(db)
    try:
        vault = open_vault(
            settings.data_dir, settings.terminal_id, settings.key_store, create=sealed == 0
        )
    except KeyMissing as exc:
        raise KeyMissing(f"{exc}; {sealed} form(s) are sealed with it: {WHAT_TO_DO}") from None
    if vault.check_value == recorded:
        return vault
    if sealed and recorded is not None:
        raise KeyMismatch(
            f"the master key in {vault.location} is not the one that sealed {sealed} form(s): "
            + WHAT_TO_DO
        )
    if sealed and not _opens_a_record(db, vault):  # a database from before check values
        raise KeyMismatch(
            f"the master key in {vault.location} does not open the stored forms: {WHAT_TO_DO}"
        )
    _record(db, vault)
    return vault


def key_state(db: sqlite_utils.Database) -> KeyState:
    """Forms whose record keys are wrapped by the master key, and those also sealed away."""
    deliverable = db.execute(
        "select count(*) from record_keys k join form_sealed s on s.record_id = k.record_id"
    ).fetchone()[0]
    return KeyState(sealed_form_count(db), deliverable)


def reset_key(db: sqlite_utils.Database, settings: Settings, audit: AuditLog) -> KeyState:
    """Replace the master key (audited): forms sealed under the old one stay unreadable here."""
    state = key_state(db)
    forget_key(settings.data_dir, settings.terminal_id, settings.key_store)
    vault = open_vault(settings.data_dir, settings.terminal_id, settings.key_store, create=True)
    with db.atomic():
        _record(db, vault)
        audit.append(
            AuditEvent.KEY_RESET,
            unreadable=state.sealed_forms,
            deliverable_sealed=state.deliverable,
        )
    return state


def recorded_check_value(db: sqlite_utils.Database) -> str | None:
    row = db.execute("select check_value from vault_key where id = 1").fetchone()
    return None if row is None else str(row[0])


def sealed_form_count(db: sqlite_utils.Database) -> int:
    """Forms whose personal data is sealed under the master key (not yet purged)."""
    return int(db.execute("select count(*) from record_keys").fetchone()[0])


def _opens_a_record(db: sqlite_utils.Database, vault: Vault) -> bool:
    row = db.execute("select record_id, wrapped from record_keys limit 1").fetchone()
    try:
        vault.record_key(row[0], row[1])
    except DecryptionFailed:
        return False
    return True


def _record(db: sqlite_utils.Database, vault: Vault) -> None:
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    db.execute(
        "insert into vault_key (id, check_value, recorded_at) values (1, ?, ?) "
        "on conflict (id) do update set check_value = excluded.check_value, "
        "recorded_at = excluded.recorded_at",
        [vault.check_value, now],
    )


def open_queue(settings: Settings, audit: AuditLog) -> FormQueue:
    """The form queue on ``audit``'s database, sealed with the checked master key.

    A lost or different master key gives a *locked* queue (it lists and delivers the sealed
    copies, and opens nothing); any other key-store problem raises VaultError.
    """
    try:
        vault: Vault | VaultError = open_checked_vault(audit.db, settings)
    except (KeyMissing, KeyMismatch) as exc:
        vault = exc
    return FormQueue(audit.db, vault, audit, backoffice_key=backoffice_key(settings))


def backoffice_key(settings: Settings) -> X25519PublicKey | None:
    """The back office's pinned sealing key (from the enrolment files), if installed.

    SealError if the file is there but is not an X25519 public key.
    """
    path = settings.data_dir / settings.backoffice_sealing_key
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SealError(f"{path}: {exc.strerror}") from exc
    return load_public_pem(data)
