"""``counterapp readers``: the PC/SC readers this PC sees."""

from __future__ import annotations

import click

from counterapp.cli.common import echo_json, reports_card_errors


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@reports_card_errors
def readers(as_json: bool) -> None:
    """カードリーダーの一覧 / List card readers."""
    from cardreader.pcsc import list_readers

    found = list_readers()
    if as_json:
        echo_json([{"name": r.name, "card_present": r.card_present} for r in found])
        return
    if not found:
        click.echo("カードリーダーが見つかりません。/ No card reader found.")
    for reader in found:
        state = "カードあり" if reader.card_present else "カードなし"
        click.echo(f"{reader.name}\t{state}")
