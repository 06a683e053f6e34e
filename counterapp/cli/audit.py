"""``counterapp audit``: check the hash chain and export the log for the auditor."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import click

from counterapp import audit as audit_module
from counterapp.cli.common import EXIT_NOT_GENUINE, AppContext
from counterapp.store import create_private_file, open_database


@click.group()
def audit() -> None:
    """監査ログ / Audit log (hash-chained, no personal data)."""


@audit.command("verify")
@click.pass_obj
def verify_log(app: AppContext) -> None:
    """改ざん検査 / Check chain, keys, forms and outbox; exit 1 naming the first problem."""
    db = open_database(app.settings.data_dir)
    check = audit_module.verify(db, audit_module.audit_key(db, app.settings.key_store))
    if check.record_id is not None:
        click.echo(
            f"監査ログにない変更を検出: {check.record_id} ({check.problem}) / "
            f"change without an audit entry: record {check.record_id}: {check.problem}",
            err=True,
        )
        sys.exit(EXIT_NOT_GENUINE)
    if check.ok:
        click.echo(
            f"監査ログは正常です（{check.entries}件）/ audit log intact ({check.entries} entries)"
        )
        return
    click.echo(
        f"監査ログの改ざんを検出: 第{check.first_bad}項 ({check.problem}) / "
        f"audit log tampered at entry {check.first_bad}: {check.problem}",
        err=True,
    )
    sys.exit(EXIT_NOT_GENUINE)


@audit.command("export")
@click.option("--since", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]))
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout.")
@click.pass_obj
def export(app: AppContext, since: dt.datetime | None, output: Path | None) -> None:
    """監査ログの書き出し (JSON Lines) / Export entries as JSON Lines, hashes included."""
    since_utc = since.replace(tzinfo=dt.UTC) if since and since.tzinfo is None else since
    lines = (
        json.dumps(entry.__dict__, ensure_ascii=False, sort_keys=True)
        for entry in audit_module.entries(open_database(app.settings.data_dir), since_utc)
    )
    text = "".join(line + "\n" for line in lines)
    if output:
        create_private_file(output)  # owner-only like the database it comes from
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
