"""``counterapp card info`` and ``counterapp card read-basic``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import click

from cardreader.pin import PinStatus
from counterapp.cli.common import card_options, connected_card, echo_json, reports_card_errors
from counterapp.cli.pinless import ask_collation_b, exit_refused
from counterapp.cli.prompts import TerminalInteraction
from counterapp.messages import PIN_NAMES
from counterapp.pinless import CollationNotAccepted, read_basic_pinless
from counterapp.reading import BasicRead, CardInfo, read_basic, read_card_info

TOKEN_LABELS_JA = {
    "MYNUMBER_CARD": "マイナンバーカード",
    "JUKI_CARD": "住基カード",
    "ANDROID": "スマートフォン（Android）",
    "IPHONE": "スマートフォン（iPhone）",
    "UNKNOWN": "不明",
}


@click.group()
def card() -> None:
    """カードの読み取り / Read a card."""


@card.command("info")
@card_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@reports_card_errors
def info(ctx: click.Context, reader: str | None, simulate: str | None, as_json: bool) -> None:
    """証明書と暗証番号の残り回数（暗証番号不要）/ Certificate and PIN tries, no PIN needed."""
    with connected_card(ctx, reader, simulate) as opened:
        result = read_card_info(opened)
    if as_json:
        echo_json(card_info_json(result))
    else:
        click.echo(card_info_text(result))


def _pin_json(status: PinStatus | None) -> dict[str, Any] | None:
    if status is None:
        return None
    return {"tries_left": status.tries_left, "blocked": status.blocked}


def card_info_json(result: CardInfo) -> dict[str, Any]:
    """The JSON form of ``card info`` (English snake_case keys)."""
    cert = asdict(result.auth_certificate)
    cert["not_before"] = result.auth_certificate.not_before.isoformat()
    cert["not_after"] = result.auth_certificate.not_after.isoformat()
    return {
        "token": {"label": result.token.label, "kind": result.token.kind.name.lower()},
        "auth_certificate": cert,
        "pins": {kind.value: _pin_json(status) for kind, status in result.pins.items()},
    }


def card_info_text(result: CardInfo) -> str:
    cert = result.auth_certificate
    lines = [
        f"種別: {TOKEN_LABELS_JA[result.token.kind.name]} ({result.token.label})",
        "利用者証明用電子証明書:",
        f"  主体者: {cert.subject}",
        f"  発行者: {cert.issuer}",
        f"  シリアル番号: {cert.serial}",
        f"  有効期間: {cert.not_before:%Y-%m-%d} ～ {cert.not_after:%Y-%m-%d}",
        "暗証番号の残り回数:",
    ]
    for kind, status in result.pins.items():
        name = PIN_NAMES["ja"][kind.value]
        if status is None:
            state = "（この媒体にはありません）"
        elif status.blocked:
            state = "ロック中"
        else:
            state = f"残り{status.tries_left}回"
        lines.append(f"  {name}: {state}")
    return "\n".join(lines)


@card.command("read-basic")
@card_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--show-my-number", is_flag=True, help="Show the My Number instead of a mask.")
@click.option(
    "--allow-last-try",
    is_flag=True,
    help="When stdin is not a TTY: allow sending the PIN (or 照合番号B) on its very last try.",
)
@click.option(
    "--pinless",
    is_flag=True,
    help="No PIN: open the four items with 照合番号B from stdin (no My Number).",
)
@click.pass_context
@reports_card_errors
def read_basic_command(
    ctx: click.Context,
    reader: str | None,
    simulate: str | None,
    as_json: bool,
    show_my_number: bool,
    allow_last_try: bool,
    pinless: bool,
) -> None:
    """基本4情報とマイナンバー（券面事項入力補助用暗証番号）/ Basic 4 items and My Number.

    The PIN is read from standard input when it is not a terminal, otherwise
    asked with a hidden prompt; never from the command line. With --pinless,
    照合番号B instead (14 digits, or three lines: birth date, expiry year, security
    code); the My Number is then not read (exit 1: 照合番号B refused, tries left named).
    """
    if pinless:
        collation_b = ask_collation_b()  # checked before the card is touched
        with connected_card(ctx, reader, simulate) as opened:
            try:
                result = read_basic_pinless(opened, collation_b, allow_last_try=allow_last_try)
            except CollationNotAccepted as exc:
                exit_refused(exc, as_json)
    else:
        interaction = TerminalInteraction(allow_last_try=allow_last_try)
        with connected_card(ctx, reader, simulate) as opened:
            result = read_basic(opened, interaction)
    if as_json:
        echo_json(basic_json(result, show_my_number))
    else:
        click.echo(basic_text(result, show_my_number))


def _shown(result: BasicRead, show_my_number: bool) -> str | None:
    if result.my_number is None:
        return None
    return result.my_number.reveal() if show_my_number else result.my_number.masked()


def basic_json(result: BasicRead, show_my_number: bool) -> dict[str, Any]:
    return {
        "method": result.method,
        "name": result.basic.name,
        "address": result.basic.address,
        "birth_date": result.basic.birth_date.isoformat(),
        "sex": result.basic.sex.name.lower(),
        "my_number": _shown(result, show_my_number),
    }


def basic_text(result: BasicRead, show_my_number: bool) -> str:
    shown = (
        _shown(result, show_my_number) or "（照合番号Bでは読み取りません / not read without a PIN）"
    )
    return "\n".join(
        [
            f"氏名: {result.basic.name}",
            f"住所: {result.basic.address}",
            f"生年月日: {result.basic.birth_date:%Y年%m月%d日}",
            f"性別: {result.basic.sex.label_ja}",
            f"個人番号: {shown}",
        ]
    )
