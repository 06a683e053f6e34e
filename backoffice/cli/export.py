"""``backoffice export``: received forms as CSV or JSON for the 住民記録システム."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import click

from backoffice import export
from backoffice.cli.common import data_options, open_store, usage_errors
from backoffice.config import Settings


@click.command("export")
@click.option("--since", help="Received on or after this date (YYYY-MM-DD, JST) or date-time.")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True
)
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default stdout)."
)
@data_options
@usage_errors
def export_command(
    since: str | None,
    fmt: str,
    output: Path | None,
    data_dir: Path | None,
    database: str | None,
) -> None:
    """受付済み申請書の書き出し / export received forms under standard item names."""
    settings = Settings.build(data_dir, database)
    start = export.parse_since(since) if since else None
    # Streamed: forms go from the database to the output one by one (flat memory at any
    # count); CSV needs its columns first, so it reads the forms' and the persons' field ids
    # in a first pass. Both passes read one snapshot: a form arriving meanwhile is in
    # neither or in both.
    with open_store(settings) as store, store.snapshot() as snapshot, _output(output) as stream:
        data = export.stream_rows(store.iter_submissions(snapshot, start))
        if fmt == "csv":
            columns = export.columns_for(
                store.field_ids(snapshot, start), store.person_field_ids(snapshot, start)
            )
            count = export.stream_csv(columns, data, stream)
        else:
            count = export.stream_json(data, stream)
    if output is not None:
        click.echo(f"{count} 行を書き出しました / exported {count} rows: {output}")


@contextmanager
def _output(path: Path | None) -> Iterator[BinaryIO]:
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    try:
        # Personal data: readable by the owner only.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as exc:
        raise click.UsageError(f"書き出せません / cannot write {path}: {exc.strerror}") from exc
    with os.fdopen(descriptor, "wb") as stream:
        yield stream
