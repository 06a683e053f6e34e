"""The kiosk's look: large text, 96 px touch targets, an optional high-contrast palette."""

from __future__ import annotations

import functools

from PySide6.QtGui import QFontDatabase

from counterapp.resources import resource_path
from ui.style import JAPANESE_FONTS, LATIN_FONTS

BASE_FONT_PX = 27  # 20.25 pt at 96 dpi: the kiosk body is never under 20 pt
TOUCH_TARGET_PX = 96
FONT_SCALES = (1.0, 1.25, 1.5, 1.75)
UD_FONT_FILES = ("BIZUDGothic-Regular.ttf", "BIZUDGothic-Bold.ttf")

NORMAL = {
    "background": "#ffffff",
    "text": "#1a1a1a",
    "button": "#0b57d0",
    "button_text": "#ffffff",
    "secondary": "#e8eaed",
    "secondary_text": "#1a1a1a",
    "focus": "#f9ab00",
    "warning": "#b00020",
    "badge": "#1a1a1a",
    "disabled_text": "#5f6368",
}
HIGH_CONTRAST = {
    "background": "#000000",
    "text": "#ffffff",
    "button": "#ffff00",
    "button_text": "#000000",
    "secondary": "#000000",
    "secondary_text": "#ffffff",
    "focus": "#00ffff",
    "warning": "#ffff00",
    "badge": "#ffffff",
    "disabled_text": "#c0c0c0",
}


@functools.cache
def ui_font_family() -> str:
    """BIZ UDゴシック from resources/fonts (a universal-design face), or the system default."""
    family = ""
    for name in UD_FONT_FILES:
        font_id = QFontDatabase.addApplicationFont(str(resource_path("fonts", name)))
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        family = family or (families[0] if families else "")
    return family


def nearest_scale(scale: float) -> float:
    """The offered font scale closest to ``scale``."""
    return min(FONT_SCALES, key=lambda offered: abs(offered - scale))


def font_families() -> str:
    """Latin in a proportional face, Japanese in BIZ UDゴシック (then the system's)."""
    ud = [ui_font_family()] if ui_font_family() else []
    return ", ".join(f'"{name}"' for name in [*LATIN_FONTS, *ud, *JAPANESE_FONTS])


def stylesheet(scale: float, high_contrast: bool) -> str:
    """The whole window's style sheet for a font scale and palette.

    Body text is ``BASE_FONT_PX`` (27 px = 20.25 pt at 96 dpi) times the scale; every
    heading is larger than the text under it.
    """
    c = HIGH_CONTRAST if high_contrast else NORMAL
    px = round(BASE_FONT_PX * scale)
    font_family = f"font-family: {font_families()};"
    return f"""
QWidget {{ background: {c["background"]}; color: {c["text"]};
    font-size: {px}px; {font_family} }}
QPushButton {{ min-height: {TOUCH_TARGET_PX}px; padding: 8px 20px; border-radius: 12px;
    background: {c["button"]}; color: {c["button_text"]}; font-weight: bold;
    border: 3px solid {c["button"]}; }}
QPushButton:focus {{ border: 6px solid {c["focus"]}; }}
QPushButton:disabled {{ background: {c["secondary"]}; color: {c["disabled_text"]};
    border: 3px dashed {c["disabled_text"]}; }}
QPushButton[secondary="true"] {{ background: {c["secondary"]}; color: {c["secondary_text"]};
    border: 3px solid {c["text"]}; }}
QPushButton:checked {{ background: {c["text"]}; color: {c["background"]};
    border: 3px solid {c["text"]}; }}
QPushButton:checked:focus {{ border: 6px solid {c["focus"]}; }}
QLineEdit {{ min-height: {TOUCH_TARGET_PX}px; font-size: {px * 2}px;
    border: 3px solid {c["text"]}; }}
QLabel#kioskHeading {{ font-size: {round(px * 1.9)}px; font-weight: bold; }}
QLabel#kioskPrompt {{ font-size: {round(px * 1.5)}px; font-weight: bold; }}
QLabel#receptionNumber {{ font-size: {px * 4}px; font-weight: bold; }}
QLabel#warning {{ color: {c["warning"]}; font-weight: bold; }}
QLabel#countdown {{ color: {c["warning"]}; font-weight: bold; border: 4px solid {c["warning"]};
    padding: 8px; }}
QLabel#badge {{ color: {c["badge"]}; border: 2px solid {c["badge"]}; border-radius: 6px;
    padding: 2px 8px; font-size: {round(px * 0.8)}px; }}
QLabel#formTitle {{ font-size: {round(px * 1.3)}px; font-weight: bold;
    border-bottom: 3px solid {c["text"]}; }}
"""
