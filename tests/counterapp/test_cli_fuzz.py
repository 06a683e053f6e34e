"""Garbage of every kind the terminal reads never crashes the CLI (no traceback) and ends
with the documented exit code: 4 for settings, environment overrides, answers, form
definitions and key files; 6 for a damaged database. Answers are refused before any card is
touched. The cases run in-process through ``counterapp.cli.main`` (see cli_garbage.py);
the CI suite runs 10,000 cases in all (PER_KIND), ``bench/cli_fuzz.py N`` hunts longer.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counterapp.store import DATABASE_FILE
from tests.counterapp.cli_garbage import (
    DATABASE_COMMANDS,
    EXPECTED_CONFIG,
    EXPECTED_DATABASE,
    bad_answers,
    bad_definitions,
    bad_environment,
    bad_key_files,
    bad_settings,
    card_was_touched,
    damaged_databases,
    data_folder,
    run_main,
    write_key_file,
)

pytestmark = pytest.mark.slow  # ~10,000 cases in all

# Cases per kind in the CI suite: 10,000 in all, the cheap kinds most (a few ms each
# in-process). CLI_FUZZ_EXAMPLES=N runs N of every kind instead (bench/cli_fuzz.py N).
PER_KIND = {
    "database": 3000, "answers": 1500, "settings": 2500, "environment": 1500,
    "key_files": 1000, "definitions": 500,
}  # fmt: skip


def fuzz(kind: str) -> settings:
    examples = os.environ.get("CLI_FUZZ_EXAMPLES")
    return settings(
        max_examples=int(examples) if examples else PER_KIND[kind],
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )


@fuzz("database")
@given(data=damaged_databases(), command=st.sampled_from(DATABASE_COMMANDS))
def test_a_damaged_database_is_reported_not_a_traceback(
    data: bytes, command: tuple[str, ...]
) -> None:
    with data_folder() as folder:
        (folder / DATABASE_FILE).write_bytes(data)
        outcome = run_main(folder, *command)
    assert outcome.code in EXPECTED_DATABASE, outcome.stderr
    if outcome.code == 6:
        assert "バックアップ" in outcome.stderr and "backup" in outcome.stderr


@fuzz("answers")
@given(answers=bad_answers())
def test_bad_answers_are_refused_before_the_card(answers: str) -> None:
    with data_folder() as folder:
        path = folder / "answers.yaml"
        path.write_text(answers, encoding="utf-8", errors="surrogatepass")
        outcome = run_main(
            folder, "form", "fill", "証明書の請求", "--simulate", "valid", "--answers", str(path),
            stdin="1234\n",
        )  # fmt: skip
        assert outcome.code == 4, outcome.stderr
        assert not card_was_touched(folder)


@fuzz("definitions")
@given(document=bad_definitions())
def test_a_bad_form_definition_is_a_usage_error(document: str) -> None:
    with data_folder() as folder:
        path = folder / "form.yaml"
        path.write_bytes(document.encode("utf-8", "surrogatepass"))
        outcome = run_main(folder, "form", "check", str(path))
    assert outcome.code in EXPECTED_CONFIG, outcome.stderr


@fuzz("settings")
@given(text=bad_settings())
def test_bad_settings_are_a_usage_error(text: str) -> None:
    with data_folder(settings="") as folder:
        (folder / "settings.toml").write_bytes(text.encode("utf-8", "surrogatepass"))
        outcome = run_main(folder, "queue", "list")
    assert outcome.code in EXPECTED_CONFIG, outcome.stderr


@fuzz("environment")
@given(env=bad_environment())
def test_bad_environment_overrides_are_a_usage_error(env: dict[str, str]) -> None:
    with data_folder() as folder:
        outcome = run_main(folder, "queue", "list", env=env)
    assert outcome.code in EXPECTED_CONFIG, outcome.stderr


@fuzz("key_files")
@given(key=bad_key_files())
def test_a_garbled_key_file_is_a_usage_error(key: tuple[str, bytes]) -> None:
    with data_folder() as folder:
        write_key_file(folder, *key)
        outcome = run_main(folder, "queue", "show", "01ARZ3NDEKTSV4RRFFQ69G5FAV")
    assert outcome.code == 4, outcome.stderr


def test_the_cli_help_documents_exit_code_6(tmp_path: Path) -> None:
    outcome = run_main(tmp_path, "--help")
    assert outcome.code == 0 and "6 damaged data folder" in outcome.stdout
