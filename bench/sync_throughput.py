"""Sync throughput: batched vs one POST per form, and back-office ingest on SQLite vs PostgreSQL.

Run from the repository root: ``python bench/sync_throughput.py [FORMS]`` (default 10,000).
Starts a real ``backoffice serve`` (mutual TLS on loopback) per database, queues FORMS
encrypted forms on a terminal, and times ``Syncer.drain`` until everything is acknowledged
and purged on the terminal — at the largest batch the wire allows and at the product's
default batch size (``sync_batch_size``). The floor for the batching ratio is the same client
and server sending one form per request. PostgreSQL runs when Debian's postgresql is
installed (.ci/install-system-deps).
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import fields
from pathlib import Path

# ``python bench/x.py`` puts bench/ on sys.path, not the repository root; the harness it
# shares with the tests lives in tests/.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from counterapp import outbox
from counterapp.audit import AuditLog
from counterapp.queue import FormQueue
from counterapp.settings import Settings, load_settings
from counterapp.store import open_database
from counterapp.sync import Syncer, http_client
from counterapp.vault import open_vault
from counterapp.wire.schema import MAX_BATCH_ITEMS
from tests.backoffice.postgres import PostgresCluster, find_bin_dir
from tests.backoffice.server import BackofficeServer, running_backoffice
from tests.counterapp.sync.harness import queue_forms, setup_terminal

DEFAULT_BATCH = next(f.default for f in fields(Settings) if f.name == "sync_batch_size")
assert isinstance(DEFAULT_BATCH, int)
BATCH_SIZES = {"largest": MAX_BATCH_ITEMS, "default": DEFAULT_BATCH}


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
    """Forms per second for each of ``BATCH_SIZES`` and for one form per request."""
    rates: dict[str, float] = {}
    with running_backoffice(root / f"backoffice-{label}", database_url=database_url) as server:
        for name, size in BATCH_SIZES.items():
            folder = terminal_with_forms(root, server, f"{label}-{name}", forms)
            rates[name] = forms / timed_drain(folder, size)
        single_forms = max(200, forms // 10)  # one POST each: a tenth is enough for the rate
        single = timed_drain(terminal_with_forms(root, server, f"{label}-s", single_forms), 1)
    rates["single"] = single_forms / single
    return rates


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
        print(f"  {backend:<10} one per request {rate['single']:7.0f}")
        for name, size in BATCH_SIZES.items():
            print(
                f"  {'':<10} {name} batch ({size}/request) {rate[name]:8.0f}   "
                f"ratio {rate[name] / rate['single']:.1f}x"
            )
    if "postgresql" in rates:
        for name in BATCH_SIZES:
            ratio = rates["postgresql"][name] / rates["sqlite"][name]
            print(f"  ingest PostgreSQL / SQLite ({name} batch): {ratio:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
