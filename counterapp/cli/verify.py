"""``counterapp verify``: is the card on the reader genuine, and why (not)?"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import NoReturn

import click

from cardreader.errors import PinError
from cardreader.sessions import MyNumberCard
from counterapp.cardcheck import (
    audit_holder_confirmed,
    audit_verdict,
    check_card,
    check_card_pinless,
    verification_inputs,
)
from counterapp.cli.common import (
    EXIT_NOT_GENUINE,
    EXIT_OK,
    EXIT_UNDETERMINED,
    AppContext,
    card_options,
    card_source,
    connected_card,
    echo_json,
    reports_card_errors,
)
from counterapp.cli.pinless import (
    FACE_CONFIRMED_ALONE,
    ask_collation_b,
    exit_refused,
    pinless_options,
    read_collation_b,
)
from counterapp.cli.prompts import TerminalInteraction
from counterapp.collation import CollationPartError
from counterapp.interaction import Cancelled
from counterapp.pinless import CollationNotAccepted
from counterapp.reading import CardFaceRead, read_signed_card_face
from counterapp.verification.cardface import CARD_FACE
from counterapp.verification.engine import with_card_face, with_check
from counterapp.verification.explain import verdict_text
from counterapp.verification.sources import CrlError, TrustError
from counterapp.verification.verdict import CheckResult, Overall, Verdict

EXIT_BY_VERDICT = {
    Overall.GENUINE: EXIT_OK,
    Overall.NOT_GENUINE: EXIT_NOT_GENUINE,
    Overall.UNDETERMINED: EXIT_UNDETERMINED,
}


@click.command()
@card_options
@click.option("--json", "as_json", is_flag=True, help="Print the verdict as JSON.")
@click.option(
    "--at",
    type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%S%z"]),
    help="Verify as of this time (UTC unless an offset is given). Default: now.",
)
@click.option(
    "--crl",
    "crl_files",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    multiple=True,
    help="CRL file to use instead of the configured sources (repeatable).",
)
@click.option("--no-possession", is_flag=True, help="Skip the auth PIN and the signature check.")
@click.option(
    "--card-face",
    is_flag=True,
    help="Also read the card face with 照合番号B (asked after the PINs) and verify its signature.",
)
@click.option(
    "--allow-last-try",
    is_flag=True,
    help="When stdin is not a TTY: allow sending a PIN (or 照合番号) on its very last try.",
)
@pinless_options
@click.pass_context
@reports_card_errors
def verify(
    ctx: click.Context,
    reader: str | None,
    simulate: str | None,
    as_json: bool,
    at: dt.datetime | None,
    crl_files: tuple[Path, ...],
    no_possession: bool,
    card_face: bool,
    allow_last_try: bool,
    pinless: bool,
    face_confirmed: bool,
) -> None:
    """カードの真正性を確認 / Verify the card: chain, validity, revocation, possession, integrity.

    \b
    PINs come from standard input when it is not a terminal, one per line in the
    order asked (auth PIN, then Kenhojo PIN, then 照合番号B with --card-face);
    otherwise from hidden prompts. With --pinless no PIN is asked: 照合番号B only.
    Exit codes: 0 genuine, 1 not genuine (or, --pinless, 照合番号B refused: the tries left
    are named), 2 undetermined (--pinless without --face-confirmed), 3 card/reader error,
    4 usage or configuration error.
    """
    app: AppContext = ctx.obj
    _check_pinless_options(pinless, face_confirmed, no_possession, card_face)
    when = _as_utc(at) if at else dt.datetime.now(dt.UTC)
    source = card_source(app, reader, simulate)
    try:
        inputs = verification_inputs(app.settings, source, when, crl_files)
    except TrustError as exc:
        raise click.UsageError(str(exc)) from exc
    except CrlError as exc:
        raise click.UsageError(
            f"--crl {exc}: 失効リスト（CRL）として使えません。J-LIS の CRL ファイル"
            "（DER または PEM）を指定してください / not usable as a CRL: give J-LIS's CRL file"
            " (DER or PEM)"
        ) from exc
    if pinless:
        collation_b = ask_collation_b()  # checked before the card is touched
        with connected_card(ctx, reader, simulate) as card:
            try:
                verdict, _ = check_card_pinless(
                    card,
                    collation_b,
                    inputs,
                    holder_confirmed=face_confirmed,
                    allow_last_try=allow_last_try,
                )
            except CollationNotAccepted as exc:
                exit_refused(exc, as_json)
        if face_confirmed:
            audit_holder_confirmed(app.audit, app.audit.operator)
        _report(app, verdict, as_json)
    interaction = TerminalInteraction(allow_last_try=allow_last_try)
    face: CardFaceRead | str | None = None
    with connected_card(ctx, reader, simulate) as card:
        verdict, _read = check_card(card, interaction, inputs, possession=not no_possession)
        if card_face:
            face = _read_face(card)
    if isinstance(face, CardFaceRead):
        verdict = with_card_face(verdict, face, inputs.trust)
    elif isinstance(face, str):
        verdict = with_check(verdict, CheckResult.unknown(CARD_FACE, face, "card face not read"))
    _report(app, verdict, as_json)


def _report(app: AppContext, verdict: Verdict, as_json: bool) -> NoReturn:
    audit_verdict(app.audit, verdict)
    if as_json:
        echo_json(verdict.to_json())
    else:
        click.echo(verdict_text(verdict))
    sys.exit(EXIT_BY_VERDICT[verdict.overall])


def _check_pinless_options(
    pinless: bool, face_confirmed: bool, no_possession: bool, card_face: bool
) -> None:
    if face_confirmed and not pinless:
        raise click.UsageError(FACE_CONFIRMED_ALONE)
    if pinless and (no_possession or card_face):
        raise click.UsageError(
            "--pinless は内部認証と券面の読み取りを必ず行います / --pinless always proves "
            "possession (internal authentication) and reads the card face"
        )


def _read_face(card: MyNumberCard) -> CardFaceRead | str:
    """The signed card face, or the message key of why 照合番号B did not open it (tried once)."""
    try:
        return read_signed_card_face(card, read_collation_b())
    except (PinError, Cancelled, CollationPartError) as exc:
        return exc.message_key


def _as_utc(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)
