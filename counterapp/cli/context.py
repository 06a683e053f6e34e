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
        """The encrypted form queue; a missing or exposed key store is a usage error."""
        if self._queue is None:
            from counterapp.messages import error_text
            from counterapp.queue import FormQueue
            from counterapp.vault import VaultError, open_vault

            try:
                vault = open_vault(
                    self.settings.data_dir, self.settings.terminal_id, self.settings.key_store
                )
            except VaultError as exc:
                raise click.UsageError(f"{error_text(exc)} {exc}") from exc
            self._queue = FormQueue(self.audit.db, vault, self.audit)
        return self._queue
