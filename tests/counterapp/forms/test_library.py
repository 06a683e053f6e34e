"""The shipped form library as a municipality's reviewer and a counter clerk see it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from pydantic import BaseModel

from cardreader.emulator.resident import DEFAULT_RESIDENT
from cardreader.mynumber import MyNumber
from counterapp.forms.definition import LANGUAGES, FormDefinition, LifeEvent, Prefill, Text
from counterapp.forms.filled import CardData, FilledForm, GroupRow, Source
from counterapp.forms.loader import FormLibrary, load_library
from counterapp.forms.prefill import Answers, Context, fill_event
from counterapp.forms.validation import problems

FORMS = {
    "juminhyo-request",
    "inkan-certificate-request",
    "resident-move",
    "inkan-registration",
    "nhi-enrolment",
    "child-allowance-address",
    "mynumber-card-address-change",
    "ltc-insurance-address",
    "child-allowance-claim",
    "ltc-insurance",
    "late-elderly-medical",
    "child-medical-subsidy",
    "school-enrolment",
    "household-change",
    "funeral-expenses",
    "former-surname",
}
CARRY_MY_NUMBER = {
    "resident-move",
    "nhi-enrolment",
    "child-allowance-address",
    "ltc-insurance-address",
    "child-allowance-claim",
    "ltc-insurance",
    "late-elderly-medical",
}
EVENTS = {
    "moving-in": "転入",
    "moving-out": "転出",
    "moving-within": "転居",
    "certificates": "証明書の請求",
    "death": "死亡・おくやみ",
    "birth": "出生",
    "marriage-divorce": "婚姻・離婚",
    "change-of-household": "世帯変更",
    "moving-abroad": "国外転出",
    "from-abroad": "国外からの転入",
}
MOVING_IN_ALL = [
    "resident-move",
    "mynumber-card-address-change",
    "nhi-enrolment",
    "late-elderly-medical",
    "ltc-insurance",
    "child-allowance-claim",
    "child-medical-subsidy",
    "school-enrolment",
    "inkan-registration",
]
MACHINE_TRANSLATED = ("zh", "ko", "vi", "pt")
CARD_ITEMS = {Prefill.CARD_NAME, Prefill.CARD_ADDRESS, Prefill.CARD_BIRTH_DATE, Prefill.CARD_SEX}


@pytest.fixture(scope="module")
def library() -> FormLibrary:
    return load_library()


def _definitions(library: FormLibrary) -> list[FormDefinition]:
    return [loaded.definition for loaded in library.forms.values()]


def _texts(model: BaseModel, where: str) -> Iterator[tuple[str, Text]]:
    """Every Text in a definition, with a readable place for failure messages."""
    for name in type(model).model_fields:
        value = getattr(model, name)
        items = value if isinstance(value, tuple) else (value,)
        for index, item in enumerate(items):
            place = f"{where}.{name}" + (f"[{index}]" if isinstance(value, tuple) else "")
            if isinstance(item, Text):
                yield place, item
            elif isinstance(item, BaseModel):
                label = getattr(item, "id", None) or getattr(item, "value", None)
                yield from _texts(item, f"{place}({label})" if label else place)


def _all_texts(library: FormLibrary) -> list[tuple[str, Text]]:
    found = [t for d in _definitions(library) for t in _texts(d, d.id)]
    found += [t for e in library.events.values() for t in _texts(e, e.id)]
    return found


def _default_card() -> CardData:
    r = DEFAULT_RESIDENT
    return CardData(
        name=r.name,
        address=r.address,
        birth_date=r.birth_date,
        sex=r.sex,
        my_number=MyNumber(r.my_number),
    )


CONTEXT = Context(today=dt.date(2025, 4, 1), municipality="千代田区")


def _fill_moving_in(library: FormLibrary, answers: Answers) -> tuple[FilledForm, ...]:
    return fill_event(library, library.event("転入"), _default_card(), answers, CONTEXT)


def _all_yes(event: LifeEvent) -> dict[str, bool]:
    return {q.id: True for q in event.questions}


# ---- the library as shipped ---------------------------------------------------------


def test_the_shipped_library_loads_every_form_and_event(library: FormLibrary) -> None:
    assert set(library.forms) == FORMS
    assert set(library.events) == set(EVENTS)
    for loaded in library.forms.values():
        assert loaded.definition.version >= 1
        assert len(loaded.sha256) == 64


@pytest.mark.parametrize(("event_id", "name"), sorted(EVENTS.items()))
def test_each_event_has_its_japanese_name_and_is_found_by_it(
    library: FormLibrary, event_id: str, name: str
) -> None:
    assert library.events[event_id].name.ja == name
    assert library.event(name).id == event_id
    assert library.event(event_id).name.ja == name


def test_event_finds_moving_in_by_its_japanese_name(library: FormLibrary) -> None:
    assert library.event("転入").id == "moving-in"


def test_every_text_is_written_in_all_seven_languages(library: FormLibrary) -> None:
    texts = _all_texts(library)
    assert len(texts) > 200  # titles, labels, help, choices, questions: all of them
    for place, text in texts:
        for language in LANGUAGES:
            assert text.in_language(language).strip(), f"{place}: {language} is empty"
        # Nothing left untranslated: Japanese copied into English or the other way round.
        assert text.ja != text.en, f"{place}: ja and en are the same"
        assert text.ja_easy != text.en, f"{place}: ja-easy and en are the same"
        for language in ("ko", "vi", "pt"):
            assert text.in_language(language) != text.ja, f"{place}: {language} is Japanese"


def test_machine_translations_are_marked_for_review(library: FormLibrary) -> None:
    for definition in _definitions(library):
        assert definition.machine_translated == MACHINE_TRANSLATED, definition.id
    for event in library.events.values():
        assert event.machine_translated == MACHINE_TRANSLATED, event.id


def test_exactly_the_forms_that_declare_it_pull_the_my_number(library: FormLibrary) -> None:
    declaring = {d.id for d in _definitions(library) if d.carries_my_number}
    pulling = {
        d.id
        for d in _definitions(library)
        if any(f.prefill is Prefill.CARD_MY_NUMBER for f in d.all_fields())
    }
    assert declaring == pulling == CARRY_MY_NUMBER


def test_the_residence_record_request_does_not_carry_the_my_number(
    library: FormLibrary,
) -> None:
    # A copy with 個人番号 is asked for by a tick box; the request itself holds no number.
    definition = library.forms["juminhyo-request"].definition
    assert not definition.carries_my_number
    assert definition.field("include_my_number").type == "checkbox"


@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_every_form_takes_the_four_card_items_and_the_system_values(
    library: FormLibrary, form_id: str
) -> None:
    # The card items on the form or on the card holder's row (the first person of a group);
    # the address whole, or in parts proposed from it.
    definition = library.forms[form_id].definition
    prefills = {f.prefill for f in definition.all_fields() if f.prefill is not None}
    addressed = {p.value.startswith("card.address") for p in prefills}
    assert CARD_ITEMS - {Prefill.CARD_ADDRESS} <= prefills and True in addressed, form_id
    system = [f.prefill for f in definition.fields if f.prefill is not None]
    for item in (Prefill.TODAY, Prefill.MUNICIPALITY):
        assert system.count(item) == 1, f"{form_id}: {item.value}"
    for field_id in ("application_date", "municipality"):
        definition.field(field_id)


def test_sex_takes_the_values_a_juminhyo_records(library: FormLibrary) -> None:
    # JIS X 0303 codes as the chip gives them, but only 男 and 女: a 住民票 has no 9.
    for definition in _definitions(library):
        (sex,) = {f for f in definition.all_fields() if f.id == "sex"}
        assert sex.prefill is Prefill.CARD_SEX
        labels = {c.value: (c.label.ja, c.label.en) for c in sex.choices}
        assert labels == {
            "1": ("男", "Male"),
            "2": ("女", "Female"),
        }


def test_the_reading_of_the_name_is_asked_not_prefilled(library: FormLibrary) -> None:
    for definition in _definitions(library):
        if any(f.id == "name_kana" for f in definition.fields):
            kana = definition.field("name_kana")
            assert kana.type == "katakana" and kana.required and kana.prefill is None
            assert kana.label.ja == "フリガナ"


def test_moving_forms_show_the_card_address_as_the_previous_address(
    library: FormLibrary,
) -> None:
    for form_id in (
        "resident-move",
        "child-allowance-address",
        "ltc-insurance-address",
        "mynumber-card-address-change",
    ):
        definition = library.forms[form_id].definition
        assert definition.field("previous_address").prefill is Prefill.CARD_ADDRESS
        assert definition.field("new_address_town").prefill is None


@pytest.mark.parametrize(
    ("number", "valid"),
    [
        ("03-1234-5678", True),
        ("0312345678", True),
        ("090-1234-5678", True),
        ("09012345678", True),
        ("0467-12-3456", True),
        ("050-1234-5678", True),
        ("1234-5678", False),
        ("03-1234-567", False),
        ("090-1234-56789", False),
        ("+81-90-1234-5678", False),
        ("０３-１２３４-５６７８", False),
    ],
)
def test_the_phone_pattern_takes_japanese_numbers(
    library: FormLibrary, number: str, valid: bool
) -> None:
    pattern = library.forms["resident-move"].definition.field("phone").pattern
    assert pattern is not None
    assert bool(re.fullmatch(pattern, number)) is valid


# ---- life events ------------------------------------------------------------------


def test_moving_in_with_every_answer_yes_bundles_nine_forms(library: FormLibrary) -> None:
    event = library.event("転入")
    forms = [item.form for item in event.applicable_forms(_all_yes(event))]
    assert forms == MOVING_IN_ALL


def test_moving_in_with_every_answer_no_bundles_the_move_and_the_card(
    library: FormLibrary,
) -> None:
    event = library.event("転入")
    no = {q.id: False for q in event.questions}
    assert [item.form for item in event.applicable_forms(no)] == [
        "resident-move",
        "mynumber-card-address-change",
    ]
    assert [item.form for item in event.applicable_forms({})] == [
        "resident-move",
        "mynumber-card-address-change",
    ]


def test_moving_in_asks_about_insurance_children_care_and_seal(library: FormLibrary) -> None:
    event = library.event("転入")
    questions = {q.id: q.label.ja for q in event.questions}
    assert questions["join_nhi"] == "国民健康保険に加入しますか"
    assert set(questions) == {
        "join_nhi",
        "is_late_elderly",
        "has_ltc",
        "has_children",
        "child_medical",
        "school_age",
        "register_seal",
    }
    conditions = {item.form: item.when for item in event.forms}
    assert conditions == {
        "resident-move": None,
        "mynumber-card-address-change": None,
        "nhi-enrolment": "join_nhi",
        "late-elderly-medical": "is_late_elderly",
        "ltc-insurance": "has_ltc",
        "child-allowance-claim": "has_children",  # 認定請求, not an address change
        "child-medical-subsidy": "child_medical",
        "school-enrolment": "school_age",
        "inkan-registration": "register_seal",
    }
    presets = {item.form: item.preset for item in event.forms}
    assert presets["ltc-insurance"]["kind"] == "acquire"  # 資格取得, not an address change
    assert presets["child-allowance-claim"]["kind"] == "claim"
    (card,) = [item for item in event.forms if item.per_card]
    assert card.form == "mynumber-card-address-change"  # one 継続利用 per card


@pytest.mark.parametrize(
    ("event_name", "form_id", "preset"),
    [
        ("転入", "resident-move", {"move_kind": "tennyu"}),
        ("転入", "nhi-enrolment", {"kind": "acquire", "reason": "tennyu"}),
        ("転入", "mynumber-card-address-change", {"change_reason": "tennyu"}),
        ("転出", "resident-move", {"move_kind": "tenshutsu"}),
        ("転出", "nhi-enrolment", {"kind": "lose", "reason": "tenshutsu"}),
        ("転居", "resident-move", {"move_kind": "tenkyo"}),
        ("転居", "mynumber-card-address-change", {"change_reason": "tenkyo"}),
    ],
)
def test_each_event_decides_the_kind_of_move(
    library: FormLibrary, event_name: str, form_id: str, preset: dict[str, str]
) -> None:
    event = library.event(event_name)
    presets = {item.form: item.preset for item in event.forms}
    assert presets[form_id] == preset


@pytest.mark.parametrize(
    ("event_name", "all_yes", "all_no"),
    [
        ("転出", ["nhi-enrolment"], ["resident-move"]),
        (
            "転居",
            [
                "resident-move",
                "mynumber-card-address-change",
                "child-allowance-address",
                "ltc-insurance-address",
            ],
            ["resident-move", "mynumber-card-address-change"],
        ),
        ("証明書の請求", ["juminhyo-request", "inkan-certificate-request"], []),
    ],
)
def test_the_other_events_bundle_what_their_answers_ask_for(
    library: FormLibrary, event_name: str, all_yes: list[str], all_no: list[str]
) -> None:
    event = library.event(event_name)
    assert [i.form for i in event.applicable_forms(_all_yes(event))] == all_yes
    assert [i.form for i in event.applicable_forms({})] == all_no


def test_moving_out_online_skips_the_counter_notification(library: FormLibrary) -> None:
    event = library.event("転出")
    online = event.applicable_forms({"moved_out_online": True})
    assert [item.form for item in online] == []
    at_counter = event.applicable_forms({"in_nhi": True})
    assert [item.form for item in at_counter] == ["resident-move", "nhi-enrolment"]


# ---- filling for a resident -------------------------------------------------------


def test_moving_in_for_the_default_resident_leaves_only_what_the_resident_enters(
    library: FormLibrary,
) -> None:
    r = DEFAULT_RESIDENT
    event = library.event("転入")
    presets = {item.form: item.preset for item in event.forms}
    filled = _fill_moving_in(library, Answers(questions=_all_yes(event)))
    assert [f.form_id for f in filled] == MOVING_IN_ALL
    for form in filled:
        definition = form.form.definition
        holder = _card_holder(form)
        assert holder.value("name").value == r.name
        assert holder.value("birth_date").value == r.birth_date.isoformat()
        assert holder.value("sex").value == r.sex
        for field_id in ("name", "birth_date", "sex"):
            assert holder.value(field_id).source is Source.IC_CHIP
        assert form.value("municipality").value == "千代田区"
        assert form.value("application_date").value == "2025-04-01"
        if definition.carries_my_number and form.form_id != "resident-move":
            numbers = [v for v in form.all_values() if v.field_id.endswith("my_number")]
            assert r.my_number in {v.value for v in numbers}, form.form_id
        for field_id, value in presets[form.form_id].items():
            assert form.value(field_id).value == value
            assert form.value(field_id).source is Source.EVENT
        assert {p.key for p in problems(form)} <= {"field.required", "group.too_few"}


def _card_holder(form: FilledForm) -> FilledForm | GroupRow:
    """Where the card holder's items are: the form itself, or row 1 of its person group."""
    if any(f.id == "name" for f in form.form.definition.fields):
        return form
    group = next(g for g in form.form.definition.groups if g.card_holder_row)
    return form.rows(group.id)[0]


