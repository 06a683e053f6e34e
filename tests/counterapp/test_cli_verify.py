"""``counterapp verify`` on every emulator scenario: the verdict, the reason and the exit code."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from cardreader.emulator.resident import DEFAULT_RESIDENT
from tests.counterapp.cli_runner import Result, run_counterapp

PINS = f"{DEFAULT_RESIDENT.auth_pin}\n{DEFAULT_RESIDENT.kenhojo_pin}\n"


def verify(data_dir: Path, *args: str, stdin: str = PINS) -> Result:
    return run_counterapp(data_dir, "verify", "--json", *args, stdin=stdin)


def checks_of(result: Result) -> dict[str, dict[str, Any]]:
    return {check["check"]: check for check in result.json()["checks"]}


# scenario -> (exit code, verdict, failing check, reason key)
SCENARIO_VERDICTS = {
    "valid": (0, "genuine", None, None),
    "long-address": (0, "genuine", None, None),
    "gaiji-name": (0, "genuine", None, None),
    "expired": (1, "not_genuine", "validity", "cert.expired"),
    "not-yet-valid": (1, "not_genuine", "validity", "cert.not_yet_valid"),
    "revoked": (1, "not_genuine", "revocation", "cert.revoked"),
    "wrong-issuer": (1, "not_genuine", "chain", "chain.untrusted"),
    "tampered-kenhojo": (1, "not_genuine", "integrity", "kenhojo.tampered"),
    "auth-pin-last-try": (2, "undetermined", "possession", "pin.last_try"),
    "auth-pin-blocked": (2, "undetermined", "possession", "pin.blocked"),
    "kenhojo-pin-blocked": (2, "undetermined", "integrity", "pin.blocked"),
    "smartphone-token": (2, "undetermined", "integrity", "kenhojo.absent"),
}


@pytest.mark.slow
@pytest.mark.parametrize("scenario", sorted(SCENARIO_VERDICTS))
def test_verdict_for_each_scenario(tmp_path: Path, scenario: str) -> None:
    code, verdict, check, reason = SCENARIO_VERDICTS[scenario]
    result = verify(tmp_path, "--simulate", scenario)
    assert result.code == code, result.stderr
    data = result.json()
    assert data["verdict"] == verdict
    assert data["trust"] == "test-only"
    if check is None:
        assert data["reasons"] == []
        assert {c["outcome"] for c in data["checks"]} <= {"pass", "skipped"}
    else:
        assert checks_of(result)[check]["reason"] == reason
        assert reason in data["reasons"]
    assert DEFAULT_RESIDENT.my_number not in result.stdout + result.stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ("removed-mid-read", "カードが離れました"),
        ("not-a-mynumber-card", "マイナンバーカードではありません"),
    ],
)
def test_card_problems_exit_3(tmp_path: Path, scenario: str, message: str) -> None:
    result = verify(tmp_path, "--simulate", scenario)
    assert result.code == 3
    assert message in result.stderr


@pytest.mark.slow
def test_last_try_is_used_only_when_allowed(tmp_path: Path) -> None:
    result = verify(tmp_path, "--simulate", "auth-pin-last-try", "--allow-last-try")
    assert result.code == 0, result.stderr
    assert checks_of(result)["possession"]["outcome"] == "pass"


@pytest.mark.slow
def test_wrong_pin_is_not_retried(tmp_path: Path) -> None:
    # The right PIN follows on stdin: a program that retried would use it and pass.
    result = verify(tmp_path, "--simulate", "valid", stdin=f"0000\n{DEFAULT_RESIDENT.auth_pin}\n")
    assert result.code == 2
    assert checks_of(result)["possession"]["reason"] == "pin.wrong"


@pytest.mark.slow
def test_no_possession_skips_the_auth_pin(tmp_path: Path) -> None:
    result = verify(tmp_path, "--simulate", "valid", "--no-possession", stdin="1234\n")
    assert result.code == 0, result.stderr
    assert checks_of(result)["possession"]["outcome"] == "skipped"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("at", "code", "reason"),
    [
        ("2026-03-31T23:59:59", 1, "cert.not_yet_valid"),
        ("2026-04-01T00:00:00", 0, None),
        ("2031-02-17T00:00:00", 0, None),
        ("2031-02-17T00:00:01", 1, "cert.expired"),
    ],
)
def test_time_travel_at_the_validity_edges(
    tmp_path: Path, at: str, code: int, reason: str | None
) -> None:
    result = verify(tmp_path, "--simulate", "valid", "--at", at)
    assert result.code == code, result.stderr
    assert checks_of(result)["validity"]["reason"] == reason


@pytest.mark.slow
def test_expired_card_is_fine_when_checked_as_of_its_validity(tmp_path: Path) -> None:
    result = verify(tmp_path, "--simulate", "expired", "--at", "2020-01-01")
    assert result.code == 0, result.stderr


def _stale_crl(tmp_path: Path) -> Path:
    import datetime as dt

    from cryptography.hazmat.primitives import serialization

    from counterapp.emulation import emulator_crls

    crl = emulator_crls(dt.datetime(2026, 5, 1, tzinfo=dt.UTC))[0]  # next update: 2026-05-08
    path = tmp_path / "stale.crl"
    path.write_bytes(crl.public_bytes(serialization.Encoding.DER))
    return path


@pytest.mark.slow
def test_stale_crl_is_undetermined_when_strict(tmp_path: Path) -> None:
    result = verify(tmp_path, "--simulate", "valid", "--crl", str(_stale_crl(tmp_path)))
    assert result.code == 2, result.stderr
    assert checks_of(result)["revocation"]["reason"] == "crl.stale"


@pytest.mark.slow
def test_stale_crl_is_a_warning_when_settings_say_warn(tmp_path: Path) -> None:
    (tmp_path / "settings.toml").write_text('revocation_unknown = "warn"\n', encoding="utf-8")
    result = verify(tmp_path, "--simulate", "valid", "--crl", str(_stale_crl(tmp_path)))
    assert result.code == 0, result.stderr
    assert result.json()["warnings"] == ["crl.stale"]


@pytest.mark.slow
def test_missing_crl_is_never_a_silent_pass(tmp_path: Path) -> None:
    unrelated = tmp_path / "other.crl"
    unrelated.write_bytes(b"not a crl")
    assert verify(tmp_path, "--simulate", "valid", "--crl", str(unrelated)).code == 4
    (tmp_path / "settings.toml").write_text(
        f'crl_sources = ["{tmp_path / "absent.crl"}"]\n',
        encoding="utf-8",
    )
    result = verify(tmp_path, "--simulate", "valid")
    assert result.code == 2
    revocation = checks_of(result)["revocation"]
    assert revocation["reason"] == "crl.missing"
    assert revocation["params"] == {"sources": str(tmp_path / "absent.crl")}  # named


def test_a_garbled_configured_crl_says_what_to_do_and_exits_2(tmp_path: Path) -> None:
    crl_file = tmp_path / "crl" / "auth.crl"
    crl_file.parent.mkdir()
    crl_file.write_bytes(b"\x30\x82\x02\x1d" + bytes(range(256)) * 2)  # a DER start, then noise
    (tmp_path / "settings.toml").write_text(f"crl_sources = ['{crl_file}']\n", encoding="utf-8")

    result = run_counterapp(tmp_path, "verify", "--simulate", "valid", stdin=PINS)

    assert result.code == 2, result.stderr  # undetermined, as documented in --help
    assert "判定: 確認できませんでした" in result.stdout
    assert "? 失効確認: 設定された失効リスト（CRL）を読み取れないため失効を確認できません" in (
        result.stdout
    )
    assert f"CRL（{crl_file}）が壊れている" in result.stdout  # which file to fix
    assert "J-LIS の CRL（DER または PEM）に置き換える" in result.stdout  # and how
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_a_garbled_crl_file_on_the_command_line_is_a_usage_error(tmp_path: Path) -> None:
    crl_file = tmp_path / "auth.crl"
    crl_file.write_bytes(b"-----BEGIN X509 CRL-----\ngarbled\n-----END X509 CRL-----\n")
    result = verify(tmp_path, "--simulate", "valid", "--crl", str(crl_file))
    assert result.code == 4
    assert f"--crl {crl_file}: not a CRL" in result.stderr
    assert "J-LIS の CRL ファイル（DER または PEM）を指定してください" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_human_output_is_japanese_with_reasons(tmp_path: Path) -> None:
    result = run_counterapp(tmp_path, "verify", "--simulate", "revoked", stdin=PINS)
    assert result.code == 1
    assert "真正ではありません" in result.stdout
    assert "証明書は失効しています" in result.stdout
    assert "TEST ONLY" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [("--bogus",), ("--at", "yesterday"), ("--simulate", "valid", "--reader", "x")],
)
def test_bad_usage_exits_4(tmp_path: Path, args: tuple[str, ...]) -> None:
    assert verify(tmp_path, *args).code == 4


def test_pins_never_come_from_the_command_line(tmp_path: Path) -> None:
    help_text = run_counterapp(tmp_path, "verify", "--help")
    assert help_text.code == 0
    assert not re.search(r"--pin(?!less)", help_text.stdout)  # --pinless takes no PIN at all
    assert "0 genuine" in help_text.stdout  # exit codes are documented


@pytest.mark.parametrize(
    ("scenario", "code", "outcome"),
    [("valid", 0, "pass"), ("tampered-card-face", 1, "fail")],
)
def test_card_face_signature(tmp_path: Path, scenario: str, code: int, outcome: str) -> None:
    collation_b = DEFAULT_RESIDENT.collation_number_b()
    result = verify(tmp_path, "--simulate", scenario, "--card-face", stdin=f"{PINS}{collation_b}\n")
    assert result.code == code, result.stderr
    assert checks_of(result)["card_face"]["outcome"] == outcome
    assert collation_b not in result.stdout + result.stderr


def test_a_wrong_collation_number_leaves_the_face_undetermined(tmp_path: Path) -> None:
    result = verify(tmp_path, "--simulate", "valid", "--card-face", stdin=f"{PINS}55021720350000\n")
    assert result.code == 2, result.stderr
    assert checks_of(result)["card_face"]["reason"] == "pin.wrong"


def test_an_impossible_collation_number_is_not_sent(tmp_path: Path) -> None:
    result = verify(tmp_path, "--simulate", "valid", "--card-face", stdin=f"{PINS}00000000000000\n")
    assert result.code == 2, result.stderr
    assert checks_of(result)["card_face"]["reason"] == "collation.birth_date.invalid"


@pytest.mark.slow
def test_doctor_names_a_garbled_configured_crl(tmp_path: Path) -> None:
    crl_file = tmp_path / "auth.crl"
    crl_file.write_bytes(b"")
    (tmp_path / "settings.toml").write_text(f"crl_sources = ['{crl_file}']\n", encoding="utf-8")
    result = run_counterapp(tmp_path, "doctor")
    assert f"✘ 失効リスト / CRL: no configured CRL could be read: {crl_file} (not a CRL)" in (
        result.stdout
    )
