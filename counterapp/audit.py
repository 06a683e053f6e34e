"""A hash-chained audit log: who did what to which record, when, and never with personal data.

Each entry holds the SHA-256 of its canonical form, which includes the previous entry's
hash; a separate tip row, written in the same transaction, remembers the last sequence
number and hash. ``verify`` therefore names the first entry that was edited, removed or
moved. (Someone able to rewrite the whole file can rebuild the chain; exporting the log
regularly to the auditor is what anchors it outside the terminal.)
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlite_utils

AUDIT_TABLE = "audit"
TIP_TABLE = "audit_tip"
GENESIS = "0" * 64
TWELVE_DIGITS = re.compile(r"[0-9]{12}")  # the shape of a My Number: never in the log
# Detail values are ids, counts, reason keys and verdicts, never names or numbers of people.
SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.,:\-]{0,256}$")


class AuditEvent(enum.Enum):
    CARD_READ = "card.read"
    VERIFIED = "card.verified"
    FORM_CREATED = "form.created"
    FORM_EDITED = "form.edited"
    FORM_VIEWED = "form.viewed"
    FORM_PRINTED = "form.printed"
    FORM_SIGNED = "form.signed"
    FORM_QUEUED = "form.queued"
    FORM_SENT = "form.sent"
    FORM_REJECTED = "form.rejected"
    FORM_PURGED = "form.purged"
    SETTINGS_CHANGED = "settings.changed"


class UnsafeAuditDetail(ValueError):
    """A detail value that could carry personal data was refused."""


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    terminal: str
    operator: str
    event: str
    record_id: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str

    def canonical(self) -> bytes:
        """The bytes the entry's hash covers (everything but the hash itself)."""
        body = [
            self.seq,
            self.at,
            self.terminal,
            self.operator,
            self.event,
            self.record_id,
            self.detail,
            self.prev_hash,
        ]
        return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()

    def computed_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


@dataclass(frozen=True)
class AuditCheck:
    """The result of ``verify``: ``first_bad`` is the first sequence number that fails."""

    entries: int
    first_bad: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.first_bad is None


def _check_detail(detail: dict[str, Any]) -> dict[str, Any]:
    for key, value in detail.items():
        if isinstance(value, bool | int) or value is None:
            continue
        if not isinstance(value, str) or not SAFE_VALUE.match(value) or TWELVE_DIGITS.search(value):
            raise UnsafeAuditDetail(f"audit detail {key!r} must be an id, a count or a key")
    return detail


class AuditLog:
    """Append-only audit entries in the terminal's database."""

    def __init__(self, db: sqlite_utils.Database, *, terminal: str, operator: str) -> None:
        self.db = db
        self.terminal = terminal
        self.operator = operator

    def append(self, event: AuditEvent, record_id: str | None = None, **detail: Any) -> AuditEntry:
        """Record one event; ``detail`` holds only ids, counts and reason keys."""
        _check_detail(detail)
        if record_id is not None and not SAFE_VALUE.match(record_id):
            raise UnsafeAuditDetail("record ids are opaque identifiers")
        if self.db.conn.in_transaction:  # part of the caller's transaction (a form write)
            return self._write(event, record_id, detail)
        with self.db.atomic():  # entry and tip move together
            return self._write(event, record_id, detail)

    def _write(
        self, event: AuditEvent, record_id: str | None, detail: dict[str, Any]
    ) -> AuditEntry:
        seq, prev = _tip(self.db)
        entry = AuditEntry(
            seq=seq + 1,
            at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            terminal=self.terminal,
            operator=self.operator,
            event=event.value,
            record_id=record_id,
            detail=detail,
            prev_hash=prev,
            hash="",
        )
        entry = AuditEntry(**{**entry.__dict__, "hash": entry.computed_hash()})
        row = {**entry.__dict__, "detail": json.dumps(detail, sort_keys=True)}
        # Plain SQL: this runs inside every form write, where sqlite-utils' per-call
        # table introspection would cost more than the insert itself.
        self.db.execute(_INSERT_ENTRY, row)
        self.db.execute(_MOVE_TIP, {"seq": entry.seq, "hash": entry.hash})
        return entry


_INSERT_ENTRY = (
    f"insert into {AUDIT_TABLE} (seq, at, terminal, operator, event, record_id, detail, "
    "prev_hash, hash) values (:seq, :at, :terminal, :operator, :event, :record_id, :detail, "
    ":prev_hash, :hash)"
)
_MOVE_TIP = (
    f"insert into {TIP_TABLE} (id, seq, hash) values (1, :seq, :hash) "
    "on conflict (id) do update set seq = excluded.seq, hash = excluded.hash"
)


def _tip(db: sqlite_utils.Database) -> tuple[int, str]:
    row = db.execute(f"select seq, hash from {TIP_TABLE} where id = 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def entries(db: sqlite_utils.Database, since: dt.datetime | None = None) -> Iterator[AuditEntry]:
    """Entries in sequence order (optionally from ``since`` on)."""
    where, args = ("at >= ?", [since.astimezone(dt.UTC).isoformat()]) if since else (None, None)
    for row in db.table(AUDIT_TABLE).rows_where(where, args, order_by="seq"):
        yield AuditEntry(**{**row, "detail": json.loads(row["detail"])})


def verify(db: sqlite_utils.Database) -> AuditCheck:
    """Walk the chain; name the first entry that was edited, removed or moved."""
    expected_seq, prev, count = 1, GENESIS, 0
    try:
        for entry in entries(db):
            count += 1
            if entry.seq != expected_seq:
                return AuditCheck(count, expected_seq, "entry missing")
            if entry.prev_hash != prev:
                return AuditCheck(count, entry.seq, "chain broken (removed or reordered)")
            if entry.computed_hash() != entry.hash:
                return AuditCheck(count, entry.seq, "entry was changed")
            expected_seq, prev = expected_seq + 1, entry.hash
    except (json.JSONDecodeError, TypeError) as exc:
        return AuditCheck(count, expected_seq, f"unreadable entry: {type(exc).__name__}")
    tip_seq, tip_hash = _tip(db)
    if (tip_seq, tip_hash) != (expected_seq - 1, prev):
        return AuditCheck(count, expected_seq, "entries missing at the end")
    return AuditCheck(count)
