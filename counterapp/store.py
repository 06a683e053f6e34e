"""The terminal's SQLite database: one file in the data folder, durable on every commit.

The schema is built by sqlite-utils migrations, applied in order when the database is
opened; ``tests/counterapp/frozen/`` keeps one database file per released schema so the
upgrade path is tested.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils
from sqlite_utils import Migrations

from counterapp.audit import AuditLog
from counterapp.settings import Settings

DATABASE_FILE = "counterapp.db"
MIGRATIONS = Migrations("counterapp")


@MIGRATIONS(name="0001_audit")
def _audit_tables(db: sqlite_utils.Database) -> None:
    # Databases from before migrations existed already have these tables.
    db.table("audit").create(
        {
            "seq": int,
            "at": str,
            "terminal": str,
            "operator": str,
            "event": str,
            "record_id": str,
            "detail": str,
            "prev_hash": str,
            "hash": str,
        },
        pk="seq",
        if_not_exists=True,
    )
    db.table("audit_tip").create({"id": int, "seq": int, "hash": str}, pk="id", if_not_exists=True)


@MIGRATIONS(name="0002_forms_outbox")
def _forms_and_outbox(db: sqlite_utils.Database) -> None:
    db.table("form_definitions").create({"sha256": str, "definition": str}, pk="sha256")
    db.table("forms").create(
        {
            "id": str,  # sortable client-made id (ULID); the back office drops duplicates by it
            "visit": str,
            "event": str,
            "form_id": str,
            "form_version": int,
            "definition_sha256": str,
            "status": str,  # draft → queued → sent → purged
            "signed": int,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        foreign_keys=[("definition_sha256", "form_definitions", "sha256")],
    )
    db.table("record_keys").create({"record_id": str, "wrapped": bytes}, pk="record_id")
    db.table("form_values").create(
        {
            "record_id": str,
            "position": int,
            "field_id": str,
            "source": str,
            "value": bytes,  # AES-256-GCM under the record key
            "chip_value": bytes,  # the chip's original when a person changed it, encrypted
        },
        pk=("record_id", "field_id"),
    )
    db.table("form_signatures").create(
        {"record_id": str, "cms": bytes, "signed_at": str}, pk="record_id"
    )
    db.table("outbox").create(
        {
            "id": str,  # the form's id
            "status": str,  # pending → sending → sent | failed
            "attempts": int,
            "next_attempt_at": str,
            "owner_pid": int,
            "last_error": str,
            "created_at": str,
            "updated_at": str,
        },
        pk="id",
        not_null={"status", "attempts", "created_at"},
    )
    db.table("outbox").create_index(["status", "next_attempt_at"])
    db.table("forms").create_index(["status", "created_at"])


@MIGRATIONS(name="0003_sync_state")
def _sync_state(db: sqlite_utils.Database) -> None:
    # The owner's start time tells a dead owner from a new process that reused its pid.
    db.table("outbox").add_column("owner_started", float)
    db.table("sync_state").create(
        {
            "id": int,
            "last_attempt_at": str,
            "last_success_at": str,
            "last_error": str,
            "consecutive_failures": int,
        },
        pk="id",
    )
    db.table("sync_state").insert({"id": 1, "consecutive_failures": 0})


@MIGRATIONS(name="0004_handwriting")
def _handwriting(db: sqlite_utils.Database) -> None:
    # A signature drawn on the screen: the stroke image (sealed with the record key) and the
    # SHA-256 of the canonical form it was drawn under, which binds the two together.
    db.table("form_handwriting").create(
        {"record_id": str, "png": bytes, "content_sha256": str, "created_at": str},
        pk="record_id",
        foreign_keys=[("record_id", "forms", "id")],
    )


@MIGRATIONS(name="0005_audit_keys")
def _audit_keys(db: sqlite_utils.Database) -> None:
    # The HMAC of each entry and of the tip under the audit key (kept outside the database),
    # and how far the back office has acknowledged the log.
    db.table("audit").add_column("mac", str)
    db.table("audit_tip").add_column("mac", str)
    db.table("audit_sync").create({"id": int, "sent_seq": int, "sent_hash": str}, pk="id")


@MIGRATIONS(name="0006_reception_numbers")
def _reception_numbers(db: sqlite_utils.Database) -> None:
    # A short per-day number a clerk can say aloud (counterapp/reception.py), the number the
    # office's ticket machine printed (番号発券, entered by the clerk), both per visit.
    db.table("reception_days").create({"day": str, "last": int}, pk="day")
    db.table("forms").add_column("reception_number", str)
    db.table("forms").add_column("ticket_number", str)
    db.table("forms").create_index(["reception_number"])


@MIGRATIONS(name="0007_key_check_sealed_copies")
def _key_check_and_sealed_copies(db: sqlite_utils.Database) -> None:
    # Which master key sealed this database (its check value, never the key), so a lost or
    # different key is refused instead of silently replaced; and each form sealed for the
    # back office at enqueue, so a form outlives the loss of the terminal's own key.
    db.table("vault_key").create({"id": int, "check_value": str, "recorded_at": str}, pk="id")
    db.table("form_sealed").create(
        {"record_id": str, "key_id": str, "sealed": bytes, "created_at": str},
        pk="record_id",
        foreign_keys=[("record_id", "forms", "id")],
    )


@MIGRATIONS(name="0008_identity_method")
def _identity_method(db: sqlite_utils.Database) -> None:
    # How the resident was identified for each form: pin, pinless or manual (no card).
    # Forms stored before this were all read with the card's PINs.
    db.table("forms").add_column("identity_method", str, not_null_default="pin")


class DatabaseDamaged(sqlite3.DatabaseError):
    """The data folder's database is not a readable counterapp database: exit code 6."""

    message_key = "store.damaged"


