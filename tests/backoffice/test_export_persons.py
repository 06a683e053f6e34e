"""``backoffice export`` of a household's forms: one row per person per form."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

from backoffice.config import Settings
from backoffice.export import columns_for, stream_csv, stream_rows
from backoffice.intake import receive_batch
from backoffice.store import Store
from counterapp.wire.schema import SubmissionBatch, WireField, WireGroup, WireRow
from tests.backoffice.forms import RESIDENT_NAME, item
from tests.backoffice.test_export import reopened_without

RECEIVED = dt.datetime(2026, 11, 20, 1, 30, tzinfo=dt.UTC)
PARTNER, CHILD = "番号　太郎", "番号　さくら"


def _person(name: str, birth: str, *, by_hand: bool) -> WireRow:
    source = "clerk" if by_hand else "ic_chip"
    return WireRow(
        by_hand=by_hand,
        fields=(
            WireField(id="name", value=name, source=source),  # type: ignore[arg-type]
            WireField(id="birth_date", value=birth, source=source),  # type: ignore[arg-type]
            WireField(id="relationship", value="子" if by_hand else "妻", source="clerk"),  # type: ignore[arg-type]
        ),
    )


def _household_item() -> object:
    movers = WireGroup(
        id="movers",
        rows=(
            _person(RESIDENT_NAME, "1980-02-17", by_hand=False),
            _person(PARTNER, "1978-09-03", by_hand=False),
            _person(CHILD, "2019-05-05", by_hand=True),
        ),
    )
    return item().model_copy(update={"groups": (movers,)})


def _exported(tmp_path: Path, database_url: str | None) -> list[dict[str, str]]:
    store = Store.open(Settings.build(tmp_path, database_url).database_url)
    try:
        terminal = store.add_terminal("kita-01", "ab" * 32, RECEIVED)
        batch = SubmissionBatch(items=(_household_item(), item(form_id="juminhyo-request")))  # type: ignore[arg-type]
        receive_batch(store, terminal.id, batch, [], RECEIVED)
        out = io.BytesIO()
        with store.snapshot() as snapshot:
            columns = columns_for(store.field_ids(snapshot), store.person_field_ids(snapshot))
            stream_csv(columns, stream_rows(store.iter_submissions(snapshot)), out)
    finally:
        store.close()
    return list(csv.DictReader(io.StringIO(out.getvalue().decode("utf-8-sig"))))


def test_a_household_form_gives_one_row_per_person_with_the_standard_item_names(
    tmp_path: Path, database_url: str | None
) -> None:
    rows = _exported(tmp_path, database_url)
    moves = [row for row in rows if row["様式"] == "resident-move"]
    assert [row["氏名"] for row in moves] == [RESIDENT_NAME, PARTNER, CHILD]
    assert [row["生年月日"] for row in moves] == ["1980-02-17", "1978-09-03", "2019-05-05"]
    assert [row["人員番号"] for row in moves] == ["1", "2", "3"]
    assert {row["人員区分"] for row in moves} == {"movers"}
    assert [row["入力方法"] for row in moves] == ["ICカード", "ICカード", "手入力"]
    assert [row["続柄"] for row in moves] == ["妻", "妻", "子"]
    # the form's own values are on every person's row; its 氏名 (the filer's) moves aside
    assert {row["届出:氏名"] for row in moves} == {RESIDENT_NAME}
    assert {row["新住所"] for row in moves} == {"東京都千代田区千代田1番1号"}
    assert len({row["受付ID"] for row in moves}) == 1


def test_a_form_without_persons_is_one_row_as_before(tmp_path: Path) -> None:
    (single,) = [row for row in _exported(tmp_path, None) if row["様式"] == "juminhyo-request"]
    assert single["氏名"] == RESIDENT_NAME
    assert single["人員区分"] == single["入力方法"] == single["届出:氏名"] == ""


def test_a_database_from_before_person_lists_gets_their_column(tmp_path: Path) -> None:
    reopened = reopened_without(tmp_path, "person_groups")
    try:
        terminal = reopened.add_terminal("kita-01", "cd" * 32, RECEIVED)
        batch = SubmissionBatch(items=(_household_item(),))  # type: ignore[arg-type]
        receive_batch(reopened, terminal.id, batch, [], RECEIVED)
        (stored,) = reopened.submissions()
        assert stored.groups_json is not None
        (movers,) = json.loads(stored.groups_json)
        assert [person["by_hand"] for person in movers["rows"]] == [False, False, True]
    finally:
        reopened.close()
