"""What a household's 転入 must queue (shared by the CLI and the clerk window tests)."""

from __future__ import annotations

from cardreader.emulator.resident import DEFAULT_RESIDENT, PARTNER_RESIDENT
from counterapp.forms.filled import FilledForm

NEW_ADDRESS = "東京都千代田区千代田１番１号"
CHILD = {"name": "番号　さくら", "birth_date": "2019-05-05", "sex": "2"}


def rows_of(filled: FilledForm) -> list[tuple[str, bool]]:
    """(name, by hand) of every person listed on the form, in every list."""
    return [
        (row.value("name").value, row.by_hand)
        for group in filled.form.definition.groups
        for row in filled.rows(group.id)
    ]


def assert_household_bundle(stored: list[FilledForm]) -> None:
    """What the Done-when of a household 転入 asks: one 住民異動届 listing all three, 国保
    for those who join, 児童手当 for the child, 印鑑登録 at the new address, 継続利用 per card."""
    by_form: dict[str, list[FilledForm]] = {}
    for filled in stored:
        by_form.setdefault(filled.form_id, []).append(filled)
    (move,) = by_form["resident-move"]
    everyone = [
        (DEFAULT_RESIDENT.name, False),
        (PARTNER_RESIDENT.name, False),
        (CHILD["name"], True),
    ]
    assert rows_of(move) == everyone
    (nhi,) = by_form["nhi-enrolment"]
    assert [name for name, _ in rows_of(nhi)] in (
        [DEFAULT_RESIDENT.name, CHILD["name"]],  # the partner, insured at work, is not listed
        [],  # (a form without person lists: the card holder's own)
    )
    allowance = [f for f in stored if f.form_id.startswith("child-allowance")]
    assert len(allowance) == 1 and (CHILD["name"], True) in rows_of(allowance[0])
    (seal,) = by_form["inkan-registration"]
    assert NEW_ADDRESS in {v.value for v in seal.values}
    cards = by_form["mynumber-card-address-change"]
    assert [f.value("name").value for f in cards] == [DEFAULT_RESIDENT.name, PARTNER_RESIDENT.name]
