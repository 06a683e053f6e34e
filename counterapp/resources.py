"""Where the shipped data files (forms, trust pins, fonts) are: the source tree or the bundle."""

from __future__ import annotations

import sys
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """A path under ``resources/``, in the source tree or in a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    base = Path(bundle) if bundle else Path(__file__).resolve().parents[1]
    return base.joinpath("resources", *parts)
