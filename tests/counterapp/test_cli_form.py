"""``counterapp form fill``: one card read fills, queues and prints a whole life event."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pypdfium2
import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from cardreader.emulator import pki
from cardreader.emulator.resident import DEFAULT_RESIDENT
from counterapp.audit import AuditLog
from counterapp.queue import FormQueue
from counterapp.store import DATABASE_FILE, open_database
from counterapp.vault import field_context, open_vault, seal
from tests.counterapp.cli_runner import Result, run_counterapp
from tests.counterapp.test_cli_verify import PINS

SIGNING_PINS = PINS + DEFAULT_RESIDENT.signing_password + "\n"
MOVING_IN = """
questions: {join_nhi: true, has_children: true, has_ltc: true, register_seal: true}
resident:
  name_kana: バンゴウ　ハナコ
  relationship: householder
  new_address_town: 丸の内
  new_address_block: １丁目１番１号
  move_date: 2026-11-20
  householder_name: 番号　花子
  pension: employee
clerk:
  transfer_basis: special
  planned_move_out_date: 2026-11-15
  household_kind: new
"""
CERTIFICATES = """
questions: {need_juminhyo: true, need_inkan_certificate: false}
resident: {copies: 1}
"""
CHIP_FIELDS = {
    "name": DEFAULT_RESIDENT.name,
    "birth_date": "昭和55年2月17日（1980年2月17日）",
    "sex": "女",
}


def _fill(data_dir: Path, target: str, answers: str, *extra: str, stdin: str = PINS) -> Result:
    data_dir.mkdir(exist_ok=True)
    settings = data_dir / "settings.toml"
    if not settings.exists():
        settings.write_text('municipality = "千代田区"\n', encoding="utf-8")
    answers_file = data_dir.parent / "answers.yaml"
    answers_file.write_text(answers, encoding="utf-8")
    return run_counterapp(
        data_dir, "form", "fill", target, "--simulate", "valid",
        "--answers", str(answers_file), "--json", *extra, stdin=stdin,
    )  # fmt: skip


def _shown(data_dir: Path, record_id: str) -> dict[str, dict[str, object]]:
    result = run_counterapp(data_dir, "queue", "show", record_id, "--json")
    assert result.code == 0, result.stderr
    return {row["field"]: row for row in result.json()["fields"]}


def _audit_events(data_dir: Path) -> list[str]:
    lines = run_counterapp(data_dir, "audit", "export").stdout.splitlines()
    return [json.loads(line)["event"] for line in lines]


@pytest.mark.slow
def test_moving_in_queues_every_form_with_the_chip_values_and_prints_them(tmp_path: Path) -> None:
    data = tmp_path / "data"
    pdf = tmp_path / "visit.pdf"
    result = _fill(data, "転入", MOVING_IN, "--pdf", str(pdf))
    assert result.code == 0, result.stderr
    forms = result.json()["forms"]
    assert sorted(f["form"] for f in forms) == sorted(
        [
            "resident-move",
            "mynumber-card-address-change",
            "nhi-enrolment",
            "ltc-insurance",
            "child-allowance-claim",
            "inkan-registration",
        ]
    )
    assert {f["status"] for f in forms} == {"queued"}
    for item in forms:
        shown = _shown(data, item["id"])
        for field, value in CHIP_FIELDS.items():
            row = shown.get(field) or shown.get(f"movers.1.{field}")  # the card holder's row
            assert row is not None and (row["value"], row["source"]) == (value, "ic_chip")
        addresses = [row for row in shown.values() if row["value"] == DEFAULT_RESIDENT.address]
        if item["form"] == "inkan-registration":  # registered at the new address, not the chip's
            assert not addresses and shown["address_town"]["value"] == "丸の内"
        else:
            assert addresses and addresses[0]["source"] == "ic_chip"
    page = pypdfium2.PdfDocument(pdf)
    assert len(page) >= len(forms)
    text = "".join(page[n].get_textpage().get_text_range() for n in range(len(page)))
    assert DEFAULT_RESIDENT.name in text and "昭和55年2月17日" in text
    assert "異動者（引っ越す人）　1人目（カード）" in text  # each person of a group, headed
    histogram = page[0].render(scale=1).to_pil().convert("L").histogram()
    assert sum(histogram[:128]) / sum(histogram) > 0.01  # not a blank page
    events = _audit_events(data)
    assert events.count("form.queued") == events.count("form.printed") == len(forms)


@pytest.mark.slow
def test_the_my_number_is_masked_when_a_queued_form_is_shown(tmp_path: Path) -> None:
    data = tmp_path / "data"
    forms = _fill(data, "転入", MOVING_IN).json()["forms"]
    move = next(f for f in forms if f["form"] == "resident-move")
    shown = _shown(data, move["id"])
    assert shown["movers.1.my_number"]["value"] == "*" * 12
    assert DEFAULT_RESIDENT.my_number not in json.dumps(shown)


@pytest.mark.parametrize("scenario", ["revoked", "wrong-issuer", "tampered-kenhojo"])
@pytest.mark.slow
def test_a_card_that_is_not_genuine_fills_nothing(tmp_path: Path, scenario: str) -> None:
    (tmp_path / "settings.toml").write_text('municipality = "千代田区"\n', encoding="utf-8")
    result = run_counterapp(tmp_path, "form", "fill", "転入", "--simulate", scenario, stdin=PINS)
    assert result.code == 1
    assert "申請書は作成しませんでした" in result.stderr
    assert run_counterapp(tmp_path, "queue", "list", "--json").json() == []
    assert not [e for e in _audit_events(tmp_path) if e.startswith("form.")]


@pytest.mark.slow
def test_without_the_municipality_set_no_pin_is_asked_and_the_fix_is_named(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.toml").write_text("", encoding="utf-8")  # a fresh install
    said = _fill(data, "証明書の請求", "questions: {need_juminhyo: true}\nresident: {copies: 1}\n")
    assert said.code == 4 and "Traceback" not in said.stderr
    assert "counterapp settings set municipality" in said.stderr
    assert run_counterapp(data, "audit", "export").stdout.count("card.") == 0  # no card read


def test_missing_answers_queue_nothing_and_say_how_to_go_on(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = _fill(data, "転入", "questions: {join_nhi: false}")
    assert result.code == 5
    assert result.json()["queued"] is False and result.json()["saved"] is False
    missing = result.json()["missing_or_invalid"]["resident-move"]
    assert missing["new_address_town"] == missing["transfer_basis"] == "field.required"
    assert run_counterapp(data, "queue", "list", "--json").json() == []
    answers = tmp_path / "answers.yaml"
    said = run_counterapp(
        data, "form", "fill", "転入", "--simulate", "valid", "--answers", str(answers), stdin=PINS
    )
    assert said.code == 5
    assert "保存されていません" in said.stderr and "--draft" in said.stderr
    assert "受付番号" not in said.stdout  # no reception number for a visit that was not kept


@pytest.mark.slow
def test_a_draft_and_a_queued_visit_both_show_in_the_list_with_short_numbers(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    kept = _fill(data, "転入", "questions: {join_nhi: false}", "--draft", "--ticket", "A-12")
    assert kept.code == 0 and kept.json()["queued"] is False
    done = _fill(data, "証明書の請求", CERTIFICATES)
    assert done.code == 0
    rows = run_counterapp(data, "queue", "list", "--json").json()
    assert {r["status"] for r in rows} == {"draft", "pending"}
    numbers = {r["status"]: r["reception_number"] for r in rows}
    assert numbers == {"draft": "1001", "pending": "1002"}  # digits only, said aloud
    assert {r["ticket_number"] for r in rows if r["status"] == "draft"} == {"A-12"}
    drafts = run_counterapp(data, "queue", "list", "--status", "draft").stdout
    assert "1001" in drafts and "1002" not in drafts
    assert "送信待ち 1 件・送信失敗 0 件・下書き 2 件" in drafts  # as the clerk window counts


@pytest.mark.slow
def test_an_unknown_event_is_a_usage_error(tmp_path: Path) -> None:
    result = run_counterapp(tmp_path, "form", "fill", "養子縁組", "--simulate", "valid", stdin=PINS)
    assert result.code == 4 and "養子縁組" in result.stderr


def _signed_record(tmp_path: Path) -> tuple[Path, str]:
    data = tmp_path / "data"
    result = _fill(data, "証明書の請求", CERTIFICATES, "--sign", stdin=SIGNING_PINS)
    assert result.code == 0, result.stderr
    (form,) = result.json()["forms"]
    assert form["signed"]
    return data, form["id"]


def _queue(data: Path) -> FormQueue:
    db = open_database(data)
    return FormQueue(
        db, open_vault(data, "terminal-01", "file"), AuditLog(db, terminal="t", operator="test")
    )


@pytest.mark.slow
def test_a_signed_form_verifies_and_fails_after_its_stored_content_changes(tmp_path: Path) -> None:
    data, record_id = _signed_record(tmp_path)
    verified = run_counterapp(data, "form", "verify-signature", record_id, "--json")
    assert verified.code == 0 and verified.json()["valid"], verified.stderr
    # Someone with the key re-encrypts a changed value: the signature no longer covers it.
    queue = _queue(data)
    key = queue._record_key(record_id)
    changed = seal(key, b"2", field_context(record_id, "copies"))
    queue.db.execute(
        "update form_values set value = ? where record_id = ? and field_id = 'copies'",
        [changed, record_id],
    )
    tampered = run_counterapp(data, "form", "verify-signature", record_id, "--json")
    assert tampered.code == 1 and tampered.json()["reason"] == "signature.content_changed"


@pytest.mark.slow
def test_a_flipped_stored_byte_is_reported_as_damage(tmp_path: Path) -> None:
    data, record_id = _signed_record(tmp_path)
    db = open_database(data)
    (sealed,) = db.execute("select cms from form_signatures").fetchone()
    db.execute("update form_signatures set cms = ?", [sealed[:-1] + bytes([sealed[-1] ^ 1])])
    result = run_counterapp(data, "form", "verify-signature", record_id)
    assert result.code == 1 and "改ざん" in result.stderr


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
@pytest.mark.slow
def test_openssl_accepts_the_stored_signature(tmp_path: Path) -> None:
    data, record_id = _signed_record(tmp_path)
    stored = _queue(data).open(record_id, "test")
    assert stored.signature is not None
    (tmp_path / "form.json").write_bytes(stored.filled.canonical())
    (tmp_path / "form.p7s").write_bytes(stored.signature)
    ca = pki.authority(pki.SIGN_CA_OU).certificate
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(Encoding.PEM))
    command = [
        "openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "form.p7s",
        "-content", "form.json", "-CAfile", "ca.pem", "-purpose", "any", "-out", "/dev/null",
    ]  # fmt: skip
    completed = subprocess.run(command, cwd=tmp_path, capture_output=True, check=False)
    assert completed.returncode == 0, completed.stderr


def test_form_check_names_the_line_of_each_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "kind: form\nid: my-form\nversion: 0\ntitle: {ja: 申請書}\nfields:\n"
        "  - use: name\n  - use: no_such_field\n  - id: number\n    type: text\n"
        "    prefill: card.my_number\n    label: {ja: 番号, ja-easy: ばんごう, en: No, zh: 号,"
        " ko: 번호, vi: Số, pt: Nº}\n",
        encoding="utf-8",
    )
    result = run_counterapp(tmp_path, "form", "check", str(bad))
    assert result.code == 4
    assert f"{bad}:3: version:" in result.stderr
    assert f"{bad}:4: title.en: Field required" in result.stderr
    assert f"{bad}:7: fields.1: no catalogue field 'no_such_field'" in result.stderr


def test_form_check_refuses_a_form_that_pulls_the_my_number_without_saying_so(
    tmp_path: Path,
) -> None:
    source = Path("resources/forms/nhi-enrolment.yaml").read_text(encoding="utf-8")
    quiet = tmp_path / "quiet.yaml"
    quiet.write_text(source.replace("carries_my_number: true", "carries_my_number: false"), "utf-8")
    result = run_counterapp(tmp_path, "form", "check", str(quiet))
    assert (
        result.code == 4 and "my_number" in result.stderr and "carries_my_number" in result.stderr
    )


@pytest.mark.slow
def test_every_shipped_definition_file_passes_form_check(tmp_path: Path) -> None:
    files = sorted(Path("resources/forms").rglob("*.yaml"))
    for path in files:
        result = run_counterapp(tmp_path, "form", "check", str(path))
        assert result.code == 0, result.stderr


@pytest.mark.slow
def test_queue_purge_removes_drafts_past_their_retention(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _fill(data, "転入", "questions: {}", "--draft")
    with (data / "settings.toml").open("a", encoding="utf-8") as settings:
        settings.write("draft_retention_days = 0\n")
    result = run_counterapp(data, "queue", "purge")
    assert result.code == 0 and "下書き 2 件" in result.stdout
    assert {e["status"] for e in run_counterapp(data, "queue", "list", "--json").json()} == {
        "purged"
    }
    raw = b"".join(p.read_bytes() for p in data.glob(DATABASE_FILE + "*"))
    assert DEFAULT_RESIDENT.name.encode() not in raw


@pytest.mark.slow
def test_doctor_reports_each_part_and_the_weaker_key_file(tmp_path: Path) -> None:
    result = run_counterapp(tmp_path, "doctor", "--json")
    assert result.code == 1, result.stdout  # J-LIS CA generation 2 is not shipped
    health = {item["part"]: item["health"] for item in result.json()}
    assert health["database"] == "ok" and health["audit_log"] == "ok"
    assert health["trust_anchors"] == "fail"
    assert health["key_store"] == "warn"  # no OS key store on this machine: the key file
    text = run_counterapp(tmp_path, "doctor").stdout
    assert "鍵の保管 / key store: key file" in text


@pytest.mark.slow
def test_no_pin_or_my_number_in_the_trace_output_or_the_pdf(tmp_path: Path) -> None:
    data = tmp_path / "data"
    pdf = tmp_path / "visit.pdf"
    result = _fill(data, "転入", MOVING_IN, "--pdf", str(pdf), "--sign", stdin=SIGNING_PINS)
    assert result.code == 0, result.stderr
    traced = run_counterapp(data, "--trace", "form", "fill", "転入", "--simulate", "valid",
                            stdin=PINS)  # fmt: skip
    assert "00 20 00" in traced.stderr  # the APDU trace was on
    text = pypdfium2.PdfDocument(pdf)
    printed = "".join(page.get_textpage().get_text_range() for page in text)
    assert "*" * 12 in printed  # the forms that carry it show the field, masked
    for output in (result.stdout + result.stderr, traced.stdout + traced.stderr, printed):
        assert DEFAULT_RESIDENT.my_number not in output
        assert DEFAULT_RESIDENT.signing_password not in output
    assert DEFAULT_RESIDENT.my_number.encode() not in pdf.read_bytes()


def test_answers_that_choose_no_form_are_refused_before_the_card_is_read(tmp_path: Path) -> None:
    data = tmp_path / "data"
    nothing = "questions: {need_juminhyo: false, need_inkan_certificate: false}\n"
    result = _fill(data, "証明書の請求", nothing, "--pdf", str(tmp_path / "x.pdf"), stdin="")
    assert result.code == 4, result.stderr
    assert "作成する申請書がありません" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.pdf").exists()
    assert "card.read" not in _audit_events(data)  # no PIN asked, the card never touched


def test_a_wrong_pin_names_the_tries_left_asks_no_second_pin_and_fills_nothing(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.toml").write_text('municipality = "千代田区"\n', encoding="utf-8")
    result = run_counterapp(
        data,
        "--trace",
        "form",
        "fill",
        "juminhyo-request",
        "--simulate",
        "valid",
        stdin="9999\n1234\n",
    )
    assert result.code == 3, result.stderr
    assert "あと2回" in result.stderr and "Traceback" not in result.stderr
    sent = result.stderr.count("00 20 00 98 04")  # VERIFY of the auth PIN, with a value
    assert sent == 1 and "00 20 00 91 04" not in result.stderr  # no Kenhojo PIN asked
    assert run_counterapp(data, "queue", "list", "--json").json() == []


PROXY_REQUEST = """
questions: {need_juminhyo: true}
resident: {copies: 1}
clerk:
  filer_role: delegate
  filer_name: 代理　一郎
  filer_address: 東京都千代田区丸の内１丁目１番１号
