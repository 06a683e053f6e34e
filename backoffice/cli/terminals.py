"""``backoffice terminals``: the registry of terminals and their certificates."""

from __future__ import annotations

import json
from pathlib import Path

import click

from backoffice import ca
from backoffice.cli.common import data_options, now, open_store, register, usage_errors
from backoffice.config import Settings
from backoffice.store import UnknownTerminal


@click.group()
def terminals() -> None:
    """端末の登録・無効化 / register, disable and list terminals."""


@terminals.command("add")
@click.argument("cert_pem", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", required=True, help="The terminal's name (unique).")
@data_options
@usage_errors
def terminals_add(cert_pem: Path, name: str, data_dir: Path | None, database: str | None) -> None:
    """端末の登録 / register a terminal by its certificate (issued by this CA)."""
    settings = Settings.build(data_dir, database)
    ca.check_terminal_name(name)
    certificate = ca.load_certificate(cert_pem)
    authority = ca.load_ca(ca.CaFiles(settings.ca_dir))
    if not ca.issued_by(certificate, authority.certificate):
        raise click.UsageError(
            "この証明書は本サービスの認証局が発行したものではありません / "
            "the certificate was not issued by this back office's CA"
        )
    problem = ca.terminal_certificate_problem(certificate, now())
    if problem is not None:
        raise click.UsageError(problem)
    sha256 = ca.fingerprint(certificate)
    with open_store(settings) as store:
        register(store, name, sha256, replace=False)
    click.echo(f"端末を登録しました / registered terminal {name!r} (SHA-256 {sha256})")


def _set_enabled(data_dir: Path | None, database: str | None, name: str, enabled: bool) -> None:
    settings = Settings.build(data_dir, database)
    with open_store(settings) as store:
        try:
            store.set_enabled(name, enabled)
        except UnknownTerminal as exc:
            raise click.UsageError(f"その端末はありません / no terminal {name!r}") from exc
    state = "有効にしました / enabled" if enabled else "無効にしました / disabled"
    click.echo(f"{name}: {state}")


@terminals.command("disable")
@click.argument("name")
@data_options
@usage_errors
def terminals_disable(name: str, data_dir: Path | None, database: str | None) -> None:
    """端末の無効化 / refuse the terminal from now on (403 terminal.disabled)."""
    _set_enabled(data_dir, database, name, False)


@terminals.command("enable")
@click.argument("name")
@data_options
@usage_errors
def terminals_enable(name: str, data_dir: Path | None, database: str | None) -> None:
    """端末の再有効化 / accept a disabled terminal again."""
    _set_enabled(data_dir, database, name, True)


@terminals.command("list")
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@data_options
@usage_errors
def terminals_list(as_json: bool, data_dir: Path | None, database: str | None) -> None:
    """登録済み端末の一覧 / list the registered terminals."""
    settings = Settings.build(data_dir, database)
    with open_store(settings) as store:
        found = store.terminals()
    if as_json:
        document = [
            {
                "name": t.name,
                "enabled": t.enabled,
                "cert_sha256": t.cert_sha256,
                "created_at": t.created_at.isoformat(),
            }
            for t in found
        ]
        click.echo(json.dumps(document, ensure_ascii=False, indent=2))
        return
    for t in found:
        state = "有効/enabled " if t.enabled else "無効/disabled"
        click.echo(f"{t.name}\t{state}\t{t.cert_sha256}\t{t.created_at.isoformat()}")
