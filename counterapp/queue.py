"""The encrypted local form queue: forms, their outbox rows, retention and purge.

Writing a visit's forms, their outbox rows and their audit entries is one transaction.
Every value is encrypted with the form's own record key; purging a form overwrites its
values and drops that key, leaving only non-personal metadata (ids, status, times).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey
from pydantic import ValidationError
from ulid import ULID

from counterapp.audit import AuditEvent, AuditLog
from counterapp.forms.definition import FormDefinition
from counterapp.forms.filled import FieldValue, FilledForm, Source, wire_parts
from counterapp.forms.loader import LoadedForm, definition_hash
from counterapp.vault import Vault, VaultError, field_context, seal, unseal
from counterapp.wire.schema import SealedItem, SubmissionItem
from counterapp.wire.sealing import key_id, seal_for


class FormNotFound(LookupError):
    message_key = "queue.not_found"


class FormPurged(LookupError):
    """The form's personal data has already been deleted from this terminal."""

    message_key = "queue.purged"


class NotRefused(LookupError):
    """Only a form the back office refused can be resent or discarded by hand."""

    message_key = "queue.not_refused"


@dataclass(frozen=True)
class QueueEntry:
    """What may be listed about a queued form: ids, status and times, never its contents."""

    id: str
    visit: str
    event: str | None
    form_id: str
    form_version: int
    status: str
    signed: bool
    created_at: str
    outbox_status: str | None
    attempts: int
    next_attempt_at: str | None
    last_error: str | None
    reception_number: str | None = None
    ticket_number: str | None = None

    @property
    def worklist_status(self) -> str:
        """What the clerk sees: draft, pending, sent or failed (purged: a draft that expired)."""
        return worklist_status(self)


@dataclass(frozen=True)
class StoredForm:
    entry: QueueEntry
    filled: FilledForm
    signature: bytes | None
    handwriting: Handwriting | None = None


@dataclass(frozen=True)
class Handwriting:
    """A signature drawn on the screen, and the SHA-256 of the form content it was drawn under."""

    png: bytes = field(repr=False)
    content_sha256: str

    def matches(self, filled: FilledForm) -> bool:
        """Was it drawn under exactly this content?"""
        return self.content_sha256 == hashlib.sha256(filled.canonical()).hexdigest()


@dataclass(frozen=True)
class PurgeReport:
    sent: int
    drafts: int


@dataclass(frozen=True)
class Outgoing:
    """A batch as it leaves: forms opened here or, where this terminal cannot open them, their
    copies sealed for the back office; and the forms neither can open (no sealed copy)."""

    items: tuple[SubmissionItem | SealedItem, ...]
    unreadable: tuple[str, ...]


def new_id() -> str:
    """A sortable, client-made id (ULID): creation order, unique without coordination."""
    return str(ULID())


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


