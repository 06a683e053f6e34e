"""One session class per My Number card application."""

from cardreader.sessions.card import MyNumberCard
from cardreader.sessions.jpki import CertificateKind, JpkiSession, TokenInfo, TokenKind
from cardreader.sessions.kenhojo import BasicInfo, KenhojoSession, MyNumberFile, Sex
from cardreader.sessions.kenkaku import CardFace, KenkakuSession, collation_number_b

__all__ = [
    "BasicInfo",
    "CardFace",
    "CertificateKind",
    "JpkiSession",
    "KenhojoSession",
    "KenkakuSession",
    "MyNumberCard",
    "MyNumberFile",
    "Sex",
    "TokenInfo",
    "TokenKind",
    "collation_number_b",
]
