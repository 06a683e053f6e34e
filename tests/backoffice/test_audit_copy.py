"""The back office's copy of a terminal's audit log: gaps, rewrites and bad hashes are named."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from backoffice.audit import GENESIS, receive_audit, verify_terminal
from backoffice.config import Settings
from backoffice.store import Store, Terminal
from counterapp.wire.audit import AuditBatch, AuditRecord
from counterapp.wire.auditchain import canonical_audit_bytes

NOW = dt.datetime(2026, 4, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def held(database_url: str | None, tmp_path: Path) -> Iterator[tuple[Store, Terminal]]:
    store = Store.open(Settings.build(tmp_path, database_url).database_url)
    try:
        yield store, store.add_terminal("kita-01", "a" * 64, NOW)
    finally:
        store.close()


def chain(count: int, operator: str = "o1") -> list[AuditRecord]:
    """``count`` well-formed entries as a terminal writes them."""
    records, prev = [], GENESIS
    for seq in range(1, count + 1):
        fields = (seq, f"2026-04-01T09:00:{seq:02d}", "kita-01", operator, "card.read", None,
                  {"verdict": "genuine"}, prev)  # fmt: skip
        digest = hashlib.sha256(canonical_audit_bytes(*fields)).hexdigest()
        records.append(AuditRecord(seq=seq, at=fields[1], terminal="kita-01", operator=operator,
                                   event="card.read", detail={"verdict": "genuine"},
                                   prev_hash=prev, hash=digest))  # fmt: skip
        prev = digest
    return records


def send(store: Store, terminal: Terminal, records: list[AuditRecord]) -> int:
    return receive_audit(store, terminal.id, AuditBatch(entries=tuple(records)), NOW).last_seq


def test_an_intact_copy_verifies_and_resending_is_harmless(held: tuple[Store, Terminal]) -> None:
    store, terminal = held
    records = chain(6)
    assert send(store, terminal, records[:4]) == 4
    assert send(store, terminal, records[3:]) == 6  # the overlap entry again
    assert verify_terminal(store, terminal.id).ok


def test_a_gap_is_named(held: tuple[Store, Terminal]) -> None:
    store, terminal = held
    records = chain(6)
    send(store, terminal, records[:2])
    send(store, terminal, records[4:])
    verdict = verify_terminal(store, terminal.id)
    assert (verdict.first_bad, verdict.problem) == (3, "entries 3..4 missing (gap)")


def test_a_rewritten_entry_is_named_and_the_first_copy_kept(held: tuple[Store, Terminal]) -> None:
    store, terminal = held
    send(store, terminal, chain(5))
    send(store, terminal, chain(7, operator="someone-else")[2:])
    verdict = verify_terminal(store, terminal.id)
    assert verdict.first_bad == 3 and verdict.problem.startswith("entry sent again")
    assert [e.operator for e in store.audit_chain(terminal.id)][:5] == ["o1"] * 5


def test_an_entry_that_does_not_match_its_hash_is_not_kept(held: tuple[Store, Terminal]) -> None:
    store, terminal = held
    records = chain(3)
    forged = records[2].model_copy(update={"event": "form.sent"})
    send(store, terminal, [*records[:2], forged])
    verdict = verify_terminal(store, terminal.id)
    assert (verdict.first_bad, verdict.problem) == (
        3,
        "entry sent with a hash that does not match it",
    )


@pytest.mark.parametrize(("seq", "taken"), [(1, True), (1.0, True), ("1", False), (True, False)])
def test_a_sequence_number_is_a_json_integer(seq: object, taken: bool) -> None:
    """As the published schema says: 1 and 1.0 are the same number; "1" and true are not."""
    entry = chain(1)[0].model_dump(mode="json") | {"seq": seq}
    body = json.dumps({"entries": [entry]})
    if taken:
        assert AuditBatch.model_validate_json(body).entries[0].seq == 1
    else:
        with pytest.raises(ValidationError):
            AuditBatch.model_validate_json(body)
