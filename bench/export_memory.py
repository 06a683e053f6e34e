"""Peak memory of ``backoffice export`` as the number of received forms grows.

Run from the repository root: ``python bench/export_memory.py [--million]``.
Fills a SQLite back office with 10,000 and 100,000 forms (and 1,000,000 with --million:
a few minutes) of 14 fields each, then runs ``backoffice export`` (CSV and JSON, to a file)
in a child process and prints its peak RSS. The floor is the same command on an empty
database: the process with everything imported and nothing to export. For comparison it
also measures the previous way, building the whole result in memory (``export.rows``).
A streaming export stays flat: peak/floor near 1 whatever the count.
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from backoffice.config import Settings
from backoffice.store import NewSubmission, SignatureStatus, Store

CHUNK = 2000
FIELDS_JSON = (
    '[{"id":"application_date","value":"2026-11-20","source":"system","chip_value":null},'
    '{"id":"municipality","value":"千代田区","source":"system","chip_value":null},'
    '{"id":"move_kind","value":"tennyu","source":"event","chip_value":null},'
    '{"id":"move_date","value":"2026-11-15","source":"resident","chip_value":null},'
    '{"id":"name","value":"番号　花子","source":"ic_chip","chip_value":null},'
    '{"id":"name_kana","value":"バンゴウ ハナコ","source":"resident","chip_value":null},'
    '{"id":"birth_date","value":"1980-02-17","source":"ic_chip","chip_value":null},'
    '{"id":"sex","value":"2","source":"ic_chip","chip_value":null},'
    '{"id":"previous_address","value":"東京都千代田区霞が関２丁目１番２号","source":"ic_chip",'
    '"chip_value":null},'
    '{"id":"new_address","value":"東京都千代田区千代田1番1号","source":"resident","chip_value":null},'
    '{"id":"householder_name","value":"番号　花子","source":"resident","chip_value":null},'
    '{"id":"relationship_to_householder","value":"世帯主","source":"resident","chip_value":null},'
    '{"id":"phone","value":"03-1234-5678","source":"resident","chip_value":null},'
    '{"id":"my_number","value":"123456789018","source":"ic_chip","chip_value":null}]'
)
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
OLD_WAY = (
    "import sys; from backoffice import export; from backoffice.config import Settings; "
    "from backoffice.store import Store; s = Store.open(Settings.build(__import__('pathlib')"
    ".Path(sys.argv[1]), None).database_url); c, d = export.rows(s.submissions()); "
    "export.write_csv(c, d, open(sys.argv[2], 'wb'))"
)


def client_id(number: int) -> str:
    digits = []
    for _ in range(26):
        number, rest = divmod(number, 32)
        digits.append(CROCKFORD[rest])
    return "".join(reversed(digits))


def fill(data_dir: Path, count: int) -> None:
    store = Store.open(Settings.build(data_dir, None).database_url)
    now = dt.datetime.now(dt.UTC)
    terminal = store.add_terminal("kita-01", "ab" * 32, now)
    for start in range(0, count, CHUNK):
        rows = [
            NewSubmission(
                client_id=client_id(number),
                form_id="resident-move",
                form_version=1,
                definition_sha256="5f" * 32,
                event="moving-in",
                visit=f"visit-{number}",
                created_at=now,
                fields_json=FIELDS_JSON,
                signature=None,
                signature_status=SignatureStatus.UNSIGNED,
                signature_reason=None,
                ticket_number=None,
                identity_method="pin",
                groups_json=None,
            )
            for number in range(start, min(start + CHUNK, count))
        ]
        store.store_batch(terminal.id, rows, now)
    store.close()


def peak_rss_mib(command: list[str]) -> float:
    """Peak RSS of ``command`` run in a fresh child of a fresh child (only it is counted)."""
    probe = (
        "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True, "
        "stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *command], check=True, capture_output=True, text=True
    )
    return int(done.stdout.strip()) / 1024  # ru_maxrss is KiB on Linux


def export_command(data_dir: Path, fmt: str, output: Path) -> list[str]:
    return [sys.executable, "-m", "backoffice", "export", "--data-dir", str(data_dir),
            "--format", fmt, "--output", str(output)]  # fmt: skip


def measure(root: Path, count: int, floor: float, old_way: bool) -> None:
    data_dir = root / f"bo-{count}"
    started = time.monotonic()
    fill(data_dir, count)
    filled = time.monotonic() - started
    results = []
    for fmt in ("csv", "json"):
        output = root / f"export-{count}.{fmt}"
        started = time.monotonic()
        peak = peak_rss_mib(export_command(data_dir, fmt, output))
        took = time.monotonic() - started
        results.append(f"{fmt} {peak:7.1f} MiB ({peak / floor:4.2f}x floor, {took:5.1f} s)")
        output.unlink()
    line = f"{count:>9,} forms (filled in {filled:5.1f} s): " + "; ".join(results)
    if old_way:
        peak = peak_rss_mib([sys.executable, "-c", OLD_WAY, str(data_dir), str(root / "old.csv")])
        line += f"; in memory (before) csv {peak:7.1f} MiB ({peak / floor:4.2f}x floor)"
    print(line, flush=True)
    for path in data_dir.glob("backoffice.db*"):
        path.unlink()


def main() -> None:
    counts = [10_000, 100_000] + ([1_000_000] if "--million" in sys.argv else [])
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        empty = root / "bo-empty"
        Store.open(Settings.build(empty, None).database_url).close()
        floor = peak_rss_mib(export_command(empty, "csv", root / "empty.csv"))
        print(f"floor: backoffice export with nothing to export, peak RSS {floor:.1f} MiB")
        for count in counts:
            measure(root, count, floor, old_way=count <= 100_000)
    print(f"(python {sys.version.split()[0]}, {os.cpu_count()} CPUs, SQLite)")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
