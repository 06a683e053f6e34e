"""``counterapp keys``: the master key that seals the queue — its state, and an audited reset."""

from __future__ import annotations

import click

from counterapp.cli.common import AppContext, echo_json
from counterapp.keyguard import key_state, open_checked_vault, reset_key
from counterapp.vault import KeyMismatch, KeyMissing, VaultError


@click.group()
def keys() -> None:
    """暗号鍵 / The master key that encrypts the forms on this terminal."""


@keys.command("status")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def status(app: AppContext, as_json: bool) -> None:
    """鍵の状態 / Is the master key the one that sealed the stored forms? Exit 4 if not."""
    db = app.audit.db
    state = key_state(db)
    try:
        vault = open_checked_vault(db, app.settings)
        problem: VaultError | None = None
    except VaultError as exc:
        problem = exc
    if as_json:
        echo_json(
            {
                "ok": problem is None,
                "problem": None if problem is None else problem.message_key,
                "sealed_forms": state.sealed_forms,
                "deliverable_sealed": state.deliverable,
            }
        )
    elif problem is None:
        click.echo(f"鍵は正常です / the master key is in place ({vault.location}); "
                   f"{state.sealed_forms} form(s) sealed")  # fmt: skip
    if problem is not None:
        raise click.UsageError(str(problem))


@keys.command("reset")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def reset(app: AppContext, yes: bool) -> None:
    """鍵の作り直し（監査記録）/ Make a new master key; forms sealed under the old one become
    unreadable on this terminal (their copies sealed for the back office are still sent).
    """
    db = app.audit.db
    state = key_state(db)
    try:
        open_checked_vault(db, app.settings)
        intact = True
    except (KeyMissing, KeyMismatch):
        intact = False
    click.echo(
        f"この端末で開けなくなる申請書: {state.sealed_forms} 件（うち {state.deliverable} 件は"
        f"封印済みの写しとして送信できます）/ {state.sealed_forms} form(s) become unreadable on "
        f"this terminal ({state.deliverable} of them are still delivered as sealed copies)."
    )
    if intact:
        click.echo("現在の鍵は正常です。/ Note: the current key is intact.")
    if not yes:
        click.confirm("新しい鍵を作りますか？ / Make a new master key?", abort=True)
    reset_key(db, app.settings, app.audit)
    click.echo("新しい鍵を作りました（監査ログに記録）。/ New master key made (audited).")
