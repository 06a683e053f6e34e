"""One rule for what a value may hold, applied where it is entered and by the back office:
no control characters (NUL, ESC/OSC/CSI sequences), no unpaired surrogates."""

from __future__ import annotations

import pytest

from counterapp.forms.filled import Source
from counterapp.forms.loader import load_library
from counterapp.forms.prefill import Answers, fill_form
from counterapp.forms.validation import UnstorableValue, field_problem
from counterapp.visit import CounterService, Visit
from counterapp.wire.values import storable_text
from tests.counterapp.conftest import CONTEXT, card_of

REFUSED = ("a\x00b", "\x1b[2J", "\x1b]0;owned\x07", "x\x9b31m", "\ud800", "\x7f", "a\rb")
ACCEPTED = ("山田　太郎", "line one\nline two", "a\tb", "東京都千代田区1-1-1", "")


@pytest.mark.parametrize("value", REFUSED)
def test_control_characters_and_surrogates_are_not_storable(value: str) -> None:
    assert not storable_text(value)


@pytest.mark.parametrize("value", ACCEPTED)
def test_ordinary_text_is_storable(value: str) -> None:
    assert storable_text(value)


def test_a_clerk_edit_with_an_escape_sequence_is_refused_and_names_the_field() -> None:
    form = load_library().forms["juminhyo-request"]
    visit = Visit(forms=[fill_form(form, card_of(), Answers(resident={"copies": "1"}), CONTEXT)])
    with pytest.raises(UnstorableValue) as refused:
        CounterService.edit(visit, 0, "copies", "2\x1b]0;owned\x07", Source.CLERK)
    assert refused.value.field_id == "copies"
    assert visit.forms[0].value("copies").value == "1"  # the old value is kept
    definition = form.definition.field("copies")
    assert field_problem(definition, "2\x1b[31m") == "field.control_character"
