"""``counterapp verify --reader``: the same verdicts through pyscard, pcscd and vpcd."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import StartCard
from tests.counterapp.test_cli_verify import PINS, checks_of, verify

pytestmark = [pytest.mark.pcscd, pytest.mark.slow]


def _test_lab(data_dir: Path) -> None:
    (data_dir / "settings.toml").write_text('test_trust = "test-lab"\n', encoding="utf-8")


@pytest.mark.parametrize(
    ("scenario", "code", "check", "reason"),
    [
        ("valid", 0, "chain", None),
        ("revoked", 1, "revocation", "cert.revoked"),
        ("tampered-kenhojo", 1, "integrity", "kenhojo.tampered"),
    ],
)
def test_verdict_through_pcscd(
    virtual_card: StartCard,
    tmp_path: Path,
    scenario: str,
    code: int,
    check: str,
    reason: str | None,
) -> None:
    _test_lab(tmp_path)
    reader = virtual_card(scenario).reader
    result = verify(tmp_path, "--reader", reader, stdin=PINS)
    assert result.code == code, result.stderr
    assert checks_of(result)[check]["reason"] == reason


def test_a_reader_without_configured_anchors_is_refused(
    virtual_card: StartCard, tmp_path: Path
) -> None:
    reader = virtual_card("valid").reader
    result = verify(tmp_path, "--reader", reader, stdin=PINS)
    assert result.code == 4
    assert "counterapp trust add" in result.stderr
