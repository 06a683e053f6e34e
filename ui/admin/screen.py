"""The admin screen: the reader (chosen and tested), the terminal's identity and back office,
the kiosk's idle time, the terminal certificate and the J-LIS trust material.

Every change goes through ``counterapp.configure.change_setting`` (checked by the typed
settings, saved atomically, audited); a refused value shows the error naming the setting.
``changed(settings)`` carries the new settings to the window that applies them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QGridLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counterapp.cardsource import CardSource
from counterapp.configure import (
    certificate_status,
    change_setting,
    reader_names,
    trust_overview,
)
from counterapp.reading import CardInfo, read_card_info
from counterapp.settings import Settings, SettingsError
from counterapp.verification.status import GenerationState
from ui.context import UiContext
from ui.i18n import LANGUAGE_NAMES, LANGUAGES, error_message, t
from ui.kiosk.keys import call_with
from ui.worker import CardWorker

TEXT_SETTINGS = ("municipality", "terminal_id", "backoffice_url", "kiosk_idle_seconds")
LANGUAGE_SETTINGS = ("clerk_language", "kiosk_language")
TEST_JOB = "admin-reader-test"


def _label(text: str = "") -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class AdminScreen(QDialog):
    """Settings IT staff change at the terminal, each saved on its own button."""

    changed = Signal(object)  # the new Settings

    def __init__(self, context: UiContext, language: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.language = language
        self.setWindowTitle(t("admin.title", language))
        self.message = _label()
        self.message.setObjectName("adminMessage")
        self.edits: dict[str, QLineEdit] = {}
        self.save_buttons: dict[str, QPushButton] = {}
        self._test_worker: CardWorker | None = None
        layout = QVBoxLayout(self)
        self.language_boxes: dict[str, QComboBox] = {}
        boxes = (self._reader_box(), self._settings_box(), self._languages_box())
        for box in (*boxes, self._status_box()):
            layout.addWidget(box)
        layout.addWidget(self.message)
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)  # Enter saves the field it is typed in, nothing else
        self.resize(900, 760)

    @property
    def settings(self) -> Settings:
        return self.context.settings

    # -- the reader ------------------------------------------------------------------------

    def _reader_box(self) -> QGroupBox:
        box = QGroupBox(t("admin.reader", self.language))
        self.reader_box = QComboBox()
        self.reader_box.setAccessibleName(t("admin.reader", self.language))
        self.reader_box.addItem(t("admin.reader.emulator", self.language), "")
        for name in reader_names():
            self.reader_box.addItem(name, name)
        current = self.reader_box.findData(self.settings.reader or "")
        if current < 0 and self.settings.reader:
            self.reader_box.addItem(self.settings.reader, self.settings.reader)
            current = self.reader_box.count() - 1
        self.reader_box.setCurrentIndex(max(current, 0))
        self.reader_save = QPushButton(t("admin.save", self.language))
        self.reader_save.clicked.connect(self._save_reader)
        self.reader_test = QPushButton(t("admin.reader.test", self.language))
        self.reader_test.clicked.connect(self.test_reader)
        self.reader_result = _label()
        grid = QGridLayout(box)
        grid.addWidget(self.reader_box, 0, 0)
        grid.addWidget(self.reader_save, 0, 1)
        grid.addWidget(self.reader_test, 0, 2)
        grid.addWidget(self.reader_result, 1, 0, 1, 3)
        return box

    def _save_reader(self) -> None:
        name = str(self.reader_box.currentData() or "")
        self.save("reader", name or None)

    def test_reader(self) -> None:
        """Read the card's public data (no PIN) on a reader thread for the chosen reader."""
        name = str(self.reader_box.currentData() or "")
        source = (
            CardSource(reader=name)
            if name
            else CardSource(scenario=self.settings.scenario, latency_ms=0)
        )
        if source == self.context.source:
            worker = self.context.worker
        else:
            worker = self._test_worker = CardWorker(source)
        worker.succeeded.connect(self._tested)
        worker.failed.connect(self._test_failed)
        self.reader_test.setEnabled(False)
        self.reader_result.setText(t("ui.reading", self.language))
        worker.submit(TEST_JOB, lambda card, _interaction: read_card_info(card))

    def _tested(self, name: str, info: object) -> None:
        if name != TEST_JOB or not isinstance(info, CardInfo):
            return
        until = info.auth_certificate.not_after.date().isoformat()
        self.reader_result.setText(t("admin.reader.test_ok", self.language, until=until))
        self._test_done()

    def _test_failed(self, name: str, error: BaseException) -> None:
        if name != TEST_JOB:
            return
        detail = error_message(error, self.language)
        self.reader_result.setText(t("admin.reader.test_failed", self.language, detail=detail))
        self._test_done()

    def _test_done(self) -> None:
        self.reader_test.setEnabled(True)
        for worker in {self.context.worker, self._test_worker} - {None}:
            assert worker is not None
            worker.succeeded.disconnect(self._tested)
            worker.failed.disconnect(self._test_failed)
        if self._test_worker is not None:
            self._test_worker.stop()
            self._test_worker = None

    # -- settings typed in -------------------------------------------------------------------

    def _settings_box(self) -> QGroupBox:
        box = QGroupBox(t("admin.settings", self.language))
        grid = QGridLayout(box)
        for row, name in enumerate(TEXT_SETTINGS):
            edit = QLineEdit(str(getattr(self.settings, name)))
            edit.returnPressed.connect(call_with(self._save_edit, name))
            self.edits[name] = edit
            self._setting_row(grid, row, name, edit, self._save_edit)
        return box

    def _setting_row(
        self, grid: QGridLayout, row: int, name: str, field: QWidget, save: Callable[[str], None]
    ) -> None:
        """One setting: its label (and key), the field it is chosen in, its save button."""
        label = _label(f"{t(f'admin.setting.{name}', self.language)} ({name})")
        field.setAccessibleName(name)
        button = QPushButton(t("admin.save", self.language))
        button.setAccessibleName(f"{t('admin.save', self.language)} {name}")
        button.clicked.connect(call_with(save, name))
        self.save_buttons[name] = button
        grid.addWidget(label, row, 0)
        grid.addWidget(field, row, 1)
        grid.addWidget(button, row, 2)

    def _languages_box(self) -> QGroupBox:
        """The clerk window's and the kiosk's start language, chosen from the seven."""
        box = QGroupBox(t("admin.languages", self.language))
        grid = QGridLayout(box)
        for row, name in enumerate(LANGUAGE_SETTINGS):
            choice = QComboBox()
            for code in LANGUAGES:
                choice.addItem(LANGUAGE_NAMES[code], code)
            choice.setCurrentIndex(max(choice.findData(getattr(self.settings, name)), 0))
            self.language_boxes[name] = choice
            self._setting_row(grid, row, name, choice, self._save_language)
        return box

    def _save_language(self, name: str) -> None:
        self.save(name, str(self.language_boxes[name].currentData()))

    def _save_edit(self, name: str) -> None:
        self.save(name, self.edits[name].text().strip())

    def save(self, name: str, text: str | None) -> bool:
        """Change one setting through the core; the message says saved, or why not."""
        try:
            settings = change_setting(self.settings, self.context.audit, name, text)
        except SettingsError as exc:
            self.message.setText(
                t("admin.refused", self.language, problems="\n".join(exc.problems))
            )
            return False
        self.context.settings = settings
        self.context.service.settings = settings
        self.message.setText(t("admin.saved", self.language, name=name))
        self.changed.emit(settings)
        self._show_status()
        return True

    # -- certificate and trust ---------------------------------------------------------------

    def _status_box(self) -> QGroupBox:
        box = QGroupBox(t("admin.status", self.language))
        self.certificate_label = _label()
        self.certificate_label.setObjectName("adminCertificate")
        self.trust_label = _label()
        layout = QVBoxLayout(box)
        layout.addWidget(self.certificate_label)
        layout.addWidget(self.trust_label)
        self._show_status()
        return box

    def _show_status(self) -> None:
        now = dt.datetime.now(dt.UTC)
        status = certificate_status(self.settings)
        lang = self.language
        if not status.found:
            text = t("admin.certificate.missing", lang, path=str(status.path))
        elif status.not_after is None:
            text = t("admin.certificate.unreadable", lang, path=str(status.path))
        else:
            key = "admin.certificate.soon" if status.expires_soon(now) else "admin.certificate.ok"
            text = t(
                key,
                lang,
                until=status.not_after.date().isoformat(),
                days=status.days_left(now),
                issuer=status.issuer,
            )
        self.certificate_label.setProperty("warning", not status.found or status.expires_soon(now))
        self.certificate_label.setText(text)
        self.trust_label.setText(self._trust_text(now.date()))

    def _trust_text(self, today: dt.date) -> str:
        try:
            overview = trust_overview(self.settings, today)
        except Exception as exc:  # damaged trust files: shown, the screen stays usable
            return error_message(exc, self.language)
        lines = [t("admin.trust", self.language)]
        for generation in overview.generations:
            g = generation.generation
            state = t(f"admin.trust.{generation.state.value}", self.language)
            mark = (
                "✘" if generation.state is GenerationState.MISSING and generation.in_force else "・"
            )
            lines.append(f"{mark} {g.kind} #{g.number} ({g.valid_from} – {g.valid_until}): {state}")
        return "\n".join(lines)

    def done(self, result: int) -> None:
        if self._test_worker is not None:
            self._test_worker.stop()
            self._test_worker = None
        super().done(result)
