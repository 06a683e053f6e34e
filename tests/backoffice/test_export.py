"""``backoffice export``: received forms under the 住民記録システム標準仕様書 item names."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from backoffice.config import Settings
from backoffice.export import (
    columns_for,
    rows,
    stream_csv,
    stream_json,
    stream_rows,
    write_csv,
    write_json,
)
from backoffice.intake import receive_batch
from backoffice.store import Store
from cardreader.emulator.resident import DEFAULT_RESIDENT
from counterapp.wire.schema import IdentityMethod, SubmissionBatch, SubmissionItem, WireField
from tests.backoffice.forms import item

RECEIVED = dt.datetime(2026, 11, 20, 1, 30, tzinfo=dt.UTC)  # 10:30 JST
BOM = b"\xef\xbb\xbf"


@pytest.fixture
def data_dir(database_url: str | None, tmp_path: Path) -> Iterator[Path]:
    """A back office holding two forms from terminal kita-01, received at RECEIVED."""
    settings = Settings.build(tmp_path, database_url)
    store = Store.open(settings.database_url)
    try:
        terminal = store.add_terminal("kita-01", "ab" * 32, RECEIVED)
        forms = SubmissionBatch(items=(item(), _formula_item()))
        receive_batch(store, terminal.id, forms, [], RECEIVED)
    finally:
        store.close()
    yield tmp_path


def _formula_item() -> SubmissionItem:
    fields = (
        WireField(id="name", value='=HYPERLINK("http://x")', source="resident"),  # type: ignore[arg-type]
        WireField(id="purpose", value="就職", source="resident"),  # type: ignore[arg-type]
    )
    plain = item(form_id="juminhyo-request", event=None, fields=fields)
    return plain.model_copy(update={"ticket_number": "A-12"})  # the office's ticket machine


def export(
    data_dir: Path, database_url: str | None, *args: str
) -> subprocess.CompletedProcess[bytes]:
    env = dict(os.environ, BACKOFFICE_DATA_DIR=str(data_dir))
    env.pop("BACKOFFICE_DB", None)
    if database_url is not None:
        env["BACKOFFICE_DB"] = database_url
    return subprocess.run(
        [sys.executable, "-m", "backoffice", "export", *args],
        env=env,
        capture_output=True,
        check=False,
    )


def test_csv_has_a_bom_standard_item_names_and_the_values(
    data_dir: Path, database_url: str | None
) -> None:
    result = export(data_dir, database_url, "--since", "2026-11-20", "--format", "csv")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(BOM)  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(result.stdout.decode("utf-8-sig"))))
    assert len(rows) == 2
    header = list(rows[0])
    for column in ("受付ID", "端末", "受付日時", "様式", "署名検証結果"):
        assert column in header
    for column in ("氏名", "氏名フリガナ", "生年月日", "性別", "従前の住所", "新住所", "異動日"):
        assert column in header
    for column in ("世帯主氏名", "続柄", "個人番号", "電話番号"):
        assert column in header
    assert "move_kind" in header and "purpose" in header  # no standard item: the id stays
    move = rows[0]
    assert move["端末"] == "kita-01" and move["様式"] == "resident-move"
    assert move["受付日時"] == "2026-11-20T10:30:00+09:00"  # ISO 8601, JST
    assert move["氏名"] == DEFAULT_RESIDENT.name and move["個人番号"] == DEFAULT_RESIDENT.my_number
    assert move["従前の住所"] == DEFAULT_RESIDENT.address and move["生年月日"] == "1980-02-17"
    assert move["署名検証結果"] == "署名なし" and move["move_kind"] == "tennyu"
    # A resident's entry that Excel would run as a formula is neutralised.
    assert rows[1]["氏名"].startswith("'=") and rows[1]["purpose"] == "就職"
    # The ticket machine's number (optional on the wire) has its own column.
    assert (move["発券番号"], rows[1]["発券番号"]) == ("", "A-12")


def test_json_has_the_same_names_and_values(data_dir: Path, database_url: str | None) -> None:
    output = data_dir / "export.json"
    result = export(data_dir, database_url, "--format", "json", "--output", str(output))
    assert result.returncode == 0, result.stderr
    assert output.stat().st_mode & 0o777 == 0o600  # personal data
    forms = json.loads(output.read_text(encoding="utf-8"))
    assert [form["様式"] for form in forms] == ["resident-move", "juminhyo-request"]
    assert forms[0]["氏名"] == DEFAULT_RESIDENT.name and forms[0]["続柄"] == "世帯主"
    assert forms[0]["受付日時"] == "2026-11-20T10:30:00+09:00"
    assert forms[1]["氏名"] == '=HYPERLINK("http://x")'  # JSON keeps the value as it is


@pytest.mark.slow
def test_since_leaves_out_earlier_forms(data_dir: Path, database_url: str | None) -> None:
    result = export(data_dir, database_url, "--since", "2026-11-21", "--format", "json")
    assert result.returncode == 0 and json.loads(result.stdout) == []
    # 10:30 JST is after 10:00 JST, before 11:00 JST.
    later = export(data_dir, database_url, "--since", "2026-11-20T11:00", "--format", "json")
    earlier = export(data_dir, database_url, "--since", "2026-11-20T10:00", "--format", "json")
    assert json.loads(later.stdout) == [] and len(json.loads(earlier.stdout)) == 2


def test_a_bad_date_is_a_usage_error(data_dir: Path, database_url: str | None) -> None:
    result = export(data_dir, database_url, "--since", "20.11.2026")
    assert result.returncode == 4 and "YYYY-MM-DD" in result.stderr.decode()


def test_the_streamed_export_is_byte_for_byte_the_whole_result(
    data_dir: Path, database_url: str | None
) -> None:
    store = Store.open(Settings.build(data_dir, database_url).database_url)
    try:
        whole_columns, whole = rows(store.submissions())
        expected_csv, expected_json = io.BytesIO(), io.BytesIO()
        write_csv(whole_columns, whole, expected_csv)
        write_json(whole, expected_json)
        streamed_csv, streamed_json = io.BytesIO(), io.BytesIO()
        with store.snapshot() as snapshot:
            columns = columns_for(store.field_ids(snapshot))
            assert stream_csv(columns, stream_rows(store.iter_submissions(snapshot)), streamed_csv)
            assert stream_json(stream_rows(store.iter_submissions(snapshot)), streamed_json) == 2
            assert stream_json(iter(()), empty := io.BytesIO()) == 0
    finally:
        store.close()
    assert streamed_csv.getvalue() == expected_csv.getvalue()
    assert streamed_json.getvalue() == expected_json.getvalue()
    assert json.loads(empty.getvalue()) == []


def reopened_without(tmp_path: Path, column: str) -> Store:
    """A database whose submissions table lacks ``column`` (as made before it), reopened."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    store = Store.open(url)
    with store._write() as conn:
        conn.exec_driver_sql(f"alter table submissions drop column {column}")
    store.close()
    return Store.open(url)


