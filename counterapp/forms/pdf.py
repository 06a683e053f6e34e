"""Filled forms as an A4 PDF that the resident checks and signs at the counter.

The layout (``pdf_layout``, reportlab platypus) is imported only when a PDF is made."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from counterapp.forms.filled import FilledForm
from counterapp.wire.schema import IdentityMethod


class PdfError(ValueError):
    """No PDF could be made or written; the message never holds personal data."""

    message_key = "form.pdf_failed"


def render_pdf(
    forms: Sequence[FilledForm],
    out: BinaryIO | str | os.PathLike[str],
    *,
    reception_number: str = "",
    record_ids: Sequence[str | None] = (),
    language: str = "ja",
    received_on: dt.date | None = None,
    identity_method: IdentityMethod = IdentityMethod.PIN,
) -> int:
    """Write the forms as one A4 PDF, each from a new page; return the page count.

    ``record_ids`` pair up with ``forms``; none (a draft not saved yet) prints no QR code.
    A path is replaced atomically: if anything fails, the file is left as it was."""
    if not forms or (record_ids and len(record_ids) != len(forms)):
        raise PdfError(f"{len(forms)} forms and {len(record_ids)} record ids do not pair up")
    from counterapp.forms import pdf_layout  # reportlab loads here, not at start-up

    ids, day = record_ids or [None] * len(forms), received_on or dt.date.today()
    try:
        reception = pdf_layout.Reception(reception_number, day, identity_method)
        document, pages = pdf_layout.build(forms, ids, reception, language)
    except pdf_layout.FAILURES as exc:  # its message may quote a name or an address
        raise PdfError(f"the PDF could not be laid out ({type(exc).__name__})") from None
    if isinstance(out, str | os.PathLike):
        _replace_atomically(Path(out), document)
    else:
        out.write(document)
    return pages


def _replace_atomically(path: Path, document: bytes) -> None:
    part = path.with_name(f".{path.name}.part")  # beside the target: the rename is atomic
    try:
        # Personal data: owner-only (0600) on POSIX; on Windows the per-user folder's ACL.
        descriptor = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(document)
            os.fsync(file.fileno())
        part.replace(path)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise PdfError(f"the PDF could not be written ({type(exc).__name__})") from None
