"""Received forms as CSV or JSON for the 住民記録システム: one row per person per form,
columns named after the standard's data items (see standard_items.py).

A form with person groups (異動者, 被保険者, 児童 ...) gives one row per person: the form's
own columns, the person's fields under the standard item names, and which list, which
person and how the row was made (the person's own card, or by hand). A form without
groups gives one row, as before. See docs/export-items.md.

CSV is UTF-8 with a BOM so that Excel in a Japanese office opens it as UTF-8, not
Shift_JIS. Times are ISO 8601 in Japan Standard Time with their offset.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, BinaryIO

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
    "人員区分",  # the person group (異動者 ...) of a person row; empty for a form without
    "人員番号",  # the person's place in that group, from 1
    "入力方法",  # ICカード (the person's own card) or 手入力 (a member without a card)
)
ROW_MADE_BY = {False: "ICカード", True: "手入力"}
# A form field on a person row whose column the person's own field takes (e.g. the
# 届出人's 氏名 on the row of each person moving) goes under this prefix.
FORM_FIELD_PREFIX = "届出:"
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
    """The column names and one row per person per form."""
    result = list(stream_rows(submissions))
    field_columns = {column for row in result for column in row} - set(META_COLUMNS)
    return [*META_COLUMNS, *_ordered(field_columns)], result


def columns_for(field_ids: Iterable[str], person_field_ids: Iterable[str] = ()) -> list[str]:
    """The export's columns for forms holding these field ids (metadata first)."""
    form_names = {item_name(field_id) for field_id in field_ids}
    person_names = {item_name(field_id) for field_id in person_field_ids}
    moved = {FORM_FIELD_PREFIX + name for name in form_names & person_names}
    names = (form_names | person_names | moved) - set(META_COLUMNS)
    return [*META_COLUMNS, *_ordered(names)]


def stream_rows(submissions: Iterable[StoredSubmission]) -> Iterator[Row]:
    """One row per person per form, made as the forms are read (nothing is held)."""
    for submission in submissions:
        yield from _rows(submission)


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


def _rows(submission: StoredSubmission) -> Iterator[Row]:
    """The form's row, or (a form with persons listed) one row per person."""
    form = _row(submission)
    groups = json.loads(submission.groups_json) if submission.groups_json else []
    people = [(group["id"], n, r) for group in groups for n, r in enumerate(group["rows"], 1)]
    if not people:
        yield form
        return
    for group_id, number, person in people:
        yield _person_row(form, group_id, number, person)


def _person_row(form: Row, group_id: str, number: int, person: dict[str, Any]) -> Row:
    own = {item_name(field["id"]): field["value"] for field in person["fields"]}
    row = {
        (FORM_FIELD_PREFIX + column if column in own else column): value
        for column, value in form.items()
        if column not in META_COLUMNS
    }
    meta = {column: form[column] for column in META_COLUMNS if column in form}
    made_by = ROW_MADE_BY[bool(person.get("by_hand"))]
    return {
        **meta,
        "人員区分": group_id,
        "人員番号": str(number),
        "入力方法": made_by,
        **row,
        **own,
    }


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
