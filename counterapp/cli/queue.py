"""``counterapp queue``: what waits on this terminal, one form's contents, end-of-day purge."""

from __future__ import annotations

import dataclasses
import datetime as dt

import click

from counterapp.cli.common import AppContext, echo_json
from counterapp.forms.display import display_value
from counterapp.forms.filled import FilledForm
from counterapp.queue import FormNotFound, FormPurged, NotRefused, QueueEntry, worklist_counts
from counterapp.retention import purged_at_end_of
from counterapp.wire.values import storable_text

STATUSES = ("draft", "pending", "sent", "failed", "purged")


@click.group()
def queue() -> None:
    """送信待ちの申請書 / The local form queue (encrypted)."""


@queue.command("list")
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def list_queue(app: AppContext, status: str | None, as_json: bool) -> None:
    """一覧（個人情報は表示しません）/ List forms: ids, status, attempts — no personal data.

    \b
    status: draft 下書き, pending 送信待ち, sent 送信済み, failed 送信失敗 (purged: a draft
    deleted after its retention). record_status is the form row's own lifecycle.
    """
    entries = [e for e in app.queue.entries() if status in (None, e.worklist_status)]
    if as_json:
        echo_json([listed(e) for e in entries])
        return
    if not entries:
        click.echo("申請書はありません。/ No forms on this terminal.")
    for entry in entries:
        click.echo(_entry_line(entry))
    counts = worklist_counts(app.queue.entries())  # the clerk window's status bar says the same
    click.echo(
        "送信待ち {pending} 件・送信失敗 {failed} 件・下書き {draft} 件・送信済み {sent} 件 / "
        "pending {pending}, failed {failed}, drafts {draft}, sent {sent}".format(**counts)
    )


def listed(entry: QueueEntry) -> dict[str, object]:
    """A ``queue list --json`` row: worklist status, the row's own lifecycle as record_status."""
    row = dataclasses.asdict(entry)
    row["record_status"] = row.pop("status")
    row["status"] = entry.worklist_status
    return row


def _entry_line(entry: QueueEntry) -> str:
    outbox = (
        f" outbox={entry.outbox_status} attempts={entry.attempts}" if entry.outbox_status else ""
    )
    error = f" last_error={entry.last_error}" if entry.last_error else ""
    if entry.outbox_status == "failed":
        error += " ← 要対応 / action needed: counterapp queue resend|discard"
    signed = " signed" if entry.signed else ""
    when = entry.created_at[:19]
    number = entry.reception_number or "-"
    status = entry.worklist_status
    return f"{number}  {entry.id}  {when}  {entry.form_id}  [{status}]{signed}{outbox}{error}"


@queue.command("show")
@click.argument("record_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def show(app: AppContext, record_id: str, as_json: bool) -> None:
    """1件の内容（監査ログに記録）/ Show one form's values and where each came from (audited).

    The My Number is shown masked.
    """
    try:
        stored = app.open_queue.open(record_id, purpose="show")
    except (FormNotFound, FormPurged) as exc:
        raise click.UsageError(f"{record_id}: {type(exc).__name__}") from exc
    rows = _shown_values(stored.filled)
    if as_json:
        echo_json({"entry": dataclasses.asdict(stored.entry), "fields": rows})
        return
    click.echo(_entry_line(stored.entry))
    for row in rows:
        edited = "（ICチップ値から変更 / changed from chip）" if row["edited_from_chip"] else ""
        click.echo(f"  {row['label']}: {_printable(str(row['value']))}  [{row['source']}]{edited}")


def _shown_values(filled: FilledForm) -> list[dict[str, object]]:
    """Each field, then each person of each group (field ``<group>.<row>.<field>``)."""
    form = filled.form.definition
    shown = [(d, filled.value(d.id), d.id, d.label.ja) for d in form.fields]
    for group in form.groups:
        for number, row in enumerate(filled.rows(group.id), start=1):
            hand = "・手入力" if row.by_hand else ""
            shown += [
                (
                    d,
                    row.value(d.id),
                    f"{group.id}.{number}.{d.id}",
                    f"{group.label.ja}{number}{hand}: {d.label.ja}",
                )
                for d in group.fields
            ]
    return [
        {
            "field": field_id,
            "label": label,
            "value": display_value(definition, item.value),  # the My Number comes back masked
            "source": item.source.value,
            "edited_from_chip": item.edited_from_chip,
        }
        for definition, item, field_id, label in shown
    ]


@queue.command("purge")
@click.pass_obj
def purge(app: AppContext) -> None:
    """終業時の削除 / Delete sent forms' personal data and drafts past their retention."""
    days = app.settings.draft_retention_days
    report = app.queue.purge_by_rule(purged_at_end_of(dt.date.today(), days))
    click.echo(
        f"送信済み {report.sent} 件、保存期間を過ぎた下書き {report.drafts} 件を削除しました。/ "
        f"purged {report.sent} sent form(s) and {report.drafts} draft(s) past their retention "
        f"({days} business day(s) after the day saved)."
    )


def _printable(value: str) -> str:
    """A stored value as it may reach a terminal: control characters shown as \\x.., never
    sent raw (an ESC/OSC sequence in an old form must not drive the clerk's terminal)."""
    if storable_text(value):
        return value
    return "".join(c if c.isprintable() or c in "\t\n" else f"\\x{ord(c):02x}" for c in value)


@queue.command("resend")
@click.argument("record_id")
@click.pass_obj
def resend(app: AppContext, record_id: str) -> None:
    """拒否された申請書の再送 / Send a form the back office refused again (after fixing it)."""
    try:
        app.queue.resend_refused(record_id)
    except (FormNotFound, NotRefused) as exc:
        raise click.UsageError(f"{record_id}: {type(exc).__name__}") from exc
    click.echo(f"再送します / queued again: {record_id} (counterapp sync --once)")


@queue.command("discard")
@click.argument("record_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_obj
def discard(app: AppContext, record_id: str, yes: bool) -> None:
    """拒否された申請書の削除（監査記録）/ Delete a refused form's personal data (audited)."""
    try:
        entry = app.queue.entry(record_id)
    except FormNotFound as exc:
        raise click.UsageError(f"{record_id}: FormNotFound") from exc
    if not yes:
        click.confirm(
            f"{record_id}（{entry.form_id}、{entry.last_error}）を削除しますか？ / "
            "Delete this refused form's personal data?",
            abort=True,
        )
    try:
        app.queue.discard_refused(record_id)
    except NotRefused as exc:
        raise click.UsageError(f"{record_id}: {type(exc).__name__}") from exc
    click.echo(f"削除しました（監査ログに記録）/ discarded (audited): {record_id}")
