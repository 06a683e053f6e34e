"""The look: a readable base font, clear focus, and the kiosk's large, high-contrast themes."""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

CLERK_STYLE = """
QLabel#heading { font-size: 18pt; font-weight: bold; }
QLabel#fieldNote { color: #8a4b00; }
*:focus { outline: 2px solid #1a5fb4; }
"""

# Fonts that carry Japanese on Windows (Yu Gothic UI, Meiryo) and Linux (Noto Sans CJK JP).
JAPANESE_FONTS = ["Yu Gothic UI", "Meiryo", "BIZ UDGothic", "Noto Sans CJK JP"]


def apply_style(app: QApplication, point_size: int = 11) -> None:
    font = QFont()
    font.setFamilies(JAPANESE_FONTS)
    font.setPointSize(point_size)
    app.setFont(font)
    app.setStyleSheet(CLERK_STYLE)
