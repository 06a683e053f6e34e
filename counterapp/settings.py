"""One typed settings object, loaded once and passed in.

Values come from ``settings.toml`` in the data folder; environment variables
``COUNTERAPP_<FIELD>`` override single values but never replace the file.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal

import platformdirs

APP_NAME = "counterapp"
SETTINGS_FILE = "settings.toml"


class SettingsError(Exception):
    """The settings file is unreadable or holds a wrong value."""

    message_key = "settings.invalid"


@dataclass(frozen=True)
class Settings:
    """Everything a terminal is configured with."""

    data_dir: Path
    # PC/SC reader name (or a unique part of it); None means the built-in emulator.
    reader: str | None = None
    # Emulator scenario used when no reader is configured.
    scenario: str = "valid"
    # Milliseconds the emulator waits per APDU (a contactless reader takes ~20–50 ms).
    emulator_latency_ms: int = 0
    terminal_id: str = "terminal-01"
    operator: str = "operator"
    # CRL files or URLs for the revocation check (the back office delivers them).
    crl_sources: tuple[str, ...] = ()
    # What a missing or stale CRL does: "fail" (verdict undetermined) or "warn".
    revocation_unknown: Literal["fail", "warn"] = "fail"
    # The emulator's TEST ONLY trust anchors: "emulator-only" (real readers refuse them),
    # or "test-lab" for a lab PC whose only "reader" is pcscd's vpcd slot. Never at a counter:
    # the test CA keys are public, so anyone could forge a card that passes.
    test_trust: Literal["emulator-only", "test-lab"] = "emulator-only"
    # The municipality forms are filled in for (terminal.municipality), e.g. "千代田区".
    municipality: str = ""
    # Where the master key of the encrypted queue lives: the OS key store, a 0600 key file
    # in the data folder (weaker: anyone who copies the folder has the key), or "auto".
    key_store: Literal["auto", "keyring", "file"] = "auto"
    # Days an unsubmitted draft form may stay on the terminal before the purge deletes it.
    draft_retention_days: int = 1
    # The back office (reference service: ``backoffice serve``), e.g. "https://10.0.0.5:8443".
    backoffice_url: str = ""
    # Mutual TLS: this terminal's certificate and key, and the CA that issued the server's
    # certificate (``backoffice ca issue-terminal`` writes all three). Relative to data_dir.
    client_certificate: str = "tls/terminal.crt"
    client_key: str = "tls/terminal.key"
    server_ca: str = "tls/ca.crt"
    sync_batch_size: int = 50
    # Seconds between looks at the outbox while everything is sent.
    sync_interval_seconds: int = 30
    # Longest pause between retries while the back office is unreachable.
    sync_backoff_max_seconds: int = 300
    crl_refresh_hours: int = 6
    # Seconds without a touch before the kiosk wipes the visit and returns to the start.
    kiosk_idle_seconds: int = 60


def default_data_dir() -> Path:
    """The per-user data folder (e.g. %LOCALAPPDATA%\\counterapp on Windows)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def load_settings(data_dir: Path | None = None) -> Settings:
    """Read ``settings.toml`` from the data folder, then apply environment overrides."""
    folder = data_dir or default_data_dir()
    settings = Settings(data_dir=folder)
    path = folder / SETTINGS_FILE
    if path.exists():
        settings = _apply(settings, _read_toml(path), source=str(path))
    return _apply(settings, _environment_overrides(), source="environment")


def _read_toml(path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(f"cannot read {path}: {exc}") from exc


def _environment_overrides() -> dict[str, object]:
    names = {f.name for f in fields(Settings)} - {"data_dir"}
    prefix = "COUNTERAPP_"
    return {
        key[len(prefix) :].lower(): value
        for key, value in os.environ.items()
        if key.startswith(prefix) and key[len(prefix) :].lower() in names
    }


_LIST_FIELDS = {"crl_sources"}
_INT_FIELDS = {
    "emulator_latency_ms",
    "kiosk_idle_seconds",
    "draft_retention_days",
    "sync_batch_size",
    "sync_interval_seconds",
    "sync_backoff_max_seconds",
    "crl_refresh_hours",
}
_CHOICES = {
    "revocation_unknown": ("fail", "warn"),
    "test_trust": ("emulator-only", "test-lab"),
    "key_store": ("auto", "keyring", "file"),
}


def _apply(settings: Settings, values: dict[str, object], *, source: str) -> Settings:
    known = {f.name for f in fields(Settings)} - {"data_dir"}
    unknown = set(values) - known
    if unknown:
        raise SettingsError(f"{source}: unknown setting(s) {', '.join(sorted(unknown))}")
    checked: dict[str, Any] = {k: _checked(k, v, source) for k, v in values.items()}
    return replace(settings, **checked)


def _checked(key: str, value: object, source: str) -> object:
    if key in _LIST_FIELDS:
        if isinstance(value, str):  # from the environment: comma-separated
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise SettingsError(f"{source}: {key} must be a list of strings")
        return tuple(value)
    if key in _INT_FIELDS:
        return _non_negative_int(key, value, source)
    if not isinstance(value, str):
        raise SettingsError(f"{source}: {key} must be a string")
    if key in _CHOICES and value not in _CHOICES[key]:
        raise SettingsError(f"{source}: {key} must be one of {', '.join(_CHOICES[key])}")
    return value


def _non_negative_int(key: str, value: object, source: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():  # from the environment
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise SettingsError(f"{source}: {key} must be a whole number of 0 or more")
    return value