class FormQueue:
    """Forms waiting on this terminal, encrypted, with their outbox."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        vault: Vault | VaultError,
        audit: AuditLog,
        *,
        backoffice_key: X25519PublicKey | None = None,
    ) -> None:
        """``vault`` is the error instead when the master key is lost: the queue is then
        *locked* — it lists, and sends the copies sealed for the back office, but opens and
        stores nothing. ``backoffice_key`` seals each new form for the back office too."""
        self.db = db
        self._vault = vault
        self.audit = audit
        self.backoffice_key = backoffice_key
        self._known_definitions: set[str] = set()

    def on(self, db: sqlite_utils.Database) -> FormQueue:
        """The same queue (key, audit, back-office key) on another connection, for a thread."""
        return FormQueue(db, self._vault, self.audit, backoffice_key=self.backoffice_key)

    @property
    def vault(self) -> Vault:
        """The master key; raises the key problem when the queue is locked."""
        if isinstance(self._vault, VaultError):
            raise self._vault
        return self._vault

    @property
    def locked_by(self) -> VaultError | None:
        """Why this queue cannot open its forms (a lost or different master key), or None."""
        return self._vault if isinstance(self._vault, VaultError) else None

    def save(
        self,
        forms: Sequence[FilledForm],
        *,
        visit: str,
        signatures: Mapping[int, bytes] | None = None,
        handwriting: bytes | None = None,
        queue: bool = True,
    ) -> tuple[str, ...]:
        """Store a visit's forms (queued, or as drafts) in one transaction; return their ids.

        ``handwriting`` is a signature drawn on the screen (PNG) for the whole visit: each
        form keeps it bound to its own content hash.
        """
        signatures = signatures or {}
        ids = []
        try:
            with self.db.atomic():
                for index, filled in enumerate(forms):
                    record_id = new_id()
                    self._insert_form(record_id, filled, visit, signatures.get(index), queue)
                    if handwriting is not None:
                        self._insert_handwriting(record_id, filled, handwriting)
                    ids.append(record_id)
        except BaseException:
            self._known_definitions.clear()  # a rolled-back definition row is not known
            raise
        return tuple(ids)

    def save_numbered(
        self,
        forms: Sequence[FilledForm],
        *,
        visit: str,
        number: Callable[[], str],
        ticket_number: str | None = None,
        replaces: Sequence[str] = (),
        **save: Any,
    ) -> tuple[str, tuple[str, ...]]:
        """``save`` plus the visit's reception number, in one transaction.

        ``number`` allocates the reception number inside the transaction (a rolled-back
        save hands out no number). ``replaces`` are the draft rows of a reopened visit:
        they are deleted in the same transaction, so the completed forms are the only
        copy and the outbox gets exactly them. Returns the number and the new ids.
        """
        with self.db.atomic():
            reception = number()
            ids = self.save(forms, visit=visit, **save)
            self.db.conn.executemany(
                "update forms set reception_number = ?, ticket_number = ? where id = ?",
                [(reception, ticket_number, record_id) for record_id in ids],
            )
            for record_id in replaces:
                self._drop_draft(record_id)
        return reception, ids

    def drafts_of(self, visit: str) -> list[QueueEntry]:
        """The draft rows of one visit, in their order."""
        rows = self.db.query(
            f"{_ENTRY_SQL} where f.visit = ? and f.status = 'draft' order by f.id", [visit]
        )
        return [_entry(row) for row in rows]

    def reopen_drafts(self, visit: str) -> list[StoredForm]:
        """Decrypt a visit's drafts to complete them (each audited as a view, purpose reopen)."""
        drafts = self.drafts_of(visit)
        if not drafts:
            raise FormNotFound(visit)
        return [self.open(entry.id, purpose="reopen") for entry in drafts]

    def _drop_draft(self, record_id: str) -> None:
        """A draft replaced by its completed forms: its personal data and its row go."""
        if self.entry(record_id).status != "draft":
            raise FormNotFound(record_id)
        self._purge(record_id, reason="draft_completed")
        self.db.execute("delete from forms where id = ?", [record_id])

    def expired_drafts(self, expired: Callable[[QueueEntry], bool]) -> list[QueueEntry]:
        """Drafts the retention rule ``expired`` says to delete (shown before the purge)."""
        return [entry for entry in self.entries("draft") if expired(entry)]

    def purge_by_rule(self, expired: Callable[[QueueEntry], bool]) -> PurgeReport:
        """End of day: delete what was sent, and the drafts ``expired`` selects."""
        sent = [e.id for e in self.entries("sent")]
        drafts = [e.id for e in self.expired_drafts(expired)]
        with self.db.atomic():
            for record_id in sent:
                self._purge(record_id, reason="acknowledged")
            for record_id in drafts:
                self._purge(record_id, reason="draft_expired")
        self.drop_old_pages()
        return PurgeReport(len(sent), len(drafts))

    def submit(self, record_id: str) -> None:
        """Queue a draft for sending."""
        with self.db.atomic():
            if self.entry(record_id).status != "draft":
                return
            self.db.table("forms").update(record_id, {"status": "queued", "updated_at": _now()})
            if self.backoffice_key is not None:  # sealed as it is sent, not as it was drafted
                self._store_sealed(self._wire_item(record_id), _now())
            self._insert_outbox(record_id)
            self.audit.append(AuditEvent.FORM_QUEUED, record_id)

    def entries(self, status: str | None = None) -> list[QueueEntry]:
        """Every form on the terminal (optionally of one status), oldest first."""
        where = "where f.status = ?" if status else ""
        sql = f"{_ENTRY_SQL} {where} order by f.id"
        return [_entry(row) for row in self.db.query(sql, [status] if status else [])]

    def entry(self, record_id: str) -> QueueEntry:
        """One form's listing (FormNotFound if there is no such form)."""
        rows = list(self.db.query(f"{_ENTRY_SQL} where f.id = ?", [record_id]))
        if not rows:
            raise FormNotFound(record_id)
        return _entry(rows[0])

    def open(self, record_id: str, purpose: str) -> StoredForm:
        """Decrypt a form for ``purpose`` (a key such as ``show`` or ``print``); audited."""
        entry = self.entry(record_id)
        if entry.status == "purged":
            raise FormPurged(record_id)
        key = self._record_key(record_id)
        values = tuple(self._values(record_id, key))
        form = self._definition(record_id)
        signature = self._signature(record_id, key)
        handwriting = self._handwriting(record_id, key)
        self.audit.append(AuditEvent.FORM_VIEWED, record_id, purpose=purpose)
        filled = FilledForm.from_stored(form, values, entry.event)
        return StoredForm(entry, filled, signature, handwriting)

    def acknowledge(self, *record_ids: str) -> None:
        """The back office has these forms: mark them sent and delete their personal data."""
        now = _now()
        with self.db.atomic():
            for record_id in record_ids:
                self.db.execute(
                    "update outbox set status = 'sent', owner_pid = null, owner_started = null, "
                    "updated_at = ? where id = ?",
                    [now, record_id],
                )
                self.db.execute(
                    "update forms set status = 'sent', updated_at = ? where id = ?",
                    [now, record_id],
                )
                self.audit.append(AuditEvent.FORM_SENT, record_id)
                self._purge(record_id, reason="acknowledged")
        if not self.db.conn.in_transaction:  # else the caller does it after its commit
            self.drop_old_pages()

    def wire_items(self, record_ids: Sequence[str]) -> list[SubmissionItem]:
        """Forms as the back office receives them, decrypted only to travel over TLS.

        Not audited as a view: the send is audited when the back office acknowledges it.
        """
        return [self._wire_item(record_id) for record_id in record_ids]

    def outgoing(self, record_ids: Sequence[str]) -> Outgoing:
        """Forms to send: opened here when the master key opens them, else their copies
        sealed for the back office at enqueue; ids with neither are ``unreadable``."""
        items: list[SubmissionItem | SealedItem] = []
        unreadable = []
        for record_id in record_ids:
            try:
                items.append(self._wire_item(record_id))
                continue
            except VaultError:
                pass
            copy = self.sealed_copy(record_id)
            if copy is None:
                unreadable.append(record_id)
            else:
                items.append(copy)
        return Outgoing(tuple(items), tuple(unreadable))

    def sealed_copy(self, record_id: str) -> SealedItem | None:
        """The form as sealed for the back office at enqueue, if it was."""
        row = self.db.execute(
            "select key_id, sealed from form_sealed where record_id = ?", [record_id]
        ).fetchone()
        if row is None:
            return None
        return SealedItem(
            client_id=record_id, key_id=row[0], sealed=base64.b64encode(row[1]).decode()
        )

    def _wire_item(self, record_id: str) -> SubmissionItem:
        (row,) = list(self.db.query("select * from forms where id = ?", [record_id]))
        key = self._record_key(record_id)
        return _submission_item(
            record_id, row, tuple(self._values(record_id, key)), self._signature(record_id, key)
        )

    def refused(self) -> list[QueueEntry]:
        """Forms the back office refused for good (or no one can open): they wait for a person."""
        return [e for e in self.entries() if e.outbox_status == "failed"]

    def discard_refused(self, record_id: str) -> None:
        """A person gave up on a refused form: delete its personal data (audited)."""
        if self.entry(record_id).outbox_status != "failed":
            raise NotRefused(record_id)
        with self.db.atomic():
            self.db.execute("delete from outbox where id = ?", [record_id])
            self.audit.append(AuditEvent.FORM_DISCARDED, record_id)
            self._purge(record_id, reason="refused_discarded")
        self.drop_old_pages()

    def resend_refused(self, record_id: str) -> None:
        """Send a refused form again (after its cause was fixed), audited."""
        if self.entry(record_id).outbox_status != "failed":
            raise NotRefused(record_id)
        now = _now()
        with self.db.atomic():
            self.db.execute(
                "update outbox set status = 'pending', next_attempt_at = ?, updated_at = ? "
                "where id = ?",
                [now, now, record_id],
            )
            self.audit.append(AuditEvent.FORM_RESENT, record_id)

    def purge(self, now: dt.datetime, draft_days: int) -> PurgeReport:
        """End of day: delete what was sent, and drafts older than ``draft_days``."""
        cutoff = (now - dt.timedelta(days=draft_days)).astimezone(dt.UTC).isoformat()
        sent = [e.id for e in self.entries("sent")]
        drafts = [e.id for e in self.entries("draft") if e.created_at < cutoff]
        with self.db.atomic():
            for record_id in sent:
                self._purge(record_id, reason="acknowledged")
            for record_id in drafts:
                self._purge(record_id, reason="draft_expired")
        self.drop_old_pages()
        return PurgeReport(len(sent), len(drafts))

    # -- writing ------------------------------------------------------------------------

    # Writes use plain SQL: they run once per form, where sqlite-utils' per-call table
    # introspection costs more than the inserts themselves (bench/enqueue.py).

    def _insert_form(
        self, record_id: str, filled: FilledForm, visit: str, cms: bytes | None, queue: bool
    ) -> None:
        key, wrapped = self.vault.new_record_key(record_id)
        self._remember_definition(filled.form)
        now = _now()
        status = "queued" if queue else "draft"
        self.db.execute(
            "insert into forms (id, visit, event, form_id, form_version, definition_sha256, "
            "status, signed, created_at, updated_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [record_id, visit, filled.event, filled.form_id, filled.form.definition.version,
             filled.form.sha256, status, int(cms is not None), now, now],
        )  # fmt: skip
        self.db.execute("insert into record_keys values (?, ?)", [record_id, wrapped])
        self.db.conn.executemany(
            "insert into form_values (record_id, position, field_id, source, value, chip_value) "
            "values (?, ?, ?, ?, ?, ?)",
            self._encrypted_values(record_id, key, filled.stored_values()),
        )
        if cms is not None:
            sealed = seal(key, cms, field_context(record_id, "#cms"))
            self.db.execute(
                "insert into form_signatures values (?, ?, ?)", [record_id, sealed, now]
            )
        if self.backoffice_key is not None:
            self._insert_sealed_copy(record_id, filled, visit, cms, now)
        self._audit_created(record_id, filled, signed=cms is not None)
        if queue:
            self._insert_outbox(record_id)
            self.audit.append(AuditEvent.FORM_QUEUED, record_id)

    def _insert_sealed_copy(
        self, record_id: str, filled: FilledForm, visit: str, cms: bytes | None, now: str
    ) -> None:
        """The form as the back office will receive it, sealed so only the back office opens
        it: delivered instead of the form if this terminal loses its master key."""
        assert self.backoffice_key is not None
        row = {
            "visit": visit,
            "event": filled.event,
            "form_id": filled.form_id,
            "form_version": filled.form.definition.version,
            "definition_sha256": filled.form.sha256,
            "created_at": now,
        }
        try:
            item = _submission_item(record_id, row, filled.stored_values(), cms)
        except ValidationError:  # a draft with a value the wire refuses: sealed when queued
            return
        self._store_sealed(item, now)

    def _store_sealed(self, item: SubmissionItem, now: str) -> None:
        assert self.backoffice_key is not None
        sealed = seal_for(self.backoffice_key, item.model_dump_json().encode(), item.client_id)
        self.db.execute(
            "insert or replace into form_sealed values (?, ?, ?, ?)",
            [item.client_id, key_id(self.backoffice_key), sealed, now],
        )

    def _insert_handwriting(self, record_id: str, filled: FilledForm, png: bytes) -> None:
        key = self._record_key(record_id)
        sealed = seal(key, png, field_context(record_id, "#handwriting"))
        digest = hashlib.sha256(filled.canonical()).hexdigest()
        self.db.execute(
            "insert into form_handwriting values (?, ?, ?, ?)", [record_id, sealed, digest, _now()]
        )
        self.audit.append(AuditEvent.FORM_SIGNED, record_id, method="handwriting")

    def _audit_created(self, record_id: str, filled: FilledForm, *, signed: bool) -> None:
        self.audit.append(
            AuditEvent.FORM_CREATED,
            record_id,
            form=filled.form_id,
            version=filled.form.definition.version,
            signed=signed,
            gaiji_fields=",".join(sorted(filled.flags)),
        )
        for field_id in filled.edited_chip_fields():
            source = filled.value(field_id).source.value
            self.audit.append(AuditEvent.FORM_EDITED, record_id, field=field_id, source=source)

    @staticmethod
    def _encrypted_values(
        record_id: str, key: bytes, values: Sequence[FieldValue]
    ) -> Iterator[tuple[object, ...]]:
        for position, item in enumerate(values):
            context = field_context(record_id, item.field_id)
            chip = item.chip_value
            sealed_chip = None if chip is None else seal(key, chip.encode(), context + "#chip")
            value = seal(key, item.value.encode(), context)
            yield record_id, position, item.field_id, item.source.value, value, sealed_chip

    def _insert_outbox(self, record_id: str) -> None:
        now = _now()
        self.db.execute(
            "insert into outbox (id, status, attempts, next_attempt_at, created_at, updated_at) "
            "values (?, 'pending', 0, ?, ?, ?)",
            [record_id, now, now, now],
        )

    def _remember_definition(self, form: LoadedForm) -> None:
        if form.sha256 in self._known_definitions:
            return
        definition = form.definition.model_dump_json(by_alias=True)
        self.db.execute(
            "insert or ignore into form_definitions values (?, ?)", [form.sha256, definition]
        )
        self._known_definitions.add(form.sha256)

    # -- reading ------------------------------------------------------------------------

    # Reads use plain SQL too: the sync reads every field of every form it sends.

    def _record_key(self, record_id: str) -> bytes:
        row = self.db.execute(
            "select wrapped from record_keys where record_id = ?", [record_id]
        ).fetchone()
        if row is None:
            raise FormPurged(record_id)
        return self.vault.record_key(record_id, row[0])

    def _values(self, record_id: str, key: bytes) -> Iterator[FieldValue]:
        rows = self.db.execute(
            "select field_id, source, value, chip_value from form_values "
            "where record_id = ? order by position",
            [record_id],
        ).fetchall()
        for field_id, source, value, chip in rows:
            context = field_context(record_id, field_id)
            yield FieldValue(
                field_id,
                unseal(key, value, context).decode(),
                Source(source),
                None if chip is None else unseal(key, chip, context + "#chip").decode(),
            )

    def _definition(self, record_id: str) -> LoadedForm:
        (row,) = list(
            self.db.query(
                "select d.definition from forms f join form_definitions d "
                "on d.sha256 = f.definition_sha256 where f.id = ?",
                [record_id],
            )
        )
        # Checked when it was queued: a rule added since must not lock an old form away.
        definition = FormDefinition.model_validate(
            json.loads(row["definition"]), context={"defer_consistency": True}
        )
        return LoadedForm(definition, definition_hash(definition))

    def _signature(self, record_id: str, key: bytes) -> bytes | None:
        row = self.db.execute(
            "select cms from form_signatures where record_id = ?", [record_id]
        ).fetchone()
        return None if row is None else unseal(key, row[0], field_context(record_id, "#cms"))

    def _handwriting(self, record_id: str, key: bytes) -> Handwriting | None:
        row = self.db.execute(
            "select png, content_sha256 from form_handwriting where record_id = ?", [record_id]
        ).fetchone()
        if row is None:
            return None
        return Handwriting(unseal(key, row[0], field_context(record_id, "#handwriting")), row[1])

    # -- deleting -----------------------------------------------------------------------

    def _purge(self, record_id: str, *, reason: str) -> None:
        for table, column in _PERSONAL_COLUMNS:
            # Overwrite first, then delete: no old bytes survive in the row's pages.
            self.db.execute(
                f"update {table} set {column} = zeroblob(length({column})) "
                f"where record_id = ? and {column} is not null",
                [record_id],
            )
        for table in dict(_PERSONAL_COLUMNS):
            self.db.execute(f"delete from {table} where record_id = ?", [record_id])
        self.db.execute(
            "update forms set status = 'purged', updated_at = ? where id = ?", [_now(), record_id]
        )
        self.audit.append(AuditEvent.FORM_PURGED, record_id, reason=reason)

    def drop_old_pages(self) -> None:
        """Copy the WAL into the database and truncate it, so old page images go too."""
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


