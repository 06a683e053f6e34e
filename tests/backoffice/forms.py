"""Submission items as a terminal sends them.

Server-only: no terminal code (tests/backoffice/test_server_install.py runs the intake tests
with these helpers where only the back office is installed). Signed items come from
``tests.backoffice.card_signed``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ulid import ULID

from counterapp.wire.schema import SubmissionBatch, SubmissionItem, WireField

SIGNED_AT = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
DEFINITION_SHA256 = "5f" * 32
# The emulator's default resident (cardreader/emulator/resident.py), written out so that
# these helpers need no terminal code; test_export checks the export against the emulator's.
RESIDENT_NAME = "番号　花子"
RESIDENT_ADDRESS = "東京都千代田区霞が関２丁目１番２号"
RESIDENT_MY_NUMBER = "123456789018"

# 住民異動届 (転入) as the terminal fills it: chip values, the resident's and the clerk's.
MOVE_FIELDS = (
    ("application_date", "2026-11-20", "system"),
    ("municipality", "千代田区", "system"),
    ("move_kind", "tennyu", "event"),
    ("move_date", "2026-11-15", "resident"),
    ("name", RESIDENT_NAME, "ic_chip"),
    ("name_kana", "バンゴウ ハナコ", "resident"),
    ("birth_date", "1980-02-17", "ic_chip"),
    ("sex", "2", "ic_chip"),
    ("previous_address", RESIDENT_ADDRESS, "ic_chip"),
    ("new_address", "東京都千代田区千代田1番1号", "resident"),
    ("householder_name", RESIDENT_NAME, "resident"),
    ("relationship_to_householder", "世帯主", "resident"),
    ("phone", "03-1234-5678", "resident"),
    ("my_number", RESIDENT_MY_NUMBER, "ic_chip"),
)


def client_id() -> str:
    """A fresh ULID, as the terminal's queue makes them."""
    return str(ULID())


def item(**changes: Any) -> SubmissionItem:
    """A valid 住民異動届 item with a fresh client id; keyword arguments replace attributes."""
    fields = tuple(
        WireField(id=field_id, value=value, source=source)  # type: ignore[arg-type]
        for field_id, value, source in MOVE_FIELDS
    )
    values: dict[str, Any] = {
        "client_id": client_id(),
        "visit": "visit-0001",
        "event": "moving-in",
        "form_id": "resident-move",
        "form_version": 1,
        "definition_sha256": DEFINITION_SHA256,
        "created_at": SIGNED_AT,
        "fields": fields,
    }
    values.update(changes)
    return SubmissionItem(**values)


def with_value(original: SubmissionItem, field_id: str, value: str) -> SubmissionItem:
    """The item with one field's value changed, keeping its signature; a new client id."""
    fields = tuple(
        f.model_copy(update={"value": value}) if f.id == field_id else f for f in original.fields
    )
    return original.model_copy(update={"fields": fields, "client_id": client_id()})


def batch(*items: SubmissionItem) -> dict[str, Any]:
    """The JSON body of POST /v1/submissions."""
    return SubmissionBatch(items=items).model_dump(mode="json")
