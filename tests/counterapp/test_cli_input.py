"""The inputs of issue 15's crash reports, one each: every one ends with its documented exit
code and a message that says what to do, before any card is touched (in-process, fast)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from counterapp.store import DATABASE_FILE
from tests.counterapp.cli_garbage import (
    card_was_touched,
    data_folder,
    healthy_database,
    run_main,
)

FILL = ("form", "fill", "証明書の請求", "--simulate", "valid")


def test_a_truncated_database_exits_6_with_what_to_do() -> None:
    with data_folder() as folder:
        (folder / DATABASE_FILE).write_bytes(healthy_database()[:3000])
        for command in (("queue", "list"), ("audit", "verify"), (*FILL,)):
            outcome = run_main(folder, *command, stdin="1234\n1234\n")
            assert outcome.code == 6, (command, outcome.stderr)
            assert "restore it from a backup" in outcome.stderr
        assert not card_was_touched(folder)


def test_a_dropped_audit_tip_table_exits_6() -> None:
    with data_folder() as folder:
        with sqlite3.connect(folder / DATABASE_FILE) as connection:
            connection.execute("drop table audit_tip")
        outcome = run_main(folder, "audit", "verify")
    assert outcome.code == 6 and "audit_tip" in outcome.stderr


def test_answers_with_a_lone_surrogate_are_refused_before_the_pins(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text('resident: {copies: "\\ud800"}\n', encoding="utf-8")
    with data_folder() as folder:
        outcome = run_main(folder, *FILL, "--answers", str(answers), stdin="1234\n1234\n")
        assert outcome.code == 4 and "answers.yaml" in outcome.stderr
        assert not card_was_touched(folder)


def test_a_control_character_in_an_answer_names_the_field(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text('resident: {copies: "1\\e]0;owned\\a"}\n', encoding="utf-8")
    with data_folder() as folder:
        outcome = run_main(folder, *FILL, "--answers", str(answers), stdin="1234\n1234\n")
    assert outcome.code == 4 and "copies: contains a control character" in outcome.stderr


def test_a_100000_digit_integer_answer_is_a_usage_error(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(f"resident: {{copies: {'9' * 100_000}}}\n", encoding="utf-8")
    with data_folder() as folder:
        outcome = run_main(folder, *FILL, "--answers", str(answers))
    assert outcome.code == 4


def test_a_pdf_into_a_missing_folder_is_refused_before_the_card(tmp_path: Path) -> None:
    with data_folder() as folder:
        pdf = tmp_path / "no-such-folder" / "forms.pdf"
        outcome = run_main(folder, *FILL, "--pdf", str(pdf), stdin="1234\n1234\n")
        assert outcome.code == 4 and "no such folder for the PDF" in outcome.stderr
        assert not card_was_touched(folder)


def test_a_form_definition_with_use_of_a_list_is_a_usage_error(tmp_path: Path) -> None:
    definition = tmp_path / "form.yaml"
    definition.write_text("kind: form\nid: x\nversion: 1\nfields:\n  - use: [1, 2]\n")
    with data_folder() as folder:
        outcome = run_main(folder, "form", "check", str(definition))
    assert outcome.code == 4 and "no catalogue field [1, 2]" in outcome.stderr


def test_sync_batch_size_out_of_range_is_a_usage_error() -> None:
    with data_folder('key_store = "file"\nsync_batch_size = 100000000000000000000\n') as folder:
        outcome = run_main(folder, "queue", "list")
    assert outcome.code == 4 and "sync_batch_size" in outcome.stderr
