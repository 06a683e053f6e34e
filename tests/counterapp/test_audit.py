"""The audit log: every card read and verdict is recorded, and tampering is named."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest

from cardreader.emulator.resident import DEFAULT_RESIDENT
from counterapp import audit
from counterapp.audit import AuditCheck, AuditEntry, AuditEvent, AuditLog, UnsafeAuditDetail
from counterapp.forms.loader import load_library
from counterapp.forms.pdf import render_pdf
from counterapp.forms.prefill import Answers, fill_form
from counterapp.queue import FormQueue
from counterapp.settings import load_settings
from counterapp.store import DATABASE_FILE, open_database
from counterapp.vault import open_vault
from tests.counterapp.cli_runner import run_counterapp
from tests.counterapp.conftest import CONTEXT, card_of
from tests.counterapp.sync.conftest import queue_forms
from tests.counterapp.test_cli_verify import PINS


@pytest.fixture
def logged(tmp_path: Path) -> Path:
    """A data folder whose log holds two verifications (four entries)."""
    for scenario in ("valid", "revoked"):
        run_counterapp(tmp_path, "verify", "--simulate", scenario, stdin=PINS)
    return tmp_path


def _sql(data_dir: Path, statement: str) -> None:
    connection = sqlite3.connect(data_dir / DATABASE_FILE)
    with connection:
        connection.executescript(statement)
    connection.close()


def _audit_verify(data_dir: Path) -> tuple[int, str]:
    result = run_counterapp(data_dir, "audit", "verify")
    return result.code, result.stdout + result.stderr


@pytest.mark.slow
def test_reads_and_verdicts_are_logged_without_personal_data(logged: Path) -> None:
    assert _audit_verify(logged) == (0, "監査ログは正常です（4件）/ audit log intact (4 entries)\n")
    export = run_counterapp(logged, "audit", "export").stdout
    assert export.count('"card.read"') == 2 and '"cert.revoked' in export
    raw = b"".join(path.read_bytes() for path in logged.glob(DATABASE_FILE + "*"))
    for value in (DEFAULT_RESIDENT.name, DEFAULT_RESIDENT.address, DEFAULT_RESIDENT.my_number):
        assert value.encode() not in raw


@pytest.mark.parametrize(
    ("tampering", "first_bad"),
    [
        ('UPDATE audit SET detail = \'{"verdict": "genuine"}\' WHERE seq = 4', 4),
        ("UPDATE audit SET operator = 'someone-else' WHERE seq = 2", 2),
        ("DELETE FROM audit WHERE seq = 2", 2),
        ("DELETE FROM audit WHERE seq = 4", 4),
        (
            "UPDATE audit SET seq = -seq WHERE seq IN (2, 3);"
            "UPDATE audit SET seq = CASE seq WHEN -2 THEN 3 ELSE 2 END WHERE seq < 0",
            2,
        ),
    ],
    ids=["edited-detail", "edited-operator", "removed-middle", "removed-last", "swapped"],
)
@pytest.mark.slow
def test_tampering_is_named(logged: Path, tampering: str, first_bad: int) -> None:
    _sql(logged, tampering)
    code, output = _audit_verify(logged)
    assert code == 1
    assert f"entry {first_bad}:" in output


def test_personal_values_are_refused_in_details(tmp_path: Path) -> None:
    log = AuditLog(open_database(tmp_path), terminal="t1", operator="o1")
    with pytest.raises(UnsafeAuditDetail):
        log.append(AuditEvent.FORM_EDITED, field=DEFAULT_RESIDENT.name)
    with pytest.raises(UnsafeAuditDetail):
        log.append(AuditEvent.FORM_EDITED, note=DEFAULT_RESIDENT.my_number)
    entry = log.append(AuditEvent.FORM_EDITED, "form-01", field="name", source="clerk")
    assert entry.seq == 1


# -- attacks by someone who can write the database but does not have the audit key ----------


@pytest.fixture
def queued(tmp_path: Path) -> Path:
    """A data folder with three queued forms, the first acknowledged by the back office."""
    db = open_database(tmp_path)
    log = AuditLog(db, terminal="t1", operator="o1", key_store="file")
    queue = FormQueue(db, open_vault(tmp_path, "t1", "file"), log)
    ids = queue_forms(queue, 3)
    queue.acknowledge(ids[0])
    db.conn.close()
    return tmp_path


def _check(data_dir: Path) -> AuditCheck:
    db = open_database(data_dir)
    try:
        return audit.verify(db, audit.audit_key(db, "file"))
    finally:
        db.conn.close()


def _rows(data_dir: Path) -> list[dict[str, Any]]:
    connection = sqlite3.connect(data_dir / DATABASE_FILE)
    connection.row_factory = sqlite3.Row
    rows = [dict(r) for r in connection.execute("select * from audit order by seq")]
    connection.close()
    return rows


def _a_queued_form(data_dir: Path) -> str:
    connection = sqlite3.connect(data_dir / DATABASE_FILE)
    (record_id,) = connection.execute("select id from forms where status = 'queued'").fetchone()
    connection.close()
    return str(record_id)


def _rechain(data_dir: Path, rows: list[dict[str, Any]]) -> None:
    """Write ``rows`` back as a plain SHA-256 chain with a matching tip (what an attacker can)."""
    prev = audit.GENESIS
    connection = sqlite3.connect(data_dir / DATABASE_FILE)
    with connection:
        connection.execute("delete from audit")
        for seq, row in enumerate(rows, start=1):
            fields = {k: row[k] for k in ("at", "terminal", "operator", "event", "record_id")}
            entry = AuditEntry(seq=seq, **fields, detail=json.loads(row["detail"]),
                               prev_hash=prev, hash="")  # fmt: skip
            prev = entry.computed_hash()
            connection.execute(
                "insert into audit (seq, at, terminal, operator, event, record_id, detail, "
                "prev_hash, hash, mac) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [seq, *fields.values(), row["detail"], entry.prev_hash, prev, row.get("mac")],
            )
        connection.execute("update audit_tip set seq = ?, hash = ?", [len(rows), prev])
    connection.close()


def test_an_untouched_log_with_forms_verifies(queued: Path) -> None:
    check = _check(queued)
    assert check.ok and check.entries > 6


def test_a_rewritten_and_rehashed_entry_fails(queued: Path) -> None:
    rows = _rows(queued)
    rows[2]["detail"] = json.dumps({"signed": True, "fields": 0})
    _rechain(queued, rows)
    check = _check(queued)
    assert (check.first_bad, check.problem) == (3, "entry not authenticated (forged or rewritten)")


def test_a_tail_cut_with_the_tip_fixed_fails(queued: Path) -> None:
    rows = _rows(queued)
    _rechain(queued, rows[:-2])
    check = _check(queued)
    assert check.first_bad == len(rows) - 1
    assert check.problem.startswith("entries missing at the end")


def test_a_forged_entry_fails(queued: Path) -> None:
    rows = _rows(queued)
    forged = {**rows[-1], "event": "form.sent", "mac": "0" * 64}
    _rechain(queued, [*rows, forged])
    check = _check(queued)
    assert (check.first_bad, check.problem) == (
        len(rows) + 1,
        "entry not authenticated (forged or rewritten)",
    )


def test_a_wiped_log_is_caught_by_the_forms_it_no_longer_explains(queued: Path) -> None:
    _sql(queued, "DELETE FROM audit; DELETE FROM audit_tip;")
    check = _check(queued)
    assert not check.ok and check.problem == "form has no form.created entry"


def test_a_deleted_form_fails(queued: Path) -> None:
    victim = _a_queued_form(queued)
    _sql(
        queued,
        f"DELETE FROM outbox WHERE id = '{victim}'; DELETE FROM form_values "
        f"WHERE record_id = '{victim}'; DELETE FROM record_keys WHERE record_id = '{victim}';"
        f"DELETE FROM forms WHERE id = '{victim}';",
    )
    check = _check(queued)
    assert (check.record_id, check.problem) == (victim, "form deleted without an entry")


def test_an_outbox_row_marked_sent_without_sending_fails(queued: Path) -> None:
    victim = _a_queued_form(queued)
    _sql(queued, f"UPDATE outbox SET status = 'sent' WHERE id = '{victim}'")
    check = _check(queued)
    assert (check.record_id, check.problem) == (victim, "outbox row sent without a form.sent entry")
    # ... and the form's status with it: still named.
    _sql(queued, f"UPDATE forms SET status = 'sent' WHERE id = '{victim}'")
    assert _check(queued).problem == "form is sent without a form.sent entry"


def test_the_cli_and_doctor_name_a_change_made_around_the_log(queued: Path) -> None:
    (queued / "settings.toml").write_text('key_store = "file"\n', encoding="utf-8")
    victim = _a_queued_form(queued)
    _sql(queued, f"UPDATE outbox SET status = 'sent' WHERE id = '{victim}'")
    code, output = _audit_verify(queued)
    assert code == 1 and f"record {victim}: outbox row sent without a form.sent entry" in output
    doctor = run_counterapp(queued, "doctor", "--json").json()
    (line,) = [item for item in doctor if item["part"] == "audit_log"]
    assert line["health"] == "fail" and victim in line["detail"]


def test_entries_from_before_the_audit_key_are_adopted_once(tmp_path: Path) -> None:
    log = AuditLog(open_database(tmp_path), terminal="t1", operator="o1", key_store="file")
    for _ in range(3):
        log.append(AuditEvent.CARD_READ)
    _sql(tmp_path, "UPDATE audit SET mac = NULL; UPDATE audit_tip SET mac = NULL;")
    (tmp_path / "keys" / "audit.key").unlink()  # as after an upgrade: no key yet
    assert _check(tmp_path).ok  # the intact old chain is adopted under the new key
    _sql(tmp_path, "UPDATE audit SET mac = NULL WHERE seq = 2")
    assert _check(tmp_path).first_bad == 2  # later, an entry without its HMAC is not


def test_database_and_key_files_are_owner_only(queued: Path) -> None:
    if os.name != "posix":
        pytest.skip("POSIX modes; on Windows the per-user folder's ACL protects the files")
    settings_file = queued / "settings.toml"
    settings_file.write_text('key_store = "file"\n', encoding="utf-8")
    settings_file.chmod(0o644)  # as an editor makes it
    load_settings(queued)
    form = load_library().forms["juminhyo-request"]
    filled = fill_form(form, card_of(), Answers(resident={"copies": "1"}), CONTEXT)
    render_pdf([filled], queued / "print.pdf")
    for name in (DATABASE_FILE, "keys/audit.key", "settings.toml", "print.pdf"):
        assert stat.S_IMODE((queued / name).stat().st_mode) == 0o600, name
