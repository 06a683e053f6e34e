"""One typed settings object, loaded once and passed in.

Values come from ``settings.toml`` in the data folder; environment variables
``COUNTERAPP_<FIELD>`` override single values but never replace the file. Types, ranges and
choices are declared once, on the fields below (``annotated_types`` constraints, which
pydantic enforces), and checked by pydantic; a wrong value is a ``SettingsError`` that names
where it came from, the key and what is allowed.

Importing pydantic and building the validator costs every command ~100 ms, more than a
``verify`` needs for everything else but the card. So a ``settings.toml`` that pydantic has
accepted is remembered by its SHA-256 (with this module's, in the start-up cache): while
neither changes and no environment variable overrides a value, the same file makes the same
object without asking again. pydantic-settings would read the same two sources, but it costs
about as much again as pydantic itself (it imports asyncio and dotenv), so they are read here
in a few lines (``bench/cli_startup.py`` measures the start).
"""

from __future__ import annotations

import json
import os
import re
import stat
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, get_args, get_origin, get_type_hints

from annotated_types import Interval, Predicate

from counterapp.wire import parsecache

APP_NAME = "counterapp"
SETTINGS_FILE = "settings.toml"
ENV_PREFIX = "COUNTERAPP_"
CACHE_KIND = "settings-accepted"


def terminal_id_like(value: str) -> bool:
    """A–Z a–z 0–9 . _ - の 1〜64 文字 / 1–64 of A–Z a–z 0–9 . _ -"""
    return re.fullmatch(r"[A-Za-z0-9._-]{1,64}", value) is not None


def digits_prefix(value: str) -> bool:
    """数字 1〜4 桁 / 1–4 digits"""
    return bool(re.fullmatch(r"[0-9]{1,4}", value))


def url_or_empty(value: str) -> bool:
    """https:// の URL か空 / an https URL or empty (the back office is reached over mutual TLS)"""
    return value == "" or re.fullmatch(r"https://\S+", value) is not None


def plain_text(value: str) -> bool:
    """空でなく制御文字（NUL・改行）のない文字列 / non-empty text without control characters"""
    return value != "" and re.search(r"[\x00-\x1f\x7f-\x9f]", value) is None


Text = Annotated[str, Predicate(plain_text)]
# The languages of the screens (the message catalogue's seven; ja-easy is やさしい日本語).
UiLanguage = Literal["ja", "ja-easy", "en", "zh", "ko", "vi", "pt"]


@dataclass(frozen=True)
class Settings:
    """Everything a terminal is configured with."""

    __pydantic_config__: ClassVar[dict[str, Any]] = {"extra": "forbid"}

    data_dir: Path
    # PC/SC reader name (or a unique part of it); None means the built-in emulator.
    reader: Text | None = None
    # Emulator scenario used when no reader is configured.
    scenario: Text = "valid"
    # Milliseconds the emulator waits per APDU (a contactless reader takes ~20–50 ms).
    emulator_latency_ms: Annotated[int, Interval(ge=0, le=5_000)] = 0
    # Goes into the audit log, the vault's key name and the back office's records.
    terminal_id: Annotated[str, Predicate(terminal_id_like)] = "terminal-01"
    operator: Text = "operator"
    # CRL files or URLs for the revocation check (the back office delivers them).
    crl_sources: tuple[Text, ...] = ()
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
    # Business days (Mon–Fri; no holiday calendar) an unsubmitted draft is kept after the day
    # it was saved: 1 keeps it until the end of the next business day, 0 until the end of the
    # day it was saved (counterapp/retention.py).
    draft_retention_days: Annotated[int, Interval(ge=0, le=365)] = 1
    # Digits that start this terminal's reception numbers ("1" → 1001, 1002, …): one prefix
    # per terminal of the municipality, so the numbers of a day never collide.
    reception_prefix: Annotated[str, Predicate(digits_prefix)] = "1"
    # Where residents wait to be called, printed on the reception slip.
    reception_waiting_place: Text = "窓口前の待合席"
    # The back office (reference service: ``backoffice serve``), e.g. "https://10.0.0.5:8443".
    backoffice_url: Annotated[str, Predicate(url_or_empty)] = ""
    # Mutual TLS: this terminal's certificate and key, and the CA that issued the server's
    # certificate (``backoffice ca issue-terminal`` writes all three). Relative to data_dir.
    client_certificate: Text = "tls/terminal.crt"
    client_key: Text = "tls/terminal.key"
    server_ca: Text = "tls/ca.crt"
    # The back office's public sealing key (sealing.pem from ``backoffice ca issue-terminal``):
    # every form is also sealed to it, so a lost master key loses no form. Relative to data_dir.
    backoffice_sealing_key: Text = "tls/sealing.pem"
    # Forms per request: the back office takes at most 100.
    sync_batch_size: Annotated[int, Interval(ge=1, le=100)] = 50
    # Seconds between looks at the outbox while everything is sent.
    sync_interval_seconds: Annotated[int, Interval(ge=1, le=86_400)] = 30
    # Longest pause between retries while the back office is unreachable.
    sync_backoff_max_seconds: Annotated[int, Interval(ge=1, le=86_400)] = 300
    crl_refresh_hours: Annotated[int, Interval(ge=1, le=168)] = 6
    # Seconds without a touch before the kiosk wipes the visit and returns to the start.
    kiosk_idle_seconds: Annotated[int, Interval(ge=10, le=3_600)] = 60
    # The clerk window's language when it opens (the clerk may switch it in the status bar).
    clerk_language: UiLanguage = "ja"
    # The kiosk's language on its start screen: each resident may choose another, and the
    # kiosk returns to this one for the next resident.
    kiosk_language: UiLanguage = "ja"


