"""Durable enqueue of one filled form, p50/p99, against raw sqlite3 with the same durability.

Run: ``python bench/enqueue.py [ROUNDS]``. Both sides write to the same disk with WAL and
synchronous=FULL and commit once per form. The floor inserts the values the queue stores
(the form's fields, and per person-group row a marker and its fields) as plain rows, its
outbox row and an audit row with ``sqlite3`` directly; the product adds per-record keys,
AES-256-GCM per value, the definition row and hash-chained audit entries.
Rounds alternate so both sides see the same machine.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cardreader.emulator.resident import DEFAULT_RESIDENT
from cardreader.mynumber import MyNumber
from counterapp.audit import AuditLog
from counterapp.forms.filled import CardData, FilledForm
from counterapp.forms.loader import load_library
from counterapp.forms.prefill import Answers, Context, fill_form
from counterapp.queue import FormQueue, new_id
from counterapp.store import open_database
from counterapp.vault import open_vault

WARMUP = 20


def sample_form() -> FilledForm:
    """The 住民異動届 of the default test resident, as a 転入 visit fills it."""
    resident = DEFAULT_RESIDENT
    card = CardData(
        resident.name,
        resident.address,
        resident.birth_date,
        resident.sex,
        MyNumber(resident.my_number),
    )
    library = load_library()
    context = Context(dt.date.today(), "千代田区")
    return fill_form(
        library.forms["resident-move"], card, Answers(), context, {"move_kind": "tennyu"}
    )


def floor_connection(folder: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(folder / "floor.db", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=FULL")
    connection.execute("create table forms (id text primary key, form_id text, created_at text)")
    connection.execute(
        "create table form_values (record_id text, field_id text, value text, "
        "primary key (record_id, field_id))"
    )
    connection.execute("create table outbox (id text primary key, status text, created_at text)")
    connection.execute("create table audit (seq integer primary key, event text, record_id text)")
    return connection


def floor_enqueue(connection: sqlite3.Connection, filled: FilledForm) -> None:
    record_id, now = new_id(), dt.datetime.now(dt.UTC).isoformat()
    connection.execute("BEGIN")
    connection.execute("insert into forms values (?, ?, ?)", (record_id, filled.form_id, now))
    connection.executemany(
        "insert into form_values values (?, ?, ?)",
        [(record_id, v.field_id, v.value) for v in filled.stored_values()],
    )
    connection.execute("insert into outbox values (?, 'pending', ?)", (record_id, now))
    connection.execute(
        "insert into audit (event, record_id) values ('form.queued', ?)", (record_id,)
    )
    connection.execute("COMMIT")


def timed(work: object) -> float:
    start = time.perf_counter_ns()
    work()  # type: ignore[operator]
    return (time.perf_counter_ns() - start) / 1e6


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main(rounds: int) -> None:
    filled = sample_form()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as folder:
        base = Path(folder)
        db = open_database(base / "product")
        vault = open_vault(base / "product", "bench", "file")
        queue = FormQueue(db, vault, AuditLog(db, terminal="bench", operator="bench"))
        floor = floor_connection(base)
        ours: list[float] = []
        raw: list[float] = []
        for index in range(rounds + WARMUP):
            a = timed(lambda: queue.save([filled], visit="bench"))
            b = timed(lambda: floor_enqueue(floor, filled))
            if index >= WARMUP:
                ours.append(a)
                raw.append(b)
    fields, stored = len(filled.values), len(filled.stored_values())
    print(
        f"durable enqueue of one form ({fields} fields, {stored} values stored with its rows),"
        f" {rounds} rounds, ms:"
    )
    for name, samples in (("counterapp FormQueue.save", ours), ("raw sqlite3 floor", raw)):
        p50, p99 = percentile(samples, 0.5), percentile(samples, 0.99)
        print(f"  {name:<26} p50 {p50:6.2f}  p99 {p99:6.2f}  mean {statistics.fmean(samples):6.2f}")
    print(
        f"ratio p50 {percentile(ours, 0.5) / percentile(raw, 0.5):.2f}x  "
        f"p99 {percentile(ours, 0.99) / percentile(raw, 0.99):.2f}x  (target p99 <= 1.5x)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300)
