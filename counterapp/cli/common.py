"""Shared pieces of the CLI: exit codes, card options, error reporting, JSON output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import click

from cardreader.errors import CardError
from cardreader.sessions import MyNumberCard
from counterapp.audit import AuditEvent
from counterapp.cardsource import CardSlot, CardSource, SourceError, open_card, resolve_source
from counterapp.cli.context import EXIT_CARD_ERROR as EXIT_CARD_ERROR
from counterapp.cli.context import EXIT_NOT_GENUINE as EXIT_NOT_GENUINE
from counterapp.cli.context import EXIT_OK as EXIT_OK
from counterapp.cli.context import EXIT_UNDETERMINED as EXIT_UNDETERMINED
from counterapp.cli.context import EXIT_USAGE as EXIT_USAGE
from counterapp.cli.context import AppContext as AppContext
from counterapp.interaction import Cancelled
from counterapp.messages import error_text

P = ParamSpec("P")
R = TypeVar("R")


def card_options(command: Callable[P, R]) -> Callable[P, R]:
    """Add ``--reader NAME`` and ``--simulate SCENARIO`` to a command."""
    command = click.option(
        "--simulate",
        metavar="SCENARIO",
        help="Use the built-in card emulator with this scenario (counterapp simulate list).",
    )(command)
    return click.option("--reader", help="PC/SC reader name (or a unique part of it).")(command)


def card_source(app: AppContext, reader: str | None, simulate: str | None) -> CardSource:
    """The card the options (or the settings) name; a bad choice is a usage error."""
    try:
        return resolve_source(app.settings, reader, simulate)
    except SourceError as exc:
        raise click.UsageError(str(exc)) from exc


@contextmanager
def connected_card(
    ctx: click.Context, reader: str | None, simulate: str | None, slot: CardSlot | None = None
) -> Iterator[MyNumberCard]:
    """Open the card the options (or the settings) name — or the one lying in ``slot`` —
    and close it afterwards; each use is audited."""
    app: AppContext = ctx.obj
    source = slot.source if slot is not None else card_source(app, reader, simulate)
    outcome = "ok"
    try:
        with slot.open() if slot is not None else open_card(source) as card:
            yield card
    except (CardError, Cancelled) as exc:
        outcome = exc.message_key
        raise
    finally:
        kind = "emulator" if source.is_emulator else "reader"
        app.audit.append(AuditEvent.CARD_READ, source=kind, outcome=outcome)


def reports_card_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn card and PIN errors into a Japanese message and exit code 3."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (CardError, Cancelled) as exc:
            click.echo(f"エラー: {error_text(exc)} / {error_text(exc, 'en')}", err=True)
            sys.exit(EXIT_CARD_ERROR)

    return wrapper


def echo_json(value: Any) -> None:
    """Print stable, readable JSON (UTF-8, not escaped)."""
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))
