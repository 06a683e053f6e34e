"""What every command gets: the settings, and the audit log and queue opened on first use.

Kept light on purpose: ``counterapp gui`` goes through here, and the window should be up
before the core's heavier modules (SQLite store, vault, cryptography) are even imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from counterapp.settings import Settings

if TYPE_CHECKING:
    from counterapp.audit import AuditLog
    from counterapp.queue import FormQueue

EXIT_OK = 0
EXIT_NOT_GENUINE = 1
EXIT_UNDETERMINED = 2
EXIT_CARD_ERROR = 3
EXIT_USAGE = 4
EXIT_NEEDS_INPUT = 5
EXIT_DATA_DAMAGED = 6
EXIT_INTERNAL = 70


@dataclass
class AppContext:
    settings: Settings
    _audit: AuditLog | None = None
    _queue: FormQueue | None = None

    @property
    def audit(self) -> AuditLog:
        """The terminal's audit log, opened once per command."""
        if self._audit is None:
            from counterapp.store import audit_log

            self._audit = audit_log(self.settings)
        return self._audit

    @property
    def queue(self) -> FormQueue:
        """The encrypted form queue (locked when the master key is lost); an exposed key store
        or an unreadable back-office key is a usage error."""
        if self._queue is None:
            from counterapp.keyguard import open_queue
            from counterapp.messages import error_text
            from counterapp.vault import VaultError
            from counterapp.wire.sealing import SealError

            try:
                self._queue = open_queue(self.settings, self.audit)
            except (VaultError, SealError) as exc:
                raise click.UsageError(f"{error_text(exc)} {exc}") from exc
        return self._queue

    @property
    def open_queue(self) -> FormQueue:
        """The queue for a command that opens or stores forms: a lost master key is a
        configuration error (exit 4), said before any card is touched."""
        queue = self.queue
        if queue.locked_by is not None:
            from counterapp.messages import error_text

            problem = queue.locked_by
            raise click.UsageError(f"{error_text(problem)} {problem}")
        return queue
