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


def test_a_reader_verifies_against_the_shipped_jlis_trust_not_the_test_one(
    virtual_card: StartCard, tmp_path: Path
) -> None:
    # Without test_trust = "test-lab" a reader gets the shipped production anchors and
    # CVC keys: the TEST ONLY card chains to none of them and its CVC key id is unknown.
    reader = virtual_card("valid").reader
    result = verify(tmp_path, "--reader", reader, stdin=PINS)
    assert result.code == 1, result.stderr
    assert result.json()["trust"] == "configured"
    checks = checks_of(result)
    assert checks["chain"]["reason"] == "chain.untrusted"
    assert checks["integrity"]["reason"] == "cvc.unknown_issuer"
    assert checks["integrity"]["params"]["key_id"].startswith("6000033")


@pytest.mark.parametrize(("scenario", "code"), [("forgotten-pins", 0), ("bad-internal-auth", 1)])
def test_pinless_verdict_through_pcscd(
    virtual_card: StartCard, tmp_path: Path, scenario: str, code: int
) -> None:
    # 照合番号B, EF 0007 and 80 2A 00 00 through pyscard, pcscd and vpcd, as on a real reader.
    _test_lab(tmp_path)
    reader = virtual_card(scenario).reader
    collation_b = "55021720352285\n"
    result = verify(
        tmp_path, "--reader", reader, "--pinless", "--face-confirmed", stdin=collation_b
    )
    assert result.code == code, result.stderr
    assert result.json()["method"] == "pinless"
    assert checks_of(result)["possession"]["method"] == "internal_auth"
