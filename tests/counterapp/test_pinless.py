"""The PIN-less path in the core: its own verdict, the clerk's face check, 照合番号A."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from cardreader.emulator.card import VirtualCard
from cardreader.emulator.inprocess import EmulatorConnection
from cardreader.emulator.resident import DEFAULT_RESIDENT
from cardreader.emulator.scenarios import build_profile
from cardreader.sessions import MyNumberCard
from counterapp.audit import entries
from counterapp.cardsource import resolve_source
from counterapp.emulation import emulator_crls, emulator_trust
from counterapp.forms.loader import load_library
from counterapp.keyguard import open_queue
from counterapp.pinless import CollationNotAccepted, read_pinless
from counterapp.settings import load_settings
from counterapp.store import audit_log
from counterapp.verification.pinless import evaluate_pinless
from counterapp.verification.verdict import CheckResult, Outcome, Overall
from counterapp.visit import (
    CardNotGenuine,
    CounterService,
    HolderNotConfirmed,
    InvalidOperatorId,
    MyNumberNotProven,
    Visit,
)
from counterapp.wire.schema import IdentityMethod

AT = dt.datetime(2027, 1, 1, tzinfo=dt.UTC)
COLLATION_B = DEFAULT_RESIDENT.collation_number_b()
JUMINHYO = {"copies": "1"}
CHILD_ALLOWANCE = {"new_address": "東京都千代田区１", "move_date": "2026-11-01"}


def _card(scenario: str) -> MyNumberCard:
    return MyNumberCard(EmulatorConnection(VirtualCard(build_profile(scenario))))


def _verdict(scenario: str, *, confirmed: bool = False) -> tuple[Overall, dict[str, CheckResult]]:
    with _card(scenario) as card:
        read = read_pinless(card, COLLATION_B, b"\x5a" * 32)
    verdict = evaluate_pinless(
        read, emulator_trust(), emulator_crls(AT), AT, holder_confirmed=confirmed
    )
    return verdict.overall, {c.check: c for c in verdict.checks}


def test_a_forgotten_pin_card_is_genuine_only_once_a_person_confirmed_the_face() -> None:
    overall, checks = _verdict("forgotten-pins")
    assert overall is Overall.UNDETERMINED
    assert checks["holder"].reason == "holder.not_confirmed"
    possession = checks["possession"]
    assert (possession.outcome, possession.method) == (Outcome.PASS, "internal_auth")
    overall, checks = _verdict("forgotten-pins", confirmed=True)
    assert overall is Overall.GENUINE
    assert {c.outcome for c in checks.values()} == {Outcome.PASS}


@pytest.mark.parametrize(
    ("scenario", "reason"),
    [
        ("bad-internal-auth", "possession.bad_internal_auth"),
        ("tampered-signed-key", "signed_key.bad_signature"),
        ("tampered-kenhojo", "kenhojo.tampered"),
        ("tampered-card-face", "kenkaku.bad_signature"),
    ],
)
def test_a_cloned_chip_or_a_broken_signature_is_not_genuine_even_with_the_face_confirmed(
    scenario: str, reason: str
) -> None:
    overall, checks = _verdict(scenario, confirmed=True)
    assert overall is Overall.NOT_GENUINE
    assert reason in {c.reason for c in checks.values()}


def test_the_pinless_verdict_is_its_own_kind_in_json() -> None:
    with _card("valid") as card:
        read = read_pinless(card, COLLATION_B, b"\x5a" * 32)
    data = evaluate_pinless(read, emulator_trust(), emulator_crls(AT), AT).to_json()
    assert data["method"] == "pinless"
    assert {c["check"] for c in data["checks"]} >= {"possession", "holder", "card_face"}


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CounterService]:
    (tmp_path / "settings.toml").write_text('municipality = "千代田区"\n', encoding="utf-8")
    settings = load_settings(tmp_path)
    audit = audit_log(settings)
    yield CounterService(
        settings,
        resolve_source(settings, None, "forgotten-pins"),
        load_library(),
        audit,
        open_queue(settings, audit),
    )
    audit.db.close()


def _events(service: CounterService) -> list[tuple[str, dict[str, object]]]:
    return [(e.event, e.detail) for e in entries(service.audit.db)]


def test_the_clerk_journey_reads_confirms_fills_and_queues_with_the_method_recorded(
    service: CounterService,
) -> None:
    visit = service.begin("juminhyo-request")
    with _card("forgotten-pins") as card:
        result = service.read_pinless(card, COLLATION_B, visit)
    assert result.verdict.overall is Overall.UNDETERMINED
    assert result.face.photo and result.data.name == DEFAULT_RESIDENT.name
    assert result.data.my_number is None
    assert visit.card is None  # nothing fills before the face check
    with pytest.raises(HolderNotConfirmed):
        service.fill(visit, clerk_values=JUMINHYO)
    service.record_verdicts()
    verdict = service.confirm_holder(visit, "clerk-07")
    assert verdict.overall is Overall.GENUINE and verdict.method == "pinless"
    service.fill(visit, clerk_values=JUMINHYO)
    assert visit.forms[0].value("name").value == DEFAULT_RESIDENT.name
    receipt = service.submit(visit)
    assert service.queue.entry(receipt.record_ids[0]).identity_method == IdentityMethod.PINLESS
    events = _events(service)
    confirmed = [
        (e.operator, e.detail)
        for e in entries(service.audit.db)
        if e.event == "card.holder_confirmed"
    ]
    assert confirmed == [("clerk-07", {"method": "pinless"})]
    verdicts = [(d["verdict"], d["method"]) for e, d in events if e == "card.verified"]
    assert verdicts == [("undetermined", "pinless"), ("genuine", "pinless")]


def test_an_operator_id_that_is_not_an_id_is_refused(service: CounterService) -> None:
    visit = service.begin("juminhyo-request")
    with _card("forgotten-pins") as card:
        service.read_pinless(card, COLLATION_B, visit)
    for not_an_id in ("", "   ", "clerk\n07", "x" * 65):
        with pytest.raises(InvalidOperatorId):
            service.confirm_holder(visit, not_an_id)
    assert visit.card is None
    service.confirm_holder(visit, "山田　花子")  # a Japanese Windows sign-in name is an id
    assert visit.card is not None


def _confirmed(service: CounterService, target: str, card: MyNumberCard) -> Visit:
    """A PIN-less visit whose face the clerk has confirmed."""
    visit = service.begin(target)
    service.read_pinless(card, COLLATION_B, visit)
    service.confirm_holder(visit, "clerk-07")
    return visit


def test_a_form_with_the_my_number_gets_it_only_after_collation_a(
    service: CounterService,
) -> None:
    with _card("forgotten-pins") as card:
        visit = _confirmed(service, "child-allowance-address", card)
        with pytest.raises(MyNumberNotProven):
            service.fill(visit, resident_values=CHILD_ALLOWANCE)
        assert service.needs_my_number(visit)
        service.prove_my_number(card, visit, "1234 5678 9018")
    service.fill(visit, resident_values=CHILD_ALLOWANCE)
    assert visit.forms[0].value("my_number").value == DEFAULT_RESIDENT.my_number
    assert visit.verdict is not None and visit.verdict.overall is Overall.GENUINE


def test_a_wrong_my_number_is_refused_by_the_card_with_the_tries_left(
    service: CounterService,
) -> None:
    with _card("forgotten-pins") as card:
        visit = _confirmed(service, "child-allowance-address", card)
        with pytest.raises(CollationNotAccepted) as refused:
            service.prove_my_number(card, visit, "123456789026")  # valid check digit, not hers
    assert (refused.value.which, refused.value.tries_left) == ("a", 2)
    assert refused.value.can_try_again
    assert service.needs_my_number(visit)


def test_a_wrong_collation_b_names_the_tries_left_and_fills_nothing(
    service: CounterService,
) -> None:
    visit = service.begin("juminhyo-request")
    with _card("forgotten-pins") as card, pytest.raises(CollationNotAccepted) as refused:
        service.read_pinless(card, "55021720350000", visit)
    assert (refused.value.which, refused.value.tries_left) == ("b", 2)
    assert refused.value.message_key == "pin.wrong"
    assert visit.pinless is None and visit.verdict is None


def test_a_cloned_chip_fills_nothing_and_its_verdict_is_audited(
    service: CounterService,
) -> None:
    visit = service.begin("juminhyo-request")
    with _card("bad-internal-auth") as card, pytest.raises(CardNotGenuine):
        service.read_pinless(card, COLLATION_B, visit)
    service.record_verdicts()
    assert visit.card is None
    (verified,) = [d for e, d in _events(service) if e == "card.verified"]
    assert verified["verdict"] == "not_genuine" and verified["method"] == "pinless"


def test_clearing_the_visit_forgets_the_pinless_read(service: CounterService) -> None:
    visit = service.begin("juminhyo-request")
    with _card("forgotten-pins") as card:
        service.read_pinless(card, COLLATION_B, visit)
    assert visit.identity_method is IdentityMethod.PINLESS
    visit.clear()
    assert (visit.pinless, visit.identity_method) == (None, IdentityMethod.PIN)


@pytest.mark.parametrize(("extended", "budget"), [(True, 15), (False, 44)])
def test_the_pinless_read_stays_within_its_apdu_budget(extended: bool, budget: int) -> None:
    # 10 APDUs up to internal authentication; the card face (its own AP: SELECT, tries,
    # VERIFY, face, CVC) is the other 5. bench/apdu_counts.py prints both.
    profile = build_profile("forgotten-pins")
    profile.extended_length = extended
    connection = EmulatorConnection(VirtualCard(profile))
    read_pinless(MyNumberCard(connection), COLLATION_B, b"\x01" * 32)
    assert connection.stats.commands <= budget


def test_going_on_without_the_card_drops_the_pinless_read(service: CounterService) -> None:
    visit = service.begin("child-allowance-address")
    with _card("forgotten-pins") as card:
        service.read_pinless(card, COLLATION_B, visit)
    service.continue_without_card(visit)
    assert visit.pinless is None and not service.needs_my_number(visit)
    service.fill(visit, resident_values=CHILD_ALLOWANCE)
    assert visit.forms[0].value("name").value == ""  # nothing of the card goes on a form
