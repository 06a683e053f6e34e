"""The look: one theme file (resources/ui/clerk-theme.qss), a proportional Latin face beside
the Japanese one, and the readable base size (12 pt at the counter)."""

from __future__ import annotations

import functools
import re

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication

from counterapp.resources import resource_path

CLERK_THEME = ("ui", "clerk-theme.qss")
CLERK_POINT_SIZE = 12

# Latin first, in a proportional face (Segoe UI on Windows, Noto Sans / DejaVu Sans on Linux);
# characters it lacks fall through to the Japanese faces (Yu Gothic UI, Meiryo on Windows,
# Noto Sans CJK JP on Linux).
LATIN_FONTS = ["Segoe UI", "Noto Sans", "DejaVu Sans"]
JAPANESE_FONTS = ["Yu Gothic UI", "Meiryo", "BIZ UDPGothic", "Noto Sans CJK JP"]
UI_FONTS = LATIN_FONTS + JAPANESE_FONTS

_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_DECLARATION = re.compile(r"([a-z-]+)\s*:\s*([^;]+)")


@functools.cache
def clerk_stylesheet() -> str:
    return resource_path(*CLERK_THEME).read_text(encoding="utf-8")


def theme_rules(stylesheet: str) -> list[tuple[str, dict[str, str]]]:
    """Each rule of a Qt style sheet as (selector, {property: value})."""
    rules = []
    for selector, body in _RULE.findall(_COMMENT.sub("", stylesheet)):
        declarations = {name: value.strip() for name, value in _DECLARATION.findall(body)}
        rules.append((" ".join(selector.split()), declarations))
    return rules


def colour_pairs(stylesheet: str) -> list[tuple[str, str, str]]:
    """Every (selector, text colour, background colour) pair a style sheet defines.

    A rule that sets a text colour but no background is drawn on the base background:
    the background of the sheet's first rule (the window's).
    """
    pairs = []
    base = ""
    for selector, props in theme_rules(stylesheet):
        background = props.get("background-color") or props.get("background")
        base = base or background or ""
        if "color" in props:
            pairs.append((selector, props["color"], background or base))
        if "selection-color" in props:
            pairs.append((selector, props["selection-color"], props["selection-background-color"]))
    return pairs


def ui_font(point_size: int) -> QFont:
    font = QFont()
    font.setFamilies(UI_FONTS)
    font.setPointSize(point_size)
    return font


def apply_style(app: QApplication, point_size: int = CLERK_POINT_SIZE) -> None:
    app.setFont(ui_font(point_size))
    app.setStyleSheet(clerk_stylesheet())
