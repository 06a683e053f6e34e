"""``counterapp hardware-check``: a reader and card conformance report for IT staff."""

from __future__ import annotations

import json
from pathlib import Path

import click

from counterapp.cli.common import AppContext, reports_card_errors
from counterapp.hardwarecheck import HardwareReport, Latency

RESULT_TEXT = {
    "as_documented": "記載どおり / as documented",
    "differs": "記載と異なる / differs",
    "not_supported": "非対応 / not supported",
    "not_probed": "未確認 / not probed",
    "error": "エラー / error",
}


@click.command("hardware-check")
@click.option("--reader", help="PC/SC reader name (or a unique part of it).")
@click.option(
    "--ask-pins",
    is_flag=True,
    help="Also ask for the auth PIN once and time the signature (uses no try otherwise).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the report to FILE instead of the screen.",
)
@click.pass_context
@reports_card_errors
def hardware_check(
    ctx: click.Context, reader: str | None, ask_pins: bool, as_json: bool, output: Path | None
) -> None:
    """カードリーダーの動作確認レポート（個人情報なし）/ Reader and card report, no personal data.

    \b
    Attach the report to a bug report: it holds the reader, ATR, protocol, extended-length
    support, APDU latencies, status words, PIN tries left and probed card behaviours, and
    never a name, address, birth date, My Number, photo, certificate subject or serial.
    """
    from cardreader.pcsc import PcscConnection
    from counterapp.cli.prompts import TerminalInteraction
    from counterapp.hardwarecheck import run_hardware_check

    app: AppContext = ctx.obj
    name = reader or app.settings.reader
    if not name:
        raise click.UsageError("give --reader NAME (see 'counterapp readers')")
    connection = PcscConnection.open(name)
    try:
        interaction = TerminalInteraction() if ask_pins else None
        report = run_hardware_check(connection, interaction)
    finally:
        connection.close()
    text = (
        json.dumps(report.to_dict(), ensure_ascii=False, indent=2)
        if as_json
        else format_text(report)
    )
    if output is not None:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"レポートを保存しました / Report written: {output}")
    else:
        click.echo(text)


def format_text(report: HardwareReport) -> str:
    """The report for reading on screen or pasting into a mail."""
    ext = report.extended_length
    lines = [
        "カードリーダー動作確認 / Hardware check (counterapp "
        f"{report.counterapp_version}; no personal data)",
        f"リーダー / Reader: {report.reader}",
        f"ATR: {report.atr}",
        f"プロトコル / Protocol: {report.protocol}",
        f"拡張長APDU / Extended length: {'対応 / yes' if ext.get('supported') else '非対応 / no'}"
        f" ({ext.get('probe')}: SW {ext.get('probe_sw')}, {ext.get('probe_bytes')} B;"
        f" short fallback: {ext.get('short_fallback')})",
        "応答時間 / Latency per APDU:",
    ]
    for kind, latency in report.latency.items():
        lines.append(f"  {kind}: {_latency_text(latency)}")
    lines.append(
        "ステータスワード / Status words: "
        + ", ".join(f"{sw}×{count}" for sw, count in report.status_words.items())
    )
    lines.append("暗証番号の残り回数 / Tries left (empty VERIFY, no try used):")
    lines += [f"  {name}: {value}" for name, value in report.tries_left.items()]
    lines.append("カードの動作 / Card behaviours:")
    for item in report.observations:
        lines.append(f"  {item.behaviour}: {RESULT_TEXT[item.result.value]} — {item.observed}")
        if item.documented:
            lines.append(f"      (notes: {item.documented})")
    return "\n".join(lines)


def _latency_text(latency: Latency | None) -> str:
    if latency is None:
        return "未測定 / not measured"
    return f"p50 {latency.p50_ms:.3f} ms, p95 {latency.p95_ms:.3f} ms (n={latency.count})"
