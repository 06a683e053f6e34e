"""本日の申請: today's forms (and older ones not finished) in the clerk's words.

Columns: time, reception number, procedure, status (下書き, 送信待ち, 送信済み, 送信失敗 with
the reason in words), ticket number. Filters (all / drafts / failed), a search by reception
number, and "open": a draft reopens into the forms editor (``open_draft``); any other row shows
its status and contents through the audited ``FormQueue.open(purpose="show")``. The counts
come from ``worklist_counts`` — the same as the status bar and ``counterapp queue list``.
Drafts the end-of-day purge will delete are marked, and listed above the table, before it runs.
"""

from __future__ import annotations

import datetime as dt
import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counterapp import outbox
from counterapp.forms.display import display_value
from counterapp.queue import QueueEntry, worklist_counts
from counterapp.retention import purged_at_end_of
from counterapp.store import open_database
from counterapp.visit import CounterService
from ui.clerk.pages import button
from ui.context import UiContext
from ui.i18n import catalogue, t

FILTERS: tuple[tuple[str, str | None], ...] = (
    ("worklist.filter.all", None),
    ("worklist.filter.drafts", "draft"),
    ("worklist.filter.failed", "failed"),
)
UNFINISHED = ("draft", "pending", "failed")


class _SyncSignals(QObject):
    finished = Signal(str)  # "" when everything due was sent, else the reason key


def drain_once(service: CounterService) -> str:
    """One ``sync --once`` on its own database connection (runs on a plain thread)."""
    from counterapp.sync import Syncer, SyncError, http_client  # httpx: only when sending

    settings = service.settings
    if not settings.backoffice_url:
        return "sync.not_configured"
    db = open_database(settings.data_dir)
    try:
        queue = service.queue.on(db)
        with http_client(settings) as client:
            Syncer(queue, client, batch_size=settings.sync_batch_size).drain()
    except SyncError as exc:
        return exc.message_key
    finally:
        db.conn.close()
    return ""


def listed_today(entries: list[QueueEntry], today: dt.date) -> list[QueueEntry]:
    """Today's forms, and older ones still to finish (a draft, a form not yet sent)."""
    day = today.isoformat()
    return [e for e in entries if e.created_at >= day or e.worklist_status in UNFINISHED]


def reason_text(reason: str | None, language: str) -> str:
    """A failure's reason key in words (the key itself when no text is known)."""
    if not reason:
        return ""
    if reason in catalogue():
        return t(reason, language)
    return t("worklist.reason.other", language, reason=reason)


