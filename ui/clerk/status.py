"""Always visible: reader and card, the current card's verdict, sync state.

Long texts elide (the full text is the tooltip): the status bar never widens the window.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar

from counterapp.messages import text
from counterapp.queue import worklist_counts
from counterapp.verification.verdict import Verdict
from ui.context import UiContext
from ui.i18n import t

REFRESH_MS = 3000
MIN_LABEL_WIDTH = 24


class ElidedLabel(QLabel):
    """A one-line label that shortens its text with "…" to the width it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)
        self.setAccessibleName(text)

    def minimumSizeHint(self) -> QSize:
        return QSize(MIN_LABEL_WIDTH, super().minimumSizeHint().height())

    def shown_text(self) -> str:
        """The text as drawn at the current width."""
        width = self.contentsRect().width()
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, width)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        align = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        painter.drawText(self.contentsRect(), align, self.shown_text())


class StatusBar(QStatusBar):
    def __init__(self, context: UiContext) -> None:
        super().__init__()
        self.context = context
        self.language = "ja"
        self.reader = ElidedLabel()
        self.verdict = ElidedLabel()
        self.sync = ElidedLabel()
        for label, stretch in ((self.reader, 3), (self.verdict, 2), (self.sync, 3)):
            self.addPermanentWidget(label, stretch)
        self._verdict: Verdict | None = None
        context.presence.changed.connect(lambda _present: self._show_reader())
        context.presence.reader_changed.connect(lambda _connected: self._show_reader())
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh_sync)
        self.timer.start(REFRESH_MS)

    def retranslate(self, language: str) -> None:
        self.language = language
        self._show_reader()
        self.show_verdict(self._verdict)
        self.refresh_sync()

    def _show_reader(self) -> None:
        source, lang = self.context.source, self.language
        if source.scenario is not None:
            name = t("clerk.status.emulator", lang, scenario=source.scenario)
        else:
            name = source.reader or ""
        if not self.context.presence.reader_connected:
            self.reader.setText(t("clerk.status.no_reader", lang))
            return
        card = "card_present" if self.context.presence.present else "card_absent"
        # The card's state first: a long reader name is what gets shortened, never it.
        self.reader.setText(
            f"{t('clerk.status.' + card, lang)}｜{t('clerk.status.reader', lang, reader=name)}"
        )

    def show_verdict(self, verdict: Verdict | None) -> None:
        """The verdict of the card being served, in words (never colour alone)."""
        self._verdict = verdict
        if verdict is None:
            self.verdict.setText(t("clerk.status.verdict_none", self.language))
            return
        self.verdict.setText(text(f"verdict.{verdict.overall.value}", self.language))

    def refresh_sync(self) -> None:
        state = self.context.sync_status()
        counts = worklist_counts(self.context.service.queue.entries())  # as 本日の申請 counts
        last = state.last_success_at or t("clerk.status.sync_never", self.language)
        self.sync.setText(
            t(
                "clerk.status.sync",
                self.language,
                pending=counts["pending"],
                failed=counts["failed"],
                last=str(last)[:16],
            )
        )
