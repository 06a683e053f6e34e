"""``python -m counterapp`` is the ``counterapp`` command, and starts the same way."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from counterapp.__main__ import CONSOLE_SCRIPT

ROOT = Path(__file__).resolve().parents[2]
# Written into a folder put on PYTHONPATH: every Python started with it records, at exit,
# the modules it loaded and the package-metadata files it opened into the file named by
# COUNTERAPP_TEST_START_FILE.
SITECUSTOMIZE = """
import atexit, os, sys

_metadata_read = set()

def _watch(event, args):
    if event == "open" and isinstance(args[0], (str, os.PathLike)):
        path = os.fspath(args[0])
        if ".dist-info" in path or ".egg-info" in path:
            _metadata_read.add("metadata:" + os.path.basename(os.path.dirname(path)))

def _record():
    with open(os.environ["COUNTERAPP_TEST_START_FILE"], "w", encoding="utf-8") as out:
        out.write("\\n".join(sorted(set(sys.modules) | _metadata_read)))

sys.addaudithook(_watch)
atexit.register(_record)
"""


def test_it_runs_the_console_script_pyproject_declares() -> None:
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert scripts["scripts"]["counterapp"] == CONSOLE_SCRIPT


def _start_of(command: list[str], tmp_path: Path, name: str) -> set[str]:
    """The modules ``command`` loaded and the distributions whose metadata it read."""
    hook = tmp_path / "hook"
    hook.mkdir(exist_ok=True)
    (hook / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    record = tmp_path / f"{name}.start"
    path = os.pathsep.join(filter(None, [str(hook), os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        "PYTHONPATH": path,
        "COUNTERAPP_TEST_START_FILE": str(record),
        "COUNTERAPP_DATA_DIR": str(tmp_path / "data"),
    }
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(record.read_text(encoding="utf-8").split())


@pytest.mark.slow
def test_python_m_counterapp_starts_like_the_console_script(tmp_path: Path) -> None:
    # The same modules (only runpy more, which -m itself needs) and no package-metadata
    # lookup of its own (finding the console script there read counterapp's dist-info).
    script = [sys.executable, "-c", "import sys; from ui.cli import main; sys.exit(main())"]
    module = [sys.executable, "-m", "counterapp"]
    by_script = _start_of([*script, "--help"], tmp_path, "script")
    by_module = _start_of([*module, "--help"], tmp_path, "module")
    assert by_module - by_script == {"runpy"}
    assert by_script - by_module == set()
