"""``counterapp doctor``: is this terminal ready? One line per part, green or red."""

from __future__ import annotations

import sys

import click

from counterapp.cli.common import EXIT_NOT_GENUINE, AppContext, echo_json
from counterapp.doctor import Health, run_checks

MARKS = {Health.OK: ("✔", "green"), Health.WARN: ("!", "yellow"), Health.FAIL: ("✘", "red")}
LABELS = {
    "reader": "カードリーダー / reader",
    "key_store": "鍵の保管 / key store",
    "sealing": "送信先向けの封印 / sealing for the back office",
    "database": "データベース / database",
    "audit_log": "監査ログ / audit log",
    "trust_anchors": "信頼アンカー / trust anchors",
    "crl": "失効リスト / CRL",
    "municipality": "自治体 / municipality",
    "backoffice": "送信先 / back office",
    "rejected": "受付を拒否された申請書 / refused forms",
}


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def doctor(app: AppContext, as_json: bool) -> None:
    """端末の診断 / Check reader, key store, database, audit log, trust anchors, CRL age.

    Exit code 1 when any part failed (warnings alone exit 0).
    """
    findings = run_checks(app.settings)
    if as_json:
        echo_json(
            [{"part": f.part, "health": f.health.value, "detail": f.detail} for f in findings]
        )
    else:
        for finding in findings:
            mark, colour = MARKS[finding.health]
            label = LABELS[finding.part]
            click.echo(click.style(f"{mark} {label}: ", fg=colour, bold=True) + finding.detail)
    sys.exit(EXIT_NOT_GENUINE if any(f.health is Health.FAIL for f in findings) else 0)
