"""Run the real ``counterapp`` command in a subprocess, isolated in a data folder."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_counterapp(data_dir: Path, *args: str, stdin: str = "", timeout: float = 60) -> Result:
    """``python -m counterapp --data-dir DATA_DIR ARGS...`` with ``stdin`` piped in."""
    completed = subprocess.run(
        [sys.executable, "-m", "counterapp", "--data-dir", str(data_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(completed.returncode, completed.stdout, completed.stderr)