# Tables every command relies on: one missing means the file was damaged or edited.
REQUIRED_TABLES = frozenset(
    {"audit", "audit_tip", "forms", "form_values", "record_keys", "outbox", "sync_state"}
)


def open_database(data_dir: Path) -> sqlite_utils.Database:
    """Open (creating or upgrading) the database: WAL, synchronous=FULL, secure_delete.

    DatabaseDamaged if the file is not a database, is truncated, or lacks a table.
    """
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DATABASE_FILE
    create_private_file(path)
    try:
        connection = sqlite3.connect(path, isolation_level=None, timeout=10)
        # No sqlite-utils plugins: nothing installed beside us may hook the connection that
        # holds the queue (and looking for plugins scans every installed package at each start).
        db = sqlite_utils.Database(connection, execute_plugins=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")  # a committed form or audit entry survives power loss
        db.execute("PRAGMA secure_delete=ON")  # deleted personal data is overwritten
        db.execute("PRAGMA foreign_keys=ON")
        MIGRATIONS.apply(db)
        missing = REQUIRED_TABLES - set(db.table_names())
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # garbled schema text too
        raise DatabaseDamaged(f"{path}: {exc}") from exc
    if missing:
        raise DatabaseDamaged(f"{path}: table(s) missing: {', '.join(sorted(missing))}")
    return db


def check_intact(db: sqlite_utils.Database) -> None:
    """DatabaseDamaged unless SQLite's quick check passes: run before a card is touched, so
    a damaged file is found before the resident's PINs are used, not after."""
    try:
        result = db.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamaged(str(exc)) from exc
    if result != "ok":
        raise DatabaseDamaged(f"quick check: {str(result)[:200]}")


def create_private_file(path: Path) -> None:
    """Create ``path`` readable by its owner only (0600), if it does not exist yet.

    SQLite gives its -wal and -shm files the database file's permissions. On Windows the
    mode bits mean nothing: the per-user data folder's ACL is what keeps other users out.
    """
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return


def schema_version(db: sqlite_utils.Database) -> str:
    """The name of the last migration applied."""
    applied = MIGRATIONS.applied(db)
    return applied[-1].name if applied else "none"


def pending_migrations(db: sqlite_utils.Database) -> list[str]:
    """Migrations this program knows that the database does not have yet."""
    return [m.name for m in MIGRATIONS.pending(db)]


def audit_log(settings: Settings) -> AuditLog:
    """The audit log of this terminal, as the configured operator."""
    return AuditLog(
        open_database(settings.data_dir),
        terminal=settings.terminal_id,
        operator=settings.operator,
        key_store=settings.key_store,
    )
