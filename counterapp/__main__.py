"""``python -m counterapp``: the same program as the ``counterapp`` console script.

The console script is ``ui.cli:main`` (pyproject ``[project.scripts]``; a test keeps the two
in step): the headless CLI plus ``gui``. The core may not import ``ui`` (imports point down),
so its entry point is imported here by name when the program runs, as the console script's
launcher does. It is not looked up in the package metadata: that loaded importlib.metadata
and read the installed distributions on every start, which the console script never does.
Without the ``ui`` package (only the core on the path) this runs the headless CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

CONSOLE_SCRIPT = "ui.cli:main"


def console_script() -> Callable[[], None]:
    """The ``counterapp`` console script's function."""
    module_name, _, function_name = CONSOLE_SCRIPT.partition(":")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name.partition(".")[0]:
            raise  # ui is there but something it needs is not: say so, as the script would
        from counterapp.cli import main as headless_main

        return headless_main
    function: Callable[[], None] = getattr(module, function_name)
    return function


if __name__ == "__main__":
    console_script()()
