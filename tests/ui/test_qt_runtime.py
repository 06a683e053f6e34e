"""The Qt binding survives a long day: a kiosk calls Qt methods hundreds of thousands of times."""

from __future__ import annotations

import os
import subprocess
import sys

# One text update a second for a few hours, compressed: PySide6 6.12.0 on Python 3.11
# aborted with "none_dealloc" after about 5,000 calls that return nothing.
MANY_CALLS = """
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel()
for second in range(50_000):
    label.setText(str(second))
print("still running")
"""


def test_fifty_thousand_label_updates_do_not_abort_the_interpreter() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", MANY_CALLS], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert "still running" in result.stdout