def test_a_database_from_before_the_ticket_number_gets_its_column(tmp_path: Path) -> None:
    reopened = reopened_without(tmp_path, "ticket_number")  # as the first release made it
    try:
        terminal = reopened.add_terminal("kita-01", "cd" * 32, RECEIVED)
        receive_batch(
            reopened, terminal.id, SubmissionBatch(items=(_formula_item(),)), [], RECEIVED
        )
        (stored,) = reopened.submissions()
        assert stored.ticket_number == "A-12"
    finally:
        reopened.close()


def test_a_database_from_before_the_identity_method_reads_its_forms_as_pin(
    database_url: str | None, tmp_path: Path
) -> None:
    url = Settings.build(tmp_path, database_url).database_url
    store = Store.open(url)
    try:
        terminal = store.add_terminal("kita-01", "cd" * 32, RECEIVED)
        receive_batch(store, terminal.id, SubmissionBatch(items=(item(),)), [], RECEIVED)
        with store._write() as conn:  # the table as a release before the identity method
            conn.exec_driver_sql("alter table submissions drop column identity_method")
    finally:
        store.close()
    reopened = Store.open(url)
    try:
        manual = _formula_item().model_copy(update={"identity_method": IdentityMethod.MANUAL})
        receive_batch(reopened, terminal.id, SubmissionBatch(items=(manual,)), [], RECEIVED)
        _, exported = rows(reopened.submissions())
    finally:
        reopened.close()
    assert [row["本人確認方法"] for row in exported] == [
        "マイナンバーカード（暗証番号）",
        "カードを使わずに受付（手入力）",
    ]


def test_an_item_from_a_terminal_without_the_identity_method_is_read_with_the_pins() -> None:
    old = item().model_dump(mode="json", exclude={"identity_method"})
    assert SubmissionItem.model_validate(old).identity_method is IdentityMethod.PIN
    with pytest.raises(ValueError, match="identity_method"):
        SubmissionItem.model_validate({**old, "identity_method": "fingerprint"})