SETTING_NAMES = tuple(f.name for f in fields(Settings) if f.name != "data_dir")


def operator_name(settings: Settings) -> str:
    """Who works at the terminal: the ``operator`` setting when an administrator set it,
    else the OS user of the session (the clerk's Windows sign-in). The header shows it and
    the audit log records it."""
    import getpass

    if settings.operator and settings.operator != Settings.operator:
        return settings.operator
    return getpass.getuser()


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
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def _make_owner_only(path: Path) -> None:
    """settings.toml names the terminal, its server and its key files: 0600 on POSIX.

    An editor creates it 0644; it is tightened when read. (On Windows the per-user data
    folder's ACL keeps other users out.)
    """
    if os.name != "posix":
        return
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            path.chmod(mode & 0o700)
    except OSError:
        return  # not ours to change: the file is still read


def load_settings(data_dir: Path | None = None) -> Settings:
    """Read ``settings.toml`` from the data folder, then apply environment overrides."""
    folder = data_dir or default_data_dir()
    path = folder / SETTINGS_FILE
    overrides = _environment_overrides()
    if not path.exists():
        if not overrides:
            return Settings(data_dir=folder)  # the defaults (tests check they are valid)
        return _validated(folder, overrides, source="environment", from_env=True)
    _make_owner_only(path)
    text = _read(path)
    from_file = _parse_toml(text, path)
    accepted = _accepted_key(path)
    if overrides or parsecache.read_entry(CACHE_KIND, accepted) is None:
        settings = _validated(folder, from_file, source=str(path), from_env=False)
        parsecache.write_entry(CACHE_KIND, accepted, b"{}")
        if not overrides:
            return settings
        return _validated(folder, {**from_file, **overrides}, source="environment", from_env=True)
    return _from_accepted_file(folder, from_file)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(str(path), [f"cannot read: {exc}"]) from exc


