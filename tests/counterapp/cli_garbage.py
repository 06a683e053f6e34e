"""Garbage of each kind the terminal reads, and the CLI run in-process on it.

Shared by ``tests/counterapp/test_cli_fuzz.py`` (the suite's budget) and
``bench/cli_fuzz.py N`` (a longer hunt). Every case runs ``counterapp.cli.main`` as the
console does, in this process (thousands of cases cost seconds, not a process each), and
returns its exit code; an exception that escapes ``main`` is a crash the user would have seen
as a traceback, so it propagates and fails the caller.
"""

from __future__ import annotations

import contextlib
import io
import os
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hypothesis import strategies as st

from counterapp.cli import main
from counterapp.cli.context import EXIT_DATA_DAMAGED, EXIT_USAGE
from counterapp.store import DATABASE_FILE, open_database
from counterapp.vault import KEY_FILE

SETTINGS_KEYS = (
    "reader", "scenario", "terminal_id", "operator", "crl_sources", "revocation_unknown",
    "municipality", "key_store", "draft_retention_days", "backoffice_url", "sync_batch_size",
    "sync_interval_seconds", "kiosk_idle_seconds", "backoffice_sealing_key", "client_key",
)  # fmt: skip
FILE_KEY_STORE = 'key_store = "file"\n'


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


