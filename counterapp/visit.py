"""One resident at the counter or the kiosk, for front ends that keep state between steps.

The GUI runs each card step on its reader thread and keeps a ``Visit`` between them:
read and verify → answer the life event's questions → check and edit the filled forms →
sign (optional) → queue. ``clear()`` forgets every personal value of the visit.
"""

from __future__ import annotations

import datetime as dt
import queue as threadsafe
from collections.abc import Mapping
from dataclasses import dataclass, field

from cardreader.sessions import MyNumberCard
from counterapp.audit import AuditEvent, AuditLog
from counterapp.cardsource import CardSource
from counterapp.forms.definition import Question
from counterapp.forms.filled import FilledForm, Source
from counterapp.forms.loader import FormLibrary
from counterapp.forms.prefill import Answers, Context, gaiji_flags
from counterapp.forms.validation import FieldProblem, problems
from counterapp.intake import (
    CardNotGenuine,
    VerifiedCard,
    audit_verdict,
    fill_target,
    read_verified_card,
    reception_number,
    sign_forms,
    verification_inputs,
)
from counterapp.interaction import Interaction
from counterapp.queue import FormQueue, new_id
from counterapp.settings import Settings
from counterapp.verification.verdict import Verdict


@dataclass(frozen=True)
class Receipt:
    """What the resident is told at the end: the reception number and the forms queued."""

    number: str
    record_ids: tuple[str, ...]
    queued: bool


@dataclass
class Visit:
    """The state of one resident's visit. Holds personal data until ``clear()``."""

    target: str | None = None
    verdict: Verdict | None = None
    card: VerifiedCard | None = None
    answers: dict[str, bool] = field(default_factory=dict)
    forms: list[FilledForm] = field(default_factory=list)
    signatures: dict[int, bytes] = field(default_factory=dict)
    handwriting: bytes | None = None  # a signature drawn on the screen (PNG), for every form

    def clear(self) -> None:
        """Forget everything about the resident (the next one starts from nothing)."""
        self.target, self.verdict, self.card, self.handwriting = None, None, None, None
        self.answers.clear()
        self.forms.clear()
        self.signatures.clear()

    def __repr__(self) -> str:
        return f"Visit(target={self.target!r}, forms={len(self.forms)}, <personal data>)"


class CounterService:
    """The core steps a front end strings together; card steps run on the reader thread."""

    def __init__(
        self,
        settings: Settings,
        source: CardSource,
        library: FormLibrary,
        audit: AuditLog,
        queue: FormQueue,
    ) -> None:
        self.settings = settings
        self.source = source
        self.library = library
        self.audit = audit
        self.queue = queue
        # Verdicts of reads on the reader thread, written to the audit log by
        # audit_card_read() on the thread that owns the database connection.
        self._verdicts: threadsafe.SimpleQueue[Verdict] = threadsafe.SimpleQueue()

    def read(self, card: MyNumberCard, interaction: Interaction) -> VerifiedCard:
        """Read and verify the card (reader thread); only a genuine card is returned.

        The verdict is audited by the next ``audit_card_read()`` (the audit log's SQLite
        connection belongs to the GUI thread and must not be used from the reader thread).
        """
        inputs = verification_inputs(self.settings, self.source, dt.datetime.now(dt.UTC))
        try:
            verified = read_verified_card(card, interaction, inputs)
        except CardNotGenuine as exc:
            self._verdicts.put(exc.verdict)
            raise
        self._verdicts.put(verified.verdict)
        return verified

    def audit_card_read(self, outcome: str) -> None:
        """Audit a finished read (GUI thread), with the verdicts of reads since the last call."""
        while not self._verdicts.empty():
            audit_verdict(self.audit, self._verdicts.get_nowait())
        kind = "emulator" if self.source.is_emulator else "reader"
        self.audit.append(AuditEvent.CARD_READ, source=kind, outcome=outcome)

    def questions(self, target: str) -> tuple[Question, ...]:
        """The yes/no questions of a life event (a single form asks none)."""
        try:
            return self.library.event(target).questions
        except KeyError:
            return ()

    def fill(self, visit: Visit, clerk_values: Mapping[str, str] | None = None) -> None:
        """Fill the visit's forms from its verified card and answers."""
        assert visit.card is not None and visit.target is not None
        context = Context(today=dt.date.today(), municipality=self.settings.municipality)
        answers = Answers(questions=dict(visit.answers), clerk=dict(clerk_values or {}))
        visit.forms[:] = fill_target(self.library, visit.target, visit.card.data, answers, context)
        visit.signatures.clear()

    @staticmethod
    def edit(visit: Visit, index: int, field_id: str, value: str, source: Source) -> None:
        """Change one value; a changed chip value keeps the chip's original alongside."""
        visit.forms[index] = visit.forms[index].with_value(field_id, value, source)
        visit.signatures.pop(index, None)  # a signature covers exactly what was signed
        visit.handwriting = None

    @staticmethod
    def problems(visit: Visit) -> list[tuple[FieldProblem, ...]]:
        return [problems(filled) for filled in visit.forms]

    @staticmethod
    def gaiji(visit: Visit) -> list[dict[str, tuple[str, ...]]]:
        return [gaiji_flags(filled) for filled in visit.forms]

    def sign(self, card: MyNumberCard, interaction: Interaction, visit: Visit) -> None:
        """The resident signs every form with the card's signing key (reader thread)."""
        now = dt.datetime.now(dt.UTC)
        visit.signatures.update(sign_forms(card, interaction, visit.forms, now))

    def submit(self, visit: Visit) -> Receipt:
        """Queue the forms (drafts when a required value is missing); the reception number."""
        complete = not any(self.problems(visit))
        visit_id = new_id()
        ids = self.queue.save(
            visit.forms,
            visit=visit_id,
            signatures=visit.signatures,
            handwriting=visit.handwriting,
            queue=complete,
        )
        return Receipt(reception_number(visit_id, dt.date.today()), ids, complete)
