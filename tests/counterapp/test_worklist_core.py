"""The core of the clerk's working layer: numbers, drafts, retention and the wire field."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from counterapp.audit import AuditLog
from counterapp.forms.loader import load_library
from counterapp.forms.prefill import Answers, fill_form
from counterapp.queue import FormQueue, QueueEntry
from counterapp.reception import InvalidTicketNumber, allocate, ticket_number
from counterapp.retention import last_day_kept, purged_at_end_of
from counterapp.store import open_database
from counterapp.vault import open_vault
from counterapp.wire.schema import SubmissionItem
from tests.counterapp.conftest import CONTEXT, card_of

FRIDAY = dt.date(2026, 11, 27)


@pytest.fixture
def queue(tmp_path: Path) -> FormQueue:
    db = open_database(tmp_path)
    return FormQueue(
        db, open_vault(tmp_path, "t1", "file"), AuditLog(db, terminal="t1", operator="o1")
    )


def _juminhyo(copies: str = "") -> object:
    form = load_library().forms["juminhyo-request"]
    from cardreader.emulator.resident import DEFAULT_RESIDENT

    return fill_form(form, card_of(DEFAULT_RESIDENT), Answers(resident={"copies": copies}), CONTEXT)


def test_reception_numbers_are_short_digits_per_day_and_restart_the_next_day(
    queue: FormQueue,
) -> None:
    today, tomorrow = dt.date(2026, 11, 26), dt.date(2026, 11, 27)
    with queue.db.atomic():
        numbers = [allocate(queue.db, "2", today) for _ in range(3)]
    assert numbers == ["2001", "2002", "2003"]
    assert allocate(queue.db, "2", tomorrow) == "2001"
    with pytest.raises(ValueError):
        allocate(queue.db, "A", today)


def test_a_rolled_back_save_hands_out_no_number(queue: FormQueue) -> None:
    day = dt.date(2026, 11, 26)
    with pytest.raises(RuntimeError), queue.db.atomic():
        allocate(queue.db, "1", day)
        raise RuntimeError("the save failed")
    assert allocate(queue.db, "1", day) == "1001"


def test_completing_a_reopened_draft_replaces_its_rows_in_one_transaction(
    queue: FormQueue,
) -> None:
    day = dt.date(2026, 11, 26)
    number, (draft,) = queue.save_numbered(
        [_juminhyo()], visit="v1", number=lambda: allocate(queue.db, "1", day), queue=False
    )  # type: ignore[list-item]
    (stored,) = queue.reopen_drafts("v1")
    assert stored.entry.id == draft and stored.entry.reception_number == number
    _, (done,) = queue.save_numbered(
        [_juminhyo("1")], visit="v1", number=lambda: allocate(queue.db, "1", day), replaces=[draft]
    )  # type: ignore[list-item]
    assert [(e.id, e.worklist_status) for e in queue.entries()] == [(done, "pending")]
    assert queue.db.execute("select id from outbox").fetchall() == [(done,)]
    assert queue.db.execute(
        "select count(*) from form_values where record_id = ?", [draft]
    ).fetchone() == (0,)


def test_a_failed_replacement_keeps_the_draft(queue: FormQueue) -> None:
    day = dt.date(2026, 11, 26)
    _, (draft,) = queue.save_numbered(
        [_juminhyo()], visit="v1", number=lambda: allocate(queue.db, "1", day), queue=False
    )  # type: ignore[list-item]
    with pytest.raises(Exception):  # noqa: B017 - a replaced id that is not a draft
        queue.save_numbered(
            [_juminhyo("1")],  # type: ignore[list-item]
            visit="v1",
            number=lambda: allocate(queue.db, "1", day),
            replaces=[draft, "01NOTADRAFT0000000000000000"],
        )
    assert [(e.id, e.worklist_status) for e in queue.entries()] == [(draft, "draft")]


def test_a_draft_is_kept_until_the_end_of_the_next_business_day() -> None:
    assert last_day_kept(dt.date(2026, 11, 26), 1) == FRIDAY  # Thursday → Friday
    assert last_day_kept(FRIDAY, 1) == dt.date(2026, 11, 30)  # Friday → Monday
    assert last_day_kept(dt.date(2026, 11, 28), 1) == dt.date(2026, 11, 30)  # Saturday
    assert last_day_kept(FRIDAY, 0) == FRIDAY


def _draft_saved(day: dt.date) -> QueueEntry:
    saved = dt.datetime.combine(day, dt.time(10, 0)).astimezone()
    return QueueEntry(
        "id", "v", None, "juminhyo-request", 1, "draft", False,
        saved.astimezone(dt.UTC).isoformat(), None, 0, None, None,
    )  # fmt: skip


def test_the_purge_and_the_warning_pick_the_same_drafts() -> None:
    thursday = _draft_saved(dt.date(2026, 11, 26))
    friday = _draft_saved(FRIDAY)
    at_friday_close = purged_at_end_of(FRIDAY, 1)
    assert at_friday_close(thursday) and not at_friday_close(friday)
    assert purged_at_end_of(dt.date(2026, 11, 30), 1)(friday)  # Monday's close


def test_the_ticket_number_is_optional_on_the_wire(queue: FormQueue) -> None:
    _, (record,) = queue.save_numbered(
        [_juminhyo("1")],  # type: ignore[list-item]
        visit="v1",
        number=lambda: allocate(queue.db, "1", dt.date.today()),
        ticket_number="A-12",
    )
    (item,) = queue.wire_items([record])
    assert item.ticket_number == "A-12"
    old = item.model_dump(mode="json", exclude={"ticket_number"})  # a terminal of before
    assert SubmissionItem.model_validate(old).ticket_number is None
    with pytest.raises(ValidationError):
        SubmissionItem.model_validate({**old, "ticket_number": "<script>"})


def test_a_ticket_number_typed_full_width_is_kept_half_width_and_junk_is_refused() -> None:
    assert ticket_number("Ａ－１２") == "A-12"
    assert ticket_number("  ") is None
    with pytest.raises(InvalidTicketNumber):
        ticket_number("番号12")
