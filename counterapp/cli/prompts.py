"""The terminal's answers to the core's questions: PINs from stdin or a hidden prompt."""

from __future__ import annotations

import getpass
import sys

import click

from cardreader.pin import PinStatus
from counterapp.interaction import Cancelled
from counterapp.messages import PIN_NAMES


class TerminalInteraction:
    """PINs come from stdin (one per line, in the order asked) when it is not a TTY.

    PINs are never taken from argv or the environment. On a TTY they are asked
    with a hidden prompt; the last try needs a typed confirmation, or the
    ``--allow-last-try`` flag when stdin is not a TTY.
    """

    def __init__(self, *, allow_last_try: bool = False) -> None:
        self.interactive = sys.stdin.isatty()
        self.allow_last_try = allow_last_try

    def ask_pin(self, status: PinStatus) -> bytearray:
        name = PIN_NAMES["ja"][status.kind.value]
        if not self.interactive:
            line = sys.stdin.readline()
            if not line:
                raise Cancelled(f"no {status.kind.value} PIN on standard input")
            return bytearray(line.rstrip("\r\n").encode("ascii", "replace"))
        try:
            answer = getpass.getpass(f"{name}（残り{status.tries_left}回）: ")
        except (EOFError, KeyboardInterrupt) as exc:
            raise Cancelled("PIN entry cancelled") from exc
        return bytearray(answer.encode("ascii", "replace"))

    def confirm_last_try(self, status: PinStatus) -> bool:
        if not self.interactive:
            return self.allow_last_try
        name = PIN_NAMES["ja"][status.kind.value]
        return click.confirm(
            f"{name}は残り1回です。間違えるとロックされます。入力しますか", default=False
        )
