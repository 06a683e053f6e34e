"""The visit: one resident at the counter or the kiosk, from the card to queued forms.

This is the one owner of the visit. The CLI (``form fill``), the clerk window and the
kiosk all drive ``CounterService`` and only present its results: begin → read and verify →
answer the life event's questions → fill → check and edit → sign (optional) → submit →
print (optional). The GUI runs the card steps on its reader thread and keeps the ``Visit``
between them; ``clear()`` forgets every personal value of the visit.
"""

from __future__ import annotations

import datetime as dt
import queue as threadsafe
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from cardreader.mynumber import MyNumber
from cardreader.types import CardFace
from counterapp.audit import AuditEvent, AuditLog
from counterapp.cardcheck import (
    CardNotGenuine,
    CardPulled,
    PinNotAccepted,
    VerifiedCard,
    audit_holder_confirmed,
    audit_verdict,
    check_card_pinless,
    read_verified_card,
)
from counterapp.cardcheck import verification_inputs as _verification_inputs
from counterapp.cardsource import CardSource, MyNumberCard
from counterapp.collation import parse_my_number
from counterapp.forms.definition import (
    FieldDefinition,
    FormDefinition,
    LifeEvent,
    PersonGroup,
    Question,
    Text,
)
from counterapp.forms.filled import CardData, FilledForm, Source
from counterapp.forms.loader import FormLibrary
from counterapp.forms.prefill import Answers, Context, UnknownForm, fill_target, gaiji_flags
from counterapp.forms.validation import (
    FieldProblem,
    check_storable,
    deadline_warnings,
    problems,
    without_hidden,
)
from counterapp.household import (
    Person,
    deciding_questions,
    extra_groups,
    person_fields,
    with_card_holder_filing,
    with_household,
    without_person,
)
from counterapp.interaction import Interaction
from counterapp.pinless import CollationNotAccepted, PinlessRead, read_my_number
from counterapp.queue import FormQueue, new_id
from counterapp.reading import CounterRead, read_signed_card_face
from counterapp.reception import InvalidTicketNumber, allocate, ticket_number
from counterapp.settings import Settings
from counterapp.verification.checks import INTEGRITY, check_integrity
from counterapp.verification.engine import face_check, guarded, with_check
from counterapp.verification.pinless import with_holder_confirmed
from counterapp.verification.sources import trust_for
from counterapp.verification.verdict import Outcome, Overall, Verdict
from counterapp.wire.schema import IdentityMethod

__all__ = [
    "CardFace",
    "CardFaceNotVerified",
    "CardNotGenuine",
    "CardPulled",
    "CollationNotAccepted",
    "CounterService",
    "HolderNotConfirmed",
    "IncompleteForms",
    "InvalidOperatorId",
    "InvalidTicketNumber",
    "Member",
    "MyNumberNotProven",
    "NothingToFill",
    "PinNotAccepted",
    "PinlessResult",
    "Receipt",
    "SameCardAgain",
    "UnknownForm",
    "VerifiedCard",
    "Visit",
]


