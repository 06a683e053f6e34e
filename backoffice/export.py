"""Received forms as CSV or JSON for the 住民記録システム: one row per form, columns named
after the standard's data items (see standard_items.py).

CSV is UTF-8 with a BOM so that Excel in a Japanese office opens it as UTF-8, not
Shift_JIS. Times are ISO 8601 in Japan Standard Time with their offset.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import BinaryIO

from backoffice.problems import SIGNATURE_TEXTS
from backoffice.standard_items import STANDARD_ITEM_NAMES, item_name
from backoffice.store import SignatureStatus, StoredSubmission
from counterapp.wire.schema import IDENTITY_METHOD_LABELS, IdentityMethod

JST = dt.timezone(dt.timedelta(hours=9), "JST")  # Japan has no daylight saving time

META_COLUMNS = (
    "受付ID",
    "端末",
    "受付日時",
    "作成日時",
    "来庁ID",
    "発券番号",
    "本人確認方法",
    "ライフイベント",
    "様式",
    "様式版",
    "署名検証結果",
    "署名検証理由",
)
SIGNATURE_LABELS = {
    SignatureStatus.VALID: "有効",
    SignatureStatus.INVALID: "無効",
    SignatureStatus.UNVERIFIED: "未検証",
    SignatureStatus.UNSIGNED: "署名なし",
}
# Excel runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = dict[str, str]


class ExportError(ValueError):
    """An unusable --since value."""


def parse_since(value: str) -> dt.datetime:
    """A date (midnight JST) or an ISO 8601 date-time (JST when it has no offset)."""
    try:
        if len(value) == len("2026-01-01"):
            return dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), JST)
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise ExportError(
            f"日付は YYYY-MM-DD で指定してください / not an ISO 8601 date: {value!r}"
        ) from exc
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=JST)


def rows(submissions: Iterable[StoredSubmission]) -> tuple[list[str], list[Row]]:
    """The column names and one row per form."""
    result = [_row(submission) for submission in submissions]
    field_columns = {column for row in result for column in row} - set(META_COLUMNS)
    return [*META_COLUMNS, *_ordered(field_columns)], result


def columns_for(field_ids: Iterable[str]) -> list[str]:
    """The export's columns for forms holding these field ids (metadata first)."""
    names = {item_name(field_id) for field_id in field_ids} - set(META_COLUMNS)
    return [*META_COLUMNS, *_ordered(names)]


def stream_rows(submissions: Iterable[StoredSubmission]) -> Iterator[Row]:
    """One row per form, made as the forms are read (nothing is held)."""
    return (_row(submission) for submission in submissions)


def stream_csv(columns: Sequence[str], data: Iterable[Row], stream: BinaryIO) -> int:
    """Like ``write_csv``, row by row; returns how many rows were written."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(columns)
    count = 0
    for row in data:
        writer.writerow([_cell(row.get(column, "")) for column in columns])
        count += 1
    text.flush()
    text.detach()
    return count


def stream_json(data: Iterable[Row], stream: BinaryIO) -> int:
    """Like ``write_json`` (the same bytes), object by object; returns how many."""
    count = 0
    for row in data:
        body = json.dumps(row, ensure_ascii=False, indent=2).replace("\n", "\n  ")
        stream.write(("[\n  " if count == 0 else ",\n  ").encode("utf-8") + body.encode("utf-8"))
        count += 1
    stream.write(b"\n]\n" if count else b"[]\n")
    return count


def write_csv(columns: Sequence[str], data: Sequence[Row], stream: BinaryIO) -> None:
    """CSV with a header row, UTF-8 with BOM, CRLF line ends (what Excel expects)."""
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")
    writer = csv.writer(text)
    writer.writerow(columns)
    for row in data:
        writer.writerow([_cell(row.get(column, "")) for column in columns])
    text.flush()
    text.detach()


def write_json(data: Sequence[Row], stream: BinaryIO) -> None:
    """A JSON array of objects keyed by the same column names as the CSV."""
    stream.write(json.dumps(list(data), ensure_ascii=False, indent=2).encode("utf-8"))
    stream.write(b"\n")


def _row(submission: StoredSubmission) -> Row:
    row: Row = {
        "受付ID": submission.client_id,
        "端末": submission.terminal_name,
        "受付日時": _iso(submission.received_at),
        "作成日時": _iso(submission.created_at),
        "来庁ID": submission.visit,
        "発券番号": submission.ticket_number or "",
        "本人確認方法": _identity(submission.identity_method),
        "ライフイベント": submission.event or "",
        "様式": submission.form_id,
        "様式版": str(submission.form_version),
        "署名検証結果": SIGNATURE_LABELS[submission.signature_status],
        "署名検証理由": _reason(submission.signature_reason),
    }
    for field in json.loads(submission.fields_json):
        row[item_name(field["id"])] = field["value"]
    return row


def _identity(method: str) -> str:
    """How the resident was identified, in words (an unknown method stays as it is)."""
    try:
        return IDENTITY_METHOD_LABELS[IdentityMethod(method)][0]
    except ValueError:
        return method


def _reason(key: str | None) -> str:
    if key is None:
        return ""
    text = SIGNATURE_TEXTS.get(key)
    return key if text is None else f"{key}: {text.ja}"


def _ordered(columns: set[str]) -> list[str]:
    standard = [name for name in STANDARD_ITEM_NAMES.values() if name in columns]
    return standard + sorted(columns - set(standard))


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(JST).isoformat(timespec="seconds")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA_STARTS) else value
