"""kill -9 at any point, of the terminal's sync or of the back office: nothing lost, nothing twice.

Runs on both back-office databases (SQLite and PostgreSQL). Each trial queues 1-9 forms,
starts ``counterapp sync --once`` and kills it at a failpoint (before the send, after the
server stored but before the terminal recorded the ack, inside the ack's transaction) or
at a random moment, or kills the back office itself at a random moment and restarts it;
then the terminal drains as its next start would.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.backoffice.server import running_backoffice
from tests.counterapp.sync.harness import MODES, run_trials

TRIALS = int(os.environ.get("SYNC_CRASH_TRIALS", "100"))

pytestmark = pytest.mark.slow  # left out of the fast tier (see README)


def test_the_back_office_holds_exactly_the_queued_forms_after_random_kills(
    tmp_path: Path, database_url: str | None
) -> None:
    with running_backoffice(tmp_path / "backoffice", database_url=database_url) as server:
        tally = run_trials(tmp_path, server, TRIALS, seed=len(str(database_url)))
    assert tally.trials == TRIALS and set(tally.by_mode) == set(MODES)
    print(f"\n{database_url or 'sqlite'}: {tally}")
    assert (tally.lost, tally.duplicated) == (0, 0), tally
