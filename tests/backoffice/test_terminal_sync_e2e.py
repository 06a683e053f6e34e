"""The whole path: a counter visit queues forms, ``counterapp sync --once`` delivers them over
mutual TLS, the terminal forgets them, and ``backoffice export`` lists them with standard names."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from cardreader.emulator.resident import DEFAULT_RESIDENT
from counterapp.emulation import emulator_crls
from counterapp.store import DATABASE_FILE
from tests.backoffice.server import running_backoffice
from tests.counterapp.cli_runner import run_counterapp
from tests.counterapp.sync.harness import queue_forms, setup_terminal
from tests.counterapp.test_cli_verify import PINS

pytestmark = pytest.mark.slow  # left out of the fast tier (see README)

ANSWERS = "questions: {need_juminhyo: true}\nresident: {copies: 2}\n"


def test_forms_filled_at_the_counter_reach_the_back_office_export(tmp_path: Path) -> None:
    crls = [tmp_path / "auth.crl", tmp_path / "sign.crl"]
    for path, crl in zip(crls, emulator_crls(dt.datetime.now(dt.UTC)), strict=True):
        path.write_bytes(crl.public_bytes(Encoding.DER))
    with running_backoffice(tmp_path / "backoffice", crls=crls) as server:
        terminal = setup_terminal(tmp_path / "terminal", server, server.issue_terminal("kita-01"))
        with (terminal / "settings.toml").open("a", encoding="utf-8") as settings:
            settings.write('municipality = "千代田区"\n')
        # The first sync brings the back office's CRLs: without them no card is genuine.
        assert run_counterapp(terminal, "sync", "--once").code == 0
        assert len(list((terminal / "crl" / "backoffice").glob("*.crl"))) == 2
        (tmp_path / "answers.yaml").write_text(ANSWERS, encoding="utf-8")
        filled = run_counterapp(
            terminal, "form", "fill", "証明書の請求", "--simulate", "valid",
            "--answers", str(tmp_path / "answers.yaml"), "--json", stdin=PINS,
        )  # fmt: skip
        assert filled.code == 0, filled.stderr
        (record_id,) = [form["id"] for form in filled.json()["forms"]]

        synced = run_counterapp(terminal, "sync", "--once", "--json")
        assert synced.code == 0, synced.stderr
        assert synced.json()["accepted"] == 1
        exported = server.cli("export", "--format", "csv").stdout

    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    (row,) = [r for r in rows if r["受付ID"] == record_id]
    assert (row["氏名"], row["住所"]) == (DEFAULT_RESIDENT.name, DEFAULT_RESIDENT.address)
    assert row["生年月日"] == "1980-02-17"
    status = run_counterapp(terminal, "sync", "--status", "--json").json()
    assert (status["pending"], status["sent"], status["last_error"]) == (0, 1, None)
    assert (
        run_counterapp(terminal, "queue", "list", "--json").json()[0]["record_status"] == "purged"
    )
    raw = b"".join(p.read_bytes() for p in terminal.glob(DATABASE_FILE + "*"))
    assert DEFAULT_RESIDENT.name.encode() not in raw


def test_a_disabled_terminal_is_refused_and_keeps_its_forms(tmp_path: Path) -> None:
    with running_backoffice(tmp_path / "backoffice") as server:
        terminal = setup_terminal(tmp_path / "terminal", server, server.issue_terminal("kita-02"))
        queue_forms(terminal, 2)
        server.cli("terminals", "disable", "kita-02")
        result = run_counterapp(terminal, "sync", "--once")
        assert result.code == 4 and "拒否" in result.stderr
        assert server.open_store().count_submissions() == 0
    status = run_counterapp(terminal, "sync", "--status", "--json").json()
    assert (status["pending"], status["sent"]) == (2, 0)
