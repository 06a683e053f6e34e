"""``counterapp``: the headless command line. Every GUI flow can also be run from here.

Exit codes: 0 success (genuine), 1 not genuine, 2 undetermined, 3 card or reader
error, 4 usage or configuration error, 5 saved as drafts (values missing), 6 damaged data
folder (the database does not read), 70 internal error (a bug: no traceback is shown).
"""

from __future__ import annotations

import importlib
import logging
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from cardreader.trace import TRACE
from counterapp import __version__
from counterapp.cli.context import (
    EXIT_DATA_DAMAGED,
    EXIT_INTERNAL,
    EXIT_USAGE,
    AppContext,
)
from counterapp.settings import SettingsError, load_settings
from counterapp.startup import long_lived_imports, without_library_plugins

# Subcommands are imported when they run (or for --help): a command pays only for itself.
COMMANDS = {
    "readers": "counterapp.cli.readers:readers",
    "card": "counterapp.cli.card:card",
    "simulate": "counterapp.cli.simulate:simulate",
    "verify": "counterapp.cli.verify:verify",
    "trust": "counterapp.cli.trust:trust",
    "audit": "counterapp.cli.audit:audit",
    "form": "counterapp.cli.form:form",
    "queue": "counterapp.cli.queue:queue",
    "keys": "counterapp.cli.keys:keys",
    "doctor": "counterapp.cli.doctor:doctor",
    "sync": "counterapp.cli.sync:sync",
    "kiosk": "counterapp.cli.kiosk:kiosk",
    "settings": "counterapp.cli.settings:settings_group",
    "hardware-check": "counterapp.cli.hardware:hardware_check",
}


class LazyGroup(click.Group):
    """A group whose subcommands are named here and imported on first use."""

    def __init__(self, *args: Any, lazy: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy and cmd_name not in self.commands:
            module, attribute = self.lazy[cmd_name].split(":")
            with long_lived_imports():
                self.add_command(getattr(importlib.import_module(module), attribute), cmd_name)
        return super().get_command(ctx, cmd_name)


class ConfigurationError(click.ClickException):
    """The settings are wrong: shown as one message, exit 4, never a traceback."""

    exit_code = EXIT_USAGE
    message_key = "settings.invalid"


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
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
                3 card or reader error, 4 usage or configuration error,
                5 saved as drafts, 6 damaged data folder (restore it from
                a backup or move it aside; see counterapp doctor).
    """
    logging.basicConfig(level=TRACE if trace else logging.WARNING, stream=sys.stderr)
    try:
        settings = load_settings(data_dir)
    except SettingsError as exc:
        raise ConfigurationError(str(exc)) from None
    ctx.obj = AppContext(settings=settings)


def tolerate_narrow_encodings() -> None:
    """Output redirected on Japanese Windows is cp932: a ✔ must not crash the command."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def main(argv: list[str] | None = None) -> None:
    """Console entry point: usage errors exit 4, as documented."""
    tolerate_narrow_encodings()
    without_library_plugins()
    try:
        code = cli.main(args=argv, prog_name="counterapp", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("中止しました。/ Aborted.", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE)
    except sqlite3.DatabaseError as exc:  # also counterapp.store.DatabaseDamaged
        click.echo(damaged_text(exc), err=True)
        sys.exit(EXIT_DATA_DAMAGED)
    except Exception as exc:  # a bug: said in one line (no traceback, no data), exit 70
        logging.getLogger("counterapp").debug("internal error", exc_info=True)
        click.echo(f"内部エラー / internal error: {type(exc).__name__}", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else 0)


def damaged_text(exc: Exception) -> str:
    """What a damaged database means for the operator, and what to do."""
    from counterapp.messages import text

    return f"{text('store.damaged')} / {text('store.damaged', 'en')} ({exc})"
