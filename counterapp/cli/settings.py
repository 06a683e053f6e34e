"""``counterapp settings``: show and change settings.toml (checked, saved atomically, audited)."""

from __future__ import annotations

import click

from counterapp.cli.context import AppContext
from counterapp.configure import change_setting, shown_settings
from counterapp.settings import SettingsError


@click.group("settings")
def settings_group() -> None:
    """設定 / Settings (settings.toml in the data folder)."""


@settings_group.command("show")
@click.pass_obj
def show(app: AppContext) -> None:
    """設定の一覧 / Every setting with its current value."""
    for name, value in shown_settings(app.settings):
        click.echo(f"{name} = {value}")


@settings_group.command("set")
@click.argument("name")
@click.argument("value")
@click.pass_obj
def set_value(app: AppContext, name: str, value: str) -> None:
    """設定の変更 / Change one setting (checked before it is saved; audited)."""
    _change(app, name, value)


@settings_group.command("unset")
@click.argument("name")
@click.pass_obj
def unset(app: AppContext, name: str) -> None:
    """既定値に戻す / Remove a setting from the file (its default applies)."""
    _change(app, name, None)


def _change(app: AppContext, name: str, value: str | None) -> None:
    try:
        change_setting(app.settings, app.audit, name, value)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"保存しました / saved: {name}")
