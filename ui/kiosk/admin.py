"""The way out of the kiosk for staff: a hidden gesture, then the administrator PIN.

The gesture is holding the top-right corner for three seconds, or Ctrl+Alt+Shift+A.
The PIN is compared in constant time and never logged or kept after the check.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QKeySequence, QMouseEvent, QShortcut
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QVBoxLayout, QWidget

from counterapp.adminpin import AdminPin, check_admin_pin
from counterapp.audit import AuditLog
from ui.i18n import t
from ui.kiosk.widgets import big_button, name_button, text_label

log = logging.getLogger(__name__)

HOLD_MS = 3000
CORNER_PX = 96
ADMIN_KEYS = "Ctrl+Alt+Shift+A"
MAX_TRIES = 3  # then the dialog closes: the gesture must be made again


class AdminGesture(QObject):
    """Emits ``requested()`` after a 3 s hold in the top-right corner or on the key sequence."""

    requested = Signal()

    def __init__(self, window: QWidget, hold_ms: int = HOLD_MS) -> None:
        super().__init__(window)
        self.window = window
        self.hold_ms = hold_ms
        self._hold = QTimer(self)
        self._hold.setSingleShot(True)
        self._hold.timeout.connect(self.requested.emit)
        shortcut = QShortcut(QKeySequence(ADMIN_KEYS), window)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(self.requested.emit)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def in_corner(self, global_point: QPoint) -> bool:
        point = self.window.mapFromGlobal(global_point)
        width = self.window.width()
        return width - CORNER_PX <= point.x() < width and 0 <= point.y() < CORNER_PX

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            if self.in_corner(event.globalPosition().toPoint()):
                if not self._hold.isActive():
                    self._hold.start(self.hold_ms)
            else:
                self._hold.stop()
        elif kind == QEvent.Type.MouseButtonRelease:
            self._hold.stop()
        return False


class AdminPinDialog(QDialog):
    """Asks for the administrator PIN; ``unlocked()`` (leave the kiosk) or ``settings()`` (the
    admin screen) is emitted only for the right one. Wrong PINs are audited with their count."""

    unlocked = Signal()
    settings = Signal()

    def __init__(
        self,
        expected: AdminPin,
        language: str,
        parent: QWidget | None = None,
        audit: AuditLog | None = None,
    ) -> None:
        super().__init__(parent)
        self._expected = expected
        self._audit = audit
        self.language = language
        self.tries_left = MAX_TRIES
        title = t("kiosk.admin.title", language)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.heading = text_label("kioskHeading")
        self.heading.setText(title)
        self.message = text_label("warning")
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setAccessibleName(title)
        self.edit.returnPressed.connect(self._check)
        self.ok = big_button(self._check)
        name_button(self.ok, t("ui.ok", language))
        self.open_settings = big_button(lambda: self._check(self.settings))
        name_button(self.open_settings, t("admin.title", language))
        self.open_settings.setVisible(audit is not None)
        self.cancel = big_button(self.reject, secondary=True)
        name_button(self.cancel, t("ui.cancel", language))
        layout = QVBoxLayout(self)
        for widget in (
            self.heading,
            self.message,
            self.edit,
            self.ok,
            self.open_settings,
            self.cancel,
        ):
            layout.addWidget(widget)

    def _check(self, then: SignalInstance | None = None) -> None:
        entered = self.edit.text()
        self.edit.clear()
        refused = MAX_TRIES - self.tries_left
        if self._audit is not None:
            right = check_admin_pin(
                self._expected, entered, self._audit, where="kiosk", refused_before=refused
            )
        else:
            right = self._expected.matches(entered)
        if right:
            self.accept()
            (then or self.unlocked).emit()
            return
        self.tries_left -= 1
        log.warning("kiosk: wrong administrator PIN (%d tries left)", self.tries_left)
        if self.tries_left <= 0:
            self.reject()
        else:
            self.message.setText(t("kiosk.admin.wrong", self.language))

    def reject(self) -> None:
        self.edit.clear()
        super().reject()
