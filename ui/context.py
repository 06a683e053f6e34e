"""What both windows share: the core service, the reader worker, card presence, sync state."""

from __future__ import annotations

from dataclasses import dataclass

from counterapp import outbox
from counterapp.audit import AuditLog
from counterapp.cardsource import CardSource, resolve_source
from counterapp.forms.loader import load_library
from counterapp.keyguard import open_queue
from counterapp.settings import Settings
from counterapp.store import audit_log
from counterapp.visit import CounterService
from ui.presence import CardPresence
from ui.worker import CardWorker


@dataclass
class UiContext:
    settings: Settings
    source: CardSource
    audit: AuditLog
    service: CounterService
    worker: CardWorker
    presence: CardPresence

    def sync_status(self) -> outbox.SyncStatus:
        """Pending / failed counts and the last success, as the status bar shows them."""
        return outbox.status(self.audit.db)

    def close(self) -> None:
        self.presence.stop()
        self.worker.stop()


def build_context(settings: Settings, reader: str | None, simulate: str | None) -> UiContext:
    """Open the store, the vault and the form library, and start the reader thread."""
    source = resolve_source(settings, reader, simulate)
    audit = audit_log(settings)
    queue = open_queue(settings, audit)
    service = CounterService(settings, source, load_library(), audit, queue)
    presence = CardPresence(source)
    presence.start()
    return UiContext(settings, source, audit, service, CardWorker(source), presence)
