"""The sync client against a real HTTPS server that goes away, flaps and misbehaves."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from counterapp import outbox
from counterapp.audit import AuditLog
from counterapp.outbox import Owner
from counterapp.queue import FormQueue
from counterapp.store import open_database
from counterapp.sync import Schedule, ServerUnavailable, Syncer, parse_retry_after
from counterapp.vault import open_vault
from tests.counterapp.sync.conftest import ClientFactory, free_port, queue_forms
from tests.counterapp.sync.scripted_server import Behaviour, scripted_server
from tests.counterapp.sync.tls import Pki

FAST = Schedule(idle=0.05, max_wait=1.0, crl_every=3600)


def _wait_until(condition: object, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


class Background:
    """A sync worker thread with its own database connection, as the GUI will run it."""

    def __init__(self, queue: FormQueue, client: httpx.Client, batch_size: int) -> None:
        self.stop = threading.Event()
        self.requests = 0
        folder = Path(queue.db.execute("pragma database_list").fetchone()[2]).parent
        self.thread = threading.Thread(
            target=self._run, args=(folder, client, batch_size), daemon=True
        )  # daemon: a failed assertion before finish() must not hang the test run
        self.thread.start()

    def _run(self, folder: Path, client: httpx.Client, batch_size: int) -> None:
        db = open_database(folder)
        own = FormQueue(
            db, open_vault(folder, "t1", "file"), AuditLog(db, terminal="t1", operator="o")
        )
        self.syncer = Syncer(own, client, batch_size=batch_size)
        try:
            self.syncer.run(self.stop, FAST)
        finally:
            db.conn.close()

    def finish(self) -> None:
        self.stop.set()
        self.thread.join(10)


@pytest.mark.slow
def test_an_outage_is_waited_out_without_spinning_and_drained_afterwards(
    queue: FormQueue, pki: Pki, client_for: ClientFactory
) -> None:
    ids = queue_forms(queue, 12)
    port = free_port()
    attempts: list[float] = []
    client = client_for(port)
    client.event_hooks["request"] = [lambda _request: attempts.append(time.monotonic())]
    worker = Background(queue, client, batch_size=5)
    # The back office is down (connection refused): the worker keeps trying, backing off with
    # jitter (about two tries a second here); a busy loop tries 50+ times a second.
    _wait_until(lambda: len(attempts) >= 5)
    first, *_, fifth = attempts[:5]
    assert 4 / (fifth - first) < 20, "retrying without backing off"
    assert outbox.status(queue.db).pending == 12
    with scripted_server(pki, port, Behaviour()) as server:
        _wait_until(lambda: outbox.status(queue.db).sent == 12)
        worker.finish()
    assert sorted(server.stored) == sorted(ids)
    assert {e.status for e in queue.entries()} == {"purged"}
    assert outbox.status(queue.db).last_error == "sync.network"


@pytest.mark.slow
def test_errors_garbage_drops_and_slowness_delay_but_never_lose_or_double_a_form(
    queue: FormQueue, pki: Pki, client_for: ClientFactory
) -> None:
    ids = queue_forms(queue, 7)
    port = free_port()
    behaviour = Behaviour(script=["500", "429", "garbage", "drop", "slow", "partial"])
    with scripted_server(pki, port, behaviour):
        worker = Background(queue, client_for(port, timeout=0.5), batch_size=3)
        _wait_until(lambda: outbox.status(queue.db).sent == 7)
        worker.finish()
    assert sorted(behaviour.stored) == sorted(ids)  # each exactly once
    steps = [step for _, step in behaviour.requests]
    assert steps[:6] == ["500", "429", "garbage", "drop", "slow", "partial"]
    after_429 = behaviour.requests[2][0] - behaviour.requests[1][0]
    assert after_429 >= behaviour.retry_after  # Retry-After is honoured
    assert len(steps) <= 12  # bounded: the bad answers, then a few batches


def test_a_rejected_form_is_failed_with_the_reason_and_never_resent(
    queue: FormQueue, pki: Pki, client_for: ClientFactory
) -> None:
    first, second = queue_forms(queue, 2)
    port = free_port()
    with scripted_server(pki, port, Behaviour(script=["reject:1"])) as server:
        syncer = Syncer(queue, client_for(port))
        report = syncer.drain()
        assert (report.accepted, report.rejected) == (1, 1)
        assert syncer.drain().batches == 0  # nothing due: the failed form is not resent
    assert server.stored == [first]
    entry = queue.entry(second)
    assert (entry.outbox_status, entry.last_error) == ("failed", "submission.test")
    assert outbox.status(queue.db).failed == 1


def test_a_conflict_is_a_permanent_failure_with_its_reason(
    queue: FormQueue, pki: Pki, client_for: ClientFactory
) -> None:
    first, second = queue_forms(queue, 2)
    port = free_port()
    with scripted_server(pki, port, Behaviour(script=["conflict:1"])) as server:
        syncer = Syncer(queue, client_for(port))
        assert syncer.drain().rejected == 1
        assert syncer.drain().batches == 0  # never resent
    assert server.stored == [first]
    entry = queue.entry(second)
    assert (entry.status, entry.outbox_status, entry.last_error) == (
        "queued",  # its data stays on the terminal for the clerk to deal with
        "failed",
        "submission.conflict",
    )


def test_a_form_the_server_did_not_answer_is_sent_again(
    queue: FormQueue, pki: Pki, client_for: ClientFactory
) -> None:
    ids = queue_forms(queue, 3)
    port = free_port()
    with scripted_server(pki, port, Behaviour(script=["partial"])) as server:
        syncer = Syncer(queue, client_for(port), batch_size=3)
        syncer.drain()
    assert sorted(server.stored) == sorted(ids)
    assert outbox.status(queue.db).sent == 3


def test_a_send_that_fails_gives_its_rows_back_with_the_attempt_counted(
    queue: FormQueue, client_for: ClientFactory
) -> None:
    (record_id,) = queue_forms(queue, 1)
    syncer = Syncer(queue, client_for(free_port()))
    try:
        syncer.drain()
    except ServerUnavailable as exc:
        assert exc.reason == "sync.network"
    else:
        raise AssertionError("the back office is down: drain must raise")
    entry = queue.entry(record_id)
    assert (entry.outbox_status, entry.attempts, entry.last_error) == (
        "pending",
        1,
        "sync.unavailable",
    )


def test_rows_of_a_dead_process_are_recovered_but_not_those_of_a_live_one(
    queue: FormQueue, client_for: ClientFactory
) -> None:
    dead_id, live_id = queue_forms(queue, 2)
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    dead = Owner(child.pid, time.time())
    child.wait()
    now = dt.datetime.now(dt.UTC)
    outbox.claim(queue.db, dead, 1, now)
    outbox.claim(queue.db, Owner.current(), 1, now)
    assert outbox.status(queue.db).sending == 2
    assert Syncer(queue, client_for(free_port())).recover() == 1
    assert queue.entry(dead_id).outbox_status == "pending"
    assert queue.entry(live_id).outbox_status == "sending"


def test_retry_after_is_read_as_seconds_or_as_a_date() -> None:
    now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Mon, 23 Nov 2026 12:00:30 GMT", now) == 30
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None
