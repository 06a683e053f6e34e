"""Kill -9 harness: the syncing process and the back office die at random points, and
afterwards the back office holds exactly the queued forms — none lost, none twice.

Used by the tests (≥ 100 trials) and by ``bench/sync_crash_trials.py`` (≥ 500 trials).
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from counterapp import outbox
from counterapp.audit import AuditLog
from counterapp.forms.loader import load_library
from counterapp.forms.prefill import Answers, fill_form
from counterapp.queue import FormQueue
from counterapp.settings import load_settings
from counterapp.store import open_database
from counterapp.sync import FAILPOINT_ENV, Syncer, http_client
from counterapp.vault import open_vault
from tests.backoffice.server import BackofficeServer, TerminalCredentials
from tests.counterapp.conftest import CONTEXT, card_of

FAILPOINTS = ("before_send", "after_response", "mid_commit")
MODES = (*(f"client@{point}" for point in FAILPOINTS), "client@random", "server@random")


@dataclass
class Tally:
    trials: int = 0
    queued: int = 0
    lost: int = 0
    duplicated: int = 0
    by_mode: Counter[str] = field(default_factory=Counter)


def setup_terminal(folder: Path, server: BackofficeServer, terminal: TerminalCredentials) -> Path:
    """A terminal data folder that syncs to ``server`` with ``terminal``'s certificate."""
    tls = folder / "tls"
    tls.mkdir(parents=True, exist_ok=True)
    shutil.copy(terminal.cert, tls / "terminal.crt")
    shutil.copy(terminal.key, tls / "terminal.key")
    shutil.copy(terminal.ca, tls / "ca.crt")
    (tls / "terminal.key").chmod(0o600)
    sealing = terminal.cert.parent / "sealing.pem"  # the back office's public sealing key
    if sealing.exists():
        shutil.copy(sealing, tls / "sealing.pem")
    (folder / "settings.toml").write_text(
        f'backoffice_url = "{server.url}"\nterminal_id = "{terminal.name}"\n'
        'key_store = "file"\nsync_batch_size = 4\n',
        encoding="utf-8",
    )
    return folder


def queue_forms(folder: Path, count: int) -> list[str]:
    """Queue ``count`` filled forms on the terminal (in this process, then close)."""
    db = open_database(folder)
    try:
        queue = FormQueue(
            db, open_vault(folder, "t", "file"), AuditLog(db, terminal="t", operator="o")
        )
        form = load_library().forms["juminhyo-request"]
        filled = fill_form(form, card_of(), Answers(resident={"copies": "1"}), CONTEXT)
        return [record_id for _ in range(count) for record_id in queue.save([filled], visit="v")]
    finally:
        db.conn.close()


def sync_process(folder: Path, failpoint: str | None) -> subprocess.Popen[str]:
    env = dict(os.environ)
    env.pop(FAILPOINT_ENV, None)
    if failpoint:
        env[FAILPOINT_ENV] = failpoint
    command = [sys.executable, "-m", "counterapp", "--data-dir", str(folder), "sync", "--once"]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )


def kill_at_failpoint(process: subprocess.Popen[str], timeout: float = 30) -> bool:
    """Wait for the process to announce its failpoint, then kill -9 it; False if it ended."""
    assert process.stderr is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if line.startswith("FAILPOINT"):
            process.send_signal(signal.SIGKILL)
            process.wait()
            return True
        if not line and process.poll() is not None:
            return False
    process.kill()
    process.wait()
    raise AssertionError("the sync process neither reached its failpoint nor ended")


def kill_after(process: subprocess.Popen[str], seconds: float) -> None:
    time.sleep(seconds)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait()


def drain(folder: Path, server: BackofficeServer) -> None:
    """Recover and send everything, as the next start of the terminal would."""
    settings = load_settings(folder)
    db = open_database(folder)
    try:
        queue = FormQueue(
            db, open_vault(folder, "t", "file"), AuditLog(db, terminal="t", operator="o")
        )
        with http_client(settings) as client:
            syncer = Syncer(queue, client, batch_size=settings.sync_batch_size)
            syncer.recover()
            syncer.drain()
            state = outbox.status(db)
            assert state.pending == state.sending == state.failed == 0, state
    finally:
        db.conn.close()


def stored_ids(server: BackofficeServer) -> Counter[str]:
    """How many rows the back office holds per client id."""
    store = server.open_store()
    try:
        return Counter(submission.client_id for submission in store.submissions())
    finally:
        store.close()


def run_trial(
    rng: random.Random, folder: Path, server: BackofficeServer, tally: Tally, mode: str
) -> list[str]:
    """Queue a few forms, kill something at a point chosen by ``mode``, drain; return ids."""
    ids = queue_forms(folder, rng.randint(1, 9))
    where, point = mode.split("@")
    process = sync_process(folder, point if point in FAILPOINTS else None)
    if point in FAILPOINTS:
        kill_at_failpoint(process)
    elif where == "client":
        kill_after(process, rng.uniform(0.0, 1.6))  # anywhere from start-up to the last commit
    else:
        time.sleep(rng.uniform(0.3, 1.6))
        server.kill()
        server.start()
        process.wait(timeout=60)
    drain(folder, server)
    tally.trials += 1
    tally.by_mode[mode] += 1
    return ids


def run_trials(root: Path, server: BackofficeServer, trials: int, seed: int) -> Tally:
    """``trials`` crash trials on one terminal; checks the back office's content at the end."""
    terminal = server.issue_terminal(f"crash-{seed}")
    folder = setup_terminal(root / f"terminal-{seed}", server, terminal)
    rng = random.Random(seed)
    tally = Tally()
    queued: list[str] = []
    for index in range(trials):
        queued += run_trial(rng, folder, server, tally, MODES[index % len(MODES)])
    stored = stored_ids(server)
    mine = {client_id: n for client_id, n in stored.items() if client_id in set(queued)}
    tally.queued = len(queued)
    tally.lost = len(set(queued) - set(mine))
    tally.duplicated = sum(n - 1 for n in mine.values()) + len(queued) - len(set(queued))
    return tally
