"""Small building blocks every kiosk page uses: big buttons and large labels."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLayout, QPushButton, QSizePolicy

from ui.kiosk.theme import TOUCH_TARGET_PX


def big_button(
    action: Callable[[], object] | None = None, *, secondary: bool = False
) -> QPushButton:
    """A touch-sized button; its text and accessible name are set with ``name_button``."""
    button = QPushButton()
    button.setMinimumHeight(TOUCH_TARGET_PX)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
    button.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    button.setProperty("secondary", secondary)
    if action is not None:
        button.clicked.connect(action)
    return button


def name_button(button: QPushButton, text: str, description: str = "") -> None:
    """Set what a button says and what a screen reader announces."""
    button.setText(text)
    button.setAccessibleName(text)
    button.setAccessibleDescription(description)


def text_label(object_name: str = "") -> QLabel:
    """A wrapping label; ``object_name`` picks its style (kioskHeading, kioskPrompt, …)."""
    label = QLabel()
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if object_name:
        label.setObjectName(object_name)
    return label


def clear_layout(layout: QLayout) -> None:
    """Remove and delete every widget of ``layout`` at once (they leave the tree now)."""
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget, inner = item.widget(), item.layout()
        if widget is not None:
            for label in [widget, *widget.findChildren(QLabel)]:
                if isinstance(label, QLabel):
                    label.clear()
            widget.setParent(None)
            widget.deleteLater()
        elif inner is not None:
            clear_layout(inner)
