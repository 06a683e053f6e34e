"""Shared pieces of the CLI: exit codes, options, the database, the CA on first use."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click
from sqlalchemy.exc import SQLAlchemyError

from backoffice import ca, export
from backoffice.config import ConfigError, Settings, redacted_url
from backoffice.crl import CrlError
from backoffice.store import Store, TerminalConflict

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 4

P = ParamSpec("P")
R = TypeVar("R")


class Failure(click.ClickException):
    """Something outside the operator's command failed (database down): exit code 1."""

    exit_code = EXIT_FAILURE


def usage_errors(function: Callable[P, R]) -> Callable[P, R]:
    """Turn the package's configuration errors into click usage errors (exit 4)."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return function(*args, **kwargs)
        except (ConfigError, ca.CaError, CrlError, export.ExportError) as exc:
            raise click.UsageError(str(exc)) from exc

    return wrapper


def data_dir_option(function: Callable[..., Any]) -> Callable[..., Any]:
    """--data-dir, on every command."""
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        envvar="BACKOFFICE_DATA_DIR",
        help="Data folder (CA, trust anchors, CRLs, SQLite database). "
        "Default: the per-user data folder.",
    )(function)


def data_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """--data-dir and --db, on every command that uses the database."""
    function = click.option(
        "--db",
        "database",
        envvar="BACKOFFICE_DB",
        help="Database URL: sqlite:///FILE or postgresql://USER@HOST/DB. "
        "Default: backoffice.db in the data folder.",
    )(function)
    return data_dir_option(function)


@contextmanager
def open_store(settings: Settings) -> Iterator[Store]:
    """The database, closed afterwards; a database that does not answer exits 1."""
    try:
        store = Store.open(settings.database_url)
    except SQLAlchemyError as exc:
        raise Failure(
            "データベースに接続できません / cannot open the database: "
            + redacted_url(settings.database_url)
        ) from exc
    try:
        yield store
    finally:
        store.close()


def now() -> dt.datetime:
    """The current time in UTC."""
    return dt.datetime.now(dt.UTC)


def ensure_ca(settings: Settings) -> ca.CaFiles:
    """Create the CA on first use and renew a server certificate near its end; say so."""
    files = ca.CaFiles(settings.ca_dir)
    if ca.init_ca(files, now()):
        click.echo("認証局とサーバー証明書を作成しました / created the CA and server certificate:")
        click.echo(f"  CA: {files.ca_cert}\n  server: {files.server_cert}")
    elif ca.server_needs_renewal(files, now()):
        ca.issue_server(files, now())
        click.echo(
            f"サーバー証明書を更新しました / renewed the server certificate: {files.server_cert}"
        )
    return files


def register(store: Store, name: str, sha256: str, *, replace: bool) -> None:
    """Register a terminal's certificate (or replace it); a taken name or cert exits 4."""
    try:
        if replace:
            store.replace_certificate(name, sha256)
        else:
            store.add_terminal(name, sha256, now())
    except TerminalConflict as exc:
        raise click.UsageError(
            "端末名または証明書は登録済みです / the name or certificate is registered already"
        ) from exc
