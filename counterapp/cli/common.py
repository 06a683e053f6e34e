"""Shared pieces of the CLI: exit codes, card options, error reporting, JSON output."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import click

from cardreader.emulator.scenarios import SCENARIOS
from cardreader.errors import CardError
from cardreader.sessions import MyNumberCard
from counterapp.audit import AuditEvent, AuditLog
from counterapp.cardsource import SourceError, open_card, resolve_source
from counterapp.interaction import Cancelled
from counterapp.messages import error_text
from counterapp.queue import FormQueue
from counterapp.settings import Settings
from counterapp.store import audit_log
from counterapp.vault import VaultError, open_vault

EXIT_OK = 0
EXIT_NOT_GENUINE = 1
EXIT_UNDETERMINED = 2
EXIT_CARD_ERROR = 3
EXIT_USAGE = 4

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class AppContext:
    settings: Settings
    _audit: AuditLog | None = None
    _queue: FormQueue | None = None

    @property
    def audit(self) -> AuditLog:
        """The terminal's audit log, opened once per command."""
        if self._audit is None:
            self._audit = audit_log(self.settings)
        return self._audit

    @property
    def queue(self) -> FormQueue:
        """The encrypted form queue; a missing or exposed key store is a usage error."""
        if self._queue is None:
            try:
                vault = open_vault(
                    self.settings.data_dir, self.settings.terminal_id, self.settings.key_store
                )
            except VaultError as exc:
                raise click.UsageError(f"{error_text(exc)} {exc}") from exc
            self._queue = FormQueue(self.audit.db, vault, self.audit)
        return self._queue


def card_options(command: Callable[P, R]) -> Callable[P, R]:
    """Add ``--reader NAME`` and ``--simulate SCENARIO`` to a command."""
    command = click.option(
        "--simulate",
        type=click.Choice(sorted(SCENARIOS)),
        help="Use the built-in card emulator with this scenario.",
    )(command)
    return click.option("--reader", help="PC/SC reader name (or a unique part of it).")(command)


@contextmanager
def connected_card(
    ctx: click.Context, reader: str | None, simulate: str | None
) -> Iterator[MyNumberCard]:
    """Open the card the options (or the settings) name, and close it afterwards."""
    app: AppContext = ctx.obj
    try:
        source = resolve_source(app.settings, reader, simulate)
    except SourceError as exc:
        raise click.UsageError(str(exc)) from exc
    outcome = "ok"
    try:
        with open_card(source) as card:
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
