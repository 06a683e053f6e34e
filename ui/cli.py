"""The ``counterapp`` console entry point with the ``gui`` command added.

The headless CLI lives in counterapp (no Qt); this module adds ``counterapp gui`` on top,
importing PySide6 only when the GUI actually starts.
"""

from __future__ import annotations

import sys

import click

from counterapp.cli import cli
from counterapp.cli import main as counterapp_main
from counterapp.cli.context import AppContext
from ui.languages import LANGUAGES


@click.command()
@click.option("--reader", help="PC/SC reader name (or a unique part of it).")
@click.option("--simulate", metavar="SCENARIO", help="The built-in card emulator (TEST ONLY).")
@click.option("--kiosk", is_flag=True, help="Self-service kiosk: full screen, touch, 7 languages.")
@click.option(
    "--language",
    type=click.Choice(LANGUAGES),
    help="The window's language (default: the clerk_language or kiosk_language setting).",
)
@click.option("--self-test", is_flag=True, help="Open the window, read the card once, exit 0.")
@click.pass_obj
def gui(
    app: AppContext,
    reader: str | None,
    simulate: str | None,
    kiosk: bool,
    language: str | None,
    self_test: bool,
) -> None:
    """画面を起動 / Start the clerk window (or the kiosk with --kiosk).

    Without --reader or settings it runs on the built-in emulator (TEST ONLY).
    """
    from ui.app import run

    sys.exit(
        run(
            lambda: app.settings,
            reader=reader,
            simulate=simulate,
            kiosk=kiosk,
            language=language,
            self_test=self_test,
        )
    )


cli.add_command(gui)


def main(argv: list[str] | None = None) -> None:
    """``counterapp``: the headless commands plus ``gui``."""
    counterapp_main(argv)
