"""``counterapp sync``: send queued forms to the back office, exactly once."""

from __future__ import annotations

import dataclasses
import signal
import sys
import threading
from types import FrameType

import click

from counterapp import outbox
from counterapp.cli.common import EXIT_UNDETERMINED, EXIT_USAGE, AppContext, echo_json
from counterapp.messages import text
from counterapp.sync import Schedule, ServerUnavailable, Syncer, SyncError, http_client

EXIT_REFUSED = 1  # some forms were refused by the back office for good


@click.command()
@click.option("--once", is_flag=True, help="Send what is due once, then exit.")
@click.option("--status", "show_status", is_flag=True, help="Print the sync status and exit.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def sync(app: AppContext, once: bool, show_status: bool, as_json: bool) -> None:
    """送信 / Send queued forms to the back office (runs until stopped, or --once).

    \b
    Exit codes (--once): 0 everything due was sent, 1 the back office refused some
    forms for good (they stay here: queue resend / discard), 2 the back office is
    unreachable (forms stay queued), 4 not configured or refused by the back office.
    """
    if show_status:
        _print_status(app, as_json)
        return
    try:
        with http_client(app.settings) as client:
            syncer = Syncer(app.queue, client, batch_size=app.settings.sync_batch_size)
            if once:
                _once(app, syncer, as_json)
            else:
                syncer.run(_stop_on_signals(), Schedule.of(app.settings))
    except ServerUnavailable as exc:
        click.echo(
            f"{text(exc.message_key)} / {text(exc.message_key, 'en')} ({exc.reason})", err=True
        )
        sys.exit(EXIT_UNDETERMINED)
    except SyncError as exc:
        click.echo(f"{text(exc.message_key)} / {text(exc.message_key, 'en')}: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def _once(app: AppContext, syncer: Syncer, as_json: bool) -> None:
    recovered = syncer.recover()
    report = syncer.drain()
    schedule = Schedule.of(app.settings)
    if schedule.crl_folder:
        syncer.refresh_crls(schedule.crl_folder)
    refused = outbox.status(app.queue.db).failed
    if as_json:
        echo_json({"recovered": recovered, **dataclasses.asdict(report), "refused": refused})
    else:
        click.echo(
            f"送信 {report.accepted} 件（重複 {report.duplicates}、却下 {report.rejected}）/ "
            f"sent {report.accepted}, duplicates {report.duplicates}, rejected {report.rejected}"
        )
    if refused:  # refused forms keep personal data here: a person must act on them
        click.echo(
            f"受付を拒否された申請書が {refused} 件あります。counterapp queue list で確認し、"
            "queue resend または queue discard で対応してください。/ "
            f"{refused} form(s) were refused by the back office and stay on this terminal: "
            "see 'counterapp queue list', then 'queue resend ID' or 'queue discard ID'.",
            err=True,
        )
        sys.exit(EXIT_REFUSED)


def _print_status(app: AppContext, as_json: bool) -> None:
    status = outbox.status(app.queue.db)
    if as_json:
        echo_json(dataclasses.asdict(status))
        return
    click.echo(
        f"送信待ち {status.pending} / 送信中 {status.sending} / 失敗 {status.failed} / "
        f"送信済み {status.sent}"
    )
    click.echo(f"最終成功 / last success: {status.last_success_at or '-'}")
    if status.last_error:
        click.echo(f"最後のエラー / last error: {status.last_error}")


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handler(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop
