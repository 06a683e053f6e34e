"""``backoffice ca``: the municipal CA, the server certificate, terminal certificates."""

from __future__ import annotations

from pathlib import Path

import click

from backoffice import ca, sealing
from backoffice.cli.common import (
    data_dir_option,
    data_options,
    ensure_ca,
    now,
    open_store,
    register,
    usage_errors,
)
from backoffice.config import Settings


@click.group("ca")
def ca_group() -> None:
    """市区町村CA（端末・サーバー証明書） / the municipal CA for terminals and the server."""


@ca_group.command("init")
@click.option("--force", is_flag=True, help="Replace an existing CA (every terminal cert dies).")
@click.option(
    "--server-name",
    "server_names",
    multiple=True,
    help="DNS name or IP address for the server certificate (repeatable). "
    "Default: localhost and 127.0.0.1.",
)
@data_dir_option
@usage_errors
def ca_init(force: bool, server_names: tuple[str, ...], data_dir: Path | None) -> None:
    """認証局とサーバー証明書の作成 / create the CA and the server certificate."""
    settings = Settings.build(data_dir)
    files = ca.CaFiles(settings.ca_dir)
    names = server_names or ca.DEFAULT_SERVER_NAMES
    if not ca.init_ca(files, now(), force=force, server_names=names):
        raise click.UsageError(
            f"認証局は作成済みです（置き換えるには --force） / a CA exists already "
            f"(use --force to replace it): {files.ca_cert}"
        )
    click.echo(f"認証局を作成しました / created the CA: {files.ca_cert}")
    click.echo(f"サーバー証明書 / server certificate: {files.server_cert} ({', '.join(names)})")


@ca_group.command("issue-terminal")
@click.argument("name")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for terminal.key, terminal.pem, ca.pem and sealing.pem.",
)
@click.option("--replace", is_flag=True, help="Renew: give an existing terminal a new certificate.")
@data_options
@usage_errors
def ca_issue_terminal(
    name: str, out_dir: Path, replace: bool, data_dir: Path | None, database: str | None
) -> None:
    """端末証明書の発行と登録 / issue a terminal certificate and register the terminal."""
    settings = Settings.build(data_dir, database)
    ca.check_terminal_name(name)
    files = ensure_ca(settings)
    with open_store(settings) as store:
        exists = store.terminal_by_name(name) is not None
        if exists and not replace:
            raise click.UsageError(
                f"端末名は登録済みです（更新は --replace） / terminal {name!r} exists "
                "(use --replace to renew its certificate)"
            )
        issued = ca.issue_terminal(files, name, now())
        written = ca.write_terminal(out_dir, issued, ca.load_certificate(files.ca_cert))
        sealing_public = sealing.write_public(settings.data_dir, out_dir)
        sha256 = ca.fingerprint(issued.certificate)
        register(store, name, sha256, replace=exists)
    click.echo(f"端末証明書を発行し登録しました / issued and registered terminal {name!r}")
    click.echo(f"  key: {written.key}\n  cert: {written.certificate}\n  CA: {written.ca}")
    click.echo(f"  SHA-256: {sha256}")
    click.echo(f"  sealing key: {sealing_public}")
