"""Frozen entry point of ``counterapp-gui.exe`` (windowed): the clerk window or the kiosk."""

from ui.main import main

main()