def run_main(
    data_dir: Path, *args: str, env: Mapping[str, str] | None = None, stdin: str = ""
) -> Outcome:
    """``counterapp --data-dir DATA_DIR ARGS`` in this process; its exit code and output."""
    out, err = io.StringIO(), io.StringIO()
    with (
        _environment(env or {}),
        contextlib.redirect_stdout(out),
        contextlib.redirect_stderr(err),
        _stdin(stdin),
    ):
        try:
            main(["--data-dir", str(data_dir), *args])
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return Outcome(code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def data_folder(settings: str = FILE_KEY_STORE) -> Iterator[Path]:
    """A fresh data folder with ``settings.toml``."""
    with tempfile.TemporaryDirectory(prefix="fuzz-") as name:
        folder = Path(name)
        (folder / "settings.toml").write_text(settings, encoding="utf-8")
        (folder / DATABASE_FILE).write_bytes(healthy_database())  # no migrations per case
        yield folder


def card_was_touched(folder: Path) -> bool:
    """Did the command open a card (an audited card.read) in this data folder?"""
    path = folder / DATABASE_FILE
    if not path.exists():
        return False
    with contextlib.closing(sqlite3.connect(path)) as connection:
        try:
            rows = connection.execute("select count(*) from audit where event = 'card.read'")
            return bool(rows.fetchone()[0])
        except sqlite3.DatabaseError:
            return False


# -- the database --------------------------------------------------------------------------


@cache
def healthy_database() -> bytes:
    """A real database file (schema, an audit entry), checkpointed into one file."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        db = open_database(folder)
        db.execute("insert into audit_tip (id, seq, hash) values (2, 0, 'x')")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode=DELETE")
        db.conn.close()
        return (folder / DATABASE_FILE).read_bytes()


@st.composite
def damaged_databases(draw: st.DrawFn) -> bytes:
    """Truncated, byte-flipped or foreign files where counterapp.db should be."""
    good = healthy_database()
    kind = draw(st.sampled_from(("truncated", "flipped", "foreign", "header")))
    if kind == "truncated":
        return good[: draw(st.integers(1, len(good) - 1))]
    if kind == "flipped":
        data = bytearray(good)
        for _ in range(draw(st.integers(1, 16))):
            data[draw(st.integers(0, len(good) - 1))] ^= draw(st.integers(1, 255))
        return bytes(data)
    if kind == "header":
        return good[:100] + draw(st.binary(min_size=1, max_size=4096))
    return draw(st.binary(min_size=1, max_size=8192).filter(lambda b: b.strip(b"\0")))


DATABASE_COMMANDS = (("queue", "list"), ("audit", "verify"), ("sync", "--status"))


# -- the answers file ----------------------------------------------------------------------

_CONTROL = st.characters(codec=None, categories=("Cc",), exclude_characters="\t\n")


def _yaml_escaped(text: str) -> str:
    """``text`` as a YAML double-quoted scalar (every character escaped)."""
    return '"' + "".join(f"\\U{ord(c):08x}" for c in text) + '"'


@st.composite
def bad_answers(draw: st.DrawFn) -> str:
    """Answers files that must be refused before any card is touched (exit 4)."""
    kind = draw(st.sampled_from(("control", "surrogate", "huge", "nested", "shape", "noise")))
    field = draw(st.sampled_from(("resident", "clerk")))
    if kind == "control":
        text = draw(st.text(max_size=20)) + draw(_CONTROL) + draw(st.text(max_size=20))
        return f"{field}: {{copies: {_yaml_escaped(text)}}}\n"
    if kind == "surrogate":
        low = draw(st.integers(0xD800, 0xDFFF))
        return f'{field}: {{copies: "a\\u{low:04x}b"}}\n'
    if kind == "huge":
        digits = draw(st.integers(19, 5_000))
        return f"{field}: {{copies: {'9' * digits}}}\n"
    if kind == "nested":
        depth = draw(st.integers(30, 1_500))
        opener = draw(st.sampled_from(("[", "{a: ")))
        closer = "]" if opener == "[" else "}"
        return f"{field}: {{copies: {opener * depth}1{closer * depth}}}\n"
    if kind == "shape":
        value = draw(st.sampled_from(("[1, 2]", "{a: 1}", "null", "1.5", "[]")))
        return f"{field}: {{copies: {value}}}\nquestions: {{need_juminhyo: {value}}}\n"
    return f"unknown_section: {_yaml_escaped(draw(st.text(max_size=200)))}\n"


# -- form definitions ----------------------------------------------------------------------

_LEAVES = st.none() | st.booleans() | st.integers() | st.text(max_size=30)
_TREES = st.recursive(
    _LEAVES,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@st.composite
def bad_definitions(draw: st.DrawFn) -> str:
    """Form, event and catalogue files that are garbled, mis-shaped or nested deeply."""
    import json

    kind = draw(st.sampled_from(("use", "tree", "nested", "text")))
    if kind == "use":
        use = json.dumps(draw(_TREES))
        return f"kind: form\nid: x\nversion: 1\nfields:\n  - use: {use}\n"
    if kind == "tree":
        document = draw(
            st.dictionaries(
                st.sampled_from(("kind", "id", "fields", "version", "title", "forms", "questions")),
                _TREES,
                max_size=6,
            )
        )
        document.setdefault(
            "kind", draw(st.sampled_from(("form", "life-event", "field-catalogue")))
        )
        return json.dumps(document, ensure_ascii=draw(st.booleans()))
    if kind == "nested":
        depth = draw(st.integers(30, 1_500))
        return "kind: form\nfields: " + "[" * depth + "]" * depth + "\n"
    return draw(st.text(max_size=500))


# -- settings and environment overrides ----------------------------------------------------

_TOML_VALUES = (
    st.integers(-(10**30), 10**30).map(str)
    | st.text(max_size=40).map(
        lambda s: (
            '"' + "".join(f"\\U{ord(c):08x}" for c in s if not 0xD800 <= ord(c) <= 0xDFFF) + '"'
        )
    )
    | st.sampled_from(("true", "[]", "[1, 2]", "{}", "1.5e400", "nan", '"file"', '"auto"'))
)


@st.composite
def bad_settings(draw: st.DrawFn) -> str:
    """settings.toml with wrong types, values out of range, unknown keys, or not TOML."""
    if draw(st.booleans()):
        return draw(st.text(max_size=300))
    lines = [
        f"{draw(st.sampled_from(SETTINGS_KEYS))} = {draw(_TOML_VALUES)}"
        for _ in range(draw(st.integers(1, 4)))
    ]
    return FILE_KEY_STORE + "\n".join(dict.fromkeys(lines)) + "\n"


_ENV_TEXT = st.text(
    st.characters(codec="utf-8", exclude_characters="\x00"), min_size=0, max_size=40
)


@st.composite
def bad_environment(draw: st.DrawFn) -> dict[str, str]:
    key = draw(st.sampled_from(SETTINGS_KEYS))
    return {f"COUNTERAPP_{key.upper()}": draw(_ENV_TEXT | st.integers(-(10**25), 10**25).map(str))}


# -- key files -----------------------------------------------------------------------------


@st.composite
def bad_key_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A garbled master key file or back-office sealing key (path inside the data folder)."""
    target = draw(st.sampled_from((str(KEY_FILE), "tls/sealing.pem")))
    data = draw(
        st.binary(max_size=200)
        | st.text(max_size=80).map(lambda s: s.encode("utf-8", "surrogatepass"))
        | st.just(b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n")
    )
    return target, data


def write_key_file(folder: Path, target: str, data: bytes) -> None:
    path = folder / target
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_bytes(data)
    path.chmod(0o600)


@contextlib.contextmanager
def _environment(env: Mapping[str, str]) -> Iterator[None]:
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextlib.contextmanager
def _stdin(text: str) -> Iterator[None]:
    import sys

    saved = sys.stdin
    sys.stdin = io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = saved


EXPECTED_DATABASE = {0, 1, EXIT_DATA_DAMAGED}  # 1: doctor red, audit verify finds a break
EXPECTED_CONFIG = {0, EXIT_USAGE}