"""


@pytest.mark.slow
def test_a_request_by_an_agent_is_not_queued_until_the_letter_of_proxy_is_checked(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    refused = _fill(data, "証明書の請求", PROXY_REQUEST)
    assert refused.code == 5 and refused.json()["queued"] is False
    missing = refused.json()["missing_or_invalid"]["juminhyo-request"]
    assert missing == {"proxy_letter_checked": "field.document_required"}
    assert run_counterapp(data, "queue", "list", "--json").json() == []
    checked = _fill(data, "証明書の請求", PROXY_REQUEST + "  proxy_letter_checked: true\n")
    assert checked.code == 0, checked.stderr
    (form,) = checked.json()["forms"]
    shown = _shown(data, form["id"])
    assert shown["filer_role"]["value"] == "任意代理人（委任状が必要）"
    assert shown["proxy_letter_checked"]["source"] == "clerk"
    assert shown["subjects.1.name"]["value"] == DEFAULT_RESIDENT.name  # who is on the copy


def test_form_list_shows_the_new_life_events_and_each_forms_legal_basis(tmp_path: Path) -> None:
    listed = run_counterapp(tmp_path, "form", "list", "--json").json()
    events = {e["name"]: e for e in listed["events"]}
    for name in ("死亡・おくやみ", "出生", "婚姻・離婚", "世帯変更", "国外転出", "国外からの転入"):
        assert name in events
    assert events["国外からの転入"]["starts_without_card"] is True
    forms = {f["id"]: f for f in listed["forms"]}
    assert "child-allowance-claim" in events["出生"]["forms"]
    assert "funeral-expenses" in events["死亡・おくやみ"]["forms"]
    assert all(f["basis"] for f in forms.values())  # every form names why it collects data
    assert "住民基本台帳法 第22条（転入届）" in forms["resident-move"]["basis"]
    assert forms["resident-move"]["groups"] == ["movers"]


@pytest.mark.slow
def test_a_late_move_in_is_queued_with_the_fourteen_day_warning(tmp_path: Path) -> None:
    data = tmp_path / "data"
    late = MOVING_IN.replace("move_date: 2026-11-20", "move_date: 2020-01-06")
    result = _fill(
        data,
        "転入",
        late.replace("planned_move_out_date: 2026-11-15", "planned_move_out_date: 2020-01-01"),
    )
    assert result.code == 0, result.stderr
    move = next(f for f in result.json()["forms"] if f["form"] == "resident-move")
    assert any(w.startswith("転入から14日を過ぎています") for w in move["warnings"])
    assert any(w.startswith("転出予定日から30日を過ぎています") for w in move["warnings"])


FROM_ABROAD = """
clerk:
  move_date: 2026-11-20
  previous_foreign_address: Rua Augusta 100, São Paulo, Brasil
  new_address_town: 霞が関
  new_address_block: ２丁目１番２号
  household_kind: new
  householder_name: SILVA MARIA
