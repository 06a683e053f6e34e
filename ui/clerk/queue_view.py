"""Today's forms with their status (never their contents), and "sync now" off the GUI thread."""

from __future__ import annotations

import datetime as dt
import threading

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget

from counterapp import outbox
from counterapp.queue import FormQueue
from counterapp.store import open_database
from counterapp.visit import CounterService
from ui.clerk.pages import button
from ui.context import UiContext
from ui.i18n import t


class _SyncSignals(QObject):
    finished = Signal(str)  # "" when everything due was sent, else the reason key


def drain_once(service: CounterService) -> str:
    """One ``sync --once`` on its own database connection (runs on a plain thread)."""
    from counterapp.sync import Syncer, SyncError, http_client  # httpx: only to send

    settings = service.settings
    if not settings.backoffice_url:
        return "sync.not_configured"
    db = open_database(settings.data_dir)
    try:
        queue = FormQueue(db, service.queue.vault, service.queue.audit)
        with http_client(settings) as client:
            Syncer(queue, client, batch_size=settings.sync_batch_size).drain()
    except SyncError as exc:
        return exc.message_key
    finally:
        db.conn.close()
    return ""


class QueueView(QWidget):
    def __init__(self, context: UiContext) -> None:
        super().__init__()
        self.context = context
        self.language = "ja"
        self.table = QTableWidget(0, 4)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.sync_button = button("", "F5")
        self.sync_button.clicked.connect(self.sync_now)
        self.retry_button = button("")
        self.retry_button.clicked.connect(self.retry_failed)
        self.result = QLabel()
        self.signals = _SyncSignals()
        self.signals.finished.connect(self._synced)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.result)
        layout.addWidget(self.retry_button)
        layout.addWidget(self.sync_button)

    def retranslate(self, language: str) -> None:
        self.language = language
        self.table.setHorizontalHeaderLabels(t("clerk.queue.columns", language).split(","))
        self.table.setAccessibleName(t("clerk.tab.queue", language))
        self.sync_button.setText(t("clerk.queue.sync_now", language))
        self.sync_button.setAccessibleName(self.sync_button.text())
        self.retry_button.setText(t("clerk.queue.retry", language))
        self.retry_button.setAccessibleName(self.retry_button.text())
        self.refresh()

    def retry_failed(self) -> None:
        """Send the forms the back office refused once more (with the next sync)."""
        outbox.retry_failed(self.context.audit.db, dt.datetime.now(dt.UTC))
        self.refresh()

    def refresh(self) -> None:
        today = dt.date.today().isoformat()
        entries = [e for e in self.context.service.queue.entries() if e.created_at >= today]
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            status = entry.outbox_status or entry.status
            for column, value in enumerate((entry.id, entry.form_id, status, entry.last_error)):
                self.table.setItem(row, column, QTableWidgetItem(value or ""))

    def sync_now(self) -> None:
        """Send what is due on a background thread; the result shows when it is done."""
        self.sync_button.setEnabled(False)
        self.result.setText(t("clerk.queue.sync_running", self.language))
        service = self.context.service
        thread = threading.Thread(
            target=lambda: self.signals.finished.emit(drain_once(service)), daemon=True
        )
        thread.start()

    def _synced(self, reason: str) -> None:
        self.sync_button.setEnabled(True)
        self.result.setText(t(reason, self.language) if reason else "")
        self.refresh()
