"""How the terminal's programs (the CLI, the window) start: what every entry point does first.

- No third-party plugins hooked into its libraries: nothing installed beside the terminal
  may hook the models that check its forms (as sqlite-utils' plugins are kept off the
  database, counterapp/store.py), and looking for pydantic plugins scans every installed
  package's entry points when the first model is built.
- The modules a command needs are imported without the cyclic garbage collector walking
  them, then left out of its collections for good (``gc.freeze``, made for this): what an
  import makes (classes, functions, validators, compiled patterns) lives as long as the
  process, so every collection that walked it was wasted; a ``form fill`` spent ~30 ms so.
  Objects made after the import are collected as usual.

Only the entry points call these, never an import: the back office, which imports the
shared package, keeps the libraries' defaults.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Iterator


def without_library_plugins() -> None:
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")


@contextlib.contextmanager
def long_lived_imports() -> Iterator[None]:
    """Around the imports a program makes once: no collection during them, none of them after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
