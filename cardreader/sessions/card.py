"""A connected My Number card that hands out application sessions."""

from __future__ import annotations

from cardreader.apdu import ApduChannel
from cardreader.connection import CardConnection
from cardreader.sessions.jpki import JpkiSession
from cardreader.sessions.kenhojo import KenhojoSession
from cardreader.sessions.kenkaku import KenkakuSession


class MyNumberCard:
    """A connected card; opens one application session at a time."""

    def __init__(self, connection: CardConnection, *, extended: bool | None = None) -> None:
        self.connection = connection
        self.channel = ApduChannel(connection, extended=extended)

    def jpki(self) -> JpkiSession:
        """Select the JPKI application (公的個人認証AP)."""
        return JpkiSession(self.channel)

    def kenhojo(self) -> KenhojoSession:
        """Select the 券面事項入力補助AP."""
        return KenhojoSession(self.channel)

    def kenkaku(self) -> KenkakuSession:
        """Select the 券面事項確認AP."""
        return KenkakuSession(self.channel)

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> MyNumberCard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
