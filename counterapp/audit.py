"""A hash-chained, keyed audit log: who did what to which record, when, never personal data.

Each entry holds the SHA-256 of its canonical form, which includes the previous entry's
hash, and an HMAC-SHA256 of that hash under the audit key (counterapp/auditkey.py: in the
OS key store or a 0600 key file, never in the database). A tip row, written in the same
transaction, remembers the last sequence number and hash under its own HMAC. ``verify``
names the first entry that was edited, removed, moved or forged, a tail cut off, and
forms or outbox rows changed without their entry. What it cannot see on its own (the
database deleted or swapped for an older copy) the back office sees: every sync sends the
new entries there (``send_audit`` in counterapp/sync.py), where they are kept per terminal.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import hashlib
import hmac
import json
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from counterapp.auditkey import open_audit_key
from counterapp.wire.auditchain import audit_entry_hash

if TYPE_CHECKING:
    import sqlite_utils

    from counterapp.wire.audit import AuditRecord  # the wire models (pydantic): a sync only

AUDIT_TABLE = "audit"
TIP_TABLE = "audit_tip"
SYNC_TABLE = "audit_sync"
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
    ADMIN_OPENED = "admin.opened"  # the admin screen, after the right admin PIN
    ADMIN_PIN_REFUSED = "admin.pin_refused"  # a wrong admin PIN (never the PIN itself)
    KEY_RESET = "key.reset"
    FORM_DISCARDED = "form.discarded"
    FORM_RESENT = "form.resent"
    HOLDER_CONFIRMED = "card.holder_confirmed"  # PIN-less: the clerk compared the face photo
    HOLDER_REJECTED = "card.holder_rejected"  # PIN-less: the photo is not the person there
    MANUAL_ENTRY = "visit.manual_entry"  # 「カードを使わずに受付」: the clerk types every value


class Sql(Protocol):
    """An open database: a sqlite3 connection (autocommit mode) or a sqlite-utils Database."""

    def execute(self, sql: str, parameters: Any = ..., /) -> sqlite3.Cursor: ...


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

    def computed_hash(self) -> str:
        return audit_entry_hash(self, self.detail)


@dataclass(frozen=True)
class AuditCheck:
    """The result of ``verify``: ``first_bad`` is the first sequence number that fails."""

    entries: int
    first_bad: int | None = None
    problem: str = ""
    record_id: str | None = None  # a form or outbox row changed without its entry

    @property
    def ok(self) -> bool:
        return self.first_bad is None and self.record_id is None


def _check_detail(detail: dict[str, Any]) -> dict[str, Any]:
    for key, value in detail.items():
        if isinstance(value, bool | int) or value is None:
            continue
        if not isinstance(value, str) or not SAFE_VALUE.match(value) or TWELVE_DIGITS.search(value):
            raise UnsafeAuditDetail(f"audit detail {key!r} must be an id, a count or a key")
    return detail


class AuditLog:
    """Append-only audit entries in the terminal's database."""

    def __init__(
        self,
        db: sqlite_utils.Database | sqlite3.Connection,
        *,
        terminal: str,
        operator: str,
        key: bytes | None = None,
        key_store: str = "auto",
    ) -> None:
        # Writing entries needs plain SQL only; the sqlite-utils view (the queue's engine)
        # is made when someone asks for ``db``.
        self._db: sqlite_utils.Database | None = None
        if isinstance(db, sqlite3.Connection):
            self.connection = db
        else:
            self.connection, self._db = db.conn, db
        self.terminal = terminal
        self.operator = operator
        self._key = key
        self._key_store = key_store

    @property
    def db(self) -> sqlite_utils.Database:
        """The database, as sqlite-utils sees it (made on first use)."""
        if self._db is None:
            from counterapp.store import as_database

            self._db = as_database(self.connection)
        return self._db

    @property
    def key(self) -> bytes:
        """The audit key (opened on first use, so that a read-only command needs none)."""
        if self._key is None:
            self._key = audit_key(self.connection, self._key_store)
        return self._key

    def append(
        self,
        event: AuditEvent,
        record_id: str | None = None,
        *,
        by: str | None = None,
        **detail: Any,
    ) -> AuditEntry:
        """Record one event; ``detail`` holds only ids, counts and reason keys. ``by``: the
        operator who made this entry's decision, when not the terminal's operator."""
        _check_detail(detail)
        if record_id is not None and not SAFE_VALUE.match(record_id):
            raise UnsafeAuditDetail("record ids are opaque identifiers")
        operator = by or self.operator
        if self.connection.in_transaction:  # part of the caller's transaction (a form write)
            return self._write(event, record_id, operator, detail)
        with atomic(self.connection):  # entry and tip move together
            return self._write(event, record_id, operator, detail)

    def _write(
        self, event: AuditEvent, record_id: str | None, operator: str, detail: dict[str, Any]
    ) -> AuditEntry:
        seq, prev = _tip(self.connection)
        entry = AuditEntry(
            seq=seq + 1,
            at=dt.datetime.now(dt.UTC).isoformat(timespec="microseconds"),
            terminal=self.terminal,
            operator=operator,
            event=event.value,
            record_id=record_id,
            detail=detail,
            prev_hash=prev,
            hash="",
        )
        entry = AuditEntry(**{**entry.__dict__, "hash": entry.computed_hash()})
        key = self.key
        row = {
            **entry.__dict__,
            "detail": json.dumps(detail, sort_keys=True),
            "mac": entry_mac(key, entry.hash),
        }
        # Plain SQL: this runs inside every form write, where sqlite-utils' per-call
        # table introspection would cost more than the insert itself.
        self.connection.execute(_INSERT_ENTRY, row)
        tip = {"seq": entry.seq, "hash": entry.hash, "mac": tip_mac(key, entry.seq, entry.hash)}
        self.connection.execute(_MOVE_TIP, tip)
        return entry


