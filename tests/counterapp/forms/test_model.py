"""The form model: person groups, filer roles and their documents, conditions, deadlines,
address parts proposed from the chip, partly unknown dates — and that all of it survives
the encrypted queue and reaches the back office's wire record."""

from __future__ import annotations

from pathlib import Path

import pytest

from cardreader.emulator.resident import DEFAULT_RESIDENT, LONG_ADDRESS_RESIDENT
from counterapp.audit import AuditLog
from counterapp.forms.address import split_address
from counterapp.forms.filled import FilledForm, Source
from counterapp.forms.loader import LoadedForm, load_form
from counterapp.forms.prefill import Answers, add_card_row, add_hand_row, fill_form
from counterapp.forms.validation import deadline_warnings, problems
from counterapp.queue import FormQueue
from counterapp.store import open_database
from counterapp.vault import open_vault
from tests.counterapp.conftest import CONTEXT, card_of

SAMPLE = Path(__file__).parent / "samples" / "household.yaml"
MOVED = {"move_date": "2026-11-20", "filer_role": "self"}


@pytest.fixture
def household() -> LoadedForm:
    return load_form(SAMPLE)


def _filled(form: LoadedForm, **answers: str) -> FilledForm:
    filled = fill_form(form, card_of(), Answers(clerk={**MOVED, **answers}), CONTEXT)
    return filled.with_value("town", filled.value("town").value, Source.CLERK)


def _keys(filled: FilledForm) -> dict[str, str]:
    return {p.field_id: p.key for p in problems(filled)}


def test_the_card_holder_is_row_one_and_other_members_are_added_by_card_or_by_hand(
    household: LoadedForm,
) -> None:
    filled = _filled(household)
    (holder,) = filled.rows("movers")
    assert holder.value("name").value == DEFAULT_RESIDENT.name and not holder.by_hand
    assert holder.value("name").source is Source.IC_CHIP
    filled = add_card_row(filled, "movers", card_of(LONG_ADDRESS_RESIDENT), CONTEXT)
    filled = add_hand_row(filled, "movers", {"name": "番号　太郎", "birth_date": "2024-05"})
    names = [row.value("name").value for row in filled.rows("movers")]
    assert names == [DEFAULT_RESIDENT.name, LONG_ADDRESS_RESIDENT.name, "番号　太郎"]
    child = filled.rows("movers")[2]
    assert child.by_hand and child.value("name").source is Source.CLERK
    assert child.value("my_number").value == ""  # no card: nothing from a chip
    assert _keys(filled) == {}  # a partly unknown birth date (2024-05) is a valid value


def test_a_group_refuses_too_few_and_too_many_rows(household: LoadedForm) -> None:
    filled = _filled(household)
    assert "movers" not in _keys(filled)
    assert _keys(filled.without_row("movers", 0))["movers"] == "group.too_few"
    for name in ("一", "二", "三"):
        filled = add_hand_row(filled, "movers", {"name": name, "birth_date": "2000"})
    assert _keys(filled)["movers"] == "group.too_many"


def test_a_row_value_is_checked_under_its_flat_id(household: LoadedForm) -> None:
    filled = add_hand_row(_filled(household), "movers", {"name": "番号　太郎"})
    filled = filled.with_row_value("movers", 1, "birth_date", "2024-13", Source.CLERK)
    assert _keys(filled) == {"movers.2.birth_date": "field.date"}


def test_an_agent_cannot_file_until_the_letter_of_proxy_is_checked(household: LoadedForm) -> None:
    filled = _filled(household, filer_role="delegate")
    assert _keys(filled) == {"proxy_letter_checked": "field.document_required"}
    checked = filled.with_value("proxy_letter_checked", "true", Source.CLERK)
    assert _keys(checked) == {}


def test_a_field_whose_condition_does_not_hold_is_not_checked(household: LoadedForm) -> None:
    filled = _filled(household)  # filed by the resident: no letter of proxy asked for
    assert filled.value("proxy_letter_checked").value == ""
    assert "proxy_letter_checked" not in _keys(filled)


