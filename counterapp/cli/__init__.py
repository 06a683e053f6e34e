"""``counterapp``: the headless command line. Every GUI flow can also be run from here.

Exit codes: 0 success (genuine), 1 not genuine, 2 undetermined, 3 card or reader
error, 4 usage or configuration error.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from cardreader.trace import TRACE
from counterapp import __version__
from counterapp.cli import (
    audit,
    card,
    doctor,
    form,
    queue,
    readers,
    simulate,
    sync,
    trust,
    verify,
)
from counterapp.cli.common import EXIT_USAGE, AppContext
from counterapp.settings import SettingsError, load_settings


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="counterapp")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="COUNTERAPP_DATA_DIR",
    help="Data folder (settings, queue, logs). Default: the per-user data folder.",
)
@click.option("--trace", is_flag=True, help="Log APDUs (redacted: no PIN, no personal data).")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None, trace: bool) -> None:
    """マイナンバーカード窓口端末 / My Number card counter terminal.

    \b
    Exit codes: 0 OK / genuine, 1 not genuine, 2 undetermined,
                3 card or reader error, 4 usage or configuration error.
    """
    logging.basicConfig(level=TRACE if trace else logging.WARNING, stream=sys.stderr)
    try:
        settings = load_settings(data_dir)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from exc
    ctx.obj = AppContext(settings=settings)


cli.add_command(readers.readers)
cli.add_command(card.card)
cli.add_command(simulate.simulate)
cli.add_command(verify.verify)
cli.add_command(trust.trust)
cli.add_command(audit.audit)
cli.add_command(form.form)
cli.add_command(queue.queue)
cli.add_command(doctor.doctor)
cli.add_command(sync.sync)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: usage errors exit 4, as documented."""
    try:
        code = cli.main(args=argv, prog_name="counterapp", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("中止しました。/ Aborted.", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    sys.exit(code if isinstance(code, int) else 0)
