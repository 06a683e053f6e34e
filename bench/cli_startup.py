"""Wall time of whole ``counterapp`` commands, against ``python -c pass`` in the same run.

Run: ``python bench/cli_startup.py [ROUNDS]`` (default 15). Every sample is a fresh process
started the way the ``counterapp`` console script starts (``ui.cli:main``), timed from just
before ``Popen`` until it has exited, so interpreter start, imports, the settings, the
emulator, the card read, the verification and the audit/queue writes all count. The floor
is ``python -c pass`` (the interpreter alone) on the same machine in the same rounds. The
CPU time each process used is printed beside its wall time: on a shared machine the wall
time also counts waiting for a core.

Commands, on the emulator in a throwaway data folder with the file key store:

- ``verify --simulate valid``, both PINs piped in (a genuine card: exit 0);
- ``form fill juminhyo-request --simulate valid --answers FILE``: a 住民票 request read,
  verified, filled and queued (exit 0).

One unmeasured warm-up of each (page cache, __pycache__, the emulator's key cache and the
form library cache), then rounds alternate so every command sees the same machine. The
children run without ``PYTHONDONTWRITEBYTECODE``: an installed program has its bytecode
compiled (pip compiles at install, the frozen bundle holds it), so the warm-up must be able
to write ``__pycache__``, for the floor as for the commands.
Targets: verify <= 250 ms, form fill <= 350 ms (median wall time). POSIX only (rusage).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from counterapp.emulation import DEFAULT_RESIDENT

PINS = f"{DEFAULT_RESIDENT.auth_pin}\n{DEFAULT_RESIDENT.kenhojo_pin}\n"
ANSWERS = "questions: {}\nresident: {copies: 1}\n"
COUNTERAPP = [sys.executable, "-c", "import sys; from ui.cli import main; sys.exit(main())"]
UNSET_IN_CHILDREN = ("COUNTERAPP_", "PYTHONDONTWRITEBYTECODE")
TARGETS_MS = {"verify --simulate valid": 250.0, "form fill juminhyo-request": 350.0}


def commands(folder: Path) -> dict[str, list[str]]:
    answers = folder / "answers.yaml"
    answers.write_text(ANSWERS, encoding="utf-8")
    data = ["--data-dir", str(folder / "data")]
    return {
        "python -c pass": [sys.executable, "-c", "pass"],
        "verify --simulate valid": [*COUNTERAPP, *data, "verify", "--simulate", "valid"],
        "form fill juminhyo-request": [
            *COUNTERAPP, *data, "form", "fill", "juminhyo-request",
            "--simulate", "valid", "--answers", str(answers),
        ],
    }  # fmt: skip


def elapsed_ms(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall milliseconds from just before the start until exit (exit 0), and CPU ms used.

    The CPU time (user + system, from the child's rusage) is printed beside the wall time
    because on a shared machine the wall time also counts waiting for a core.
    """
    before = _children_cpu()
    started = time.perf_counter()
    child = subprocess.run(
        command, input=PINS, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    took = (time.perf_counter() - started) * 1000
    if child.returncode != 0:
        raise RuntimeError(f"{command[3:]} exited {child.returncode}: {child.stderr[-2000:]}")
    return took, (_children_cpu() - before) * 1000


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "data").mkdir()
        (root / "data" / "settings.toml").write_text(
            'municipality = "千代田区"\nkey_store = "file"\n', encoding="utf-8"
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith(UNSET_IN_CHILDREN)}
        env["PYTHONIOENCODING"] = "utf-8"
        runs = commands(root)
        for command in runs.values():
            elapsed_ms(command, env)  # warm-up
        samples: dict[str, list[float]] = {name: [] for name in runs}
        cpu: dict[str, list[float]] = {name: [] for name in runs}
        for _ in range(rounds):
            for name, command in runs.items():
                wall, used = elapsed_ms(command, env)
                samples[name].append(wall)
                cpu[name].append(used)
    floor = statistics.median(samples["python -c pass"])
    print(f"`counterapp` commands, fresh process each, emulator, {rounds} rounds, ms:")
    for name, values in samples.items():
        median = statistics.median(values)
        target = TARGETS_MS.get(name)
        goal = f"  (target <= {target:.0f} ms)" if target else ""
        print(
            f"  {name:<27} median {median:7.1f}  min {min(values):7.1f}  "
            f"cpu {statistics.median(cpu[name]):7.1f}  {median / floor:5.1f}x the interpreter{goal}"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
