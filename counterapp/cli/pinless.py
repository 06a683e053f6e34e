"""The CLI's side of the PIN-less path: 照合番号 from standard input, refusals said plainly.

照合番号B is read like a PIN: from standard input when it is not a terminal (one line of 14
digits, or three lines: birth date as printed, expiry year, security code), otherwise with
hidden prompts; never from the command line or the environment. A part that cannot be right
ends with exit 4 naming the part before anything is sent; a 照合番号 the card refuses ends
with exit 1 naming the tries left (nothing is resent).
"""

from __future__ import annotations

import getpass
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn

import click

from cardreader.mynumber import MyNumber
from counterapp.cli.common import EXIT_NOT_GENUINE, EXIT_UNDETERMINED, echo_json
from counterapp.collation import (
    CollationPartError,
    collation_b_from_lines,
    compose_collation_b,
    parse_collation_b,
    parse_my_number,
)
from counterapp.interaction import Cancelled
from counterapp.messages import error_text, text
from counterapp.pinless import CollationNotAccepted
from counterapp.verification.explain import verdict_text

if TYPE_CHECKING:
    from cardreader.sessions import MyNumberCard
    from counterapp.visit import CounterService, Visit

COLLATION_B_PROMPT = (
    "照合番号B（14桁。Enterのみで生年月日・有効期限の年・セキュリティコードを順に）: "
)
PART_PROMPTS = (
    "生年月日（カードの表記のとおり、例 昭和55年2月17日）: ",
    "有効期限の年（4桁）: ",
    "セキュリティコード（4桁）: ",
)


def ask_collation_b() -> str:
    """照合番号B from stdin or hidden prompts; a wrong part is a usage error (exit 4)."""
    try:
        return read_collation_b()
    except CollationPartError as exc:
        raise click.UsageError(_both(exc.message_key)) from exc


def read_collation_b() -> str:
    """照合番号B from stdin or hidden prompts; CollationPartError names a wrong part."""
    if not sys.stdin.isatty():
        first = sys.stdin.readline()
        if not first:
            raise Cancelled("no 照合番号B on standard input")
        if _looks_whole(first):
            return parse_collation_b(first)
        return collation_b_from_lines([first, sys.stdin.readline(), sys.stdin.readline()])
    whole = _hidden(COLLATION_B_PROMPT)
    if whole.strip():
        return parse_collation_b(whole)
    return compose_collation_b(*(_hidden(prompt) for prompt in PART_PROMPTS))


def _looks_whole(line: str) -> bool:
    digits = "".join(ch for ch in line if not ch.isspace())
    return digits.isascii() and digits.isdigit() and len(digits) > 8


def ask_my_number() -> MyNumber:
    """The My Number typed from the back of the card (照合番号A), check digit verified first."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        if not line:
            raise Cancelled("no My Number on standard input")
    else:
        line = _hidden("個人番号（カード裏面の12桁）: ")
    try:
        return parse_my_number(line)
    except CollationPartError as exc:
        raise click.UsageError(_both(exc.message_key)) from exc


def _hidden(prompt: str) -> str:
    try:
        return getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt) as exc:
        raise Cancelled("照合番号 entry cancelled") from exc


def exit_refused(exc: CollationNotAccepted, as_json: bool) -> NoReturn:
    """Say which 照合番号 the card refused and how many tries are left; exit 1."""
    if as_json:
        echo_json(
            {
                "method": "pinless",
                "error": exc.message_key,
                "collation": exc.which,
                "tries_left": exc.tries_left,
                "message": error_text(exc.error),
            }
        )
    else:
        click.echo(f"{error_text(exc.error)} / {error_text(exc.error, 'en')}", err=True)
    sys.exit(EXIT_NOT_GENUINE)


def _both(key: str) -> str:
    return f"{text(key)} / {text(key, 'en')}"


@dataclass
class PinlessEntry:
    """What ``form fill --pinless`` reads from stdin before the card is touched."""

    collation_b: str
    my_number: MyNumber | None

    @classmethod
    def ask(cls, service: CounterService, visit: Visit, sign: bool) -> PinlessEntry:
        """照合番号B, then the My Number only when a form of the visit carries it."""
        if sign:
            raise click.UsageError(
                "--sign needs the signing password: the PIN-less path offers paper or "
                "on-screen signatures only"
            )
        collation_b = ask_collation_b()
        return cls(collation_b, ask_my_number() if service.carries_my_number(visit) else None)

    def read(
        self,
        service: CounterService,
        card: MyNumberCard,
        visit: Visit,
        face_confirmed: bool,
        allow_last_try: bool,
        as_json: bool,
    ) -> None:
        """Read without a PIN, record the person's face check, prove the My Number (照合番号A).

        Exits 1 when a 照合番号 is refused and 2 when nobody confirmed the face (nothing
        filled); CardNotGenuine is the caller's to report.
        """
        try:
            service.read_pinless(card, self.collation_b, visit, allow_last_try=allow_last_try)
            if not face_confirmed:
                service.record_verdicts()
                assert visit.verdict is not None
                click.echo(verdict_text(visit.verdict), err=True)
                sys.exit(EXIT_UNDETERMINED)
            service.confirm_holder(visit, service.audit.operator)
            if self.my_number is not None:
                service.prove_my_number(card, visit, self.my_number, allow_last_try=allow_last_try)
        except CollationNotAccepted as exc:
            exit_refused(exc, as_json)
