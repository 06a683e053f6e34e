"""The encrypted queue: nothing personal in clear, nothing left after purge, all-or-nothing."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from cardreader.emulator.resident import DEFAULT_RESIDENT, GAIJI_RESIDENT, Resident
from counterapp import audit
from counterapp.audit import AuditEvent, AuditLog
from counterapp.forms.filled import FieldValue, FilledForm, Source
from counterapp.forms.loader import LoadedForm
from counterapp.forms.prefill import Answers, fill_form
from counterapp.migrations import MIGRATIONS
from counterapp.queue import FormPurged, FormQueue
from counterapp.store import DATABASE_FILE, SCHEMA, connect, open_database, pending_migrations
from counterapp.vault import KEY_FILE, DecryptionFailed, VaultError, open_vault
from tests.counterapp.conftest import CONTEXT, card_of

FROZEN = Path(__file__).parent / "frozen"


@pytest.fixture
def queue(tmp_path: Path) -> FormQueue:
    db = open_database(tmp_path)
    return FormQueue(
        db, open_vault(tmp_path, "t1", "file"), AuditLog(db, terminal="t1", operator="o1")
    )


def _filled(form: LoadedForm, resident: Resident = DEFAULT_RESIDENT) -> FilledForm:
    return fill_form(form, card_of(resident), Answers(resident={"copies": "1"}), CONTEXT)


def _raw(folder: Path) -> bytes:
    return b"".join(path.read_bytes() for path in sorted(folder.glob(DATABASE_FILE + "*")))


def _personal(resident: Resident) -> list[bytes]:
    values = [resident.name, resident.address, resident.my_number]
    return [v.encode(encoding) for v in values for encoding in ("utf-8", "utf-16-le")]


def test_raw_database_holds_no_personal_data_in_clear(
    queue: FormQueue, juminhyo: LoadedForm, tmp_path: Path
) -> None:
    ids = queue.save([_filled(juminhyo), _filled(juminhyo, GAIJI_RESIDENT)], visit="v1")
    raw = _raw(tmp_path)
    for resident in (DEFAULT_RESIDENT, GAIJI_RESIDENT):
        for value in _personal(resident):
            assert value not in raw
    assert queue.open(ids[1], "test").filled.value("name").value == GAIJI_RESIDENT.name


def test_after_acknowledgement_not_even_the_ciphertext_remains(
    queue: FormQueue, juminhyo: LoadedForm, tmp_path: Path
) -> None:
    (record_id,) = queue.save([_filled(juminhyo)], visit="v1")
    ciphertexts = [
        row[0]
        for row in queue.db.execute(
            "select value from form_values union all select wrapped from record_keys"
        ).fetchall()
    ]
    queue.acknowledge(record_id)
    raw = _raw(tmp_path)
    assert all(blob not in raw for blob in ciphertexts)
    assert queue.entry(record_id).status == "purged"
    with pytest.raises(FormPurged):
        queue.open(record_id, "test")
    events = [e.event for e in audit.entries(queue.db) if e.record_id == record_id]
    assert events == ["form.created", "form.queued", "form.sent", "form.purged"]


def test_a_visit_is_saved_whole_or_not_at_all(queue: FormQueue, juminhyo: LoadedForm) -> None:
    good = _filled(juminhyo)
    broken = FilledForm(good.form, (*good.values, FieldValue("name", "x", Source.CLERK)))
    with pytest.raises(sqlite3.IntegrityError):
        queue.save([good, broken], visit="v1")
    assert queue.entries() == []
    assert queue.db.execute("select count(*) from outbox").fetchone()[0] == 0
    assert audit.verify(queue.db).entries == 0


def test_an_altered_or_moved_ciphertext_is_refused(queue: FormQueue, juminhyo: LoadedForm) -> None:
    first, second = queue.save([_filled(juminhyo), _filled(juminhyo)], visit="v1")
    queue.db.execute(
        "update form_values set value = (select value from form_values where record_id = ? "
        "and field_id = 'name') where record_id = ? and field_id = 'address'",
        [first, first],
    )
    with pytest.raises(DecryptionFailed):
        queue.open(first, "test")
    where = "where record_id = ? and field_id = 'name'"
    (sealed,) = queue.db.execute(f"select value from form_values {where}", [second]).fetchone()
    flipped = sealed[:20] + bytes([sealed[20] ^ 1]) + sealed[21:]
    queue.db.execute(f"update form_values set value = ? {where}", [flipped, second])
    with pytest.raises(DecryptionFailed):
        queue.open(second, "test")


def test_outbox_rows_start_pending_and_drafts_have_none(
    queue: FormQueue, juminhyo: LoadedForm
) -> None:
    (queued,) = queue.save([_filled(juminhyo)], visit="v1")
    (draft,) = queue.save([_filled(juminhyo)], visit="v2", queue=False)
    assert (queue.entry(queued).outbox_status, queue.entry(queued).attempts) == ("pending", 0)
    assert (queue.entry(draft).status, queue.entry(draft).outbox_status) == ("draft", None)
    queue.submit(draft)
    assert queue.entry(draft).outbox_status == "pending"


def test_purge_deletes_old_drafts_and_sent_forms_only(
    queue: FormQueue, juminhyo: LoadedForm
) -> None:
    (old_draft,) = queue.save([_filled(juminhyo)], visit="v1", queue=False)
    (queued,) = queue.save([_filled(juminhyo)], visit="v2")
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    report = queue.purge(later, draft_days=1)
    assert (report.sent, report.drafts) == (0, 1)
    assert queue.entry(old_draft).status == "purged"
    assert queue.open(queued, "test").filled.value("name").value == DEFAULT_RESIDENT.name
    reasons = [e.detail.get("reason") for e in audit.entries(queue.db) if e.event == "form.purged"]
    assert reasons == ["draft_expired"]


def test_a_key_file_others_can_read_is_refused(tmp_path: Path) -> None:
    open_vault(tmp_path, "t1", "file")
    (tmp_path / KEY_FILE).chmod(0o644)
    with pytest.raises(VaultError, match="chmod 600"):
        open_vault(tmp_path, "t1", "file")


def test_the_released_audit_only_database_upgrades_and_keeps_its_chain(
    tmp_path: Path, juminhyo: LoadedForm
) -> None:
    shutil.copy(FROZEN / "schema-0001-audit.db", tmp_path / DATABASE_FILE)
    db = open_database(tmp_path)
    assert pending_migrations(db) == []  # upgraded to the current schema
    assert audit.verify(db).ok and audit.verify(db).entries == 3
    queue = FormQueue(
        db, open_vault(tmp_path, "t1", "file"), AuditLog(db, terminal="t1", operator="o")
    )
    queue.save([_filled(juminhyo)], visit="v1")
    assert audit.verify(db).entries == 5  # form.created, form.queued


def test_a_database_opened_without_sqlite_utils_has_the_whole_schema(tmp_path: Path) -> None:
    # connect() skips the migrations engine when a database has every name in SCHEMA: the
    # names there must be the migrations themselves, or an upgrade would be skipped.
    fresh = open_database(tmp_path / "fresh")
    assert list(SCHEMA) == [m.name for m in MIGRATIONS.applied(fresh)]
    shutil.copy(FROZEN / "schema-0001-audit.db", tmp_path / DATABASE_FILE)
    connection = connect(tmp_path)  # an old database is still upgraded on the plain path
    assert pending_migrations(open_database(tmp_path)) == []
    log = AuditLog(connection, terminal="t1", operator="o")
    log.append(AuditEvent.VERIFIED, verdict="genuine")
    assert audit.verify(log.db).ok and audit.verify(log.db).entries == 4


def test_the_released_forms_database_still_opens_and_decrypts(tmp_path: Path) -> None:
    shutil.copy(FROZEN / "schema-0002-forms.db", tmp_path / DATABASE_FILE)
    (tmp_path / KEY_FILE).parent.mkdir()
    shutil.copy(FROZEN / "schema-0002-master.key", tmp_path / KEY_FILE)
    (tmp_path / KEY_FILE).chmod(0o600)
    db = open_database(tmp_path)
    queue = FormQueue(
        db, open_vault(tmp_path, "t1", "file"), AuditLog(db, terminal="t1", operator="o")
    )
    (entry,) = queue.entries()
    assert queue.open(entry.id, "test").filled.value("name").value == DEFAULT_RESIDENT.name
    assert audit.verify(db).ok


@pytest.mark.slow
def test_a_signature_drawn_on_screen_is_sealed_bound_to_the_content_and_purged(
    queue: FormQueue, juminhyo: LoadedForm, tmp_path: Path
) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # stands in for the stroke image
    filled = _filled(juminhyo)
    (record_id,) = queue.save([filled], visit="v1", handwriting=png)
    assert png not in _raw(tmp_path)  # sealed with the record's key
    stored = queue.open(record_id, "test").handwriting
    assert stored is not None and stored.png == png
    assert stored.matches(filled)
    assert not stored.matches(filled.with_value("copies", "2", Source.CLERK))
    sealed = queue.db.execute("select png from form_handwriting").fetchone()[0]
    queue.acknowledge(record_id)
    assert sealed not in _raw(tmp_path)
    events = [e.event for e in audit.entries(queue.db) if e.record_id == record_id]
    assert "form.signed" in events
