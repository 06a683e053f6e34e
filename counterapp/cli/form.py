"""``counterapp form``: list and check form definitions, fill a visit's forms from the card."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from counterapp.cardsource import CardSlot, CardSource, SourceError, resolve_source
from counterapp.cli.answers import AnswersFileError, load_answers
from counterapp.cli.common import (
    EXIT_NOT_GENUINE,
    EXIT_OK,
    EXIT_USAGE,
    AppContext,
    card_options,
    card_source,
    connected_card,
    echo_json,
    reports_card_errors,
)
from counterapp.cli.members import NEXT_CARD, MemberSpec, parse_member
from counterapp.cli.pinless import FACE_CONFIRMED_ALONE, PinlessEntry, pinless_options
from counterapp.cli.prompts import TerminalInteraction
from counterapp.forms.filled import FilledForm
from counterapp.forms.loader import DefinitionError, FormLibrary, check_file, load_library
from counterapp.forms.prefill import Answers
from counterapp.messages import text
from counterapp.queue import FormNotFound, FormPurged
from counterapp.reception import InvalidTicketNumber, ticket_number
from counterapp.store import check_intact
from counterapp.vault import DecryptionFailed
from counterapp.verification.explain import verdict_text
from counterapp.verification.sources import CrlError, TrustError, trust_for
from counterapp.visit import (
    CardNotGenuine,
    CounterService,
    IncompleteForms,
    PinNotAccepted,
    Receipt,
    UnknownForm,
    Visit,
)

EXIT_NEEDS_INPUT = 5


@click.group()
def form() -> None:
    """申請書 / Forms: list, check definitions, fill from the card, verify signatures."""


def library_or_exit() -> FormLibrary:
    """The shipped forms; a broken definition file is a configuration error (exit 4)."""
    try:
        return load_library()
    except DefinitionError as exc:
        raise click.UsageError(str(exc)) from exc


@form.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_forms(as_json: bool) -> None:
    """ライフイベントと申請書の一覧 / Life events and forms."""
    library = library_or_exit()
    events = [
        {
            "id": e.id,
            "name": e.name.ja,
            "forms": [f.form for f in e.forms],
            "starts_without_card": e.starts_without_card,
        }
        for e in library.events.values()
    ]
    forms = [
        {
            "id": f.definition.id,
            "title": f.definition.title.ja,
            "version": f.definition.version,
            "carries_my_number": f.definition.carries_my_number,
            "basis": [str(b) for b in f.definition.basis],
            "groups": [g.id for g in f.definition.groups],
            "sha256": f.sha256,
        }
        for f in library.forms.values()
    ]
    if as_json:
        echo_json({"events": events, "forms": forms})
        return
    click.echo("ライフイベント / Life events:")
    for e in library.events.values():
        no_card = "（カードなし / without a card）" if e.starts_without_card else ""
        click.echo(f"  {e.name.ja}（{e.id}）{no_card}: {', '.join(f.form for f in e.forms)}")
    click.echo("申請書 / Forms:")
    for loaded in library.forms.values():
        d = loaded.definition
        mark = " [個人番号]" if d.carries_my_number else ""
        click.echo(f"  {d.id} v{d.version}: {d.title.ja}{mark}")
        click.echo(f"      根拠 / basis: {'; '.join(str(b) for b in d.basis)}")


@form.command("check")
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
def check(file: Path) -> None:
    """定義ファイルの検査 / Check a form, life-event or catalogue file; errors with line numbers."""
    try:
        kind = check_file(file)
    except DefinitionError as exc:
        for problem in exc.problems:
            line = f"{problem.line}:" if problem.line else ""
            where = f" {problem.where}:" if problem.where else ""
            click.echo(f"{file}:{line}{where} {problem.message}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"OK: {file} ({kind})")


@form.command("fill")
@click.argument("target")
@card_options
@click.option(
    "--answers",
    "answers_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="YAML with the answers to the event's questions and the values people entered.",
)
@click.option("--pdf", type=click.Path(dir_okay=False, path_type=Path), help="Write an A4 PDF.")
@click.option("--sign", is_flag=True, help="The resident signs with the signing password.")
@click.option("--draft", is_flag=True, help="Keep as drafts; do not queue for sending.")
@click.option("--ticket", help="The number the office's ticket machine gave (番号発券).")
@click.option("--allow-last-try", is_flag=True, help="Allow a PIN's last try (stdin not a TTY).")
@pinless_options
@click.option(
    "--manual",
    is_flag=True,
    help="カードを使わずに受付: no card; every value comes from --answers (marked, audited).",
)
@click.option(
    "--member",
    "members",
    multiple=True,
    metavar="SOURCE[:FILE]",
    help="One more person of the household, in turn: card (next card on the reader), a "
    "scenario (with --simulate) or manual:FILE (no card). See README.",
)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
@reports_card_errors
def fill(
    ctx: click.Context,
    target: str,
    reader: str | None,
    simulate: str | None,
    answers_file: Path | None,
    pdf: Path | None,
    sign: bool,
    draft: bool,
    ticket: str | None,
    allow_last_try: bool,
    pinless: bool,
    face_confirmed: bool,
    manual: bool,
    members: tuple[str, ...],
    as_json: bool,
) -> None:
    """カードから申請書を作成 / Read and verify the card, fill TARGET's forms, queue them.

    \b
    TARGET is a life event (転入, 転出, 転居, 証明書の請求, or its id) or a form id.
    PINs come from standard input when it is not a terminal, one per line: auth PIN,
    Kenhojo PIN, then each --member card's own auth and Kenhojo PINs, then (with --sign)
    the first card holder's signing password. With --pinless: 照合番号B
    (14 digits, or three lines), then the My Number only when a form carries it;
    --face-confirmed states that a person compared the face photo (else exit 2).
    With --manual no card is read (no PIN is asked): the card's fields come from the
    answers file's clerk values, and every form is marked 「カードを使わずに受付（手入力）」.
    Exit codes: 0 queued, 1 card not genuine or a 照合番号 refused (nothing filled),
    2 undetermined (--pinless without --face-confirmed: nothing filled), 3 card error,
    4 usage error, 5 required values are missing: nothing was queued or saved (add them to
    --answers and fill again, or keep the visit with --draft and complete it in the clerk
    window's 本日の申請 list),
    6 damaged data folder (checked before the card is touched).
    """
    app: AppContext = ctx.obj
    check_pdf_target(pdf)  # every input is checked before the card is touched
    if manual and pinless:
        raise click.UsageError(
            "--manual はカードを読みません（--pinless と併用不可） / --manual reads no card: "
            "not with --pinless"
        )
    if manual and sign:
        raise click.UsageError("--sign はカードが必要です / --sign needs the card (not --manual)")
    try:
        answers = load_answers(answers_file) if answers_file else Answers()
    except AnswersFileError as exc:
        raise click.UsageError(str(exc)) from exc
    source = card_source(app, reader, simulate)
    household = member_specs(members, source)
    check_intact(app.audit.db)  # a damaged database is found before the PINs are used
    service = CounterService(app.settings, source, library_or_exit(), app.audit, app.open_queue)
    try:
        visit = service.begin(target)
    except UnknownForm as exc:
        raise click.UsageError(f"no life event or form named {target!r}") from exc
    visit.answers.update(answers.questions)
    try:
        visit.ticket_number = ticket_number(ticket)
    except InvalidTicketNumber as exc:
        raise click.UsageError(_both(exc.message_key)) from exc
    if not service.forms_needed(visit):  # said before the card is touched or a PIN asked
        raise click.UsageError(_both("form.nothing_to_fill"))
    if not app.settings.municipality:  # every form names the office it is filed with
        raise click.UsageError(_both("form.municipality_not_set"))
    if manual or service.starts_without_card(visit):  # no card: everything by hand
        if manual:
            service.continue_without_card(visit)
        service.fill(visit, answers.clerk, answers.resident, answers.rows)
        _finish(app, service, visit, pdf, draft=draft, as_json=as_json)
    pinless_entry = PinlessEntry.ask(service, visit, sign) if pinless else None
    if face_confirmed and not pinless:
        raise click.UsageError(FACE_CONFIRMED_ALONE)
    interaction = TerminalInteraction(allow_last_try=allow_last_try)
    slot = CardSlot(source)
    with connected_card(ctx, reader, simulate, slot) as card, _card_verdicts(service):
        if pinless_entry is None:
            visit.card = service.read(card, interaction)
        else:
            pinless_entry.read(service, card, visit, face_confirmed, allow_last_try, as_json)
    add_members(ctx, service, visit, household, slot, interaction)
    service.fill(visit, answers.clerk, answers.resident, answers.rows)
    missing = tuple(service.problems(visit))
    if sign and not any(missing):  # the first card holder signs with their card
        with connected_card(ctx, reader, simulate, slot) as card:
            service.sign(card, interaction, visit)
    _finish(app, service, visit, pdf, draft=draft, as_json=as_json)


def _finish(
    app: AppContext,
    service: CounterService,
    visit: Visit,
    pdf: Path | None,
    *,
    draft: bool,
    as_json: bool,
) -> NoReturn:
    """Queue (or keep as drafts) the filled visit, print it, report; exit."""
    missing = tuple(service.problems(visit))
    if any(missing) and not draft:
        _refuse_incomplete(visit, IncompleteForms(missing), as_json)
    receipt = service.submit(visit, draft=draft)
    if pdf:
        service.print_pdf(visit, pdf, receipt)
    _report(app, visit, receipt, as_json)
    sys.exit(EXIT_OK)


@contextmanager
def _card_verdicts(service: CounterService) -> Iterator[None]:
    """A card read's outcome said as the CLI says it; its verdict audited in any case."""
    try:
        yield
    except CardNotGenuine as exc:
        click.echo(verdict_text(exc.verdict), err=True)
        click.echo(_both("form.card_not_genuine"), err=True)
        sys.exit(EXIT_NOT_GENUINE)
    except PinNotAccepted as exc:  # said like any PIN error (exit 3); nothing is resent
        raise exc.error from None
    except (TrustError, CrlError) as exc:
        raise click.UsageError(str(exc)) from exc
    finally:
        service.record_verdicts()


def member_specs(members: tuple[str, ...], source: CardSource) -> list[MemberSpec]:
    """The ``--member`` options, checked before any card is read or PIN asked."""
    try:
        specs = [parse_member(member) for member in members]
    except AnswersFileError as exc:
        raise click.UsageError(str(exc)) from exc
    for spec in specs:
        if spec.by_hand:
            continue
        if source.is_emulator and spec.source == NEXT_CARD:
            raise click.UsageError("--member card reads a reader's next card: use --reader")
        if not source.is_emulator and spec.source != NEXT_CARD:
            raise click.UsageError(f"--member {spec.source}: a scenario needs --simulate")
        if not source.is_emulator and not sys.stdin.isatty():
            raise click.UsageError("--member card waits for the next card: run it on a terminal")
        if source.is_emulator:
            from counterapp.emulation import scenarios  # the emulator: only with --simulate

            if spec.source not in scenarios():
                raise click.UsageError(f"--member: unknown scenario {spec.source!r}")
    return specs


def add_members(
    ctx: click.Context,
    service: CounterService,
    visit: Visit,
    specs: list[MemberSpec],
    slot: CardSlot,
    interaction: TerminalInteraction,
) -> None:
    """Each further person in turn: their own card read and verified, or entered by hand."""
    for number, spec in enumerate(specs, start=2):
        verified = None
        if not spec.by_hand:
            if spec.source == NEXT_CARD:
                click.pause(_both("household.place_card") + f" ({number})", err=True)
            else:
                slot.place(spec.source)
            with connected_card(ctx, None, None, slot) as card, _card_verdicts(service):
                verified = service.read_member(card, interaction, visit)
        service.add_member(visit, verified, spec.values, spec.answers, spec.groups)
    if any(not spec.by_hand for spec in specs):
        slot.place(None)  # the first card holder's card again (it signs, with --sign)
        if slot.source.reader is not None:
            click.pause(_both("household.filer_card_back"), err=True)


def _refuse_incomplete(visit: Visit, error: IncompleteForms, as_json: bool) -> None:
    """Say plainly that nothing was queued, what is missing and how to go on (exit 5)."""
    missing = {
        filled.form_id: {p.field_id: p.key for p in found}
        for filled, found in zip(visit.forms, error.problems, strict=True)
        if found
    }
    if as_json:
        echo_json({"queued": False, "saved": False, "missing_or_invalid": missing})
    else:
        click.echo(_both("form.incomplete"), err=True)
        for form_id, fields in missing.items():
            for field_id, key in fields.items():
                click.echo(f"  ! {form_id}.{field_id}: {text(key)}", err=True)
        click.echo(_both("form.incomplete.how"), err=True)
    sys.exit(EXIT_NEEDS_INPUT)


def check_pdf_target(pdf: Path | None) -> None:
    """The PDF's folder must exist and the file be writable there: said before the card."""
    if pdf is None:
        return
    folder = pdf.parent
    if not folder.is_dir():
        raise click.UsageError(
            f"PDFの保存先フォルダがありません / no such folder for the PDF: {folder}"
        )
    if pdf.is_dir() or not os.access(folder, os.W_OK):
        raise click.UsageError(f"PDFを書き込めません / cannot write the PDF: {pdf}")


def _both(key: str) -> str:
    return f"{text(key)} / {text(key, 'en')}"


def _report(app: AppContext, visit: Visit, receipt: Receipt, as_json: bool) -> None:
    warnings = CounterService.warnings(visit)
    report = [
        {
            "id": record_id,
            "form": filled.form_id,
            "title": filled.form.definition.title.ja,
            "status": app.queue.entry(record_id).status,
            "signed": index in visit.signatures,
            "missing_or_invalid": {p.field_id: p.key for p in receipt.problems[index]},
            "gaiji": {k: [f"U+{ord(c):04X}" for c in v] for k, v in filled.flags.items()},
            "persons": _persons(filled),
            "warnings": [w.ja for w in warnings[index]],
        }
        for index, (record_id, filled) in enumerate(
            zip(receipt.record_ids, visit.forms, strict=True)
        )
    ]
    if as_json:
        echo_json(
            {
                "reception_number": receipt.number,
                "visit": receipt.visit_id,
                "queued": receipt.queued,
                "method": visit.identity_method.value,
                "forms": report,
            }
        )
    else:
        _print_report(receipt.number, report)


def _persons(filled: FilledForm) -> dict[str, list[str]]:
    """Per person list, how each row was made (``card`` or ``by_hand``): no personal data."""
    return {
        group_id: ["by_hand" if row.by_hand else "card" for row in rows]
        for group_id, rows in filled.groups.items()
        if rows
    }


def _print_report(number: str, report: list[dict[str, Any]]) -> None:
    click.echo(f"受付番号 / Reception number: {number}")
    for item in report:
        signed = "（電子署名済）" if item["signed"] else ""
        click.echo(f"  {item['id']}  {item['title']}  [{item['status']}]{signed}")
        for group_id, made in item["persons"].items():
            by_hand = made.count("by_hand")
            click.echo(f"    {group_id}: {len(made)}人 / persons (手入力 / by hand: {by_hand})")
        for field_id, key in item["missing_or_invalid"].items():
            click.echo(f"    ! {field_id}: {text(key)}")
        for field_id, chars in item["gaiji"].items():
            click.echo(f"    外字 {field_id}: {' '.join(chars)} — {text('form.gaiji')}")
        for warning in item["warnings"]:
            click.echo(f"    ⚠ {warning}")


@form.command("verify-signature")
@click.argument("record_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def verify_signature(app: AppContext, record_id: str, as_json: bool) -> None:
    """電子署名の検証 / Verify the resident's signature over the stored form, offline.

    Exit codes: 0 valid, 1 invalid or the form was changed, 4 unknown form or no signature.
    """
    try:
        stored = app.open_queue.open(record_id, purpose="verify_signature")
        anchors = trust_for(resolve_source(app.settings, None, None), app.settings).anchors
    except (FormNotFound, FormPurged, TrustError, SourceError) as exc:
        raise click.UsageError(_describe(exc)) from exc
    except DecryptionFailed:
        click.echo(_both("vault.damaged"), err=True)
        sys.exit(EXIT_NOT_GENUINE)
    if stored.signature is None:
        raise click.UsageError(f"form {record_id} was not signed")
    from counterapp.wire.signatures import verify_detached  # CMS (asn1crypto): only here

    result = verify_detached(
        stored.signature, stored.filled.canonical(), anchors, dt.datetime.now(dt.UTC)
    )
    if as_json:
        echo_json({"id": record_id, "valid": result.ok, "reason": result.reason})
    elif result.ok:
        click.echo(f"{_both('signature.valid')}: {record_id}")
    else:
        click.echo(f"{_both(result.reason or 'signature.invalid')}: {record_id}", err=True)
    sys.exit(EXIT_OK if result.ok else EXIT_NOT_GENUINE)


def _describe(exc: Exception) -> str:
    key = getattr(exc, "message_key", None)
    return f"{_both(key)}: {exc}" if key else str(exc)