def test_the_clerk_is_warned_when_the_deadline_has_passed(household: LoadedForm) -> None:
    late = _filled(household, move_date="2026-11-01")  # 22 days before the filing date
    (warning,) = deadline_warnings(late, CONTEXT.today)
    assert warning.ja == "転入から14日を過ぎています"
    assert deadline_warnings(_filled(household), CONTEXT.today) == ()


def test_an_address_part_split_from_the_chip_must_be_confirmed(household: LoadedForm) -> None:
    filled = fill_form(household, card_of(), Answers(clerk=MOVED), CONTEXT)
    town = filled.value("town")
    assert (town.value, town.source) == ("霞が関", Source.PROPOSED)
    assert _keys(filled) == {"town": "field.unconfirmed"}
    corrected = filled.with_value("town", "霞が関", Source.CLERK)
    assert _keys(corrected) == {} and corrected.value("town").chip_value == "霞が関"


@pytest.mark.parametrize(
    ("one_line", "parts"),
    [
        (
            "東京都千代田区霞が関２丁目１番２号",
            ("東京都", "千代田区", "霞が関", "２丁目１番２号", ""),
        ),
        (
            "神奈川県横浜市中区山下町1番地 ○○ハイツ101",
            ("神奈川県", "横浜市中区", "山下町", "1番地", "○○ハイツ101"),
        ),
        ("埼玉県入間郡三芳町藤久保1100-1", ("埼玉県", "入間郡三芳町", "藤久保", "1100-1", "")),
        (
            "北海道札幌市中央区北一条西二丁目1",
            ("北海道", "札幌市中央区", "北一条西", "二丁目1", ""),
        ),
    ],
)
def test_the_chip_address_is_split_into_the_parts_a_residence_record_keeps(
    one_line: str, parts: tuple[str, ...]
) -> None:
    split = split_address(one_line)
    names = ("prefecture", "municipality", "town", "block", "building")
    assert tuple(split.part(name) for name in names) == parts


def test_rows_survive_the_encrypted_queue_and_travel_on_the_wire(
    household: LoadedForm, tmp_path: Path
) -> None:
    db = open_database(tmp_path)
    queue = FormQueue(
        db, open_vault(tmp_path, "t1", "file"), AuditLog(db, terminal="t1", operator="o1")
    )
    filled = add_hand_row(
        _filled(household), "movers", {"name": "番号　太郎", "birth_date": "2024"}
    )
    (record_id,) = queue.save([filled], visit="v1")
    stored = queue.open(record_id, "show").filled
    assert stored.rows("movers") == filled.rows("movers")
    assert stored.canonical() == filled.canonical()
    (item,) = queue.wire_items([record_id])
    (group,) = item.groups
    assert group.id == "movers" and [r.by_hand for r in group.rows] == [False, True]
    assert group.rows[1].fields[0].value == "番号　太郎"
    assert item.canonical() == filled.canonical()  # the back office checks the same bytes


def test_a_form_without_groups_has_the_same_canonical_bytes_as_before() -> None:
    from counterapp.wire.schema import canonical_form_bytes

    before = b'{"form":"f","version":1,"definition_sha256":"00","fields":[["a","1"]]}'
    assert canonical_form_bytes("f", 1, "00", [("a", "1")]) == before


def test_a_date_of_birth_may_be_partly_unknown_only_where_the_form_allows(
    household: LoadedForm,
) -> None:
    row = household.definition.group("movers").field("birth_date")
    assert row.partial
    filled = _filled(household)
    filled = filled.with_row_value("movers", 0, "birth_date", "1980-02", Source.CLERK)
    assert _keys(filled) == {}
    filled = filled.with_value("move_date", "2026-11", Source.CLERK)
    assert _keys(filled) == {"move_date": "field.date"}
