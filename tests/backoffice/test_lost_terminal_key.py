"""A terminal that loses its master key loses no queued form.

Each form is also sealed at enqueue to the back office's public key (issued with the
terminal's enrolment files). After the key store is deleted the terminal refuses to make a
new key over its sealed data (doctor red, queue show exit 4), still lists its queue, and
``sync --once`` delivers every form as its sealed copy; the back office opens and exports it.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from cardreader.emulator.resident import DEFAULT_RESIDENT
from counterapp.audit import AuditLog
from counterapp.forms.loader import load_library
from counterapp.forms.prefill import Answers, fill_form
from counterapp.keyguard import open_queue
from counterapp.settings import load_settings
from counterapp.store import open_database
from counterapp.vault import KEY_FILE
from tests.backoffice.server import running_backoffice
from tests.counterapp.cli_runner import run_counterapp
from tests.counterapp.conftest import CONTEXT, card_of
from tests.counterapp.sync.harness import setup_terminal

pytestmark = pytest.mark.slow  # a real back office over mutual TLS


def queue_sealed_forms(folder: Path, count: int) -> list[str]:
    """Queue forms as the terminal does: with the checked master key, sealed for the back office."""
    settings = load_settings(folder)
    db = open_database(folder)
    try:
        queue = open_queue(settings, AuditLog(db, terminal=settings.terminal_id, operator="o"))
        assert queue.backoffice_key is not None
        form = load_library().forms["juminhyo-request"]
        filled = fill_form(form, card_of(), Answers(resident={"copies": "1"}), CONTEXT)
        return [record_id for _ in range(count) for record_id in queue.save([filled], visit="v")]
    finally:
        db.conn.close()


def test_forms_queued_before_the_key_store_was_deleted_reach_the_export(tmp_path: Path) -> None:
    with running_backoffice(tmp_path / "backoffice") as server:
        terminal = setup_terminal(tmp_path / "terminal", server, server.issue_terminal("kita-09"))
        ids = queue_sealed_forms(terminal, 3)
        (terminal / KEY_FILE).unlink()  # the key store is gone (another user, a reinstall...)

        doctor = run_counterapp(terminal, "doctor", "--json")
        assert doctor.code == 1
        (key_line,) = [f for f in doctor.json() if f["part"] == "key_store"]
        assert key_line["health"] == "fail" and "master key" in key_line["detail"]
        assert "3 form(s)" in key_line["detail"]
        assert not (terminal / KEY_FILE).exists()  # no new key was made over sealed data

        listed = run_counterapp(terminal, "queue", "list", "--json")
        assert listed.code == 0 and sorted(e["id"] for e in listed.json()) == sorted(ids)
        shown = run_counterapp(terminal, "queue", "show", ids[0])
        assert shown.code == 4 and "counterapp keys reset" in shown.stderr

        synced = run_counterapp(terminal, "sync", "--once", "--json")
        assert synced.code == 0, synced.stderr
        assert synced.json()["accepted"] == 3
        exported = server.cli("export", "--format", "csv").stdout

    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert sorted(r["受付ID"] for r in rows) == sorted(ids)
    assert {r["氏名"] for r in rows} == {DEFAULT_RESIDENT.name}
    statuses = {e["status"] for e in run_counterapp(terminal, "queue", "list", "--json").json()}
    assert statuses <= {"sent", "purged"}  # delivered: nothing waits to be sent


def test_keys_reset_says_what_is_lost_and_is_audited(tmp_path: Path) -> None:
    with running_backoffice(tmp_path / "backoffice") as server:
        terminal = setup_terminal(tmp_path / "terminal", server, server.issue_terminal("kita-10"))
    queue_sealed_forms(terminal, 2)
    (terminal / KEY_FILE).unlink()
    refused = run_counterapp(terminal, "keys", "reset", stdin="n\n")
    assert refused.code == 4 and "2 form(s)" in refused.stdout
    assert not (terminal / KEY_FILE).exists()

    done = run_counterapp(terminal, "keys", "reset", "--yes")
    assert done.code == 0, done.stderr
    assert run_counterapp(terminal, "keys", "status").code == 0
    audit = run_counterapp(terminal, "audit", "export")
    assert "key.reset" in audit.stdout
