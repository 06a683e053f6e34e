"""Frozen entry point of ``counterapp.exe`` (console): the CLI, with ``gui`` included."""

from ui.cli import main

main()