MOVED_IN = {
    "name_kana": "バンゴウ　ハナコ",
    "relationship": "householder",
    "move_date": "2025-03-28",
    "transfer_basis": "certificate",
    "new_address_town": "九段南",
    "new_address_block": "１丁目２番１号",
    "new_address_building": "九段ハイツ３０１号室",
    "new_postal_code": "102-0074",
    "household_kind": "new",
    "householder_name": "番号　花子",
    "pension": "employee",
    "health_insurance": "employee",
    "phone": "090-1234-5678",
}
CHILD = {
    "name": "番号　太郎",
    "name_kana": "バンゴウ　タロウ",
    "birth_date": "2017-05-01",
    "sex": "1",
    "relationship": "child",
    "school_stage": "elementary",
}


def test_moving_in_passes_once_the_resident_has_answered(library: FormLibrary) -> None:
    event = library.event("転入")
    answers = Answers(questions=_all_yes(event), resident=MOVED_IN, rows={"children": (CHILD,)})
    filled = _fill_moving_in(library, answers)
    for form in filled:
        assert problems(form) == (), form.form_id
        if any(v.field_id == "new_address_town" for v in form.values):
            # Typed once, on every form of the event that asks for it.
            assert form.value("new_address_town").value == "九段南"
            assert form.value("new_address_town").source is Source.RESIDENT
    allowance = next(f for f in filled if f.form_id == "child-allowance-claim")
    (child,) = allowance.rows("children")
    assert child.by_hand and child.value("name").value == "番号　太郎"
    assert allowance.value("reason_date").value == "2025-03-28"  # the day of the move