_INSERT_ENTRY = (
    f"insert into {AUDIT_TABLE} (seq, at, terminal, operator, event, record_id, detail, "
    "prev_hash, hash, mac) values (:seq, :at, :terminal, :operator, :event, :record_id, :detail, "
    ":prev_hash, :hash, :mac)"
)
_MOVE_TIP = (
    f"insert into {TIP_TABLE} (id, seq, hash, mac) values (1, :seq, :hash, :mac) "
    "on conflict (id) do update set seq = excluded.seq, hash = excluded.hash, mac = excluded.mac"
)


def entry_mac(key: bytes, entry_hash: str) -> str:
    return hmac.new(key, b"entry\x1f" + entry_hash.encode(), hashlib.sha256).hexdigest()


def tip_mac(key: bytes, seq: int, tip_hash: str) -> str:
    return hmac.new(key, f"tip\x1f{seq}\x1f{tip_hash}".encode(), hashlib.sha256).hexdigest()


def _database_folder(db: Sql) -> Path:
    row = db.execute("PRAGMA database_list").fetchone()
    return Path(row[2]).parent


def audit_key(db: Sql, key_store: str = "auto") -> bytes:
    """The key of the database's data folder; a new key adopts entries written before keys."""
    key = open_audit_key(_database_folder(db), key_store)
    if key.created:
        _adopt_unkeyed_entries(db, key.secret)
    return key.secret


def _adopt_unkeyed_entries(db: Sql, key: bytes) -> None:
    """Entries from before the audit key (an upgrade) get their HMAC, if their chain holds."""
    if _verify_chain(db, None).first_bad is not None:
        return  # a broken chain is not blessed: verify keeps reporting it
    with atomic(db):
        for seq, entry_hash in db.execute(f"select seq, hash from {AUDIT_TABLE} where mac is null"):
            db.execute(
                f"update {AUDIT_TABLE} set mac = ? where seq = ?", [entry_mac(key, entry_hash), seq]
            )
        seq, tip_hash, _ = _tip_row(db)
        if seq:
            db.execute(
                _MOVE_TIP, {"seq": seq, "hash": tip_hash, "mac": tip_mac(key, seq, tip_hash)}
            )


@contextlib.contextmanager
def atomic(db: Sql) -> Iterator[None]:
    """All or nothing: a transaction of its own, or a savepoint inside the caller's."""
    db.execute("SAVEPOINT audit")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.OperationalError):  # the error may have ended it
            db.execute("ROLLBACK TO audit")
            db.execute("RELEASE audit")
        raise
    db.execute("RELEASE audit")


def _tip(db: Sql) -> tuple[int, str]:
    seq, tip_hash, _ = _tip_row(db)
    return seq, tip_hash


def _tip_row(db: Sql) -> tuple[int, str, str | None]:
    row = db.execute(f"select seq, hash, mac from {TIP_TABLE} where id = 1").fetchone()
    return (row[0], row[1], row[2]) if row else (0, GENESIS, None)


def entries(db: Sql, since: dt.datetime | None = None) -> Iterator[AuditEntry]:
    """Entries in sequence order (optionally from ``since`` on)."""
    where, args = (" where at >= ?", [since.astimezone(dt.UTC).isoformat()]) if since else ("", [])
    rows = db.execute(f"select {_COLUMNS} from {AUDIT_TABLE}{where} order by seq", args)
    for row in rows:
        yield AuditEntry(**_entry_fields(row))


def _entry_fields(row: tuple[Any, ...]) -> dict[str, Any]:
    """A row of ``_COLUMNS`` as the entry's fields (its detail parsed from JSON)."""
    return {**dict(zip(_COLUMN_NAMES, row, strict=True)), "detail": json.loads(row[6])}


_COLUMNS = "seq, at, terminal, operator, event, record_id, detail, prev_hash, hash"
_COLUMN_NAMES = tuple(column.strip() for column in _COLUMNS.split(","))


def verify(db: Sql, key: bytes | None = None) -> AuditCheck:
    """Chain, HMACs and tip, then forms and outbox against the log; name the first problem."""
    check = _verify_chain(db, key if key is not None else audit_key(db))
    if not check.ok:
        return check
    return cross_check(db, check.entries)


