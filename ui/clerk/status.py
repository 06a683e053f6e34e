"""Always visible: reader and card, the current card's verdict, sync state, operator."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QStatusBar

from counterapp.messages import text
from counterapp.verification.verdict import Verdict
from ui.context import UiContext
from ui.i18n import t

REFRESH_MS = 3000


class StatusBar(QStatusBar):
    def __init__(self, context: UiContext) -> None:
        super().__init__()
        self.context = context
        self.language = "ja"
        self.reader = QLabel()
        self.verdict = QLabel()
        self.sync = QLabel()
        self.operator = QLabel()
        for label in (self.reader, self.verdict, self.sync, self.operator):
            self.addPermanentWidget(label)
        self._verdict: Verdict | None = None
        context.presence.changed.connect(lambda _present: self._show_reader())
        context.presence.reader_changed.connect(lambda _connected: self._show_reader())
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh_sync)
        self.timer.start(REFRESH_MS)

    def retranslate(self, language: str) -> None:
        self.language = language
        settings = self.context.settings
        self.operator.setText(t("clerk.status.operator", language, operator=settings.operator))
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
        self.reader.setText(
            f"{t('clerk.status.reader', lang, reader=name)}（{t('clerk.status.' + card, lang)}）"
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
        last = state.last_success_at or t("clerk.status.sync_never", self.language)
        self.sync.setText(
            t(
                "clerk.status.sync",
                self.language,
                pending=state.pending,
                failed=state.failed,
                last=str(last)[:16],
            )
        )
