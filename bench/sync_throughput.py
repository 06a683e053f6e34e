"""Sync throughput: batched vs one POST per form, and back-office ingest on SQLite vs PostgreSQL.

Run: ``python bench/sync_throughput.py [FORMS]`` (default 10,000). Starts a real
``backoffice serve`` (mutual TLS on loopback) per database, queues FORMS encrypted forms on
a terminal, and times ``Syncer.drain`` until everything is acknowledged and purged on the
terminal. The floor for the batching ratio is the same client and server sending one form
per request. PostgreSQL runs when Debian's postgresql is installed (.ci/install-system-deps).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from counterapp import outbox
from counterapp.audit import AuditLog
from counterapp.queue import FormQueue
from counterapp.settings import load_settings
from counterapp.store import open_database
from counterapp.sync import Syncer, http_client
from counterapp.vault import open_vault
from counterapp.wire import MAX_BATCH_ITEMS
from tests.backoffice.postgres import PostgresCluster, find_bin_dir
from tests.backoffice.server import BackofficeServer, running_backoffice
from tests.counterapp.sync.harness import queue_forms, setup_terminal


def timed_drain(folder: Path, batch_size: int) -> float:
    """Seconds to send everything queued in ``folder`` with ``batch_size`` forms per request."""
    settings = load_settings(folder)
    db = open_database(folder)
    queue = FormQueue(db, open_vault(folder, "t", "file"), AuditLog(db, terminal="t", operator="o"))
    with http_client(settings) as client:
        syncer = Syncer(queue, client, batch_size=batch_size)
        start = time.perf_counter()
        syncer.drain()
        elapsed = time.perf_counter() - start
    assert outbox.status(db).pending == 0
    db.conn.close()
    return elapsed


def terminal_with_forms(root: Path, server: BackofficeServer, name: str, forms: int) -> Path:
    folder = setup_terminal(root / name, server, server.issue_terminal(name))
    queue_forms(folder, forms)
    return folder


def measure(root: Path, forms: int, database_url: str | None, label: str) -> dict[str, float]:
    with running_backoffice(root / f"backoffice-{label}", database_url=database_url) as server:
        batched = timed_drain(
            terminal_with_forms(root, server, f"{label}-b", forms), MAX_BATCH_ITEMS
        )
        single_forms = max(200, forms // 10)  # one POST each: a tenth is enough for the rate
        single = timed_drain(terminal_with_forms(root, server, f"{label}-s", single_forms), 1)
    return {"batched": forms / batched, "single": single_forms / single}


def main(forms: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        rates = {"sqlite": measure(root, forms, None, "sqlite")}
        bin_dir = find_bin_dir()
        if bin_dir is not None:
            cluster = PostgresCluster(bin_dir)
            cluster.start()
            try:
                rates["postgresql"] = measure(root, forms, cluster.create_database(), "pg")
            finally:
                cluster.stop()
    print(f"sync of {forms} queued forms over mutual TLS on loopback (forms/s):")
    for backend, rate in rates.items():
        print(
            f"  {backend:<10} batched ({MAX_BATCH_ITEMS}/request) {rate['batched']:8.0f}   "
            f"one per request {rate['single']:7.0f}   ratio {rate['batched'] / rate['single']:.1f}x"
        )
    if "postgresql" in rates:
        ratio = rates["postgresql"]["batched"] / rates["sqlite"]["batched"]
        print(f"  ingest PostgreSQL / SQLite (batched): {ratio:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
