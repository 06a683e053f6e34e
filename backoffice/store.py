"""The one data-access layer: terminals and received forms, on SQLAlchemy Core.

SQLite (a file, WAL, ``synchronous=FULL``) by default, PostgreSQL by URL. Storing is
idempotent on the form's client id: ``INSERT ... ON CONFLICT DO NOTHING`` against the
primary key, so two identical batches racing each other can never store a form twice.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    DateTime,
    Engine,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    Row,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from counterapp.wire.auditchain import audit_entry_hash
from counterapp.wire.values import as_utc  # SQLite keeps no offset: every time goes in as UTC

SQLITE_BUSY_TIMEOUT_SECONDS = 30

metadata = MetaData()

terminals = Table(
    "terminals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("cert_sha256", String(64), nullable=False, unique=True),
    Column("enabled", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

submissions = Table(
    "submissions",
    metadata,
    Column("client_id", String(26), primary_key=True),
    Column("terminal_id", Integer, ForeignKey("terminals.id"), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, index=True),
    Column("form_id", String(64), nullable=False),
    Column("form_version", Integer, nullable=False),
    Column("definition_sha256", String(64), nullable=False),
    Column("event", String(64)),
    Column("visit", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("fields", Text, nullable=False),  # JSON: [{id, value, source, chip_value}, ...]
    Column("signature", LargeBinary),
    Column("signature_status", String(16), nullable=False),
    Column("signature_reason", String(64)),
    Column("ticket_number", String(16)),  # the office's ticket machine number; added later
    # How the resident was identified (pin, pinless, manual); added later: older rows are pin.
    Column("identity_method", String(16), nullable=False, server_default="pin"),
    # JSON: [{id, rows: [{by_hand, fields: [{id, value, source, chip_value}, ...]}]}]; the
    # form's person groups (異動者, 被保険者, 児童 ...). Added later: NULL for a form without.
    Column("person_groups", Text),
)


audit_entries = Table(
    "audit_entries",
    metadata,
    Column("terminal_id", Integer, ForeignKey("terminals.id"), primary_key=True),
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(64), nullable=False),
    Column("terminal", String(256), nullable=False),
    Column("operator", String(256), nullable=False),
    Column("event", String(256), nullable=False),
    Column("record_id", String(256)),
    Column("detail", Text, nullable=False),  # JSON: ids, counts, reason keys (no personal data)
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

# What arrived but could not be kept as the chain's copy: a rewrite of an entry already held
# (same terminal and sequence number, other hash) or an entry whose hash does not match it.
audit_anomalies = Table(
    "audit_anomalies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("terminal_id", Integer, ForeignKey("terminals.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("hash", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)


class SignatureStatus(enum.StrEnum):
    VALID = "valid"
    INVALID = "invalid"  # signature_reason says why
    UNVERIFIED = "unverified"  # no signing CA configured when the form arrived
    UNSIGNED = "unsigned"


class StoreOutcome(enum.StrEnum):
    STORED = "stored"
    DUPLICATE = "duplicate"  # stored earlier by the same terminal
    OTHER_TERMINAL = "other_terminal"  # the client id belongs to another terminal
    CONFLICT = "conflict"  # stored earlier by this terminal with different content


class TerminalConflict(Exception):
    """A terminal with this name or certificate is already registered."""


class UnknownTerminal(LookupError):
    """No terminal has this name."""


@dataclass(frozen=True)
class Terminal:
    id: int
    name: str
    cert_sha256: str
    enabled: bool
    created_at: dt.datetime


@dataclass(frozen=True)
class NewSubmission:
    """One form as it is written: values already checked, signature already verified."""

    client_id: str
    form_id: str
    form_version: int
    definition_sha256: str
    event: str | None
    visit: str
    created_at: dt.datetime
    fields_json: str
    signature: bytes | None
    signature_status: SignatureStatus
    signature_reason: str | None
    ticket_number: str | None
    identity_method: str  # pin, pinless or manual (IdentityMethod)
    groups_json: str | None  # the person groups, one row per person (None: no groups)


@dataclass(frozen=True)
class StoredSubmission(NewSubmission):
    """A received form as the export reads it: the form, who sent it and when it arrived."""

    terminal_name: str
    received_at: dt.datetime


class Store:
    """Terminals and submissions; every method is one short transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @classmethod
    def open(cls, url: str) -> Store:
        """Connect and create the tables that do not exist yet."""
        store = cls(_create_engine(url))
        store.create_schema()
        return store

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def create_schema(self) -> None:
        """Create missing tables (the first release has no migrations yet)."""
        metadata.create_all(self._engine)
        self._add_missing_columns()

    def _add_missing_columns(self) -> None:
        """Columns added after the first release, on a database created before them."""
        existing = {c["name"] for c in inspect(self._engine).get_columns("submissions")}
        if "ticket_number" not in existing:
            with self._write() as conn:
                conn.execute(text("alter table submissions add column ticket_number varchar(16)"))
        if "identity_method" not in existing:
            with self._write() as conn:
                conn.execute(
                    text(
                        "alter table submissions add column identity_method varchar(16) "
                        "not null default 'pin'"
                    )
                )
        if "person_groups" not in existing:
            with self._write() as conn:
                conn.execute(text("alter table submissions add column person_groups text"))

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self._engine.connect() as conn:
                conn.execute(text("select 1"))
        except SQLAlchemyError:
            return False
        return True

    # -- terminals ------------------------------------------------------------------------

    def add_terminal(self, name: str, cert_sha256: str, now: dt.datetime) -> Terminal:
        """Register an enabled terminal; TerminalConflict if the name or certificate is taken."""
        values = {
            "name": name,
            "cert_sha256": cert_sha256,
            "enabled": True,
            "created_at": as_utc(now),
        }
        try:
            with self._write() as conn:
                conn.execute(terminals.insert().values(values))
        except IntegrityError as exc:
            raise TerminalConflict(name) from exc
        found = self.terminal_by_name(name)
        assert found is not None
        return found

    def replace_certificate(self, name: str, cert_sha256: str) -> None:
        """Give a terminal a new certificate (renewal) and enable it."""
        statement = (
            update(terminals)
            .where(terminals.c.name == name)
            .values(cert_sha256=cert_sha256, enabled=True)
        )
        try:
            with self._write() as conn:
                changed = conn.execute(statement).rowcount
        except IntegrityError as exc:
            raise TerminalConflict(name) from exc
        if changed == 0:
            raise UnknownTerminal(name)

    def set_enabled(self, name: str, enabled: bool) -> None:
        """Enable or disable a terminal by name; UnknownTerminal if there is none."""
        statement = update(terminals).where(terminals.c.name == name).values(enabled=enabled)
        with self._write() as conn:
            if conn.execute(statement).rowcount == 0:
                raise UnknownTerminal(name)

    def terminals(self) -> list[Terminal]:
        """Every registered terminal, by name."""
        with self._engine.connect() as conn:
            rows = conn.execute(select(terminals).order_by(terminals.c.name)).all()
        return [_terminal(row) for row in rows]

    def terminal_by_name(self, name: str) -> Terminal | None:
        """The terminal called ``name``, if any."""
        return self._one_terminal(select(terminals).where(terminals.c.name == name))

    def terminal_by_certificate(self, cert_sha256: str) -> Terminal | None:
        """The terminal whose client certificate has this SHA-256, if any."""
        return self._one_terminal(select(terminals).where(terminals.c.cert_sha256 == cert_sha256))

    def _one_terminal(self, statement: Any) -> Terminal | None:
        with self._engine.connect() as conn:
            row = conn.execute(statement).first()
        return None if row is None else _terminal(row)

    # -- submissions ----------------------------------------------------------------------

    def store_batch(
        self, terminal_id: int, items: Sequence[NewSubmission], received_at: dt.datetime
    ) -> list[StoreOutcome]:
        """Store a batch in one transaction; one outcome per item, in the items' order."""
        with self._write() as conn:
            stored = self._insert_new(conn, terminal_id, items, as_utc(received_at))
            others = {item.client_id for item in items} - stored
            earlier = self._stored_rows(conn, others)
        outcomes = []
        for item in items:
            row = earlier.get(item.client_id)
            if item.client_id in stored:
                stored.discard(item.client_id)  # a client id twice in one batch: once stored
                outcomes.append(StoreOutcome.STORED)
            elif row is not None and row.terminal_id != terminal_id:
                outcomes.append(StoreOutcome.OTHER_TERMINAL)
            elif row is not None and not _same_content(row, item):
                outcomes.append(StoreOutcome.CONFLICT)
            else:
                outcomes.append(StoreOutcome.DUPLICATE)
        return outcomes

    def _insert_new(
        self,
        conn: Connection,
        terminal_id: int,
        items: Sequence[NewSubmission],
        received_at: dt.datetime,
    ) -> set[str]:
        """Insert the items whose client id is new, in one statement; the ids inserted."""
        if not items:
            return set()
        # One lock order for every batch: two PostgreSQL transactions inserting the same ids
        # in different orders would otherwise deadlock on each other's uncommitted rows.
        ordered = sorted(items, key=lambda item: item.client_id)
        rows = [_row_values(terminal_id, item, received_at) for item in ordered]
        insert = postgresql.insert if self.dialect == "postgresql" else sqlite.insert
        statement = (
            insert(submissions)
            .on_conflict_do_nothing(index_elements=[submissions.c.client_id])
            .returning(submissions.c.client_id)
        )
        # executemany: SQLAlchemy sends it as few multi-row INSERTs ("insertmanyvalues"),
        # compiled once and cached, instead of compiling a 100-row VALUES clause per batch.
        result = conn.execute(statement, rows)
        # RETURNING, not rowcount: psycopg reports -1 for this statement through SQLAlchemy.
        return {row.client_id for row in result}

    @staticmethod
    def _stored_rows(conn: Connection, client_ids: set[str]) -> dict[str, Row[Any]]:
        if not client_ids:
            return {}
        statement = select(submissions).where(submissions.c.client_id.in_(client_ids))
        return {row.client_id: row for row in conn.execute(statement)}

    def submissions(self, since: dt.datetime | None = None) -> list[StoredSubmission]:
        """Received forms (oldest first), optionally only those received at or after ``since``."""
        statement = (
            select(submissions, terminals.c.name.label("terminal_name"))
            .join(terminals, terminals.c.id == submissions.c.terminal_id)
            .order_by(submissions.c.received_at, submissions.c.client_id)
        )
        if since is not None:
            statement = statement.where(submissions.c.received_at >= as_utc(since))
        with self._engine.connect() as conn:
            return [_submission(row) for row in conn.execute(statement)]

    @contextmanager
    def snapshot(self) -> Iterator[Connection]:
        """One read transaction whose queries all see the same data (for a two-pass export)."""
        options = {"isolation_level": "REPEATABLE READ"} if self.dialect == "postgresql" else {}
        with self._engine.connect().execution_options(**options) as conn, conn.begin():
            yield conn

    def iter_submissions(
        self, conn: Connection, since: dt.datetime | None = None, batch: int = 1000
    ) -> Iterator[StoredSubmission]:
        """Like ``submissions`` but streamed from the database ``batch`` rows at a time, so
        memory stays flat however many forms there are (a server-side cursor on PostgreSQL)."""
        statement = (
            select(submissions, terminals.c.name.label("terminal_name"))
            .join(terminals, terminals.c.id == submissions.c.terminal_id)
            .order_by(submissions.c.received_at, submissions.c.client_id)
        )
        if since is not None:
            statement = statement.where(submissions.c.received_at >= as_utc(since))
        for row in conn.execution_options(yield_per=batch).execute(statement):
            yield _submission(row)

    @staticmethod
    def field_ids(
        conn: Connection, since: dt.datetime | None = None, batch: int = 1000
    ) -> set[str]:
        """Every field id in the forms received at or after ``since`` (streamed)."""
        statement = select(submissions.c.fields)
        if since is not None:
            statement = statement.where(submissions.c.received_at >= as_utc(since))
        found: set[str] = set()
        for row in conn.execution_options(yield_per=batch).execute(statement):
            found.update(field["id"] for field in json.loads(row.fields))
        return found

    @staticmethod
    def person_field_ids(
        conn: Connection, since: dt.datetime | None = None, batch: int = 1000
    ) -> set[str]:
        """Every field id of a person row (group) in the forms received at or after ``since``."""
        column = submissions.c.person_groups
        statement = select(column).where(column.is_not(None))
        if since is not None:
            statement = statement.where(submissions.c.received_at >= as_utc(since))
        found: set[str] = set()
        for row in conn.execution_options(yield_per=batch).execute(statement):
            for group in json.loads(row.person_groups):
                found.update(f["id"] for person in group["rows"] for f in person["fields"])
        return found

    def submission(self, client_id: str) -> StoredSubmission | None:
        """One received form by client id."""
        statement = (
            select(submissions, terminals.c.name.label("terminal_name"))
            .join(terminals, terminals.c.id == submissions.c.terminal_id)
            .where(submissions.c.client_id == client_id)
        )
        with self._engine.connect() as conn:
            row = conn.execute(statement).first()
        return None if row is None else _submission(row)

    def count_submissions(self) -> int:
        """How many forms are stored."""
        with self._engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(submissions)).scalar_one())

    # -- audit entries ----------------------------------------------------------------------

    def store_audit(
        self, terminal_id: int, entries: Sequence[AuditRow], received_at: dt.datetime
    ) -> tuple[int, int]:
        """Keep new entries; a different entry under a held number is kept as an anomaly.

        Returns how many entries were new and the highest sequence number now held.
        """
        now = as_utc(received_at)
        with self._write() as conn:
            held = self._held_hashes(conn, terminal_id, [entry.seq for entry in entries])
            new = [e for e in entries if e.seq not in held and e.hash_ok]
            if new:
                conn.execute(
                    audit_entries.insert(), [_audit_values(terminal_id, e, now) for e in new]
                )
            anomalies = [
                {
                    "terminal_id": terminal_id,
                    "seq": e.seq,
                    "kind": kind,
                    "hash": e.hash,
                    "received_at": now,
                }
                for e in entries
                if (kind := _anomaly(e, held.get(e.seq))) is not None
            ]
            if anomalies:
                conn.execute(audit_anomalies.insert(), anomalies)
            last = conn.execute(
                select(func.max(audit_entries.c.seq)).where(
                    audit_entries.c.terminal_id == terminal_id
                )
            ).scalar_one()
        return len(new), int(last or 0)

    @staticmethod
    def _held_hashes(conn: Connection, terminal_id: int, seqs: list[int]) -> dict[int, str]:
        statement = select(audit_entries.c.seq, audit_entries.c.hash).where(
            audit_entries.c.terminal_id == terminal_id, audit_entries.c.seq.in_(seqs)
        )
        return {row.seq: row.hash for row in conn.execute(statement)}

    def audit_chain(self, terminal_id: int) -> Iterator[AuditRow]:
        """The entries held for a terminal, in sequence order (streamed)."""
        statement = (
            select(audit_entries)
            .where(audit_entries.c.terminal_id == terminal_id)
            .order_by(audit_entries.c.seq)
        )
        with self._engine.connect() as conn:
            for row in conn.execution_options(yield_per=1000).execute(statement):
                yield AuditRow(
                    row.seq,
                    row.at,
                    row.terminal,
                    row.operator,
                    row.event,
                    row.record_id,
                    row.detail,
                    row.prev_hash,
                    row.hash,
                )

    def audit_anomalies(self, terminal_id: int) -> list[tuple[int, str]]:
        """(sequence number, kind) of every anomaly recorded for a terminal, by number."""
        statement = (
            select(audit_anomalies.c.seq, audit_anomalies.c.kind)
            .where(audit_anomalies.c.terminal_id == terminal_id)
            .order_by(audit_anomalies.c.seq, audit_anomalies.c.id)
        )
        with self._engine.connect() as conn:
            return [(row.seq, row.kind) for row in conn.execute(statement)]

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        # SQLite: take the write lock at BEGIN, so two writers queue on busy_timeout
        # instead of one failing when it upgrades a read lock.
        connection = self._engine.connect().execution_options(sqlite_begin="IMMEDIATE")
        with connection as conn, conn.begin():
            yield conn


