"""Frozen cold start: ``counterapp-gui`` against a bare PySide6 window frozen the same way.

Run: ``python bench/frozen_startup.py [ROUNDS]`` (default 10). Builds ``build/counterapp.spec``
and ``bench/frozen_bare.py`` (PyInstaller, one folder, windowed) into a temporary folder,
then starts each ROUNDS times, interleaved, offscreen. Both print their age at the first
painted window, measured from the moment the OS created the process; ``counterapp-gui
--self-test --simulate valid`` also prints when its clerk window was ready and its resident
memory after the card read. Target: first window <= 1.3x the bare window.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPORT = re.compile(r"first window (\d+) ms(?:, ready (\d+) ms.*memory (\d+) MB)?")


def build(work: Path) -> tuple[Path, Path]:
    common = ["--noconfirm", "--log-level", "WARN", "--workpath", str(work / "build")]
    dist = work / "dist"
    run_pyinstaller([*common, "--distpath", str(dist), str(ROOT / "build" / "counterapp.spec")])
    run_pyinstaller(
        [*common, "--distpath", str(dist), "--specpath", str(work), "--windowed", "--onedir",
         "--paths", str(ROOT), "--name", "bare", str(ROOT / "bench" / "frozen_bare.py")]
    )  # fmt: skip
    return dist / "counterapp" / "counterapp-gui", dist / "bare" / "bare"


def run_pyinstaller(args: list[str]) -> None:
    subprocess.run([sys.executable, "-m", "PyInstaller", *args], cwd=ROOT, check=True)


def start(program: Path, env: dict[str, str], *args: str) -> tuple[float, ...]:
    out = subprocess.run(
        [str(program), *args], env=env, capture_output=True, text=True, timeout=120, check=True
    ).stdout
    found = REPORT.search(out)
    if found is None:
        raise RuntimeError(f"{program.name} printed no start-up report: {out!r}")
    return tuple(float(value) for value in found.groups() if value is not None)


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        gui, bare = build(work)
        env = {
            **os.environ,
            "QT_QPA_PLATFORM": "offscreen",
            "COUNTERAPP_DATA_DIR": str(work / "data"),
            "COUNTERAPP_KEY_STORE": "file",
        }
        arguments = ("--self-test", "--simulate", "valid")
        start(bare, env)
        start(gui, env, *arguments)  # warm-up: page cache, the data folder, the emulator keys
        floor, first, ready, memory = [], [], [], []
        for _ in range(rounds):
            floor.append(start(bare, env)[0])
            shown, usable, rss = start(gui, env, *arguments)
            first.append(shown)
            ready.append(usable)
            memory.append(rss)
    print(f"frozen cold start, offscreen, {rounds} rounds, ms after the process was created:")
    print(f"  counterapp-gui first window  median {statistics.median(first):6.0f}")
    print(f"  counterapp-gui ready         median {statistics.median(ready):6.0f}")
    print(f"  bare PySide6 window          median {statistics.median(floor):6.0f}")
    ratio = statistics.median(first) / statistics.median(floor)
    print(f"ratio first window {ratio:.2f}x (target <= 1.3x)")
    print(f"resident memory after the self-test's card read: {max(memory):.0f} MB (max)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
