"""``counterapp hardware-check``: a report IT staff can send us, with no personal data in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from cardreader.emulator.resident import DEFAULT_RESIDENT
from cardreader.emulator.scenarios import SCENARIO_SPECS, end_entity_certificates
from cardreader.wareki import to_wareki
from tests.conftest import StartCard
from tests.counterapp.cli_runner import Result, run_counterapp

pytestmark = pytest.mark.pcscd


def personal_values() -> list[str]:
    """Everything identifying on the test resident's card, in the forms it could leak in."""
    resident = DEFAULT_RESIDENT
    born = resident.birth_date
    given = resident.name.split("\u3000")[1]  # the family name 番号 is also a common word
    auth, _auth_ca, signing, _sign_ca = end_entity_certificates("valid", SCENARIO_SPECS["valid"])
    values = [
        resident.name,
        resident.name.replace("\u3000", ""),
        resident.name.replace("\u3000", " "),
        given,
        resident.address,
        resident.address[:8],
        resident.my_number,
        born.strftime("%Y%m%d"),
        born.isoformat(),
        born.strftime("%Y/%m/%d"),
        f"{born.year}年{born.month}月{born.day}日",
        to_wareki(born),
        born.strftime("%y%m%d"),
    ]
    for cert in (auth, signing):
        values += [f"{cert.serial_number:X}", f"{cert.serial_number:x}", str(cert.serial_number)]
        values += [cert.subject.rfc4514_string()]
        values += [attribute.value for attribute in cert.subject if len(str(attribute.value)) > 2]
    return [str(value) for value in values]


def assert_no_personal_data(report: str) -> None:
    leaked = [value for value in personal_values() if value in report]
    assert not leaked, f"personal data in the report: {len(leaked)} value(s)"


def hardware_check(data_dir: Path, reader: str, *args: str, stdin: str = "") -> Result:
    return run_counterapp(
        data_dir, "hardware-check", "--reader", reader, *args, stdin=stdin, timeout=120
    )


def test_the_json_report_has_the_reader_facts_and_no_personal_data(
    virtual_card: StartCard, tmp_path: Path
) -> None:
    reader = virtual_card("valid").reader
    result = hardware_check(tmp_path, reader, "--json")
    assert result.code == 0, result.stderr
    report = result.json()
    assert report["reader"] == reader and report["atr"].startswith("3B")
    assert report["protocol"] in ("T=0", "T=1")
    assert report["extended_length"]["supported"] is True
    assert report["extended_length"]["short_fallback"].startswith("OK")
    assert report["latency"]["read_binary"]["count"] >= 10
    # No PIN asked: only the two PIN-less internal-authentication probes sign.
    assert report["latency"]["compute_signature"]["count"] == 2
    observed = {item["behaviour"]: item["result"] for item in report["observations"]}
    assert observed["internal_authentication_kenhojo"] == "as_documented"
    assert report["status_words"]["9000"] > 0
    assert report["tries_left"]["jpki_auth_pin"] == "3"
    observed = {item["behaviour"]: item["result"] for item in report["observations"]}
    assert observed["select_mf_after_reset"] == "as_documented"
    assert observed["select_by_aid_prefix"] == "as_documented"
    assert observed["verify_by_sfi"] == "as_documented"
    assert observed["jpki_ef_0008"] == "as_documented"
    assert observed["mf_get_data"] in ("as_documented", "not_supported")
    assert_no_personal_data(result.stdout)


def test_the_text_report_written_to_a_file_has_no_personal_data(
    virtual_card: StartCard, tmp_path: Path
) -> None:
    reader = virtual_card("valid").reader
    output = tmp_path / "report.txt"
    result = hardware_check(tmp_path, reader, "--output", str(output))
    assert result.code == 0, result.stderr
    text = output.read_text(encoding="utf-8")
    assert "Extended length: 対応 / yes" in text and "ATR: 3B" in text
    assert_no_personal_data(text + result.stdout)


def test_with_the_pin_the_signature_is_timed_and_no_try_is_lost(
    virtual_card: StartCard, tmp_path: Path
) -> None:
    reader = virtual_card("valid").reader
    result = hardware_check(
        tmp_path, reader, "--json", "--ask-pins", stdin=DEFAULT_RESIDENT.auth_pin
    )
    assert result.code == 0, result.stderr
    report = result.json()
    assert report["latency"]["compute_signature"]["count"] >= 5
    observed = {item["behaviour"]: item for item in report["observations"]}
    assert observed["pin_kept_on_reselect"]["result"] == "as_documented"
    assert observed["pin_cleared_by_other_ap"]["result"] == "as_documented"
    assert DEFAULT_RESIDENT.auth_pin not in result.stdout + result.stderr
    assert_no_personal_data(result.stdout + result.stderr)
    again = hardware_check(tmp_path, reader, "--json")
    assert again.json()["tries_left"]["jpki_auth_pin"] == "3"


def test_a_wrong_pin_is_sent_once_and_reported(virtual_card: StartCard, tmp_path: Path) -> None:
    reader = virtual_card("valid").reader
    result = hardware_check(tmp_path, reader, "--json", "--ask-pins", stdin="9999\n9999\n")
    assert result.code == 0, result.stderr
    report = result.json()
    assert report["latency"]["compute_signature"]["count"] == 2  # internal authentication only
    assert any(item["result"] == "not_probed" for item in report["observations"])
    again = hardware_check(tmp_path, reader, "--json")
    assert again.json()["tries_left"]["jpki_auth_pin"] == "2"  # one try, never a resend
