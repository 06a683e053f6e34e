"""The screen for IT staff: settings, reader test, certificates and trust, behind the admin PIN.

``ui.admin.entry`` is what windows import (light); the screen loads when it is first opened.
"""
