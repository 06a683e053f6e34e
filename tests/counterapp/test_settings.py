"""Settings: a wrong value in settings.toml or in a COUNTERAPP_* variable is named and refused.

Every command reads the settings first, so the CLI is the user's view: one clear message that
names the key and what it allows, exit code 4, and never a traceback.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from counterapp.settings import Settings, SettingsError, load_settings
from counterapp.wire.parsecache import CACHE_ENV

# (settings.toml line, the key named in the message, a word of what is allowed)
BAD_FILE_VALUES = [
    ("sync_batch_size = 0", "sync_batch_size", "1 to 100"),
    ("sync_batch_size = 100000000000000000000", "sync_batch_size", "1 to 100"),
    ('sync_batch_size = "50"', "sync_batch_size", "1 to 100"),
    # a NUL or a newline in a path or name: refused here, not an internal error later
    ('backoffice_sealing_key = "a\\u0000b"', "backoffice_sealing_key", "control characters"),
    ('operator = "clerk\\nroot"', "operator", "control characters"),
    ("sync_batch_size = true", "sync_batch_size", "1 to 100"),
    ("sync_interval_seconds = -1", "sync_interval_seconds", "1 to 86400"),
    ("sync_backoff_max_seconds = 1.5", "sync_backoff_max_seconds", "1 to 86400"),
    ("kiosk_idle_seconds = 0", "kiosk_idle_seconds", "10 to 3600"),
    ("draft_retention_days = 100000", "draft_retention_days", "0 to 365"),
    ("crl_refresh_hours = 0", "crl_refresh_hours", "1 to 168"),
    ("emulator_latency_ms = 60000", "emulator_latency_ms", "0 to 5000"),
    ('key_store = "vault"', "key_store", "auto, keyring, file"),
    ('revocation_unknown = "ignore"', "revocation_unknown", "fail, warn"),
    ('test_trust = "anything"', "test_trust", "emulator-only, test-lab"),
    ("municipality = 13101", "municipality", "text"),
    ('crl_sources = "one.crl"', "crl_sources", "a list of text"),
    ('terminal_id = "窓口 1"', "terminal_id", "1–64 of A–Z"),
    ('backoffice_url = "backoffice:8443"', "backoffice_url", "https URL"),
    ('backoffice_url = "http://backoffice:8443"', "backoffice_url", "https URL"),
    ("municipality = 2026-04-01", "municipality", "text"),
    ("sync_batch_sise = 10", "sync_batch_sise", "did you mean: sync_batch_size"),
    ('data_dir = "/elsewhere"', "data_dir", "known settings"),
]

# (environment variable, value, a word of what is allowed)
BAD_ENVIRONMENT_VALUES = [
    ("COUNTERAPP_SYNC_BATCH_SIZE", "0", "1 to 100"),
    ("COUNTERAPP_SYNC_BATCH_SIZE", "many", "1 to 100"),
    ("COUNTERAPP_KIOSK_IDLE_SECONDS", "99999", "10 to 3600"),
    ("COUNTERAPP_KEY_STORE", "vault", "auto, keyring, file"),
    ("COUNTERAPP_REVOCATION_UNKNOWN", "", "fail, warn"),
]


def counterapp(data_dir: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run the real ``counterapp`` command; its exit code and standard error."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COUNTERAPP_")}
    clean[CACHE_ENV] = str(data_dir / "cache")
    completed = subprocess.run(
        [sys.executable, "-m", "counterapp", "--data-dir", str(data_dir), *args],
        env={**clean, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return completed.returncode, completed.stderr


@pytest.fixture
def clean_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [k for k in os.environ if k.startswith("COUNTERAPP_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))


@pytest.mark.parametrize(("line", "key", "allowed"), BAD_FILE_VALUES)
@pytest.mark.usefixtures("clean_environment")
def test_a_wrong_value_in_the_file_is_named_with_what_is_allowed(
    tmp_path: Path, line: str, key: str, allowed: str
) -> None:
    (tmp_path / "settings.toml").write_text(line + "\n", encoding="utf-8")
    with pytest.raises(SettingsError) as raised:
        load_settings(tmp_path)
    message = str(raised.value)
    assert "settings.toml" in message
    assert key in message
    assert allowed in message


@pytest.mark.parametrize(("variable", "value", "allowed"), BAD_ENVIRONMENT_VALUES)
@pytest.mark.usefixtures("clean_environment")
def test_a_wrong_environment_override_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, allowed: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as raised:
        load_settings(tmp_path)
    assert variable in str(raised.value)
    assert allowed in str(raised.value)


@pytest.mark.slow
def test_the_cli_shows_a_bad_file_value_as_one_message_and_exits_4(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text(
        'sync_batch_size = 0\nkey_store = "vault"\n', encoding="utf-8"
    )
    code, stderr = counterapp(tmp_path, "queue", "list")
    assert code == 4
    assert "Traceback" not in stderr
    assert "設定が正しくありません" in stderr
    assert "sync_batch_size = 0" in stderr
    assert "1 to 100" in stderr
    assert "key_store = 'vault'" in stderr
    assert "auto, keyring, file" in stderr


@pytest.mark.slow
def test_the_cli_shows_a_bad_environment_override_and_exits_4(tmp_path: Path) -> None:
    code, stderr = counterapp(
        tmp_path, "verify", "--simulate", "valid", env={"COUNTERAPP_SYNC_BATCH_SIZE": "1e20"}
    )
    assert code == 4
    assert "Traceback" not in stderr
    assert "COUNTERAPP_SYNC_BATCH_SIZE = '1e20'" in stderr


@pytest.mark.usefixtures("clean_environment")
def test_environment_variables_override_single_values_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "settings.toml").write_text(
        'municipality = "千代田区"\nsync_batch_size = 20\n', encoding="utf-8"
    )
    monkeypatch.setenv("COUNTERAPP_SYNC_BATCH_SIZE", "80")
    monkeypatch.setenv("COUNTERAPP_CRL_SOURCES", "a.crl, https://example.lg.jp/b.crl")
    monkeypatch.setenv("COUNTERAPP_SYNC_FAILPOINT", "not a setting, left alone")
    settings = load_settings(tmp_path)
    assert settings.municipality == "千代田区"
    assert settings.sync_batch_size == 80
    assert settings.crl_sources == ("a.crl", "https://example.lg.jp/b.crl")
    assert settings.data_dir == tmp_path


@pytest.mark.usefixtures("clean_environment")
def test_without_a_file_every_setting_has_its_valid_default(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert (settings.sync_batch_size, settings.key_store, settings.kiosk_idle_seconds) == (
        50,
        "auto",
        60,
    )
    (tmp_path / "settings.toml").write_text("# nothing set\n", encoding="utf-8")
    assert load_settings(tmp_path) == settings == Settings(data_dir=tmp_path)  # checked
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.sync_batch_size = 3  # type: ignore[misc]


@pytest.mark.usefixtures("clean_environment")
def test_an_accepted_file_reads_the_same_and_an_edit_is_checked_again(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text(
        'municipality = "千代田区"\ncrl_sources = ["a.crl"]\nsync_batch_size = 20\n',
        encoding="utf-8",
    )
    first = load_settings(tmp_path)  # checked by pydantic, then remembered
    again = load_settings(tmp_path)  # the same bytes: not checked again
    assert again == first
    assert again.crl_sources == ("a.crl",)
    path.write_text("sync_batch_size = 0\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="sync_batch_size = 0"):
        load_settings(tmp_path)