@dataclass(frozen=True)
class AuditRow:
    """One audit entry as a terminal sent it (``detail`` as canonical JSON text)."""

    seq: int
    at: str
    terminal: str
    operator: str
    event: str
    record_id: str | None
    detail: str
    prev_hash: str
    hash: str

    def computed_hash(self) -> str:
        return audit_entry_hash(self, json.loads(self.detail))

    @property
    def hash_ok(self) -> bool:
        return self.computed_hash() == self.hash


def _anomaly(entry: AuditRow, held: str | None) -> str | None:
    if not entry.hash_ok:
        return "hash_mismatch"
    if held is not None and held != entry.hash:
        return "rewritten"
    return None


def _audit_values(terminal_id: int, entry: AuditRow, now: dt.datetime) -> dict[str, Any]:
    return {"terminal_id": terminal_id, "received_at": now, **entry.__dict__}


def _same_content(row: Row[Any], item: NewSubmission) -> bool:
    """A resubmission of exactly what was stored (the terminal resending after a failure)."""
    signature = None if row.signature is None else bytes(row.signature)
    return (
        row.form_id,
        row.form_version,
        row.definition_sha256,
        row.event,
        row.visit,
        as_utc(row.created_at),
        row.fields,
        row.person_groups,
        signature,
    ) == (
        item.form_id,
        item.form_version,
        item.definition_sha256,
        item.event,
        item.visit,
        as_utc(item.created_at),
        item.fields_json,
        item.groups_json,
        item.signature,
    )


