"""What the message catalogue adds to start-up: the first text, cold and warm, against none.

Run: ``python bench/catalogue_load.py [ROUNDS]`` (default 10). Every sample is a fresh
``sys.executable -c ...`` process timed in wall clock by the parent, so interpreter start
and imports count on every side:

- floor: ``import ui.i18n`` (and the error class used below), no text asked for;
- warm: the same, then the first kiosk text and a core error text in Korean, with the
  catalogue's JSON cache in place (every start after the first);
- cold: the same with an empty cache folder (the first start after an install or an edit
  of ``resources/ui/*.yaml``: every file is parsed as YAML).

The child also prints its own time for the first text alone. One unmeasured warm-up of
each; rounds alternate so all sides see the same machine. Target: warm <= 1.05x the floor.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

FLOOR = "import ui.i18n, cardreader.errors"
FIRST_TEXT = """
import time
import ui.i18n
from cardreader.errors import WrongPin
started = time.perf_counter()
ui.i18n.t("kiosk.start.prompt", "ko")
ui.i18n.error_message(WrongPin("auth", 2), "ko")
print((time.perf_counter() - started) * 1000)
"""


def run(code: str, cache: str) -> tuple[float, float]:
    """Wall milliseconds of a fresh process, and what it printed (its own ms) or 0."""
    env = {**os.environ, "XDG_CACHE_HOME": cache}
    started = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    wall = (time.perf_counter() - started) * 1000
    return wall, float(child.stdout.strip() or 0)


def main(rounds: int) -> None:
    with tempfile.TemporaryDirectory() as warm_cache, tempfile.TemporaryDirectory() as root:
        run(FLOOR, warm_cache)
        run(FIRST_TEXT, warm_cache)  # warm-up; fills the warm cache
        samples: dict[str, list[tuple[float, float]]] = {"floor": [], "warm": [], "cold": []}
        for index in range(rounds):
            samples["floor"].append(run(FLOOR, warm_cache))
            samples["warm"].append(run(FIRST_TEXT, warm_cache))
            samples["cold"].append(run(FIRST_TEXT, os.path.join(root, str(index))))
    print(f"fresh process, import ui.i18n (+ first texts), {rounds} rounds, ms:")
    for name, values in samples.items():
        wall = statistics.median(v[0] for v in values)
        own = statistics.median(v[1] for v in values)
        detail = f"  (first texts alone {own:6.1f})" if name != "floor" else ""
        print(f"  {name:<6} median wall {wall:7.1f}{detail}")
    floor = statistics.median(v[0] for v in samples["floor"])
    warm = statistics.median(v[0] for v in samples["warm"])
    cold = statistics.median(v[0] for v in samples["cold"])
    print(
        f"ratio warm {warm / floor:.2f}x (target <= 1.05x), cold {cold / floor:.2f}x "
        "(once per install or edit)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
