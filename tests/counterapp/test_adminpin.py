"""The kiosk's administrator PIN: set from the CLI, stored only as a salted hash."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from counterapp.adminpin import ADMIN_PIN_FILE, AdminPinError, load_admin_pin, save_admin_pin
from tests.counterapp.cli_runner import run_counterapp


def test_set_admin_pin_stores_a_private_salted_hash_that_matches_only_the_pin(
    tmp_path: Path,
) -> None:
    result = run_counterapp(tmp_path, "kiosk", "set-admin-pin", stdin="975310\n")
    assert result.code == 0, result.stderr
    stored = (tmp_path / ADMIN_PIN_FILE).read_text()
    assert "975310" not in stored and stored.startswith("scrypt$")
    assert stat.S_IMODE((tmp_path / ADMIN_PIN_FILE).stat().st_mode) == 0o600
    pin = load_admin_pin(tmp_path)
    assert pin is not None and pin.matches("975310")
    assert not pin.matches("975311") and not pin.matches("")


def test_a_short_admin_pin_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    result = run_counterapp(tmp_path, "kiosk", "set-admin-pin", stdin="1234\n")
    assert result.code == 4
    assert load_admin_pin(tmp_path) is None


def test_a_damaged_admin_pin_file_is_an_error_not_an_open_door(tmp_path: Path) -> None:
    save_admin_pin(tmp_path, "975310")
    (tmp_path / ADMIN_PIN_FILE).write_text("975310\n")
    with pytest.raises(AdminPinError):
        load_admin_pin(tmp_path)


def test_doctor_output_redirected_to_a_cp932_file_does_not_crash(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "cp932", "COUNTERAPP_KEY_STORE": "file"}
    result = subprocess.run(
        [sys.executable, "-m", "counterapp", "--data-dir", str(tmp_path), "doctor"],
        env=env, capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert b"Traceback" not in result.stderr
    assert result.returncode in (0, 1)  # green/yellow or red, but an answer
    assert "データベース".encode("cp932") in result.stdout or b"database" in result.stdout
