"""A longer hunt for CLI crashes: ``python bench/cli_fuzz.py N`` feeds N generated cases of
each kind of garbage (database, answers, form definitions, settings, environment overrides,
key files) to ``counterapp`` in-process and reports cases, failures and time per case,
against a floor measured in the same run (``counterapp --version`` in-process).

The suite runs the same properties (tests/counterapp/test_cli_fuzz.py) with fewer cases.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
os.environ["CLI_FUZZ_EXAMPLES"] = str(CASES)  # read when the properties are defined

from tests.counterapp import test_cli_fuzz  # noqa: E402
from tests.counterapp.cli_garbage import data_folder, run_main  # noqa: E402

KINDS = {
    "database": test_cli_fuzz.test_a_damaged_database_is_reported_not_a_traceback,
    "answers": test_cli_fuzz.test_bad_answers_are_refused_before_the_card,
    "definitions": test_cli_fuzz.test_a_bad_form_definition_is_a_usage_error,
    "settings": test_cli_fuzz.test_bad_settings_are_a_usage_error,
    "environment": test_cli_fuzz.test_bad_environment_overrides_are_a_usage_error,
    "key_files": test_cli_fuzz.test_a_garbled_key_file_is_a_usage_error,
}


def floor_seconds(runs: int = 50) -> float:
    """The cheapest in-process CLI run: what every case pays at least."""
    with data_folder() as folder:
        start = time.perf_counter()
        for _ in range(runs):
            run_main(folder, "--version")
        return (time.perf_counter() - start) / runs


def main() -> int:
    floor = floor_seconds()
    print(f"floor (counterapp --version in-process): {floor * 1000:.2f} ms")
    failed = 0
    for name, prop in KINDS.items():
        start = time.perf_counter()
        try:
            prop()
            verdict = "ok"
        except Exception as exc:  # a crash or a wrong exit code: hypothesis shows the case
            failed += 1
            verdict = f"FAILED: {type(exc).__name__}: {str(exc)[:300]}"
        per_case = (time.perf_counter() - start) / CASES
        print(f"{name:12} {CASES} cases  {per_case * 1000:6.2f} ms/case  "
              f"{per_case / floor:5.1f}x floor  {verdict}")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