def _row_values(terminal_id: int, item: NewSubmission, received_at: dt.datetime) -> dict[str, Any]:
    return {
        "client_id": item.client_id,
        "terminal_id": terminal_id,
        "received_at": received_at,
        "form_id": item.form_id,
        "form_version": item.form_version,
        "definition_sha256": item.definition_sha256,
        "event": item.event,
        "visit": item.visit,
        "created_at": as_utc(item.created_at),
        "fields": item.fields_json,
        "signature": item.signature,
        "signature_status": item.signature_status.value,
        "signature_reason": item.signature_reason,
        "ticket_number": item.ticket_number,
        "identity_method": item.identity_method,
        "person_groups": item.groups_json,
    }


def _terminal(row: Row[Any]) -> Terminal:
    return Terminal(
        id=row.id,
        name=row.name,
        cert_sha256=row.cert_sha256,
        enabled=bool(row.enabled),
        created_at=as_utc(row.created_at),
    )


def _submission(row: Row[Any]) -> StoredSubmission:
    return StoredSubmission(
        client_id=row.client_id,
        terminal_name=row.terminal_name,
        received_at=as_utc(row.received_at),
        form_id=row.form_id,
        form_version=row.form_version,
        definition_sha256=row.definition_sha256,
        event=row.event,
        visit=row.visit,
        created_at=as_utc(row.created_at),
        fields_json=row.fields,
        signature=None if row.signature is None else bytes(row.signature),
        signature_status=SignatureStatus(row.signature_status),
        signature_reason=row.signature_reason,
        ticket_number=row.ticket_number,
        identity_method=row.identity_method,
        groups_json=row.person_groups,
    )


def _create_engine(url: str) -> Engine:
    # hide_parameters: a failing statement's message would otherwise carry the form's
    # values (names, addresses, My Numbers) into the server log.
    if url.startswith("sqlite"):
        database = make_url(url).database
        if database and database != ":memory:":
            _create_private_file(Path(database))
        engine = create_engine(
            url,
            hide_parameters=True,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(url, hide_parameters=True, pool_pre_ping=True)


def _create_private_file(path: Path) -> None:
    # The database holds residents' personal data: owner-only, like its folder. SQLite
    # gives its -wal and -shm files the database file's permissions.
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own implicit BEGIN is turned off so that "begin" below decides.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Connection) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")
