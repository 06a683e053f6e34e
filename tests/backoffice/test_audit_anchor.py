"""The terminal's audit log anchored at the back office: each sync sends the new entries,
and ``backoffice audit verify`` names what was done to the terminal's copy afterwards."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from counterapp.store import DATABASE_FILE
from tests.backoffice.server import BackofficeServer, running_backoffice
from tests.counterapp.cli_runner import run_counterapp
from tests.counterapp.sync.harness import queue_forms, setup_terminal
from tests.counterapp.test_audit import _rechain, _rows

pytestmark = pytest.mark.slow  # a real server and terminal syncs


def _delete_database(folder: Path) -> None:
    for path in folder.glob(DATABASE_FILE + "*"):
        path.unlink()


def _rewrite_and_rehash(folder: Path) -> None:
    rows = _rows(folder)
    rows[1]["operator"] = "someone-else"
    _rechain(folder, rows)


def _cut_tail(folder: Path) -> None:
    _rechain(folder, _rows(folder)[:-3])


def _wipe(folder: Path) -> None:
    connection = sqlite3.connect(folder / DATABASE_FILE)
    with connection:
        connection.executescript("DELETE FROM audit; DELETE FROM audit_tip;")
    connection.close()


ATTACKS: dict[str, tuple[Callable[[Path], None], str]] = {
    "deleted-database": (_delete_database, "at entry 1: entry sent again with other content"),
    "rewrite-rehash": (_rewrite_and_rehash, "at entry 8: entry sent again with other content"),
    "tail-cut": (_cut_tail, "at entry 8: entry sent again with other content"),
    "wipe": (_wipe, "at entry 8: entry sent again with other content"),
}


def _verify(server: BackofficeServer, name: str) -> tuple[int, str]:
    result = server.cli("audit", "verify", "--terminal", name, check=False)
    return result.returncode, result.stdout + result.stderr


def _synced(folder: Path) -> None:
    result = run_counterapp(folder, "sync", "--once")
    assert result.code == 0, result.stderr


def test_each_attack_on_the_terminal_log_is_named_at_the_back_office(tmp_path: Path) -> None:
    with running_backoffice(tmp_path / "bo") as server:
        for index, (attack, (tamper, named)) in enumerate(ATTACKS.items()):
            name = f"kita-{index:02d}"
            folder = setup_terminal(tmp_path / attack, server, server.issue_terminal(name))
            queue_forms(folder, 2)
            _synced(folder)
            code, output = _verify(server, name)
            assert code == 0 and "audit copy intact" in output, output
            tamper(folder)
            queue_forms(folder, 2)  # the terminal goes on working and syncing
            _synced(folder)
            code, output = _verify(server, name)
            assert code == 1, (attack, output)
            assert named in output, (attack, output)


def test_an_unknown_terminal_is_a_usage_error(tmp_path: Path) -> None:
    with running_backoffice(tmp_path / "bo") as server:
        code, output = _verify(server, "nobody")
    assert code == 4 and "nobody" in output
