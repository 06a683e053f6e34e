"""``counterapp-gui``: the desktop program (the clerk window, or the kiosk with --kiosk).

Parsed with argparse and nothing else before the window shows: the full ``counterapp`` CLI
(click and its commands) is not loaded for the GUI. ``counterapp gui`` is the same program
started from the CLI.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from counterapp.startup import without_library_plugins
from ui.languages import LANGUAGES

if TYPE_CHECKING:
    from counterapp.settings import Settings


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(
        prog="counterapp-gui", description="マイナンバーカード窓口端末 / counter terminal"
    )
    parse.add_argument("--data-dir", type=Path, default=os.environ.get("COUNTERAPP_DATA_DIR"))
    parse.add_argument("--kiosk", action="store_true", help="self-service kiosk, full screen")
    parse.add_argument("--language", choices=LANGUAGES, default="ja")
    source = parse.add_mutually_exclusive_group()
    source.add_argument("--reader", help="PC/SC reader name (or a unique part of it)")
    source.add_argument("--simulate", metavar="SCENARIO", help="the card emulator (TEST ONLY)")
    parse.add_argument("--self-test", action="store_true", help="read the card once, exit 0")
    return parse


def main(argv: list[str] | None = None) -> None:
    without_library_plugins()
    args = parser().parse_args(argv)
    data_dir: Path | None = Path(args.data_dir) if args.data_dir else None

    def settings() -> Settings:
        from counterapp.settings import load_settings

        return load_settings(data_dir)

    from ui.app import run

    sys.exit(
        run(
            settings,
            reader=args.reader,
            simulate=args.simulate,
            kiosk=args.kiosk,
            language=args.language,
            self_test=args.self_test,
        )
    )


if __name__ == "__main__":
    main()