rows:
  movers:
    - name: SILVA MARIA
      name_kana: シルバ　マリア
      birth_date: 1990-03
      sex: "2"
      relationship: householder
      foreign_resident: true
      nationality: ブラジル
      resident_category: mid_long_term
      status_of_residence: 定住者
      period_of_stay: 3年
      period_expiry: 2029-11-01
      residence_card_number: AB12345678CD
"""


@pytest.mark.slow
def test_moving_in_from_abroad_reads_no_card_and_queues_the_persons_entered_by_hand(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.toml").write_text('municipality = "千代田区"\n', encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    answers.write_text(FROM_ABROAD, encoding="utf-8")
    result = run_counterapp(
        data, "form", "fill", "国外からの転入", "--answers", str(answers), "--json"
    )  # no reader, no PIN: the 在留カード is read by the clerk
    assert result.code == 0, result.stderr
    (move,) = result.json()["forms"]
    shown = _shown(data, move["id"])
    assert shown["transfer_basis"]["value"] == "国外からの転入"
    assert shown["movers.1.residence_card_number"]["value"] == "AB12345678CD"
    assert shown["movers.1.birth_date"]["value"] == "1990年3月"  # the day is not known
    assert "手入力" in shown["movers.1.name"]["label"]  # marked as entered by hand
    assert not [e for e in _audit_events(data) if e.startswith("card.")]


MANUAL_CERTIFICATES = f"""
questions: {{need_juminhyo: true, need_inkan_certificate: false}}
resident: {{copies: 1}}
clerk:
  name: {DEFAULT_RESIDENT.name}
  address: {DEFAULT_RESIDENT.address}
  birth_date: 1980-02-17
  sex: "2"
