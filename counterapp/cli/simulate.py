"""``counterapp simulate``: the built-in card emulator as a card in a real pcscd (via vpcd)."""

from __future__ import annotations

import signal
import threading
from pathlib import Path
from types import FrameType

import click

from counterapp.emulation import emulated_card, scenarios, serve_in_vpcd

DEFAULT_VPCD = "127.0.0.1:35963"


@click.group()
def simulate() -> None:
    """カードエミュレーター / The card emulator (TEST ONLY keys)."""


@simulate.command("list")
def list_scenarios() -> None:
    """シナリオの一覧 / List scenarios."""
    for name, description in scenarios().items():
        click.echo(f"{name}\t{description}")


def _parse_endpoint(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit():
        raise click.BadParameter("expected HOST:PORT", param_hint="--vpcd")
    return host, int(port)


@simulate.command("serve")
@click.option(
    "--scenario", type=click.Choice(sorted(scenarios())), default="valid", show_default=True
)
@click.option("--vpcd", "endpoint", default=DEFAULT_VPCD, show_default=True, help="vpcd HOST:PORT.")
@click.option(
    "--remove-after",
    type=click.IntRange(min=1),
    help="Pull the card after this many APDUs (it stays out until SIGUSR1).",
)
@click.option(
    "--trace-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Append a card-side APDU log (headers, lengths, status words; never data).",
)
@click.option(
    "--resident",
    "resident_file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="TOML file with another test resident (name, address, birth_date, PINs, ...).",
)
def serve_command(
    scenario: str,
    endpoint: str,
    remove_after: int | None,
    trace_file: Path | None,
    resident_file: Path | None,
) -> None:
    """仮想カードをリーダーに置く / Put a virtual card into pcscd's vpcd reader.

    Runs until stopped (Ctrl+C / SIGTERM). SIGUSR1 pulls the card out or puts it back.
    """
    host, port = _parse_endpoint(endpoint)
    try:
        card = emulated_card(scenario, resident_file)
    except (ValueError, TypeError) as exc:
        raise click.BadParameter(str(exc), param_hint="--resident") from exc
    stop, toggle = threading.Event(), threading.Event()

    def on_stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    def on_toggle(_signum: int, _frame: FrameType | None) -> None:
        toggle.set()

    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    if hasattr(signal, "SIGUSR1"):
        signal.signal(signal.SIGUSR1, on_toggle)
    click.echo(f"仮想カード ({scenario}) を vpcd {host}:{port} に接続します。TEST ONLY", err=True)
    serve_in_vpcd(
        card,
        (host, port),
        stop=stop,
        toggle=toggle,
        remove_after=remove_after,
        trace_file=trace_file,
    )
