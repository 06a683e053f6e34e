"""Every error the service answers, as a stable code with a Japanese and an English text.

Terminals act on the code; the detail (日本語 first, then English) is for the person
reading a log or a screen. No detail ever echoes a submitted value. The texts live in the
back office's own catalogue files, ``backoffice/texts/*.yaml``, in the same format as the
terminal's, read by the shared package's ``counterapp.wire.catalogue``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Final

from starlette.responses import JSONResponse

from counterapp.wire.catalogue import Catalogue
from counterapp.wire.schema import MAX_BODY_BYTES, Problem

_LIMIT = f"{MAX_BODY_BYTES / 2**20:g} MiB"


BACKOFFICE_LANGUAGES = ("ja", "en")
# The texts ride along with the package (backoffice/texts/*.yaml), also on a server install.
CATALOGUE = Catalogue(Path(__file__).resolve().with_name("texts"), BACKOFFICE_LANGUAGES)


@dataclass(frozen=True)
class Text:
    ja: str
    en: str

    def both(self) -> str:
        """Japanese first, then English, as every user-facing text of the project."""
        return f"{self.ja} / {self.en}"


def _texts(section: str, **params: str) -> Mapping[str, Text]:
    """One catalogue file as ``Text`` values, with ``params`` filled in."""
    return MappingProxyType(
        {
            code: Text(texts["ja"].format(**params), texts["en"].format(**params))
            for code, texts in CATALOGUE.section(section).items()
        }
    )


# Request-level problems (HTTP status codes) and per-item reasons in a BatchResult.
TEXTS: Final = _texts("problems", limit=_LIMIT)

# Signature verdicts stored with a form (counterapp.signing keys plus our own).
SIGNATURE_TEXTS: Final = _texts("signatures")


class ProblemError(Exception):
    """Raised inside the app to answer with a Problem; carries the HTTP status."""

    def __init__(self, status: int, code: str, extra: str = "") -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.extra = extra


def problem(code: str, extra: str = "") -> Problem:
    """The wire Problem for ``code``; ``extra`` adds non-personal detail (e.g. field paths)."""
    text = TEXTS.get(code, TEXTS["request.error"]).both()
    return Problem(code=code, detail=f"{text} {extra}".strip())


def problem_response(
    status: int, code: str, extra: str = "", headers: dict[str, str] | None = None
) -> JSONResponse:
    """A JSON response carrying the Problem for ``code``."""
    body = problem(code, extra).model_dump(mode="json")
    return JSONResponse(body, status_code=status, headers=headers)
