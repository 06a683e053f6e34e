"""The terminal's SQLite database: one file in the data folder, durable on every commit.

The schema is built by sqlite-utils migrations (counterapp/migrations.py), applied in order
when the database is opened; ``tests/counterapp/frozen/`` keeps one database file per
released schema so the upgrade path is tested. A database that has them all (every start
but the first after an update) is opened with plain sqlite3: a command that only writes an
audit entry never imports sqlite-utils, the engine of the queue and of the migrations.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from counterapp.audit import AuditLog
from counterapp.settings import Settings, operator_name

if TYPE_CHECKING:
    import sqlite_utils

DATABASE_FILE = "counterapp.db"
# The migrations of counterapp/migrations.py, in order: a database that has all of them is
# opened without importing sqlite-utils (the migrations' engine) at all.
SCHEMA = (
    "0001_audit",
    "0002_forms_outbox",
    "0003_sync_state",
    "0004_handwriting",
    "0005_audit_keys",
    "0006_reception_numbers",
    "0007_key_check_sealed_copies",
    "0008_identity_method",
)
MIGRATION_SET = "counterapp"
MIGRATIONS_TABLE = "_sqlite_migrations"


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
    return as_database(connect(data_dir))


def as_database(connection: sqlite3.Connection) -> sqlite_utils.Database:
    """The sqlite-utils view of an open connection (the queue's and the migrations' engine)."""
    import sqlite_utils

    # No sqlite-utils plugins: nothing installed beside us may hook the connection that
    # holds the queue (and looking for plugins scans every installed package at each start).
    return sqlite_utils.Database(connection, execute_plugins=False)


def connect(data_dir: Path) -> sqlite3.Connection:
    """``open_database`` as a plain sqlite3 connection (in autocommit mode)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / DATABASE_FILE
    create_private_file(path)
    try:
        connection = sqlite3.connect(path, isolation_level=None, timeout=10)
        connection.execute("PRAGMA recursive_triggers=on")  # as sqlite-utils sets it
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=FULL")  # a committed entry survives power loss
        connection.execute("PRAGMA secure_delete=ON")  # deleted personal data is overwritten
        connection.execute("PRAGMA foreign_keys=ON")
        if not _schema_current(connection):
            from counterapp.migrations import MIGRATIONS

            MIGRATIONS.apply(as_database(connection))
        missing = REQUIRED_TABLES - _table_names(connection)
    except (sqlite3.DatabaseError, UnicodeDecodeError) as exc:  # garbled schema text too
        raise DatabaseDamaged(f"{path}: {exc}") from exc
    if missing:
        raise DatabaseDamaged(f"{path}: table(s) missing: {', '.join(sorted(missing))}")
    return connection


def _table_names(connection: sqlite3.Connection) -> set[str]:
    rows = connection.execute("select name from sqlite_master where type = 'table'")
    return {name for (name,) in rows}


def _schema_current(connection: sqlite3.Connection) -> bool:
    """Has every migration been applied, in a migrations table sqlite-utils would keep?"""
    if MIGRATIONS_TABLE not in _table_names(connection):
        return False
    keys = connection.execute(
        f"select name from pragma_table_info('{MIGRATIONS_TABLE}') where pk > 0 order by pk"
    ).fetchall()
    applied = connection.execute(
        f"select name from {MIGRATIONS_TABLE} where migration_set = ?", [MIGRATION_SET]
    )
    return keys == [("id",)] and set(SCHEMA) <= {name for (name,) in applied}


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
    from counterapp.migrations import MIGRATIONS

    applied = MIGRATIONS.applied(db)
    return applied[-1].name if applied else "none"


def pending_migrations(db: sqlite_utils.Database) -> list[str]:
    """Migrations this program knows that the database does not have yet."""
    from counterapp.migrations import MIGRATIONS

    return [m.name for m in MIGRATIONS.pending(db)]


def audit_log(settings: Settings) -> AuditLog:
    """The audit log of this terminal, as its operator (``operator_name``)."""
    return AuditLog(
        connect(settings.data_dir),
        terminal=settings.terminal_id,
        operator=operator_name(settings),
        key_store=settings.key_store,
    )
