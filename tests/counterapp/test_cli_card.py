"""``counterapp card ...`` on the in-process emulator, as IT staff would run it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cardreader.emulator.resident import DEFAULT_RESIDENT
from tests.counterapp.cli_runner import run_counterapp

MY_NUMBER = DEFAULT_RESIDENT.my_number


def test_card_info_reports_certificate_and_tries_without_a_pin(tmp_path: Path) -> None:
    result = run_counterapp(tmp_path, "card", "info", "--simulate", "valid", "--json")
    assert result.code == 0, result.stderr
    info = result.json()
    assert info["token"]["kind"] == "mynumber_card"
    assert "JPKI for user authentication" in info["auth_certificate"]["issuer"]
    assert info["pins"] == {
        "auth": {"tries_left": 3, "blocked": False},
        "signing": {"tries_left": 5, "blocked": False},
        "kenhojo": {"tries_left": 3, "blocked": False},
    }
    assert MY_NUMBER not in result.stdout + result.stderr


@pytest.mark.slow
def test_card_info_in_japanese(tmp_path: Path) -> None:
    result = run_counterapp(tmp_path, "card", "info", "--simulate", "auth-pin-blocked")
    assert result.code == 0, result.stderr
    assert "マイナンバーカード" in result.stdout
    assert "利用者証明用電子証明書の暗証番号: ロック中" in result.stdout


def test_smartphone_token_has_no_kenhojo_pin(tmp_path: Path) -> None:
    result = run_counterapp(tmp_path, "card", "info", "--simulate", "smartphone-token", "--json")
    assert result.code == 0, result.stderr
    assert result.json()["token"]["kind"] == "android"
    assert result.json()["pins"]["kenhojo"] is None


@pytest.mark.slow
def test_read_basic_masks_the_my_number_by_default(tmp_path: Path) -> None:
    result = run_counterapp(
        tmp_path, "card", "read-basic", "--simulate", "valid", "--json", stdin="1234\n"
    )
    assert result.code == 0, result.stderr
    data = result.json()
    assert data["name"] == DEFAULT_RESIDENT.name
    assert data["address"] == DEFAULT_RESIDENT.address
    assert data["birth_date"] == DEFAULT_RESIDENT.birth_date.isoformat()
    assert data["my_number"] == "*" * 12
    assert MY_NUMBER not in result.stdout + result.stderr


@pytest.mark.slow
def test_read_basic_shows_the_my_number_only_when_asked(tmp_path: Path) -> None:
    result = run_counterapp(
        tmp_path,
        "card",
        "read-basic",
        "--simulate",
        "valid",
        "--json",
        "--show-my-number",
        stdin="1234\n",
    )
    assert result.code == 0, result.stderr
    assert result.json()["my_number"] == MY_NUMBER


@pytest.mark.slow
def test_wrong_pin_exits_3_with_tries_left_and_is_not_retried(tmp_path: Path) -> None:
    # Two lines on stdin: a retrying program would use the second one.
    result = run_counterapp(
        tmp_path, "card", "read-basic", "--simulate", "valid", stdin="0000\n1234\n"
    )
    assert result.code == 3
    assert "あと2回" in result.stderr
    assert "1234" not in result.stderr and "0000" not in result.stderr


@pytest.mark.slow
def test_blocked_pin_is_reported_and_not_asked(tmp_path: Path) -> None:
    result = run_counterapp(tmp_path, "card", "read-basic", "--simulate", "kenhojo-pin-blocked")
    assert result.code == 3
    assert "ロックされています" in result.stderr


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ("not-a-mynumber-card", "マイナンバーカードではありません"),
        ("removed-mid-read", "カードが離れました"),
    ],
)
@pytest.mark.slow
def test_card_errors_exit_3(tmp_path: Path, scenario: str, message: str) -> None:
    result = run_counterapp(tmp_path, "card", "read-basic", "--simulate", scenario, stdin="1234\n")
    assert result.code == 3
    assert message in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("card", "info", "--no-such-option"),
        ("card", "info", "--simulate", "no-such-scenario"),
        ("card", "info", "--simulate", "valid", "--reader", "x"),
    ],
)
def test_usage_errors_exit_4(tmp_path: Path, args: tuple[str, ...]) -> None:
    assert run_counterapp(tmp_path, *args).code == 4


def test_pins_are_never_accepted_on_the_command_line(tmp_path: Path) -> None:
    result = run_counterapp(tmp_path, "card", "read-basic", "--help")
    assert result.code == 0
    assert not re.search(r"--pin(?!less)", result.stdout)  # --pinless takes no PIN at all


@pytest.mark.slow
def test_data_dir_settings_choose_the_card(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text('scenario = "auth-pin-blocked"\n', encoding="utf-8")
    result = run_counterapp(tmp_path, "card", "info", "--json")
    assert result.code == 0, result.stderr
    assert result.json()["pins"]["auth"]["blocked"] is True


def test_broken_settings_file_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text("reader = [\n", encoding="utf-8")
    result = run_counterapp(tmp_path, "card", "info")
    assert result.code == 4
    assert "settings.toml" in result.stderr


def test_trace_shows_apdus_but_never_the_pin_or_my_number(tmp_path: Path) -> None:
    result = run_counterapp(
        tmp_path,
        "--trace",
        "card",
        "read-basic",
        "--simulate",
        "valid",
        stdin="1234\n",
    )
    assert result.code == 0, result.stderr
    assert "00 A4 04 0C" in result.stderr  # the trace is really there
    assert "31 32 33 34" not in result.stderr
    assert MY_NUMBER not in result.stderr
    assert " ".join(f"{b:02X}" for b in MY_NUMBER.encode()[:6]) not in result.stderr
