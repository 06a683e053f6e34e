"""The rules a submitted value must meet to be stored: the back office applies them on
receipt, and the terminal can apply the same ones before it queues a form.

They cover what the schema cannot say: text no database column takes (NUL, lone
surrogates) or that would drive a terminal (ESC and the other control characters), a version
over a 32-bit INTEGER, a creation time without a UTC equivalent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from counterapp.wire.schema import SubmissionItem

# form_version is an INTEGER column: 32 bits in PostgreSQL, while the wire allows any int.
MAX_FORM_VERSION = 2**31 - 1


def storable(item: SubmissionItem) -> bool:
    """False for text no column takes (NUL, lone surrogates), a huge version, a bad time."""
    if item.form_version > MAX_FORM_VERSION:
        return False
    if not all(storable_text(text) for text in _texts(item)):
        return False
    return has_utc_equivalent(item.created_at)


# C0 and C1 control characters and DEL, but TAB and LF: a NUL no column takes, and ESC/CSI
# sequences would drive the terminal of whoever prints the value (``queue show``, logs).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def storable_text(value: str) -> bool:
    """False for a control character (NUL, ESC, CSI...) or an unpaired surrogate."""
    if _CONTROL.search(value):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def has_utc_equivalent(when: dt.datetime) -> bool:
    """False for e.g. 0001-01-01T00:00+09:00, which lies before the first UTC instant."""
    try:
        as_utc(when)
    except OverflowError:
        return False
    return True


def as_utc(when: dt.datetime) -> dt.datetime:
    """``when`` in UTC; a naive time is taken as UTC. OverflowError if it has no UTC time."""
    if when.tzinfo is None:
        return when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC)


def _texts(item: SubmissionItem) -> Iterator[str]:
    yield item.visit
    fields = [*item.fields, *(f for g in item.groups for r in g.rows for f in r.fields)]
    for field in fields:
        yield field.value
        if field.chip_value is not None:
            yield field.chip_value
