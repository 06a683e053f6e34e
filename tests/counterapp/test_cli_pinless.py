"""``--pinless`` on verify, card read-basic and form fill: the documented commands as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from cardreader.emulator.resident import DEFAULT_RESIDENT
from tests.counterapp.cli_runner import Result, run_counterapp
from tests.counterapp.test_cli_verify import checks_of

pytestmark = pytest.mark.slow

COLLATION_B = "55021720352285\n"  # the README's example: the emulator's resident
THREE_LINES = "昭和55年2月17日\n2035\n2285\n"
VERIFY = ("verify", "--pinless", "--json")


def test_forgotten_pins_verify_genuine_with_the_face_confirmed(tmp_path: Path) -> None:
    result = run_counterapp(
        tmp_path, *VERIFY, "--simulate", "forgotten-pins", "--face-confirmed", stdin=COLLATION_B
    )
    assert result.code == 0, result.stderr
    data = result.json()
    assert (data["verdict"], data["method"]) == ("genuine", "pinless")
    checks = checks_of(result)
    assert checks["possession"]["method"] == "internal_auth"
    assert checks["integrity"]["outcome"] == "pass"
    assert checks["holder"]["outcome"] == "pass"
    audit = run_counterapp(tmp_path, "audit", "export").stdout
    assert '"card.holder_confirmed"' in audit and '"method": "pinless"' in audit


def test_three_lines_as_printed_give_the_same_verdict(tmp_path: Path) -> None:
    result = run_counterapp(
        tmp_path, *VERIFY, "--simulate", "forgotten-pins", "--face-confirmed", stdin=THREE_LINES
    )
    assert result.code == 0, result.stderr


def test_without_a_person_confirming_the_face_the_verdict_is_undetermined(tmp_path: Path) -> None:
    result = run_counterapp(tmp_path, *VERIFY, "--simulate", "forgotten-pins", stdin=COLLATION_B)
    assert result.code == 2, result.stderr
    assert result.json()["reasons"] == ["holder.not_confirmed"]


@pytest.mark.parametrize(
    ("scenario", "reason"),
    [
        ("bad-internal-auth", "possession.bad_internal_auth"),
        ("tampered-signed-key", "signed_key.bad_signature"),
    ],
)
def test_a_cloned_chip_or_a_broken_key_signature_exits_1(
    tmp_path: Path, scenario: str, reason: str
) -> None:
    result = run_counterapp(
        tmp_path, *VERIFY, "--simulate", scenario, "--face-confirmed", stdin=COLLATION_B
    )
    assert result.code == 1, result.stderr
    assert checks_of(result)["possession"]["reason"] == reason


def test_a_wrong_collation_b_exits_1_naming_the_tries_left_sent_once(tmp_path: Path) -> None:
    result = run_counterapp(
        tmp_path,
        "--trace",
        "verify",
        "--pinless",
        "--simulate",
        "forgotten-pins",
        "--face-confirmed",
        stdin="55021720350000\n",
    )
    assert result.code == 1, result.stderr
    assert "照合番号Bが違います。あと2回" in result.stderr
    sent = [line for line in result.stderr.splitlines() if "> 00 20 00 95 0E" in line]
    assert len(sent) == 1  # the VERIFY with data, once; never resent
    assert "55021720350000" not in result.stderr + result.stdout


def test_the_last_try_is_used_only_when_allowed(tmp_path: Path) -> None:
    args = (*VERIFY, "--simulate", "collation-last-try", "--face-confirmed")
    refused = run_counterapp(tmp_path, *args, stdin=COLLATION_B)
    assert refused.code == 1 and refused.json()["error"] == "pin.last_try"
    allowed = run_counterapp(tmp_path, *args, "--allow-last-try", stdin=COLLATION_B)
    assert allowed.code == 0, allowed.stderr


@pytest.mark.parametrize(
    ("stdin", "says"),
    [("5502172035228\n", "14桁"), ("昭和55年2月30日\n2035\n2285\n", "生年月日")],
)
def test_a_mistyped_part_is_named_and_nothing_is_sent(
    tmp_path: Path, stdin: str, says: str
) -> None:
    result = run_counterapp(
        tmp_path, "--trace", "verify", "--pinless", "--simulate", "valid", stdin=stdin
    )
    assert result.code == 4 and says in result.stderr
    assert "00 20 00" not in result.stderr  # no VERIFY at all


def test_read_basic_pinless_gives_the_four_items_and_no_my_number(tmp_path: Path) -> None:
    result = run_counterapp(
        tmp_path,
        "card",
        "read-basic",
        "--pinless",
        "--simulate",
        "forgotten-pins",
        "--json",
        stdin=COLLATION_B,
    )
    assert result.code == 0, result.stderr
    data = result.json()
    assert (data["method"], data["name"], data["my_number"]) == (
        "pinless",
        DEFAULT_RESIDENT.name,
        None,
    )


def _fill(data: Path, target: str, answers: str, *args: str, stdin: str) -> Result:
    data.mkdir(exist_ok=True)
    (data / "settings.toml").write_text('municipality = "千代田区"\n', encoding="utf-8")
    (data / "answers.yaml").write_text(answers, encoding="utf-8")
    return run_counterapp(
        data,
        "form",
        "fill",
        target,
        "--simulate",
        "forgotten-pins",
        "--pinless",
        "--answers",
        str(data / "answers.yaml"),
        "--json",
        *args,
        stdin=stdin,
    )


def test_form_fill_pinless_queues_the_certificate_request_with_chip_values(
    tmp_path: Path,
) -> None:
    answers = "questions: {need_juminhyo: true}\nresident: {copies: 1}\n"
    result = _fill(tmp_path, "証明書の請求", answers, "--face-confirmed", stdin=COLLATION_B)
    assert result.code == 0, result.stderr
    assert result.json()["method"] == "pinless"
    (form,) = result.json()["forms"]
    assert form["status"] == "queued"
    shown = run_counterapp(tmp_path, "queue", "show", form["id"]).stdout
    assert f"{DEFAULT_RESIDENT.name}  [ic_chip]" in shown
    listed = run_counterapp(tmp_path, "queue", "list", "--json").json()
    assert listed[0]["identity_method"] == "pinless"


def test_form_fill_without_the_face_confirmed_fills_nothing(tmp_path: Path) -> None:
    answers = "questions: {need_juminhyo: true}\nresident: {copies: 1}\n"
    result = _fill(tmp_path, "証明書の請求", answers, stdin=COLLATION_B)
    assert result.code == 2
    assert run_counterapp(tmp_path, "queue", "list", "--json").json() == []


def test_a_form_carrying_the_my_number_gets_it_only_after_collation_a(tmp_path: Path) -> None:
    answers = (
        "resident: {new_address_town: 霞が関, new_address_block: ２丁目１番２号,"
        " move_date: '2026-11-01', number_of_children: 1}\n"
    )
    wrong = _fill(
        tmp_path,
        "child-allowance-address",
        answers,
        "--face-confirmed",
        stdin=COLLATION_B + "123456789026\n",  # a valid check digit, not the card's number
    )
    assert wrong.code == 1
    assert run_counterapp(tmp_path, "queue", "list", "--json").json() == []
    right = _fill(
        tmp_path,
        "child-allowance-address",
        answers,
        "--face-confirmed",
        stdin=COLLATION_B + DEFAULT_RESIDENT.my_number + "\n",
    )
    assert right.code == 0, right.stderr
    (form,) = right.json()["forms"]
    shown = run_counterapp(tmp_path, "queue", "show", form["id"]).stdout
    assert "個人番号: ************  [ic_chip]" in shown
    assert DEFAULT_RESIDENT.my_number not in right.stdout + right.stderr
