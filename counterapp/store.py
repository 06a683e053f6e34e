"""The terminal's SQLite database: one file in the data folder, durable on every commit."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from counterapp.audit import AuditLog
from counterapp.settings import Settings

DATABASE_FILE = "counterapp.db"


def open_database(data_dir: Path) -> sqlite_utils.Database:
    """Open (creating if needed) the database with WAL and synchronous=FULL."""
    data_dir.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(data_dir / DATABASE_FILE, isolation_level=None)
    db = sqlite_utils.Database(connection)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=FULL")  # a committed form or audit entry survives power loss
    return db


def audit_log(settings: Settings) -> AuditLog:
    """The audit log of this terminal, as the configured operator."""
    return AuditLog(
        open_database(settings.data_dir), terminal=settings.terminal_id, operator=settings.operator
    )
