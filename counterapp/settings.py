"""One typed settings object, loaded once and passed in.

Values come from ``settings.toml`` in the data folder; environment variables
``COUNTERAPP_<FIELD>`` override single values but never replace the file. Types, ranges and
choices are declared once, on the fields below, and checked by pydantic; a wrong value is a
``SettingsError`` that names where it came from, the key and what is allowed.

pydantic-settings would read the same sources, but it costs the start of every command
about as much again as pydantic itself (it imports asyncio and dotenv): the two sources are
read here in a few lines instead (``bench/cli_startup.py`` measures the start).
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal, get_args, get_origin

import platformdirs
from annotated_types import Ge, Le
from pydantic import ConfigDict, Field, TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass
from pydantic.fields import FieldInfo

APP_NAME = "counterapp"
SETTINGS_FILE = "settings.toml"
ENV_PREFIX = "COUNTERAPP_"


def _whole(low: int, high: int) -> Any:
    """A whole number in [low, high]: strict in the file (``"5"`` or ``true`` is not 5)."""
    return Field(ge=low, le=high, strict=True)


def _text(*, pattern: str | None = None, allowed: str | None = None, min_length: int = 0) -> Any:
    return Field(strict=True, pattern=pattern, min_length=min_length, description=allowed)


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Settings:
    """Everything a terminal is configured with."""

    data_dir: Path
    # PC/SC reader name (or a unique part of it); None means the built-in emulator.
    reader: Annotated[str | None, _text(min_length=1)] = None
    # Emulator scenario used when no reader is configured.
    scenario: Annotated[str, _text(min_length=1)] = "valid"
    # Milliseconds the emulator waits per APDU (a contactless reader takes ~20–50 ms).
    emulator_latency_ms: Annotated[int, _whole(0, 5_000)] = 0
    # Goes into the audit log, the vault's key name and the back office's records.
    terminal_id: Annotated[
        str,
        _text(
            pattern=r"^[A-Za-z0-9._-]{1,64}$",
            allowed="A–Z a–z 0–9 . _ - の 1〜64 文字 / 1–64 of A–Z a–z 0–9 . _ -",
        ),
    ] = "terminal-01"
    operator: Annotated[str, _text(min_length=1)] = "operator"
    # CRL files or URLs for the revocation check (the back office delivers them).
    crl_sources: tuple[Annotated[str, _text(min_length=1)], ...] = ()
    # What a missing or stale CRL does: "fail" (verdict undetermined) or "warn".
    revocation_unknown: Literal["fail", "warn"] = "fail"
    # The emulator's TEST ONLY trust anchors: "emulator-only" (real readers refuse them),
    # or "test-lab" for a lab PC whose only "reader" is pcscd's vpcd slot. Never at a counter:
    # the test CA keys are public, so anyone could forge a card that passes.
    test_trust: Literal["emulator-only", "test-lab"] = "emulator-only"
    # The municipality forms are filled in for (terminal.municipality), e.g. "千代田区".
    municipality: Annotated[str, _text()] = ""
    # Where the master key of the encrypted queue lives: the OS key store, a 0600 key file
    # in the data folder (weaker: anyone who copies the folder has the key), or "auto".
    key_store: Literal["auto", "keyring", "file"] = "auto"
    # Days an unsubmitted draft form may stay on the terminal before the purge deletes it
    # (0: every purge deletes them all).
    draft_retention_days: Annotated[int, _whole(0, 365)] = 1
    # The back office (reference service: ``backoffice serve``), e.g. "https://10.0.0.5:8443".
    backoffice_url: Annotated[
        str,
        _text(
            pattern=r"^(https?://\S+)?$", allowed="http(s):// の URL か空 / an http(s) URL or empty"
        ),
    ] = ""
    # Mutual TLS: this terminal's certificate and key, and the CA that issued the server's
    # certificate (``backoffice ca issue-terminal`` writes all three). Relative to data_dir.
    client_certificate: Annotated[str, _text(min_length=1)] = "tls/terminal.crt"
    client_key: Annotated[str, _text(min_length=1)] = "tls/terminal.key"
    server_ca: Annotated[str, _text(min_length=1)] = "tls/ca.crt"
    # Forms per request: the back office takes at most 100.
    sync_batch_size: Annotated[int, _whole(1, 100)] = 50
    # Seconds between looks at the outbox while everything is sent.
    sync_interval_seconds: Annotated[int, _whole(1, 86_400)] = 30
    # Longest pause between retries while the back office is unreachable.
    sync_backoff_max_seconds: Annotated[int, _whole(1, 86_400)] = 300
    crl_refresh_hours: Annotated[int, _whole(1, 168)] = 6
    # Seconds without a touch before the kiosk wipes the visit and returns to the start.
    kiosk_idle_seconds: Annotated[int, _whole(10, 3_600)] = 60


# pydantic's own record of each field: its type and its constraints.
_FIELDS: dict[str, FieldInfo] = Settings.__pydantic_fields__  # type: ignore[attr-defined]
SETTING_NAMES = tuple(name for name in _FIELDS if name != "data_dir")
_LENIENT = TypeAdapter(Settings)


class SettingsError(Exception):
    """The settings file is unreadable or holds a wrong value; the message says which."""

    message_key = "settings.invalid"

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(
            "設定が正しくありません / Invalid settings:"
            + "".join(f"\n  {source}: {problem}" for problem in problems)
        )


def default_data_dir() -> Path:
    """The per-user data folder (e.g. %LOCALAPPDATA%\\counterapp on Windows)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def load_settings(data_dir: Path | None = None) -> Settings:
    """Read ``settings.toml`` from the data folder, then apply environment overrides."""
    folder = data_dir or default_data_dir()
    path = folder / SETTINGS_FILE
    from_file = _read_toml(path) if path.exists() else {}
    settings = _validated(folder, from_file, source=str(path), from_env=False)
    overrides = _environment_overrides()
    if not overrides:
        return settings
    return _validated(folder, {**from_file, **overrides}, source="environment", from_env=True)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(str(path), [f"cannot read: {exc}"]) from exc


