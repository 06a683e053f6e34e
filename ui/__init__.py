"""The PySide6 front ends (clerk window and kiosk). The only package that imports Qt."""
