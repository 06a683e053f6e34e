"""The Windows package's spec, built here for Linux and run: what ships must start and work.

Builds ``build/counterapp.spec`` with PyInstaller once per session (one folder, the same
spec as on Windows) and runs the frozen programs the way IT staff and the clerk would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PINS = "1234\n1234\n"  # the emulator's auth and Kenhojo PINs, typed on standard input
# The first test waits for the PyInstaller build.
pytestmark = [pytest.mark.timeout(1200), pytest.mark.slow]


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    work = tmp_path_factory.mktemp("pyinstaller")
    command = [
        sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
        "--distpath", str(work / "dist"), "--workpath", str(work / "build"),
        str(ROOT / "build" / "counterapp.spec"),
    ]  # fmt: skip
    built = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert built.returncode == 0, built.stderr[-4000:]
    yield work / "dist" / "counterapp"


def run(
    bundle: Path, tmp_path: Path, program: str, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COUNTERAPP_DATA_DIR": str(tmp_path), "COUNTERAPP_KEY_STORE": "file"}
    env.pop("DISPLAY", None)  # the GUI must find its way to offscreen by itself
    env.pop("QT_QPA_PLATFORM", None)
    env.pop("PYTHONPATH", None)  # nothing from the source tree: only what was bundled
    return subprocess.run(
        [str(bundle / program), *args],
        input=stdin, env=env, capture_output=True, text=True, timeout=180, cwd=tmp_path,
    )  # fmt: skip


def test_the_frozen_cli_tells_its_version(bundle: Path, tmp_path: Path) -> None:
    result = run(bundle, tmp_path, "counterapp", "--version")
    assert result.returncode == 0 and "0.1.0" in result.stdout


@pytest.mark.parametrize(
    ("scenario", "code", "verdict"), [("valid", 0, "genuine"), ("revoked", 1, "not_genuine")]
)
def test_the_frozen_cli_verifies_an_emulated_card(
    bundle: Path, tmp_path: Path, scenario: str, code: int, verdict: str
) -> None:
    result = run(
        bundle, tmp_path, "counterapp", "verify", "--simulate", scenario, "--json", stdin=PINS
    )
    assert result.returncode == code, result.stderr
    assert f'"verdict": "{verdict}"' in result.stdout


@pytest.mark.parametrize("mode", [[], ["--kiosk"]], ids=["clerk", "kiosk"])
def test_the_frozen_gui_opens_its_window_and_reads_a_card(
    bundle: Path, tmp_path: Path, mode: list[str]
) -> None:
    result = run(bundle, tmp_path, "counterapp-gui", *mode, "--self-test", "--simulate", "valid")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "self-test OK" in result.stdout


def test_every_resource_is_in_the_bundle_and_no_test_code_is(bundle: Path) -> None:
    shipped = ROOT / "resources"
    bundled = bundle / "_internal" / "resources"
    missing = [
        str(path.relative_to(shipped))
        for path in shipped.rglob("*")
        if path.is_file() and not (bundled / path.relative_to(shipped)).is_file()
    ]
    assert missing == []
    names = {path.name for path in (bundle / "_internal").iterdir()}
    assert not names & {"tests", "backoffice", "pytest", "_pytest", "hypothesis"}
