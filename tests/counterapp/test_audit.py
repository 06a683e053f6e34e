"""The audit log: every card read and verdict is recorded, and tampering is named."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from cardreader.emulator.resident import DEFAULT_RESIDENT
from counterapp.audit import AuditEvent, AuditLog, UnsafeAuditDetail
from counterapp.store import DATABASE_FILE, open_database
from tests.counterapp.cli_runner import run_counterapp
from tests.counterapp.test_cli_verify import PINS


@pytest.fixture
def logged(tmp_path: Path) -> Path:
    """A data folder whose log holds two verifications (four entries)."""
    for scenario in ("valid", "revoked"):
        run_counterapp(tmp_path, "verify", "--simulate", scenario, stdin=PINS)
    return tmp_path


def _sql(data_dir: Path, statement: str) -> None:
    connection = sqlite3.connect(data_dir / DATABASE_FILE)
    with connection:
        connection.executescript(statement)
    connection.close()


def _audit_verify(data_dir: Path) -> tuple[int, str]:
    result = run_counterapp(data_dir, "audit", "verify")
    return result.code, result.stdout + result.stderr


@pytest.mark.slow
def test_reads_and_verdicts_are_logged_without_personal_data(logged: Path) -> None:
    assert _audit_verify(logged) == (0, "監査ログは正常です（4件）/ audit log intact (4 entries)\n")
    export = run_counterapp(logged, "audit", "export").stdout
    assert export.count('"card.read"') == 2 and '"cert.revoked' in export
    raw = b"".join(path.read_bytes() for path in logged.glob(DATABASE_FILE + "*"))
    for value in (DEFAULT_RESIDENT.name, DEFAULT_RESIDENT.address, DEFAULT_RESIDENT.my_number):
        assert value.encode() not in raw


@pytest.mark.parametrize(
    ("tampering", "first_bad"),
    [
        ('UPDATE audit SET detail = \'{"verdict": "genuine"}\' WHERE seq = 4', 4),
        ("UPDATE audit SET operator = 'someone-else' WHERE seq = 2", 2),
        ("DELETE FROM audit WHERE seq = 2", 2),
        ("DELETE FROM audit WHERE seq = 4", 4),
        (
            "UPDATE audit SET seq = -seq WHERE seq IN (2, 3);"
            "UPDATE audit SET seq = CASE seq WHEN -2 THEN 3 ELSE 2 END WHERE seq < 0",
            2,
        ),
    ],
    ids=["edited-detail", "edited-operator", "removed-middle", "removed-last", "swapped"],
)
@pytest.mark.slow
def test_tampering_is_named(logged: Path, tampering: str, first_bad: int) -> None:
    _sql(logged, tampering)
    code, output = _audit_verify(logged)
    assert code == 1
    assert f"entry {first_bad}:" in output


def test_personal_values_are_refused_in_details(tmp_path: Path) -> None:
    log = AuditLog(open_database(tmp_path), terminal="t1", operator="o1")
    with pytest.raises(UnsafeAuditDetail):
        log.append(AuditEvent.FORM_EDITED, field=DEFAULT_RESIDENT.name)
    with pytest.raises(UnsafeAuditDetail):
        log.append(AuditEvent.FORM_EDITED, note=DEFAULT_RESIDENT.my_number)
    entry = log.append(AuditEvent.FORM_EDITED, "form-01", field="name", source="clerk")
    assert entry.seq == 1
