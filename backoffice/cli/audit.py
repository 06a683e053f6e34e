"""``backoffice audit verify --terminal NAME``: check a terminal's audit copy held here."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from backoffice.audit import verify_terminal
from backoffice.cli.common import EXIT_FAILURE, data_options, open_store, usage_errors
from backoffice.config import Settings


@click.group("audit")
def audit_group() -> None:
    """端末の監査ログ（控え）/ terminals' audit logs as received here."""


@audit_group.command("verify")
@click.option("--terminal", "name", required=True, help="The terminal's registered name.")
@data_options
@usage_errors
def audit_verify(name: str, data_dir: Path | None, database: str | None) -> None:
    """控えの検査 / exit 1 naming the first gap, rewrite or break in the terminal's log."""
    settings = Settings.build(data_dir, database)
    with open_store(settings) as store:
        terminal = store.terminal_by_name(name)
        if terminal is None:
            raise click.UsageError(f"その端末はありません / no terminal {name!r}")
        verdict = verify_terminal(store, terminal.id)
    if verdict.ok:
        click.echo(
            f"{name}: 監査ログの控えは正常です（{verdict.entries}件）/ "
            f"audit copy intact ({verdict.entries} entries)"
        )
        return
    click.echo(
        f"{name}: 監査ログの異常: 第{verdict.first_bad}項 / "
        f"audit problem at entry {verdict.first_bad}: {verdict.problem}",
        err=True,
    )
    sys.exit(EXIT_FAILURE)
