"""How long an unsubmitted draft stays on the terminal: counted in business days.

A draft saved on day D is kept until the end of the ``business_days``-th business day after
D (default 1: the end of the next business day), so a resident who comes back the next
working day finds it; a draft saved on Friday survives the weekend. Saturdays and Sundays are
not business days. Public holidays and the year-end closure are NOT known to this rule (no
holiday calendar is kept): a draft may be purged on a holiday's evening if ``queue purge``
runs then — offices closing for holidays raise ``draft_retention_days``.

The purge (``counterapp queue purge``, end of day) deletes the drafts whose end has passed.
Before it runs, the clerk window lists the drafts that the purge at the end of today will
delete (the same rule, ``purged_at_end_of(today)``), so nobody is surprised.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from counterapp.queue import QueueEntry


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5  # Monday to Friday; no holiday calendar (see the module text)


def last_day_kept(saved: dt.date, business_days: int) -> dt.date:
    """The last day a draft saved on ``saved`` is kept."""
    day, left = saved, business_days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day):
            left -= 1
    return day


def _saved_on(entry: QueueEntry) -> dt.date:
    """The local calendar day the draft was saved (created_at is UTC ISO)."""
    return dt.datetime.fromisoformat(entry.created_at).astimezone().date()


def purged_at_end_of(day: dt.date, business_days: int) -> Callable[[QueueEntry], bool]:
    """The drafts the end-of-day purge of ``day`` deletes: their last day kept is over.

    ``queue purge`` uses it with today; the clerk window uses the same rule to warn about
    the same drafts before the purge runs.
    """

    def expired(entry: QueueEntry) -> bool:
        return last_day_kept(_saved_on(entry), business_days) <= day

    return expired
