"""``counterapp kiosk``: settings of the self-service kiosk."""

from __future__ import annotations

import sys

import click

from counterapp.adminpin import AdminPinError, save_admin_pin
from counterapp.audit import AuditEvent
from counterapp.cli.context import AppContext


@click.group()
def kiosk() -> None:
    """セルフ端末 / The self-service kiosk."""


@kiosk.command("set-admin-pin")
@click.pass_obj
def set_admin_pin(app: AppContext) -> None:
    """管理者暗証番号の設定 / Set the PIN staff use to leave the kiosk (6+ digits).

    Asked twice without echo (from standard input, one line, when it is not a terminal).
    Only a salted scrypt hash is stored, in the data folder.
    """
    if sys.stdin.isatty():
        pin = click.prompt("管理者暗証番号 / admin PIN", hide_input=True, confirmation_prompt=True)
    else:
        pin = sys.stdin.readline().rstrip("\r\n")
    try:
        save_admin_pin(app.settings.data_dir, pin)
    except AdminPinError as exc:
        raise click.UsageError(str(exc)) from exc
    app.audit.append(AuditEvent.SETTINGS_CHANGED, setting="kiosk_admin_pin")
    click.echo("管理者暗証番号を設定しました / admin PIN set")