def _verify_chain(db: Sql, key: bytes | None) -> AuditCheck:
    """Walk the chain (and, given the key, every HMAC); name the first bad entry."""
    expected_seq, prev, count = 1, GENESIS, 0
    macs = dict(db.execute(f"select seq, mac from {AUDIT_TABLE}").fetchall()) if key else {}
    try:
        for entry in entries(db):
            count += 1
            if entry.seq != expected_seq:
                return AuditCheck(count, expected_seq, "entry missing")
            if entry.prev_hash != prev:
                return AuditCheck(count, entry.seq, "chain broken (removed or reordered)")
            if entry.computed_hash() != entry.hash:
                return AuditCheck(count, entry.seq, "entry was changed")
            if key is not None and not _same(macs.get(entry.seq), entry_mac(key, entry.hash)):
                return AuditCheck(count, entry.seq, "entry not authenticated (forged or rewritten)")
            expected_seq, prev = expected_seq + 1, entry.hash
    except (json.JSONDecodeError, TypeError) as exc:
        return AuditCheck(count, expected_seq, f"unreadable entry: {type(exc).__name__}")
    tip_seq, tip_hash, mac = _tip_row(db)
    if (tip_seq, tip_hash) != (expected_seq - 1, prev):
        return AuditCheck(count, expected_seq, "entries missing at the end")
    if key is not None and tip_seq and not _same(mac, tip_mac(key, tip_seq, tip_hash)):
        return AuditCheck(count, expected_seq, "entries missing at the end (tip not authenticated)")
    return AuditCheck(count)


def _same(stored: object, expected: str) -> bool:
    return isinstance(stored, str) and hmac.compare_digest(stored, expected)


# Which entry each recorded state needs: a state with no entry was written around the log.
_FORM_STATUS_EVENTS = {
    "queued": AuditEvent.FORM_QUEUED,
    "sent": AuditEvent.FORM_SENT,
    "purged": AuditEvent.FORM_PURGED,
}


def cross_check(db: Sql, count: int = 0) -> AuditCheck:
    """Forms and outbox rows against the log: a change with no matching entry is named."""
    logged: dict[str, set[str]] = {}
    for record_id, event in db.execute(
        f"select record_id, event from {AUDIT_TABLE} where record_id is not null"
    ):
        logged.setdefault(record_id, set()).add(event)
    forms = dict(db.execute("select id, status from forms").fetchall())
    for record_id, status in forms.items():
        events = logged.get(record_id, set())
        if AuditEvent.FORM_CREATED.value not in events:
            return _record_problem(count, record_id, "form has no form.created entry")
        needed = _FORM_STATUS_EVENTS.get(status)
        if needed is not None and needed.value not in events:
            return _record_problem(
                count, record_id, f"form is {status} without a {needed.value} entry"
            )
    for record_id, events in logged.items():
        if AuditEvent.FORM_CREATED.value in events and record_id not in forms:
            return _record_problem(count, record_id, "form deleted without an entry")
    for record_id, status in db.execute("select id, status from outbox"):
        if record_id not in forms:
            return _record_problem(count, record_id, "outbox row without its form")
        if status == "sent" and AuditEvent.FORM_SENT.value not in logged.get(record_id, set()):
            return _record_problem(count, record_id, "outbox row sent without a form.sent entry")
    return AuditCheck(count)


def _record_problem(count: int, record_id: str, problem: str) -> AuditCheck:
    return AuditCheck(count, None, problem, record_id)


# -- sending to the back office ------------------------------------------------------------


def unsent(db: Sql, limit: int) -> list[AuditRecord]:
    """Entries the back office has not acknowledged yet, oldest first; empty if none.

    The last acknowledged entry goes along again: the back office compares it with its
    copy, so a rewritten or rehashed log is named at the next sync. A log that went back
    behind what was acknowledged (cut, wiped, or a new database) is sent from its start.
    """
    from counterapp.wire.audit import AuditRecord

    acknowledged, acknowledged_hash = sent_through(db)
    tip_seq, tip_hash = _tip(db)
    if (tip_seq, tip_hash) == (acknowledged, acknowledged_hash) or tip_seq == 0:
        return []  # nothing new
    if tip_seq < acknowledged:
        acknowledged = 0
    rows = db.execute(
        f"select {_COLUMNS} from {AUDIT_TABLE} where seq >= ? order by seq limit ?",
        [max(acknowledged, 1), limit],
    )
    records = [AuditRecord.model_validate(_entry_fields(row)) for row in rows]
    if tip_seq > acknowledged and all(r.seq <= acknowledged for r in records):
        return []  # entries missing after the acknowledged one: ``verify`` names them here
    return records


def sent_through(db: Sql) -> tuple[int, str]:
    """The last entry the back office acknowledged: (sequence number, hash)."""
    row = db.execute(f"select sent_seq, sent_hash from {SYNC_TABLE} where id = 1").fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def mark_sent(db: Sql, last: AuditRecord) -> None:
    db.execute(
        f"insert into {SYNC_TABLE} (id, sent_seq, sent_hash) values (1, ?, ?) "
        "on conflict (id) do update set sent_seq = excluded.sent_seq, "
        "sent_hash = excluded.sent_hash",
        [last.seq, last.hash],
    )
