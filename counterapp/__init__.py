"""The counter terminal's core: settings, card reading, verification, forms, queue and CLI.

No Qt here: everything runs headless.
"""

__version__ = "0.1.0"
