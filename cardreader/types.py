"""The card's value types a front end shows: PIN kinds and states, the card face, PIN errors.

This is the one ``cardreader`` module the UI may import (an import-linter contract says so);
everything else a front end needs comes from ``counterapp``.
"""

from cardreader.errors import CardError, CardRemoved, PinBlocked, PinError, WrongPin
from cardreader.pin import PinKind, PinStatus
from cardreader.sessions.kenkaku import CardFace

__all__ = [
    "CardError",
    "CardFace",
    "CardRemoved",
    "PinBlocked",
    "PinError",
    "PinKind",
    "PinStatus",
    "WrongPin",
]
