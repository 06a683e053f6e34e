from __future__ import annotations

import datetime as dt

import pytest

from cardreader.emulator.resident import DEFAULT_RESIDENT, Resident
from cardreader.mynumber import MyNumber
from counterapp.forms.filled import CardData
from counterapp.forms.loader import LoadedForm, load_form
from counterapp.forms.prefill import Context
from counterapp.resources import resource_path

CONTEXT = Context(today=dt.date(2026, 11, 23), municipality="千代田区")


def card_of(resident: Resident = DEFAULT_RESIDENT) -> CardData:
    """What a genuine card of ``resident`` gives the pre-fill."""
    return CardData(
        resident.name,
        resident.address,
        resident.birth_date,
        resident.sex,
        MyNumber(resident.my_number),
    )


@pytest.fixture
def juminhyo() -> LoadedForm:
    return load_form(resource_path("forms", "juminhyo-request.yaml"))
