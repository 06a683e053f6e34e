"""``backoffice serve`` and ``backoffice openapi``."""

from __future__ import annotations

import json
from pathlib import Path

import click

from backoffice.cli.common import data_options, ensure_ca, open_store, usage_errors
from backoffice.config import DEFAULT_HOST, DEFAULT_PORT, Settings, redacted_url
from backoffice.crl import load_crl


@click.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to listen on.")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--crl",
    "crls",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CRL file served at /v1/crl (repeatable); files in <data dir>/crl/ are served too.",
)
@click.option(
    "--handshake-timeout",
    type=click.FloatRange(0.5, 300),
    default=10.0,
    show_default=True,
    help="Seconds a client may take to finish the TLS handshake.",
)
@click.option(
    "--read-timeout",
    type=click.FloatRange(0.5, 3600),
    default=30.0,
    show_default=True,
    help="Seconds a whole request (headers and body) may take to arrive.",
)
@click.option(
    "--max-connections-per-client",
    type=click.IntRange(1, 10000),
    default=32,
    show_default=True,
    help="Open connections one client address may hold; more are closed at once.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(1, 100000),
    default=512,
    show_default=True,
    help="Open connections in total; beyond this requests get 503.",
)
@data_options
@usage_errors
def serve(
    host: str,
    port: int,
    crls: tuple[Path, ...],
    handshake_timeout: float,
    read_timeout: float,
    max_connections_per_client: int,
    max_connections: int,
    data_dir: Path | None,
    database: str | None,
) -> None:
    """受付サービスの起動 / serve HTTPS with client certificates (CA created on first start)."""
    # Imported here: FastAPI and uvicorn are only needed by the commands that serve.
    from backoffice.app import create_app
    from backoffice.limits import ConnectionLimits
    from backoffice.server import run

    limits = ConnectionLimits(
        handshake_timeout=handshake_timeout,
        read_timeout=read_timeout,
        per_client=max_connections_per_client,
        total=max_connections,
    )
    settings = Settings.build(data_dir, database, crls)
    for path in crls:
        load_crl(path)  # refuse to start with an unreadable CRL rather than serve none
    files = ensure_ca(settings)
    with open_store(settings) as store:
        app = create_app(settings, store)
        click.echo(f"受付サービス / intake service: https://{host}:{port}/v1/")
        click.echo(f"  データ / data: {settings.data_dir}")
        click.echo(f"  端末用CA / terminal CA: {files.ca_cert}")
        click.echo(f"  DB: {redacted_url(settings.database_url)}")
        run(settings, host, port, app, limits)


@click.command("openapi")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="File.")
def openapi_command(output: Path | None) -> None:
    """OpenAPI文書の出力 / print or write the OpenAPI document (docs/backoffice-openapi.json)."""
    from backoffice.app import openapi_document

    text = json.dumps(openapi_document(), ensure_ascii=False, indent=2) + "\n"
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
