"""The self-service kiosk: a locked full-screen shell around the resident's visit.

The caller shows it with ``show_kiosk()``. It cannot be closed except through the
administrator gesture and PIN (or by the operating system); it returns to the start
screen after ``idle_seconds`` without input, counting down the last ten seconds.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QVBoxLayout, QWidget

from counterapp.adminpin import AdminPin
from counterapp.settings import Settings
from ui.context import UiContext
from ui.i18n import LANGUAGES, t
from ui.kiosk.admin import AdminGesture, AdminPinDialog
from ui.kiosk.flow import KioskFlow, build_pages
from ui.kiosk.idle import IdleWatcher
from ui.kiosk.theme import FONT_SCALES, nearest_scale, stylesheet
from ui.kiosk.voice import Voice
from ui.kiosk.widgets import text_label

log = logging.getLogger(__name__)


class KioskWindow(QMainWindow):
    """Full-screen self-service terminal for residents."""

    def __init__(
        self,
        context: UiContext,
        language: str | None = None,
        idle_seconds: float = 60,
        *,
        font_scale: float = 1.0,
        high_contrast: bool = False,
        admin_pin: AdminPin | None = None,
        voice: bool = True,
    ) -> None:
        super().__init__()
        language = language or context.settings.kiosk_language
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}")
        self.context = context
        self._default_scale = nearest_scale(font_scale)
        self._default_contrast = high_contrast
        self.font_scale, self.high_contrast = self._default_scale, high_contrast
        self._admin_pin = admin_pin
        self._unlocked = False
        self._admin_dialog: AdminPinDialog | None = None
        self.countdown = text_label("countdown")
        self.countdown.hide()
        self.pages = build_pages(context, self)
        self.flow = KioskFlow(context, self.pages, language)
        self.voice = Voice(self, enabled=voice)
        self.idle = IdleWatcher(idle_seconds, self)
        self.admin_gesture = AdminGesture(self)
        self._lay_out()
        self._connect()
        self.setWindowTitle(t("kiosk.window_title", language))
        self._apply_theme()
        self.flow.show_start()
        self.idle.start()

    @property
    def language(self) -> str:
        return self.flow.language

    def _lay_out(self) -> None:
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.addWidget(self.countdown)
        layout.addWidget(self.pages.stack, 1)
        self.setCentralWidget(central)

    def _connect(self) -> None:
        start = self.pages.start
        start.font_step.connect(self.step_font)
        start.contrast_toggled.connect(self.set_high_contrast)
        self.flow.spoken.connect(lambda text: self.voice.say(text, self.language))
        self.flow.wiped.connect(self._after_wipe)
        self.idle.countdown.connect(self._show_countdown)
        self.idle.expired.connect(self._idle_expired)
        self.admin_gesture.requested.connect(self.request_admin)

    def show_kiosk(self) -> None:
        """Frameless and full screen: there is no title bar and no close button."""
        self.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
        self.showFullScreen()

    # Display: text size and contrast

    def step_font(self, step: int) -> None:
        index = FONT_SCALES.index(self.font_scale) + step
        self.font_scale = FONT_SCALES[max(0, min(index, len(FONT_SCALES) - 1))]
        self._apply_theme()

    def set_high_contrast(self, on: bool) -> None:
        self.high_contrast = on
        self._apply_theme()

    def _apply_theme(self) -> None:
        self.setStyleSheet(stylesheet(self.font_scale, self.high_contrast))
        self.pages.start.reset_display(self.high_contrast)

    # Idle timeout and wipe

    def _show_countdown(self, seconds: int) -> None:
        visible = seconds > 0 and not self.flow.on_start
        if visible:
            self.countdown.setText(t("kiosk.countdown", self.language, seconds=seconds))
        self.countdown.setVisible(visible)

    @property
    def pristine(self) -> bool:
        """The start screen as the next resident should find it."""
        return not self.flow.in_visit and (self.language, self.font_scale, self.high_contrast) == (
            self.flow.default_language,
            self._default_scale,
            self._default_contrast,
        )

    def _idle_expired(self) -> None:
        self._close_admin_dialog()
        if not self.pristine:
            self.wipe()

    def wipe(self) -> None:
        """Forget the resident and go back to the start screen in Japanese."""
        self.flow.wipe()

    def _after_wipe(self) -> None:
        self.countdown.hide()
        self.idle.reset()
        self.voice.stop()
        self.font_scale, self.high_contrast = self._default_scale, self._default_contrast
        self._apply_theme()

    # Leaving the kiosk: staff only

    def request_admin(self) -> None:
        """The admin gesture: ask for the administrator PIN (if one is configured)."""
        if self._admin_pin is None or self._admin_dialog is not None:
            return
        dialog = AdminPinDialog(self._admin_pin, self.language, self, self.context.audit)
        dialog.unlocked.connect(self.exit_kiosk)
        dialog.settings.connect(self.open_admin_screen)
        dialog.finished.connect(self._forget_admin_dialog)
        self._admin_dialog = dialog
        dialog.open()

    def open_admin_screen(self) -> None:
        """The admin screen (the PIN was right): the visit is wiped first; changes apply here."""
        from ui.admin.screen import AdminScreen  # loads with its first opening

        self.wipe()
        screen = AdminScreen(self.context, self.language, self)
        screen.changed.connect(self.apply_settings)
        self.setProperty("adminScreen", screen)
        screen.open()

    def apply_settings(self, settings: Settings) -> None:
        """A changed setting applies now: the idle time at once, the rest with the next visit."""
        self.idle.idle_seconds = settings.kiosk_idle_seconds
        self.idle.reset()

    def _forget_admin_dialog(self) -> None:
        dialog, self._admin_dialog = self._admin_dialog, None
        if dialog is not None:
            dialog.deleteLater()

    def _close_admin_dialog(self) -> None:
        if self._admin_dialog is not None:
            self._admin_dialog.reject()

    def exit_kiosk(self) -> None:
        """Leave the kiosk (after the administrator PIN): wipe, stop timers and close."""
        log.info("kiosk: unlocked by the administrator")
        self.wipe()
        self.idle.stop()
        self._unlocked = True
        self.window().close()  # the launcher when the kiosk sits in it, else this window

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._unlocked:
            event.ignore()
            return
        super().closeEvent(event)