def test_moving_in_registers_the_seal_at_the_new_address_not_the_chips(
    library: FormLibrary,
) -> None:
    # The chip still has the old address during 転入: the 印鑑登録 must not take it.
    event = library.event("転入")
    answered = _fill_moving_in(library, Answers(questions=_all_yes(event), resident=MOVED_IN))
    seal = next(f for f in answered if f.form_id == "inkan-registration")
    assert [seal.value(f"address_{p}").value for p in ("town", "block", "building")] == [
        "九段南",
        "１丁目２番１号",
        "九段ハイツ３０１号室",
    ]
    assert seal.value("address_town").source is Source.RESIDENT
    unanswered = _fill_moving_in(library, Answers(questions=_all_yes(event)))
    seal = next(f for f in unanswered if f.form_id == "inkan-registration")
    assert seal.value("address_town").value == ""  # blank, never the old 霞が関
    assert "霞が関" not in "".join(v.value for v in seal.values)


def test_a_seal_registered_without_a_move_proposes_the_chips_address_for_confirmation(
    library: FormLibrary,
) -> None:
    from counterapp.forms.prefill import fill_form

    seal = fill_form(library.forms["inkan-registration"], _default_card(), Answers(), CONTEXT)
    town = seal.value("address_town")
    assert (town.value, town.source) == ("霞が関", Source.PROPOSED)
    assert {p.field_id for p in problems(seal) if p.key == "field.unconfirmed"} == {
        "address_town",
        "address_block",
    }


