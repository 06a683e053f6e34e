"""How staff reach the admin screen: a menu entry (clerk window) or the kiosk's admin gesture.

Both ask for the same admin PIN (``counterapp kiosk set-admin-pin``) before the screen opens.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow, QWidget

from counterapp.adminpin import load_admin_pin
from counterapp.settings import Settings
from ui.admin.gate import AdminGate
from ui.context import UiContext
from ui.i18n import t

ADMIN_SHORTCUT = "Ctrl+Alt+Shift+S"


def open_admin(
    context: UiContext,
    language: str,
    parent: QWidget,
    where: str,
    applied: Callable[[Settings], None] | None = None,
) -> AdminGate:
    """Ask for the admin PIN (non-blocking); the admin screen opens after the right one."""
    gate = AdminGate(
        load_admin_pin(context.settings.data_dir), context.audit, language, where, parent
    )

    def unlocked(result: int) -> None:
        if result == QDialog.DialogCode.Accepted:
            from ui.admin.screen import AdminScreen  # loads with its first opening

            screen = AdminScreen(context, language, parent)
            if applied is not None:
                screen.changed.connect(applied)
            parent.setProperty("adminScreen", screen)  # found by tests and screenshots
            screen.open()

    gate.finished.connect(unlocked)
    gate.open()
    return gate


def add_admin_menu(window: QMainWindow, context: UiContext, language: Callable[[], str]) -> QAction:
    """The clerk window's 管理 menu with its one entry, 管理画面… (asks for the admin PIN)."""
    action = QAction(t("admin.open", language()), window)
    action.setShortcut(QKeySequence(ADMIN_SHORTCUT))
    action.triggered.connect(lambda: open_admin(context, language(), window, "clerk"))
    menu = window.menuBar().addMenu(t("admin.title", language()))
    menu.addAction(action)
    return action