class CardFaceNotVerified(Exception):
    """The card face's issuer signature could not be confirmed (reason key in message_key)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.message_key = reason


class IncompleteForms(ValueError):
    """Required values are missing or invalid: nothing was queued or signed.

    ``problems`` has one tuple per form of the visit (empty for a complete form); front ends
    mark every problem and put the cursor on the first.
    """

    message_key = "form.incomplete"

    def __init__(self, found: tuple[tuple[FieldProblem, ...], ...]) -> None:
        super().__init__(f"{sum(map(len, found))} value(s) missing or invalid")
        self.problems = found

    def first(self) -> tuple[int, FieldProblem]:
        """The form index and the problem the cursor goes to."""
        return next((i, found[0]) for i, found in enumerate(self.problems) if found)


class NothingToFill(ValueError):
    """The answers chose no form of the life event: there is nothing to queue or print."""

    message_key = "form.nothing_to_fill"


class MyNumberNotProven(ValueError):
    """PIN-less: a form carries the My Number and 照合番号A has not proven it yet."""

    message_key = "form.my_number_not_proven"


class HolderNotConfirmed(ValueError):
    """PIN-less: nothing is filled before the clerk confirmed the face (``confirm_holder``)."""

    message_key = "holder.not_confirmed"


class InvalidOperatorId(ValueError):
    """The operator id recorded with a clerk's action is empty, blank, over 64 characters or
    holds a control character (a Windows sign-in name in any script is fine: 山田)."""

    message_key = "operator.invalid"


OPERATOR_ID = re.compile(r"^(?=.*\S)[^\x00-\x1f\x7f-\x9f]{1,64}$")


@dataclass(frozen=True)
class PinlessResult:
    """What the PIN-less read gives the clerk: the verdict (undetermined until the face
    is confirmed), the signed card face to compare, and the items the forms need
    (``data.my_number`` None until ``prove_my_number``)."""

    verdict: Verdict
    face: CardFace
    data: CardData


class SameCardAgain(ValueError):
    """This card was already read in this visit: each member of a household taps their own."""

    message_key = "household.same_card"


@dataclass(frozen=True)
class Member:
    """A further person of a household visit: read from their own card, or entered by hand.

    The first card holder is ``Visit.card`` (the 届出人 unless the clerk changes the role);
    ``Visit.members`` are the others, in the order they came. A member without a card has
    ``card=None`` and a row entered by hand, marked as such on every form. ``values`` are
    the row's values a person gave (field id → value): for a card holder what the chip does
    not record (e.g. the reading of the name, 続柄), for a member without a card all of it.
    ``answers`` are this person's own answers to the event's questions (e.g. ``join_nhi``).
    """

    card: VerifiedCard | None = None
    values: Mapping[str, str] = field(default_factory=dict)
    answers: Mapping[str, bool] = field(default_factory=dict)
    groups: frozenset[str] = frozenset()  # lists named for them (e.g. 児童) beyond the usual

    @property
    def by_hand(self) -> bool:
        return self.card is None

    def person(self) -> Person:
        """What the forms need of this member."""
        data = self.card.data if self.card is not None else None
        return Person(data, self.values, self.answers, self.groups)

    def __repr__(self) -> str:
        return f"Member(by_hand={self.by_hand}, <personal data>)"


@dataclass(frozen=True)
class Receipt:
    """What the resident is told at the end: the reception number and the forms saved."""

    number: str
    visit_id: str
    record_ids: tuple[str, ...]
    queued: bool  # False: saved as drafts (values missing, or asked for)
    problems: tuple[tuple[FieldProblem, ...], ...]  # per form: missing or invalid values


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
    progress: CounterRead | None = None  # a read stopped at a PIN step, to resume from
    ticket_number: str | None = None  # the number the office's ticket machine printed (番号発券)
    reopened: tuple[str, ...] = ()  # the draft rows this visit was reopened from
    visit_id: str | None = None  # kept from the drafts of a reopened visit
    identity_method: IdentityMethod = IdentityMethod.PIN  # how the resident was identified
    pinless: PinlessRead | None = None  # the PIN-less read, until the visit is cleared
    members: list[Member] = field(default_factory=list)  # a household: the persons after card

    def clear(self) -> None:
        """Forget everything about the resident (the next one starts from nothing)."""
        self.pinless = None
        self.target, self.verdict, self.card, self.handwriting = None, None, None, None
        self.progress, self.ticket_number, self.reopened, self.visit_id = None, None, (), None
        self.identity_method = IdentityMethod.PIN
        self.answers.clear()
        self.forms.clear()
        self.signatures.clear()
        self.members.clear()

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

    def begin(self, target: str) -> Visit:
        """A new visit for a life event or form; an unknown name fails before any card is read."""
        if target not in self.library.forms:
            try:
                self.library.event(target)
            except KeyError:
                raise UnknownForm(target) from None
        return Visit(target=target)

    def starts_without_card(self, visit: Visit) -> bool:
        """True for a life event that reads no card (国外からの転入: persons entered by hand)."""
        assert visit.target is not None
        if visit.target in self.library.forms:
            return False
        return self.library.event(visit.target).starts_without_card

    def forms_needed(self, visit: Visit) -> tuple[str, ...]:
        """The form ids the visit's target and answers choose (none: nothing to fill)."""
        assert visit.target is not None
        if visit.target in self.library.forms:
            return (visit.target,)
        event = self.library.event(visit.target)
        return tuple(item.form for item in event.applicable_forms(dict(visit.answers)))

    def read(
        self, card: MyNumberCard, interaction: Interaction, visit: Visit | None = None
    ) -> VerifiedCard:
        """Read and verify the card (reader thread); only a genuine card is returned.

        With a ``visit``, a failed PIN step (PinNotAccepted) or a pulled card (CardPulled)
        keeps what was read in it, and the next read of the same card resumes there: a PIN
        already accepted in this visit is not asked again. The verdict is audited by the
        next ``record_verdicts()`` (the audit log's SQLite connection belongs to the front
        end's thread, not the reader's).
        """
        inputs = _verification_inputs(self.settings, self.source, dt.datetime.now(dt.UTC))
        earlier = visit.progress if visit else None
        try:
            verified = read_verified_card(card, interaction, inputs, earlier)
        except (PinNotAccepted, CardPulled) as exc:
            if visit is not None:
                visit.progress = exc.read
            raise
        except CardNotGenuine as exc:
            self._verdicts.put(exc.verdict)
            raise
        if visit is not None:
            visit.progress = None
        self._verdicts.put(verified.verdict)
        return verified

    def record_verdicts(self) -> None:
        """Audit the verdicts of the reads since the last call (front end's thread)."""
        while not self._verdicts.empty():
            audit_verdict(self.audit, self._verdicts.get_nowait())

    def read_member(
        self, card: MyNumberCard, interaction: Interaction, visit: Visit
    ) -> VerifiedCard:
        """Read and verify the next household member's own card (reader thread).

        Exactly like ``read`` — their own PINs, resumable, the verdict audited on its own —
        and a card already read in this visit is refused (SameCardAgain). The front end
        then hands the result to ``add_member``. Seam for the PIN-less read: any read that
        gives a genuine ``VerifiedCard`` may be handed to ``add_member`` the same way.
        """
        verified = self.read(card, interaction, visit)
        read_before = [visit.card, *(m.card for m in visit.members)]
        if any(c is not None and c.data.my_number == verified.data.my_number for c in read_before):
            raise SameCardAgain("this card was already read in this visit")
        return verified

    def add_member(
        self,
        visit: Visit,
        card: VerifiedCard | None = None,
        values: Mapping[str, str] | None = None,
        answers: Mapping[str, bool] | None = None,
        groups: Iterable[str] = (),
    ) -> Member:
        """Add a household member: their verified card, or (``card=None``) entered by hand.

        Once the forms are filled, the member's rows are added to them at once (the values
        already on the forms stay as edited; signatures over the old content are dropped).
        ``answers``: their own answers to the event's questions (default: the visit's);
        ``groups``: person lists that do not list the card holder (e.g. 児童) to add them to.
        A value with a control character is refused (UnstorableValue).
        """
        check_storable(dict(values or {}))
        member = Member(card, dict(values or {}), dict(answers or {}), frozenset(groups))
        if visit.forms:
            event = self._event(visit.target or "")
            added = with_household(
                visit.forms, self.library, event, [member.person()], visit.answers, self._context()
            )
            self._replace_forms(visit, added)
        visit.members.append(member)
        return member

    def remove_member(self, visit: Visit, index: int) -> None:
        """Take a member (``index`` in ``visit.members``) and their rows off the visit."""
        if visit.forms:
            people = [member.person() for member in visit.members]
            event = self._event(visit.target or "")
            self._replace_forms(
                visit, without_person(visit.forms, event, people, index, visit.answers)
            )
        del visit.members[index]

    def member_questions(self, visit: Visit) -> tuple[Question, ...]:
        """The event's questions a further member answers for themselves (e.g. 国保に加入)."""
        wanted = deciding_questions(self._event(visit.target or ""), self._definitions(visit))
        return tuple(q for q in self.questions(visit.target or "") if q.id in wanted)

    def member_fields(self, visit: Visit) -> tuple[FieldDefinition, ...]:
        """The row fields a member without a card is asked for, once each."""
        return person_fields(self._definitions(visit))

    def member_lists(self, visit: Visit) -> tuple[PersonGroup, ...]:
        """Person lists a member is put on only when named (e.g. 児童 of a 認定請求)."""
        return extra_groups(self._definitions(visit))

    def _definitions(self, visit: Visit) -> list[FormDefinition]:
        """The visit's forms (filled or, before filling, the ones its answers choose)."""
        if visit.forms:
            return [filled.form.definition for filled in visit.forms]
        return [self.library.forms[form_id].definition for form_id in self.forms_needed(visit)]

    @staticmethod
    def _replace_forms(visit: Visit, forms: Iterable[FilledForm]) -> None:
        visit.forms[:] = forms
        visit.signatures.clear()  # a signature covers exactly what was signed
        visit.handwriting = None

    def _context(self) -> Context:
        return Context(today=dt.date.today(), municipality=self.settings.municipality)

    def check_face(self, card: MyNumberCard, visit: Visit, collation_b: str) -> CardFace:
        """The card face for the clerk's comparison, its J-LIS signature checked (reader thread).

        The face check joins the visit's verdict; a face that does not verify raises
        CardNotGenuine (a tampered face is not shown as if it were the issuer's).
        """
        read = read_signed_card_face(card, collation_b)
        check = face_check(read, trust_for(self.source, self.settings))
        if visit.verdict is not None:
            visit.verdict = with_check(visit.verdict, check)
            if visit.verdict.overall is not Overall.GENUINE:
                raise CardNotGenuine(visit.verdict)
        elif check.outcome is not Outcome.PASS:
            raise CardFaceNotVerified(check.reason or "kenkaku.bad_signature")
        return read.face

    # -- the PIN-less path (照合番号B, internal authentication, the clerk's face check) -------

    def read_pinless(
        self,
        card: MyNumberCard,
        collation_b: str,
        visit: Visit,
        *,
        allow_last_try: bool = False,
    ) -> PinlessResult:
        """Read and verify the card without a PIN (reader thread), for the clerk's face check.

        ``collation_b`` is the 14 digits from ``counterapp.collation`` (checked there before
        anything is sent). The verdict (method ``pinless``) stays ``undetermined`` with
        ``holder.not_confirmed`` until ``confirm_holder``; nothing fills before that. A
        refused 照合番号B raises CollationNotAccepted (tries left; never resent); a card
        that fails a check, CardNotGenuine. The verdict is audited by ``record_verdicts``.
        """
        inputs = _verification_inputs(self.settings, self.source, dt.datetime.now(dt.UTC))
        verdict, read = check_card_pinless(card, collation_b, inputs, allow_last_try=allow_last_try)
        self._verdicts.put(verdict)
        if verdict.overall is Overall.NOT_GENUINE:
            raise CardNotGenuine(verdict)
        visit.pinless, visit.verdict, visit.card, visit.progress = read, verdict, None, None
        visit.identity_method = IdentityMethod.PINLESS
        return PinlessResult(verdict, read.face.face, _pinless_data(read))

    def confirm_holder(self, visit: Visit, operator: str) -> Verdict:
        """Record that clerk ``operator`` compared the face photo with the person (front
        end's thread). Audited with the operator id; the only way the PIN-less holder check
        passes. A verdict that is then genuine lets the visit fill its forms; otherwise
        CardNotGenuine (e.g. no CRL: undetermined for another reason).
        """
        assert visit.pinless is not None and visit.verdict is not None, "read_pinless first"
        if not OPERATOR_ID.fullmatch(operator):
            raise InvalidOperatorId(operator)
        verdict = with_holder_confirmed(visit.verdict)
        visit.verdict = verdict
        self.record_verdicts()  # the read's verdict (undetermined) first
        audit_holder_confirmed(self.audit, operator)
        audit_verdict(self.audit, verdict)
        if verdict.overall is not Overall.GENUINE:
            raise CardNotGenuine(verdict)
        visit.card = VerifiedCard(verdict, _pinless_data(visit.pinless))
        return verdict

    def reject_holder(self, visit: Visit, operator: str) -> None:
        """Record that clerk ``operator`` found the face photo is not the person at the
        counter: audited, and the visit forgets everything (nothing is filled or kept)."""
        assert visit.pinless is not None, "read_pinless first"
        if not OPERATOR_ID.fullmatch(operator):
            raise InvalidOperatorId(operator)
        self.record_verdicts()  # the read's verdict (undetermined) first
        audit_holder_confirmed(self.audit, operator, matched=False)
        visit.clear()

    def needs_my_number(self, visit: Visit) -> bool:
        """A form of the visit carries the My Number and the PIN-less visit has not proven it."""
        if visit.pinless is None or visit.pinless.my_number is not None:
            return False
        return self.carries_my_number(visit)

    def carries_my_number(self, visit: Visit) -> bool:
        """A form the visit's target and answers choose carries the My Number."""
        forms = self.forms_needed(visit)
        return any(self.library.forms[f].definition.carries_my_number for f in forms)

    def prove_my_number(
        self,
        card: MyNumberCard,
        visit: Visit,
        my_number: MyNumber | str,
        *,
        allow_last_try: bool = False,
    ) -> None:
        """The My Number typed from the card, proven by 照合番号A (reader thread).

        A typed number is checked first (CollationPartError: length or check digit, nothing
        sent); 照合番号A is sent once (CollationNotAccepted when refused). The file read back
        must match the integrity record J-LIS signed (else CardNotGenuine); then forms that
        carry the My Number can be filled.
        """
        assert visit.pinless is not None and visit.verdict is not None, "read_pinless first"
        number = parse_my_number(my_number) if isinstance(my_number, str) else my_number
        file = read_my_number(card, number, allow_last_try=allow_last_try)
        read = replace(visit.pinless, my_number=file)
        keys = trust_for(self.source, self.settings).cvc_issuer_keys
        integrity = guarded(
            INTEGRITY,
            lambda: check_integrity(read.basic, file, read.integrity, read.certificate, keys),
        )
        verdict = with_check(visit.verdict, integrity)
        self._verdicts.put(verdict)
        visit.verdict = verdict
        if verdict.overall is Overall.NOT_GENUINE or file.number != number:
            visit.card = None
            raise CardNotGenuine(verdict)
        visit.pinless = read
        if visit.card is not None:
            visit.card = VerifiedCard(verdict, _pinless_data(read))

    def counter_number(self) -> str:
        """A reception number for a resident the kiosk sends to the staffed counter (a PIN
        problem: the PIN-less path needs a clerk). Nothing of the resident is kept with it."""
        with self.queue.db.atomic():
            return allocate(self.queue.db, self.settings.reception_prefix, dt.date.today())

    def audit_card_read(self, outcome: str) -> None:
        """Audit a finished read with its verdicts (front end's thread)."""
        self.record_verdicts()
        kind = "emulator" if self.source.is_emulator else "reader"
        self.audit.append(AuditEvent.CARD_READ, source=kind, outcome=outcome)

    def questions(self, target: str) -> tuple[Question, ...]:
        """The yes/no questions of a life event (a single form asks none)."""
        try:
            return self.library.event(target).questions
        except KeyError:
            return ()

    def resident_fields(self, visit: Visit) -> tuple[FieldDefinition, ...]:
        """The fields the resident is asked for (``kiosk: ask``) on the visit's forms, once each."""
        asked: dict[str, FieldDefinition] = {}
        for form_id in self.forms_needed(visit):
            for definition in self.library.forms[form_id].definition.kiosk_fields():
                asked.setdefault(definition.id, definition)
        return tuple(asked.values())

    def fill(
        self,
        visit: Visit,
        clerk_values: Mapping[str, str] | None = None,
        resident_values: Mapping[str, str] | None = None,
        rows: Mapping[str, tuple[Mapping[str, str], ...]] | None = None,
    ) -> None:
        """Fill the visit's forms from its verified card, its answers and people's entries.

        ``rows``: persons entered by hand per person group. A visit that starts without a
        card (``starts_without_card``) or goes on without it (``continue_without_card``)
        takes nothing from a chip: the card's fields stay blank for the clerk.
        """
        assert visit.target is not None
        manual = visit.identity_method is IdentityMethod.MANUAL
        if visit.pinless is not None and visit.card is None and not manual:
            raise HolderNotConfirmed(visit.target)
        assert visit.card is not None or manual or self.starts_without_card(visit)
        if self.needs_my_number(visit):
            raise MyNumberNotProven(visit.target)
        by_hand = {
            f"{group}.{number}.{field_id}": value
            for group, persons in (rows or {}).items()
            for number, person in enumerate(persons, start=1)
            for field_id, value in person.items()
        }
        check_storable({**(resident_values or {}), **(clerk_values or {}), **by_hand})
        context = Context(today=dt.date.today(), municipality=self.settings.municipality)
        answers = Answers(
            questions=dict(visit.answers),
            resident=dict(resident_values or {}),
            clerk=dict(clerk_values or {}),
            rows=dict(rows or {}),
        )
        card = None if manual or visit.card is None else visit.card.data
        forms = fill_target(self.library, visit.target, card, answers, context)
        if not forms:
            raise NothingToFill(visit.target)
        forms = tuple(with_card_holder_filing(filled) for filled in forms)  # 届出人: 本人
        if visit.members:  # a household: a row for each further person in their lists
            people = [member.person() for member in visit.members]
            event = self._event(visit.target)
            forms = with_household(forms, self.library, event, people, visit.answers, context)
        visit.forms[:] = forms
        visit.signatures.clear()

    def continue_without_card(self, visit: Visit, why: str = "clerk_choice") -> None:
        """「カードを使わずに受付」: the visit goes on with no card; the clerk types every value.

        Whatever was read of a card is dropped (nothing of it goes on a form), the visit's
        identity method becomes manual (kept with and printed on every form) and the audit
        records the choice under the operator's name; ``why`` is a reason key (no personal
        data). The forms come from ``fill`` as for a card, with the card's fields blank.
        """
        if visit.target is None:
            raise UnknownForm("")
        visit.card, visit.verdict, visit.progress = None, None, None
        visit.pinless = None  # a PIN-less read is dropped too
        visit.forms.clear()
        visit.signatures.clear()
        visit.handwriting = None
        visit.identity_method = IdentityMethod.MANUAL
        target = visit.target
        if target not in self.library.forms:
            target = self.library.event(target).id  # an id, never the Japanese name
        self.audit.append(AuditEvent.MANUAL_ENTRY, target=target, reason=why)

    def _event(self, target: str) -> LifeEvent | None:
        try:
            return self.library.event(target)
        except KeyError:
            return None

    @staticmethod
    def edit(visit: Visit, index: int, field_id: str, value: str, source: Source) -> None:
        """Change one value; a changed chip value keeps the chip's original alongside.

        ``field_id`` may name a person's row field (``<group>.<row>.<field>``). A value
        with a control character is refused (UnstorableValue), the old one kept. A field
        the change hides (its condition no longer holds) is blanked: nothing not asked for
        stays on the form.
        """
        check_storable({field_id: value})
        changed = visit.forms[index].with_value(field_id, value, source)
        visit.forms[index] = without_hidden(changed)
        visit.signatures.pop(index, None)  # a signature covers exactly what was signed
        visit.handwriting = None

    @staticmethod
    def problems(visit: Visit) -> list[tuple[FieldProblem, ...]]:
        return [problems(filled) for filled in visit.forms]

    @staticmethod
    def warnings(visit: Visit) -> list[tuple[Text, ...]]:
        """Per form: the deadlines passed, for the clerk (「転入から14日を過ぎています」)."""
        return [deadline_warnings(filled, dt.date.today()) for filled in visit.forms]

    @staticmethod
    def gaiji(visit: Visit) -> list[dict[str, tuple[str, ...]]]:
        return [gaiji_flags(filled) for filled in visit.forms]

    def check_signable(self, visit: Visit) -> None:
        """A form with a missing or invalid required value is not signed (card or pen)."""
        found = tuple(self.problems(visit))
        if any(found):
            raise IncompleteForms(found)

    def sign(self, card: MyNumberCard, interaction: Interaction, visit: Visit) -> None:
        """The resident signs every form with the card's signing key (reader thread).

        Refused (IncompleteForms) before the card is touched while a value is missing.
        """
        self.check_signable(visit)
        from counterapp.signing import sign_with_card  # CMS (asn1crypto): only when signing

        now = dt.datetime.now(dt.UTC)
        contents = [filled.canonical() for filled in visit.forms]
        signatures = sign_with_card(card, interaction, contents, now)
        visit.signatures.update(enumerate(signatures))

    def submit(self, visit: Visit, *, draft: bool = False) -> Receipt:
        """Queue the visit's forms for sending; ``draft=True`` is ``save_draft``.

        Refused with IncompleteForms (nothing saved) while a required value is missing or
        invalid. A visit whose card is (no longer) genuine saves nothing (CardNotGenuine).
        A reopened visit's drafts are replaced in the same transaction.
        """
        if draft:
            return self.save_draft(visit)
        self._check_genuine(visit)
        found = tuple(self.problems(visit))
        if any(found):
            raise IncompleteForms(found)
        return self._save(visit, queued=True, found=found)

    def save_draft(self, visit: Visit) -> Receipt:
        """Keep the forms as drafts, to reopen and complete later (today's list shows them).

        A draft of forms with missing values keeps no signature (none can be made on them).
        """
        self._check_genuine(visit)
        found = tuple(self.problems(visit))
        if any(found):
            visit.signatures.clear()
            visit.handwriting = None
        return self._save(visit, queued=False, found=found)

    def reopen(self, visit_id: str) -> Visit:
        """A visit from its stored drafts, to complete and submit (each draft's view audited).

        The card is not read again: the drafts were filled from a verified card. Signatures
        still valid for the stored content are kept.
        """
        stored = self.queue.reopen_drafts(visit_id)
        first = stored[0].entry
        visit = Visit(target=first.event or first.form_id, visit_id=visit_id)
        visit.forms = [item.filled for item in stored]
        visit.signatures = {i: s.signature for i, s in enumerate(stored) if s.signature}
        pens = [s.handwriting for s in stored if s.handwriting and s.handwriting.matches(s.filled)]
        if pens and len(pens) == len(stored):  # drawn under exactly the stored content
            visit.handwriting = pens[0].png
        visit.ticket_number = first.ticket_number
        visit.identity_method = IdentityMethod(first.identity_method)
        visit.reopened = tuple(item.entry.id for item in stored)
        return visit

    @staticmethod
    def _check_genuine(visit: Visit) -> None:
        if visit.verdict is not None and visit.verdict.overall is not Overall.GENUINE:
            raise CardNotGenuine(visit.verdict)

    def _save(
        self, visit: Visit, *, queued: bool, found: tuple[tuple[FieldProblem, ...], ...]
    ) -> Receipt:
        for filled in visit.forms:  # nothing is saved that the back office would refuse
            check_storable({v.field_id: v.value for v in filled.all_values()})
        visit.ticket_number = ticket_number(visit.ticket_number)  # InvalidTicketNumber
        visit_id = visit.visit_id or new_id()
        prefix, today = self.settings.reception_prefix, dt.date.today()
        number, ids = self.queue.save_numbered(
            visit.forms,
            visit=visit_id,
            number=lambda: allocate(self.queue.db, prefix, today),
            ticket_number=visit.ticket_number,
            replaces=visit.reopened,
            signatures=visit.signatures,
            handwriting=visit.handwriting,
            queue=queued,
            identity_method=visit.identity_method,
        )
        visit.reopened = ()  # the drafts are gone; a second save would make new rows
        return Receipt(number, visit_id, ids, queued, found)

    def print_pdf(self, visit: Visit, path: Path, receipt: Receipt | None = None) -> None:
        """An A4 PDF of the visit's forms (with the reception number once submitted); audited."""
        from counterapp.forms.pdf import render_pdf  # reportlab loads only when printing

        number, ids = (receipt.number, receipt.record_ids) if receipt else ("", ())
        render_pdf(  # atomic
            visit.forms,
            path,
            reception_number=number,
            record_ids=ids,
            identity_method=visit.identity_method,
        )
        for record_id in ids or (None,):
            self.audit.append(AuditEvent.FORM_PRINTED, record_id, output="pdf")


def _pinless_data(read: PinlessRead) -> CardData:
    """The pre-fill items of a PIN-less read (the My Number only after 照合番号A)."""
    basic = read.basic
    number = read.my_number.number if read.my_number else None
    return CardData(basic.name, basic.address, basic.birth_date, basic.sex.value, number)
