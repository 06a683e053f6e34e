"""The counter terminal's core: settings, card reading, verification, forms, queue and CLI.

No Qt here: everything runs headless.
"""

import os

__version__ = "0.1.0"


def without_library_plugins() -> None:
    """Run the terminal's programs with no third-party plugins hooked into its libraries.

    Nothing installed beside the terminal may hook the models that check its forms (as
    sqlite-utils' plugins are kept off the database, counterapp/store.py); and looking for
    pydantic plugins scans every installed package's entry points at the first model built.
    Called by the entry points (CLI and window), never on import: the back office, which
    imports the shared package, keeps pydantic's default.
    """
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