rows:
  subjects:
    - name: {DEFAULT_RESIDENT.name}
      birth_date: 1980-02-17
"""


@pytest.mark.slow
def test_manual_fills_without_the_card_marks_the_forms_and_audits_the_choice(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    done = _fill(data, "証明書の請求", MANUAL_CERTIFICATES, "--manual", stdin="")  # no PIN
    assert done.code == 0, done.stderr
    (form,) = done.json()["forms"]
    (row,) = run_counterapp(data, "queue", "list", "--json").json()
    assert (row["id"], row["status"], row["identity_method"]) == (form["id"], "pending", "manual")
    shown = run_counterapp(data, "queue", "show", form["id"], "--json").json()
    sources = {f["field"]: f["source"] for f in shown["fields"]}
    assert sources["name"] == "clerk" and sources["copies"] == "resident"
    audit = run_counterapp(data, "audit", "export").stdout.splitlines()
    manual = [e for e in map(json.loads, audit) if e["event"] == "visit.manual_entry"]
    assert [e["detail"] for e in manual] == [{"target": "certificates", "reason": "clerk_choice"}]
    refused = _fill(data, "証明書の請求", MANUAL_CERTIFICATES, "--manual", "--sign", stdin="")
    assert refused.code == 4 and "--sign" in refused.stderr
