"""``python -m counterapp``: the same program as the ``counterapp`` console script.

The console script is ``ui.cli:main`` (pyproject ``[project.scripts]``): the headless CLI plus
``gui``. The core may not import ``ui`` (imports point down), so this runs the entry point the
installed distribution declares; without package metadata (a source tree that was never
installed) it falls back to the headless CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, distribution

from counterapp.cli import main as headless_main

SCRIPT = "counterapp"


def console_script() -> Callable[[], None]:
    """The ``counterapp`` console script's function, as installed."""
    try:
        entry_points = distribution(SCRIPT).entry_points
    except PackageNotFoundError:
        return headless_main
    for entry_point in entry_points:
        if entry_point.group == "console_scripts" and entry_point.name == SCRIPT:
            function: Callable[[], None] = entry_point.load()
            return function
    return headless_main


if __name__ == "__main__":
    console_script()()
