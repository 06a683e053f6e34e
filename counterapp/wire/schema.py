"""The wire schema between terminals and the back office.

A batch carries forms by their client-made id (ULID); the back office stores each id at most
once and answers every item on its own, so a terminal may resend a batch after any failure.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
from collections.abc import Iterable
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

API_PREFIX = "/v1"
MAX_BATCH_ITEMS = 100
MAX_BODY_BYTES = 4 * 1024 * 1024  # a full batch of signed forms is well under 1 MiB
MAX_SEALED_CHARS = 256 * 1024  # a sealed signed form (base64) is well under 128 KiB

ClientId = Annotated[str, StringConstraints(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]  # ULID
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_-]*$", max_length=64)]
TICKET_NUMBER_PATTERN = r"^[0-9A-Za-z-]{1,16}$"  # a ticket machine's number, e.g. "A-12"
Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


def _json_integer(value: object) -> object:
    """JSON Schema's integer: 1 and 1.0, never "1" or true (pydantic's lax mode takes both)."""
    if isinstance(value, str | bool):
        raise ValueError("must be a JSON integer, not text or true/false")
    return value


WholeNumber = Annotated[int, BeforeValidator(_json_integer)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ValueSource(enum.StrEnum):
    IC_CHIP = "ic_chip"
    SYSTEM = "system"
    EVENT = "event"
    RESIDENT = "resident"
    CLERK = "clerk"
    BLANK = "blank"
    # Split from the chip's one-line address by the terminal, not yet confirmed by a person.
    PROPOSED = "proposed"


class IdentityMethod(enum.StrEnum):
    """How the resident was identified for a form."""

    PIN = "pin"  # the card, opened with its PINs
    PINLESS = "pinless"  # the card without PINs: 照合番号B and a face check by the clerk
    MANUAL = "manual"  # no card: the clerk typed every value


# How each method reads on a printed form and in the back office's export (Japanese, English).
IDENTITY_METHOD_LABELS = {
    IdentityMethod.PIN: ("マイナンバーカード（暗証番号）", "My Number card (PIN)"),
    IdentityMethod.PINLESS: (
        "マイナンバーカード（照合番号B・顔確認）",
        "My Number card (no PIN: card number check and face check)",
    ),
    IdentityMethod.MANUAL: (
        "カードを使わずに受付（手入力）",
        "Without the card (typed by the clerk)",
    ),
}


class WireField(Strict):
    id: Identifier
    value: str = Field(max_length=2000)
    source: ValueSource
    chip_value: str | None = Field(default=None, max_length=2000)


class WireRow(Strict):
    """One person of a repeating group (異動者, 被保険者, 児童, 対象者 ...)."""

    # A member without a card: the clerk entered the row by hand (no chip value in it).
    by_hand: bool = False
    fields: tuple[WireField, ...] = Field(min_length=1, max_length=200)


class WireGroup(Strict):
    """A repeating person group of a form: its rows in form order, one per person."""

    id: Identifier
    rows: tuple[WireRow, ...] = Field(max_length=50)


class SubmissionItem(Strict):
    """One filled form as the terminal queued it."""

    client_id: ClientId
    visit: str = Field(min_length=1, max_length=64)
    event: Identifier | None = None
    form_id: Identifier
    form_version: WholeNumber = Field(ge=1)
    definition_sha256: Sha256Hex
    created_at: dt.datetime
    fields: tuple[WireField, ...] = Field(min_length=1, max_length=200)
    # DER CMS SignedData (base64) over ``canonical_form_bytes`` when the resident signed.
    signature: str | None = Field(default=None, max_length=64 * 1024)
    # The number the office's ticket machine (番号発券) gave the resident, typed by the clerk.
    # Optional and added later: items without it are as valid as before.
    ticket_number: str | None = Field(default=None, pattern=TICKET_NUMBER_PATTERN)
    # The form's person groups, one row per person. Optional and added later: an item of a
    # form without groups is exactly as before (and so are its canonical bytes).
    groups: tuple[WireGroup, ...] = Field(default=(), max_length=20)
    # How the resident was identified; added later: items without it were read with the PINs.
    identity_method: IdentityMethod = IdentityMethod.PIN

    def canonical(self) -> bytes:
        """The bytes the resident's signature covers."""
        return canonical_form_bytes(
            self.form_id,
            self.form_version,
            self.definition_sha256,
            ((f.id, f.value) for f in self.fields),
            tuple(
                (g.id, tuple((r.by_hand, tuple((f.id, f.value) for f in r.fields)) for r in g.rows))
                for g in self.groups
            ),
        )


class SealedItem(Strict):
    """A form the terminal sealed for the back office at enqueue (``counterapp.wire.sealing``).

    Sent when the terminal can no longer open the form itself (its own key was lost): the
    back office opens it with its private key and handles it as the ``SubmissionItem`` inside.
    """

    client_id: ClientId
    key_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    sealed: str = Field(max_length=MAX_SEALED_CHARS)  # base64


class SubmissionBatch(Strict):
    # A form travels as it is, or as its sealed copy when the terminal cannot open it.
    items: tuple[SubmissionItem | SealedItem, ...] = Field(min_length=1, max_length=MAX_BATCH_ITEMS)


class ItemStatus(enum.StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # already accepted earlier: the terminal may treat it as sent
    REJECTED = "rejected"  # will never be accepted as it is: do not resend
    # The client id was stored earlier with different content: a permanent failure the
    # clerk is shown (the stored form is kept; nothing is overwritten).
    CONFLICT = "conflict"


class ItemResult(Strict):
    client_id: str
    status: ItemStatus
    reason: str | None = None  # a message key for rejected items


class BatchResult(Strict):
    results: tuple[ItemResult, ...]


class CrlEntry(Strict):
    der: str  # base64
    issuer: str
    this_update: dt.datetime
    next_update: dt.datetime | None


class CrlResponse(Strict):
    crls: tuple[CrlEntry, ...]


class Health(Strict):
    status: str
    database: str
    version: str


class SealingKey(Strict):
    """The back office's public X25519 key (PEM) that terminals seal every form to."""

    key_id: str
    public_pem: str


class Problem(Strict):
    """Every error the service returns: a stable code and a human-readable detail."""

    code: str
    detail: str


# A group as the signature covers it: (group id, ((by_hand, ((field id, value), ...)), ...)).
CanonicalGroup = tuple[str, tuple[tuple[bool, tuple[tuple[str, str], ...]], ...]]


def canonical_form_bytes(
    form_id: str,
    version: int,
    definition_sha256: str,
    values: Iterable[tuple[str, str]],
    groups: Iterable[CanonicalGroup] = (),
) -> bytes:
    """Form id, version, definition hash and field values in form order, as compact JSON.

    Person groups, when the form has any, follow as ``"groups"``: a form without groups
    has the same bytes as before groups existed, so its old signatures still verify.
    """
    document: dict[str, object] = {
        "form": form_id,
        "version": version,
        "definition_sha256": definition_sha256,
        "fields": [[field_id, value] for field_id, value in values],
    }
    listed = [
        [
            group_id,
            [{"by_hand": by_hand, "fields": [list(v) for v in row]} for by_hand, row in rows],
        ]
        for group_id, rows in groups
    ]
    if listed:
        document["groups"] = listed
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
