"""How the resident was identified (pin, pinless, manual) travels with every form: the
terminal's queue, ``queue list --json``, the wire, the back office's store and its export
(「本人確認方法」) — also when a form is delivered as its copy sealed for the back office."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from counterapp.audit import AuditLog
from counterapp.forms.loader import load_library
from counterapp.forms.prefill import Answers, fill_form
from counterapp.keyguard import open_queue
from counterapp.settings import load_settings
from counterapp.store import open_database
from counterapp.vault import KEY_FILE
from counterapp.wire.schema import IdentityMethod
from tests.backoffice.server import BackofficeServer, running_backoffice
from tests.counterapp.cli_runner import run_counterapp
from tests.counterapp.conftest import CONTEXT, card_of
from tests.counterapp.sync.harness import setup_terminal

pytestmark = pytest.mark.slow  # a real back office over mutual TLS

BY_CARD, BY_HAND = "マイナンバーカード（暗証番号）", "カードを使わずに受付（手入力）"


def queue_form(folder: Path, method: IdentityMethod) -> str:
    """One form queued as the terminal queues it (sealed for the back office too)."""
    settings = load_settings(folder)
    db = open_database(folder)
    try:
        queue = open_queue(settings, AuditLog(db, terminal=settings.terminal_id, operator="o"))
        form = load_library().forms["juminhyo-request"]
        filled = fill_form(form, card_of(), Answers(resident={"copies": "1"}), CONTEXT)
        (record_id,) = queue.save([filled], visit=f"v-{method}", identity_method=method)
        return record_id
    finally:
        db.conn.close()


def exported_methods(server: BackofficeServer) -> dict[str, str]:
    exported = server.cli("export", "--format", "csv").stdout
    rows = csv.DictReader(io.StringIO(exported.lstrip("\ufeff")))
    return {row["受付ID"]: row["本人確認方法"] for row in rows}


def test_the_identity_method_reaches_the_export_also_from_a_sealed_copy(tmp_path: Path) -> None:
    with running_backoffice(tmp_path / "backoffice") as server:
        terminal = setup_terminal(tmp_path / "terminal", server, server.issue_terminal("kita-07"))
        by_card = queue_form(terminal, IdentityMethod.PIN)
        by_hand = queue_form(terminal, IdentityMethod.MANUAL)
        listed = run_counterapp(terminal, "queue", "list", "--json").json()
        assert {row["id"]: row["identity_method"] for row in listed} == {
            by_card: "pin",
            by_hand: "manual",
        }
        assert run_counterapp(terminal, "sync", "--once").code == 0
        assert exported_methods(server) == {by_card: BY_CARD, by_hand: BY_HAND}

        # The terminal loses its key: the next manual form arrives as its sealed copy.
        sealed = queue_form(terminal, IdentityMethod.MANUAL)
        (terminal / KEY_FILE).unlink()
        synced = run_counterapp(terminal, "sync", "--once", "--json")
        assert synced.code == 0, synced.stderr
        assert exported_methods(server)[sealed] == BY_HAND
