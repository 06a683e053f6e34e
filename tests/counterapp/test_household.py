"""A household at the counter: each member taps their own card, a child is entered by hand."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from cardreader.emulator.resident import DEFAULT_RESIDENT, PARTNER_RESIDENT, ResidentPins
from counterapp.cardsource import CardSlot, CardSource, SourceError
from counterapp.forms.definition import LifeEvent
from counterapp.forms.filled import FilledForm, Source
from counterapp.forms.loader import load_form, load_library
from counterapp.forms.prefill import Answers, fill_form
from counterapp.household import (
    Person,
    with_card_holder_filing,
    with_household,
    without_person,
)
from counterapp.keyguard import open_queue
from counterapp.settings import Settings, load_settings
from counterapp.store import audit_log
from counterapp.visit import CounterService, PinNotAccepted, SameCardAgain, Visit
from tests.counterapp.conftest import CONTEXT, card_of


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return replace(load_settings(tmp_path), key_store="file", municipality="千代田区")


@pytest.fixture
def service(settings: Settings) -> Iterator[CounterService]:
    audit = audit_log(settings)
    source = CardSource(scenario="valid")
    yield CounterService(settings, source, load_library(), audit, open_queue(settings, audit))
    audit.db.close()


def test_the_partner_card_is_a_genuine_card_of_the_same_household(
    service: CounterService,
) -> None:
    slot = CardSlot(service.source)
    slot.place("household-partner")
    verified = service.read(slot.open(), ResidentPins(PARTNER_RESIDENT))
    assert verified.data.name == PARTNER_RESIDENT.name != DEFAULT_RESIDENT.name
    assert verified.data.address == DEFAULT_RESIDENT.address  # one 世帯, one address
    assert (verified.data.birth_date, verified.data.sex) == (PARTNER_RESIDENT.birth_date, "1")
    assert PARTNER_RESIDENT.auth_pin != DEFAULT_RESIDENT.auth_pin


def test_each_card_keeps_its_own_pins_and_counters_while_it_lies_aside(
    service: CounterService,
) -> None:
    slot = CardSlot(service.source)
    slot.place("household-partner")
    with pytest.raises(PinNotAccepted) as wrong:  # the first resident's PIN on the partner's card
        service.read(slot.open(), ResidentPins(DEFAULT_RESIDENT), Visit())
    assert wrong.value.error.tries_left == 2  # type: ignore[attr-defined]
    slot.place(None)  # the first resident's card back on the reader: its own PIN works
    assert service.read(slot.open(), ResidentPins()).data.name == DEFAULT_RESIDENT.name
    slot.place("household-partner")  # the partner's card again: still one try used
    card = slot.open()
    from cardreader.pin import PinKind

    assert card.jpki().pin_status(PinKind.AUTH).tries_left == 2


def test_an_unknown_card_is_refused_before_anything_is_read(service: CounterService) -> None:
    with pytest.raises(SourceError):
        CardSlot(service.source).place("no-such-card")


def test_the_same_card_twice_is_refused(service: CounterService) -> None:
    visit = service.begin("moving-in")
    slot = CardSlot(service.source)
    visit.card = service.read(slot.open(), ResidentPins())
    with pytest.raises(SameCardAgain):
        service.read_member(slot.open(), ResidentPins(), visit)


# -- the rows of a household on a form with a person list (the model's sample form) ------

SAMPLE = Path(__file__).parent / "forms" / "samples" / "household.yaml"
CHILD = {"name": "番号　さくら", "birth_date": "2019-05-05"}
_TEXT = {lang: "x" for lang in ("ja", "ja-easy", "en", "zh", "ko", "vi", "pt")}


def _sample_filled() -> FilledForm:
    return fill_form(load_form(SAMPLE), card_of(), Answers(), CONTEXT)


def _people() -> list[Person]:
    return [Person(card_of(PARTNER_RESIDENT)), Person(None, CHILD)]


def test_each_further_person_gets_their_row_from_their_own_card_or_by_hand() -> None:
    (filled,) = with_household([_sample_filled()], load_library(), None, _people(), {}, CONTEXT)
    rows = filled.rows("movers")
    names = [row.value("name").value for row in rows]
    assert names == [DEFAULT_RESIDENT.name, PARTNER_RESIDENT.name, CHILD["name"]]
    assert [row.by_hand for row in rows] == [False, False, True]
    assert rows[1].value("name").source is Source.IC_CHIP  # the partner's own chip
    assert rows[1].value("my_number").value == PARTNER_RESIDENT.my_number
    assert rows[2].value("my_number").value == ""  # no card: nothing from a chip


def test_a_person_taken_off_leaves_everyone_elses_rows_as_edited() -> None:
    people = _people()
    (filled,) = with_household([_sample_filled()], load_library(), None, people, {}, CONTEXT)
    filled = filled.with_value("movers.3.birth_date", "2019-06-01", Source.CLERK)
    (fewer,) = without_person([filled], None, people, 0, {})
    rows = fewer.rows("movers")
    assert [row.value("name").value for row in rows] == [DEFAULT_RESIDENT.name, CHILD["name"]]
    assert fewer.value("movers.2.birth_date").value == "2019-06-01"


def test_a_person_joins_a_form_chosen_by_a_question_only_on_their_own_yes() -> None:
    event = LifeEvent.model_validate(
        {"kind": "life-event", "id": "e", "name": _TEXT, "questions": [{"id": "q", "label": _TEXT}],
         "forms": [{"form": "household-sample", "when": "q"}]}
    )  # fmt: skip
    no, yes = Person(None, CHILD, {"q": False}), Person(None, CHILD)
    (filled,) = with_household(
        [_sample_filled()], load_library(), event, [no, yes], {"q": True}, CONTEXT
    )
    assert [row.by_hand for row in filled.rows("movers")] == [False, True]


def test_each_further_card_holder_gets_their_own_copy_of_a_form_about_one_card() -> None:
    library = load_library()
    event = library.event("moving-in")
    answers = Answers(resident={"new_address_town": "千代田"})
    filled = fill_form(
        library.forms["mynumber-card-address-change"], card_of(), answers, CONTEXT,
        {"change_reason": "tennyu"}, event.id,
    )  # fmt: skip
    people = [Person(card_of(PARTNER_RESIDENT)), Person(None, CHILD)]
    forms = with_household([filled], library, event, people, {}, CONTEXT)
    assert [f.value("name").value for f in forms] == [DEFAULT_RESIDENT.name, PARTNER_RESIDENT.name]
    own = forms[1]
    assert own.value("name").source is Source.IC_CHIP  # from the partner's own chip
    assert own.value("new_address_town").value == "千代田"  # the household's
    assert own.value("change_reason").value == "tennyu"
    assert without_person(forms, event, people, 0, {}) == (forms[0],)


def test_the_first_card_holder_files_unless_the_clerk_chose_another_role() -> None:
    filled = with_card_holder_filing(_sample_filled())
    assert filled.value("filer_role").value == "self"
    chosen = _sample_filled().with_value("filer_role", "delegate", Source.CLERK)
    assert with_card_holder_filing(chosen).value("filer_role").value == "delegate"


def test_a_child_named_for_the_childrens_list_is_on_it_and_no_one_else() -> None:
    library = load_library()
    event = library.event("moving-in")
    form = library.forms["child-allowance-claim"]
    filled = fill_form(form, card_of(), Answers(), CONTEXT, None, event.id)
    assert filled.rows("children") == ()  # the claimant is not one of the children
    child = Person(None, CHILD, {"has_children": False}, frozenset({"children"}))
    partner = Person(card_of(PARTNER_RESIDENT))
    forms = with_household(
        [filled], library, event, [partner, child], {"has_children": True}, CONTEXT
    )
    (claim,) = [f for f in forms if f.form_id == "child-allowance-claim"]
    rows = claim.rows("children")
    assert [(r.value("name").value, r.by_hand) for r in rows] == [(CHILD["name"], True)]
