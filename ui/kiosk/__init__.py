"""The self-service kiosk: residents prepare their forms alone, in large text and their language."""

from ui.kiosk.window import KioskWindow

__all__ = ["KioskWindow"]
