"""The outbox as the sync sees it: claim rows, give them back for a retry, mark failures.

Row states: ``pending → sending → sent | failed``. A row is ``sending`` only while a live
process owns it; rows of a process that died (kill -9, power loss) are recovered at start.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils


@dataclass(frozen=True)
class Owner:
    """A process, identified so that a reused pid is not mistaken for the old owner."""

    pid: int
    started: float

    @classmethod
    def current(cls) -> Owner:
        import psutil  # only where the sync claims rows: the windows start without it

        return cls(os.getpid(), psutil.Process().create_time())

    def alive(self) -> bool:
        import psutil

        try:
            return bool(psutil.Process(self.pid).create_time() == self.started)
        except psutil.Error:
            return False


@dataclass(frozen=True)
class SyncStatus:
    """One value the UI and the CLI show: counts, last success, last error."""

    pending: int
    sending: int
    failed: int
    sent: int
    last_success_at: str | None
    last_attempt_at: str | None
    last_error: str | None
    consecutive_failures: int


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def recover_orphans(db: sqlite_utils.Database) -> int:
    """Give rows back whose owning process is gone; return how many."""
    rows = db.execute(
        "select id, owner_pid, owner_started from outbox where status = 'sending'"
    ).fetchall()
    dead = [row[0] for row in rows if not Owner(row[1] or 0, row[2] or 0.0).alive()]
    with db.atomic():
        db.conn.executemany(
            "update outbox set status = 'pending', owner_pid = null, owner_started = null "
            "where id = ? and status = 'sending'",
            [(record_id,) for record_id in dead],
        )
    return len(dead)


def claim(db: sqlite_utils.Database, owner: Owner, limit: int, now: dt.datetime) -> list[str]:
    """Take up to ``limit`` due rows, oldest first; no other process can take them now."""
    db.execute("BEGIN IMMEDIATE")  # one writer decides which rows are whose
    try:
        rows = db.execute(
            "update outbox set status = 'sending', owner_pid = ?, owner_started = ?, "
            "updated_at = ? where id in (select id from outbox where status = 'pending' "
            "and next_attempt_at <= ? order by id limit ?) returning id",
            [owner.pid, owner.started, _iso(now), _iso(now), limit],
        ).fetchall()
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return sorted(row[0] for row in rows)


def release(
    db: sqlite_utils.Database, ids: Sequence[str], error: str, retry_at: dt.datetime
) -> None:
    """The send did not complete: back to pending, one more attempt counted, retry later."""
    with db.atomic():
        db.conn.executemany(
            "update outbox set status = 'pending', attempts = attempts + 1, "
            "next_attempt_at = ?, last_error = ?, owner_pid = null, owner_started = null, "
            "updated_at = ? where id = ? and status = 'sending'",
            [(_iso(retry_at), error, _iso(dt.datetime.now(dt.UTC)), i) for i in ids],
        )


def mark_failed(db: sqlite_utils.Database, record_id: str, reason: str) -> None:
    """The back office refused the form for good: keep it, surface it, never resend it."""
    db.execute(
        "update outbox set status = 'failed', attempts = attempts + 1, last_error = ?, "
        "owner_pid = null, owner_started = null, updated_at = ? where id = ?",
        [reason, _iso(dt.datetime.now(dt.UTC)), record_id],
    )


def retry_failed(db: sqlite_utils.Database, now: dt.datetime) -> int:
    """A person asked to send the refused forms again (after fixing the cause): due now."""
    with db.atomic():
        cursor = db.execute(
            "update outbox set status = 'pending', next_attempt_at = ?, updated_at = ? "
            "where status = 'failed'",
            [_iso(now), _iso(now)],
        )
    return cursor.rowcount


def record_attempt(db: sqlite_utils.Database, *, error: str | None) -> None:
    """Remember the last sync attempt, success or the error (a reason key, no personal data)."""
    now = _iso(dt.datetime.now(dt.UTC))
    if error is None:
        db.execute(
            "update sync_state set last_attempt_at = ?, last_success_at = ?, "
            "consecutive_failures = 0 where id = 1",
            [now, now],
        )
    else:
        db.execute(
            "update sync_state set last_attempt_at = ?, last_error = ?, "
            "consecutive_failures = consecutive_failures + 1 where id = 1",
            [now, error],
        )


def status(db: sqlite_utils.Database) -> SyncStatus:
    """Counts per outbox state and the last attempt's outcome."""
    counts = dict(db.execute("select status, count(*) from outbox group by status").fetchall())
    state = db.execute(
        "select last_success_at, last_attempt_at, last_error, consecutive_failures "
        "from sync_state where id = 1"
    ).fetchone()
    return SyncStatus(
        pending=counts.get("pending", 0),
        sending=counts.get("sending", 0),
        failed=counts.get("failed", 0),
        sent=counts.get("sent", 0),
        last_success_at=state[0],
        last_attempt_at=state[1],
        last_error=state[2],
        consecutive_failures=state[3] or 0,
    )


def due_ids(db: sqlite_utils.Database, now: dt.datetime) -> int:
    """How many pending rows are due now."""
    row = db.execute(
        "select count(*) from outbox where status = 'pending' and next_attempt_at <= ?",
        [_iso(now)],
    ).fetchone()
    return int(row[0])