def _environment_overrides() -> dict[str, object]:
    """``COUNTERAPP_<FIELD>`` for every setting; other COUNTERAPP_ variables are not ours."""
    overrides: dict[str, object] = {}
    for name in SETTING_NAMES:
        value = os.environ.get(ENV_PREFIX + name.upper())
        if value is not None:
            overrides[name] = _list(value) if name == "crl_sources" else value
    return overrides


def _list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _unknown_key(key: str) -> str:
    import difflib  # only to suggest a name for a typo

    close = difflib.get_close_matches(key, SETTING_NAMES, n=1)
    hint = f"（もしかして / did you mean: {close[0]}）" if close else ""
    return (
        f"不明な設定 / unknown setting {key!r}{hint} — "
        f"設定できるキー / known settings: {', '.join(SETTING_NAMES)}"
    )


def _validated(folder: Path, values: dict[str, Any], *, source: str, from_env: bool) -> Settings:
    """The settings, or a SettingsError naming each wrong key with what it allows.

    Environment variables are text, so they are read leniently ("50" is 50); the file is
    TOML, which has real numbers, so there a quoted number is a wrong type.
    """
    unknown = sorted(set(values) - set(SETTING_NAMES))  # data_dir too: it is where the file is
    problems = [_unknown_key(key) for key in unknown]
    known = {"data_dir": folder, **{k: v for k, v in values.items() if k not in unknown}}
    try:
        settings = _LENIENT.validate_python(known, strict=False) if from_env else Settings(**known)
    except ValidationError as exc:
        for error in exc.errors():
            key = str(error["loc"][0]) if error["loc"] else "?"
            shown = ENV_PREFIX + key.upper() if from_env else key
            value = values.get(key, error.get("input"))
            problems.append(f"{shown} = {value!r} — 使える値 / allowed: {allowed_values(key)}")
    if problems:
        raise SettingsError(source, problems)
    return settings


def allowed_values(name: str) -> str:
    """What a setting accepts, in words: choices, a range, text or a list."""
    info = _FIELDS[name]
    if info.description:
        return str(info.description)
    annotation = info.annotation
    if get_origin(annotation) is Literal:
        return "次のいずれか / one of: " + ", ".join(str(c) for c in get_args(annotation))
    if annotation is int:
        low = next(m.ge for m in info.metadata if isinstance(m, Ge))
        high = next(m.le for m in info.metadata if isinstance(m, Le))
        return f"{low}〜{high} の整数 / a whole number from {low} to {high}"
    if get_origin(annotation) is tuple:
        return "文字列の一覧（環境変数ではカンマ区切り） / a list of text (comma-separated in env)"
    if any(getattr(m, "min_length", 0) for m in info.metadata):
        return "空でない文字列 / non-empty text"
    return "文字列 / text"
