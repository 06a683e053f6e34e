"""What the terminal and the back office share, and nothing else of the terminal.

``counterapp.wire`` holds the wire schema (``schema``), the value rules (``values``),
detached-CMS verification (``signatures``) and the message catalogue's loader
(``catalogue``). It imports no card session, no emulator, no Qt and nothing else of the
terminal, so the back office installs it on a server on its own (backoffice/pyproject.toml).
This package file imports nothing: the catalogue loads without pydantic.
"""
