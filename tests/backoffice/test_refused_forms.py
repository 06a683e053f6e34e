"""A form the back office refuses for good is not silently left behind: ``sync --once`` exits
1 and says so, ``doctor`` is red, ``queue list`` marks it, and a person resends or discards it
(audited). The terminal itself no longer queues such a value (control characters are refused
at entry); the form here was queued by an older version, straight into the queue."""

from __future__ import annotations

from pathlib import Path

import pytest

from counterapp.audit import AuditLog
from counterapp.forms.loader import load_library
from counterapp.forms.prefill import Answers, fill_form
from counterapp.keyguard import open_queue
from counterapp.settings import load_settings
from counterapp.store import open_database
from tests.backoffice.server import running_backoffice
from tests.counterapp.cli_runner import run_counterapp
from tests.counterapp.conftest import CONTEXT, card_of
from tests.counterapp.sync.harness import setup_terminal

pytestmark = pytest.mark.slow  # a real back office over mutual TLS


def queue_old_form_with(folder: Path, value: str) -> str:
    """A form whose free text holds ``value``, queued without the entry checks."""
    settings = load_settings(folder)
    db = open_database(folder)
    try:
        queue = open_queue(settings, AuditLog(db, terminal="t", operator="o"))
        form = load_library().forms["juminhyo-request"]
        filled = fill_form(form, card_of(), Answers(resident={"copies": "1"}), CONTEXT)
        (record_id,) = queue.save(
            [filled.with_value("copies", value, filled.value("copies").source)], visit="v"
        )
        return record_id
    finally:
        db.conn.close()


def test_a_refused_form_is_reported_and_discarded_by_a_person(tmp_path: Path) -> None:
    with running_backoffice(tmp_path / "backoffice") as server:
        terminal = setup_terminal(tmp_path / "terminal", server, server.issue_terminal("kita-11"))
        record_id = queue_old_form_with(terminal, "1\x00\x1b]0;owned\x07")

        synced = run_counterapp(terminal, "sync", "--once")
        assert synced.code == 1 and "queue discard" in synced.stderr
        assert run_counterapp(terminal, "sync", "--once").code == 1  # until a person acts

        doctor = run_counterapp(terminal, "doctor", "--json")
        (line,) = [f for f in doctor.json() if f["part"] == "rejected"]
        assert doctor.code == 1 and line["health"] == "fail"
        listed = run_counterapp(terminal, "queue", "list").stdout
        assert "submission.invalid" in listed and "action needed" in listed
        shown = run_counterapp(terminal, "queue", "show", record_id).stdout
        assert "\x1b" not in shown and "\\x1b" in shown  # never printed raw

        assert run_counterapp(terminal, "queue", "discard", record_id, "--yes").code == 0
        assert run_counterapp(terminal, "sync", "--once").code == 0
    entries = run_counterapp(terminal, "queue", "list", "--json").json()
    assert [e["status"] for e in entries] == ["purged"]
    audit = run_counterapp(terminal, "audit", "export").stdout
    assert "form.discarded" in audit