def test_a_household_of_three_fits_the_moving_in_forms(library: FormLibrary) -> None:
    # Two members with cards (the emulator's residents) and a child without one.
    from cardreader.emulator.resident import LONG_ADDRESS_RESIDENT
    from counterapp.forms.prefill import add_card_row

    second = CardData(
        LONG_ADDRESS_RESIDENT.name,
        LONG_ADDRESS_RESIDENT.address,
        LONG_ADDRESS_RESIDENT.birth_date,
        LONG_ADDRESS_RESIDENT.sex,
        MyNumber(LONG_ADDRESS_RESIDENT.my_number),
    )
    questions = {"join_nhi": True, "has_children": True, "register_seal": True}
    answers = Answers(
        questions=questions, resident=MOVED_IN, rows={"children": (CHILD,), "movers": (CHILD,)}
    )
    filled = {f.form_id: f for f in _fill_moving_in(library, answers)}
    move = add_card_row(filled["resident-move"], "movers", second, CONTEXT)
    move = move.with_row_value("movers", 2, "relationship", "spouse", Source.CLERK)
    move = move.with_row_value("movers", 2, "name_kana", "ナガズミ　ショタロウ", Source.CLERK)
    names = [(r.value("name").value, r.by_hand) for r in move.rows("movers")]
    assert names == [
        (DEFAULT_RESIDENT.name, False),
        ("番号　太郎", True),  # the child: entered by hand, marked as such
        (LONG_ADDRESS_RESIDENT.name, False),
    ]
    assert move.rows("movers")[2].value("my_number").value == LONG_ADDRESS_RESIDENT.my_number
    assert problems(move) == ()
    insured = add_card_row(filled["nhi-enrolment"], "insured", second, CONTEXT)
    assert len(insured.rows("insured")) == 2  # those who join, from their cards
    (child,) = filled["child-allowance-claim"].rows("children")
    assert child.value("name").value == "番号　太郎"
    assert filled["inkan-registration"].value("address_town").value == "九段南"
    from counterapp.forms.prefill import fill_per_card

    (card_form,) = fill_per_card(library, library.event("転入"), second, answers, CONTEXT)
    assert card_form.form_id == "mynumber-card-address-change"  # one 継続利用 per card
    assert card_form.value("name").value == LONG_ADDRESS_RESIDENT.name
    assert card_form.value("new_address_town").value == "九段南"