def _parse_toml(text: str, path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(str(path), [f"cannot read: {exc}"]) from exc


def _accepted_key(path: Path) -> str:
    """The file's bytes and this module's code: what an earlier acceptance depended on."""
    return parsecache.content_key(CACHE_KIND, [path], path.parent, code=[Path(__file__)])


def _from_accepted_file(folder: Path, values: dict[str, Any]) -> Settings:
    """A file pydantic accepted before: TOML's types are already the fields' types."""
    if "crl_sources" in values:
        values = {**values, "crl_sources": tuple(values["crl_sources"])}
    return Settings(data_dir=folder, **values)


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


def _validated(folder: Path, values: dict[str, Any], *, source: str, from_env: bool) -> Settings:
    """The settings, or a SettingsError naming each wrong key with what it allows.

    Environment variables are text, so they are read leniently ("50" is 50); the file is
    TOML, which has real numbers, so there a quoted number (or 1.0, or true) is a wrong type.
    """
    from pydantic import TypeAdapter, ValidationError

    unknown = sorted(set(values) - set(SETTING_NAMES))  # data_dir too: it is where the file is
    problems = [_unknown_key(key) for key in unknown]
    known = {k: v for k, v in values.items() if k not in unknown}
    adapter = TypeAdapter(Settings)
    try:
        if from_env:
            settings = adapter.validate_python({**known, "data_dir": folder}, strict=False)
        else:
            document = json.dumps({**known, "data_dir": str(folder)}, default=_not_a_value)
            settings = adapter.validate_json(document, strict=True)
    except ValidationError as exc:
        for error in exc.errors():
            key = str(error["loc"][0]) if error["loc"] else "?"
            shown = ENV_PREFIX + key.upper() if from_env else key
            problems.append(
                f"{shown} = {values.get(key)!r} — 使える値 / allowed: {allowed_values(key)}"
            )
    if problems:
        raise SettingsError(source, problems)
    return settings


def _not_a_value(value: object) -> dict[str, str]:
    """A TOML date or time: no setting takes one, so it is passed on as a wrong type."""
    return {"toml": str(value)}


def _unknown_key(key: str) -> str:
    import difflib  # only to suggest a name for a typo

    close = difflib.get_close_matches(key, SETTING_NAMES, n=1)
    hint = f"（もしかして / did you mean: {close[0]}）" if close else ""
    return (
        f"不明な設定 / unknown setting {key!r}{hint} — "
        f"設定できるキー / known settings: {', '.join(SETTING_NAMES)}"
    )


def allowed_values(name: str) -> str:
    """What a setting accepts, in words: choices, a range, text or a list."""
    annotation = get_type_hints(Settings, include_extras=True)[name]
    optional = [arg for arg in get_args(annotation) if arg is not type(None)]
    if get_origin(annotation) is not Literal and len(optional) == 1:  # "X | None"
        annotation = optional[0]
    metadata = getattr(annotation, "__metadata__", ())
    base = get_args(annotation)[0] if metadata else annotation
    for constraint in metadata:
        if isinstance(constraint, Predicate):
            return str(constraint.func.__doc__)
        if isinstance(constraint, Interval):
            low, high = constraint.ge, constraint.le
            return f"{low}〜{high} の整数 / a whole number from {low} to {high}"
    if get_origin(base) is Literal:
        return "次のいずれか / one of: " + ", ".join(str(c) for c in get_args(base))
    if get_origin(base) is tuple:
        return "文字列の一覧（環境変数ではカンマ区切り） / a list of text (comma-separated in env)"
    return "文字列 / text"


def setting_from_text(name: str, text: str) -> object:
    """A value typed by a person (CLI, admin screen) as the setting's type; checked on save."""
    if name not in SETTING_NAMES:
        raise SettingsError("settings", [_unknown_key(name)])
    if name == "crl_sources":
        return _list(text)
    annotation = get_type_hints(Settings, include_extras=True)[name]
    base = get_args(annotation)[0] if getattr(annotation, "__metadata__", ()) else annotation
    if base is int and re.fullmatch(r"-?[0-9]+", text.strip()):
        return int(text.strip())
    return text


def save_setting(data_dir: Path, name: str, value: object) -> Settings:
    """Check one changed setting with the whole file, then write ``settings.toml`` atomically.

    The file must be valid on its own; the returned settings add environment overrides.

    ``value`` None removes the key (its default applies). Comments and the other keys of the
    file stay as they were. A wrong value is a SettingsError naming the key; nothing is written.
    """
    import tomlkit

    path = data_dir / SETTINGS_FILE
    document = tomlkit.parse(_read(path)) if path.exists() else tomlkit.document()
    if value is None:
        document.pop(name, None)
    else:
        document[name] = list(value) if isinstance(value, tuple) else value
    _validated(data_dir, dict(document.unwrap()), source=str(path), from_env=False)
    data_dir.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{SETTINGS_FILE}.{os.getpid()}.tmp")
    temporary.write_text(tomlkit.dumps(document), encoding="utf-8")
    os.replace(temporary, path)  # readers see the old file or the new one, never half
    return load_settings(data_dir)  # what the terminal now runs with (environment included)
