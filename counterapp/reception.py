"""Reception numbers a clerk can say aloud: the terminal's prefix and a per-day sequence.

``reception_prefix`` (settings, digits) tells the terminals of one municipality apart; the
sequence restarts every day and lives in the terminal's own database, so two terminals
never hand out the same number on the same day without talking to each other. A number is
allocated inside the transaction that saves the visit's forms: a rolled-back save leaves no
gap-filling race and no number without forms.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import sqlite_utils

from counterapp.wire.schema import TICKET_NUMBER_PATTERN

SEQUENCE_DIGITS = 3  # 1-999 a day per terminal; more keeps counting with more digits


def allocate(db: sqlite_utils.Database, prefix: str, day: dt.date) -> str:
    """The next number of ``day`` on this terminal (call inside the saving transaction)."""
    if not prefix.isdigit():
        raise ValueError("reception_prefix must be digits")
    row = db.execute(
        "insert into reception_days (day, last) values (?, 1) "
        "on conflict(day) do update set last = last + 1 returning last",
        [day.isoformat()],
    ).fetchone()
    return format_number(prefix, int(row[0]))


class InvalidTicketNumber(ValueError):
    """Not a ticket machine's number: letters, digits and "-", at most 16."""

    message_key = "reception.ticket_invalid"


def ticket_number(typed: str | None) -> str | None:
    """The clerk's entry as the ticket number kept and sent (full-width folded; "" → None)."""
    text = unicodedata.normalize("NFKC", typed or "").strip()
    if not text:
        return None
    if not re.fullmatch(TICKET_NUMBER_PATTERN, text):
        raise InvalidTicketNumber(text)
    return text


def format_number(prefix: str, sequence: int) -> str:
    """``prefix`` then the day's sequence, zero-padded: "1" and 7 → "1007"."""
    return f"{prefix}{sequence:0{SEQUENCE_DIGITS}d}"