_PERSONAL_COLUMNS = (
    ("form_sealed", "sealed"),
    ("form_handwriting", "png"),
    ("form_values", "value"),
    ("form_values", "chip_value"),
    ("form_signatures", "cms"),
    ("record_keys", "wrapped"),
)

_ENTRY_SQL = """
select f.id, f.visit, f.event, f.form_id, f.form_version, f.status, f.signed, f.created_at,
       o.status as outbox_status, coalesce(o.attempts, 0) as attempts, o.next_attempt_at,
       o.last_error, f.reception_number, f.ticket_number
from forms f left join outbox o on o.id = f.id
"""


WORKLIST_STATUSES = ("draft", "pending", "sent", "failed")


def worklist_status(entry: QueueEntry) -> str:
    """One status from the form's and its outbox row's: draft, pending, sent or failed."""
    if entry.status == "draft":
        return "draft"
    if entry.outbox_status in ("failed", "sent"):
        return entry.outbox_status
    if entry.status in ("sent",):
        return "sent"
    if entry.status == "purged" and entry.outbox_status is None:
        return "purged"  # a draft past its retention: nothing left to complete
    return "pending"  # queued: waiting in the outbox (or being sent right now)


def worklist_counts(entries: Iterable[QueueEntry]) -> dict[str, int]:
    """How many forms are in each worklist status: the one count every screen shows."""
    counts = dict.fromkeys(WORKLIST_STATUSES, 0)
    for entry in entries:
        status = entry.worklist_status
        if status in counts:
            counts[status] += 1
    return counts


def _submission_item(
    record_id: str,
    row: Mapping[str, object],
    values: Sequence[FieldValue],
    signature: bytes | None,
) -> SubmissionItem:
    """A form as the back office receives it, from its listing row and its opened values."""
    fields, groups = wire_parts(values)
    return SubmissionItem.model_validate(
        {
            **{k: row[k] for k in ("visit", "event", "form_id", "form_version")},
            "client_id": record_id,
            "definition_sha256": row["definition_sha256"],
            "created_at": dt.datetime.fromisoformat(str(row["created_at"])),
            "fields": fields,
            "signature": base64.b64encode(signature).decode() if signature else None,
            "ticket_number": row.get("ticket_number"),
            "groups": groups,
        }
    )


def _entry(row: dict[str, object]) -> QueueEntry:
    return QueueEntry(**{**row, "signed": bool(row["signed"])})  # type: ignore[arg-type]