class QueueView(QWidget):
    open_draft = Signal(str)  # the visit id of a draft to complete

    def __init__(self, context: UiContext) -> None:
        super().__init__()
        self.context = context
        self.language = "ja"
        self.shown: list[QueueEntry] = []
        self.table = QTableWidget(0, 5)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.cellActivated.connect(lambda row, _column: self.open_row(row))
        self.table.cellDoubleClicked.connect(lambda row, _column: self.open_row(row))
        self.filter = QComboBox()
        self.filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.search = QLineEdit()
        self.search.textChanged.connect(lambda _text: self.refresh())
        self.open_button = button("")
        self.open_button.clicked.connect(lambda: self.open_row(self.table.currentRow()))
        self.counts = QLabel()
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.sync_button = button("", "F5")
        self.sync_button.clicked.connect(self.sync_now)
        self.retry_button = button("")
        self.retry_button.clicked.connect(self.retry_failed)
        self.result = QLabel()
        self.signals = _SyncSignals()
        self.signals.finished.connect(self._synced)
        tools = QHBoxLayout()
        for widget in (self.filter, self.search, self.open_button):
            tools.addWidget(widget)
        layout = QVBoxLayout(self)
        layout.addLayout(tools)
        layout.addWidget(self.warning)
        layout.addWidget(self.table)
        layout.addWidget(self.counts)
        layout.addWidget(self.result)
        layout.addWidget(self.retry_button)
        layout.addWidget(self.sync_button)

    def retranslate(self, language: str) -> None:
        self.language = language
        self.table.setHorizontalHeaderLabels(t("worklist.columns", language).split(","))
        self.table.setAccessibleName(t("clerk.tab.queue", language))
        chosen = max(self.filter.currentIndex(), 0)
        self.filter.blockSignals(True)
        self.filter.clear()
        for key, _status in FILTERS:
            self.filter.addItem(t(key, language))
        self.filter.setCurrentIndex(chosen)
        self.filter.blockSignals(False)
        self.filter.setAccessibleName(t("worklist.filter.label", language))
        self.filter.view().setAccessibleName(self.filter.accessibleName())
        self.search.setPlaceholderText(t("worklist.search", language))
        self.search.setAccessibleName(t("worklist.search", language))
        for widget, key in (
            (self.open_button, "worklist.open"),
            (self.sync_button, "clerk.queue.sync_now"),
            (self.retry_button, "clerk.queue.retry"),
        ):
            shortcut = widget.shortcut()
            widget.setText(t(key, language))
            widget.setAccessibleName(widget.text())
            widget.setShortcut(shortcut)
        self.refresh()

    def retry_failed(self) -> None:
        """Send the forms the back office refused once more (with the next sync)."""
        outbox.retry_failed(self.context.audit.db, dt.datetime.now(dt.UTC))
        self.refresh()

    # -- the list -------------------------------------------------------------------------

    def refresh(self) -> None:
        every = self.context.service.queue.entries()
        today = dt.date.today()
        listed = listed_today(every, today)
        self.counts.setText(t("worklist.counts", self.language, **worklist_counts(every)))
        expiring = self._expiring(listed, today)
        self._show_warning(expiring)
        wanted = FILTERS[max(self.filter.currentIndex(), 0)][1]
        needle = self.search.text().strip()
        self.shown = [
            e
            for e in reversed(listed)  # the newest first
            if wanted in (None, e.worklist_status) and needle in (e.reception_number or "")
        ]
        self.table.setRowCount(len(self.shown))
        for row, entry in enumerate(self.shown):
            cells = self._cells(entry, entry.id in expiring)
            for column, value in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(value))

    def _expiring(self, listed: list[QueueEntry], today: dt.date) -> set[str]:
        rule = purged_at_end_of(today, self.context.settings.draft_retention_days)
        return {e.id for e in listed if e.worklist_status == "draft" and rule(e)}

    def _show_warning(self, expiring: set[str]) -> None:
        if not expiring:
            self.warning.setText("")
            self.warning.hide()
            return
        entries = [e for e in self.context.service.queue.entries("draft") if e.id in expiring]
        numbers = "、".join(dict.fromkeys(e.reception_number or "-" for e in entries))
        self.warning.setText(
            "⚠ " + t("worklist.purge_warning", self.language, count=len(entries), numbers=numbers)
        )
        self.warning.setAccessibleName(self.warning.text())
        self.warning.show()

    def _cells(self, entry: QueueEntry, expiring: bool) -> tuple[str, ...]:
        when = dt.datetime.fromisoformat(entry.created_at).astimezone()
        time = f"{when:%H:%M}" if when.date() == dt.date.today() else f"{when:%m/%d %H:%M}"
        return (
            time,
            entry.reception_number or "",
            self.procedure(entry),
            self.status_text(entry, expiring),
            entry.ticket_number or "",
        )

    def procedure(self, entry: QueueEntry) -> str:
        """The form's title in the clerk's language (its id when the form is not shipped)."""
        loaded = self.context.service.library.forms.get(entry.form_id)
        return loaded.definition.title.in_language(self.language) if loaded else entry.form_id

    def status_text(self, entry: QueueEntry, expiring: bool = False) -> str:
        status = entry.worklist_status
        words = t(f"worklist.status.{status}", self.language)
        if status == "failed" and entry.last_error:
            words += f": {reason_text(entry.last_error, self.language)}"
        if expiring:
            words += t("worklist.status.expiring", self.language)
        return words

    def focus_newest(self) -> None:
        self.table.setFocus()
        if self.table.rowCount():
            self.table.setCurrentCell(0, 0)

    # -- opening a row --------------------------------------------------------------------

    def open_row(self, row: int) -> QMessageBox | None:
        """A draft reopens in the editor; another row shows its status and contents (audited)."""
        if not 0 <= row < len(self.shown):
            return None
        entry = self.shown[row]
        if entry.worklist_status == "draft":
            self.open_draft.emit(entry.visit)
            return None
        return self.show_details(entry)

    def show_details(self, entry: QueueEntry) -> QMessageBox:
        lang = self.language
        number = entry.reception_number or "-"
        title = t("worklist.details.heading", lang, number=number, status=self.status_text(entry))
        lines = [self.procedure(entry)]
        if entry.worklist_status == "failed":
            reason = reason_text(entry.last_error, lang)
            lines.append(t("worklist.details.reason", lang, reason=reason))
        if entry.status != "purged":
            stored = self.context.service.queue.open(entry.id, purpose="show")  # audited
            for definition in stored.filled.form.definition.fields:
                value = display_value(definition, stored.filled.value(definition.id).value, lang)
                lines.append(f"{definition.label.in_language(lang)}: {value}")
        box = QMessageBox(self)
        box.setWindowTitle(title)
        box.setText(title)
        box.setInformativeText("\n".join(lines))
        box.setAccessibleName(title)
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        box.finished.connect(box.deleteLater)
        box.open()
        return box

    # -- sending --------------------------------------------------------------------------

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
