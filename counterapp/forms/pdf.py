"""Filled forms as an A4 PDF that the resident checks and signs at the counter.

The layout is reportlab platypus (``counterapp.forms.pdf_layout``), imported only when a
PDF is made so that starting the CLI does not load reportlab.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from counterapp.forms.filled import FilledForm


class PdfError(ValueError):
    """The PDF could not be made or written; the message never holds personal data."""

    message_key = "form.pdf_failed"


def render_pdf(
    forms: Sequence[FilledForm],
    out: BinaryIO | str | os.PathLike[str],
    *,
    reception_number: str = "",
    record_ids: Sequence[str | None] = (),
    language: str = "ja",
    received_on: dt.date | None = None,
) -> int:
    """Write the forms as one A4 PDF (one or more pages per form); return the page count.

    ``record_ids`` pair up with ``forms``; empty (a draft not yet saved) prints no QR code.
    A path is written atomically: on failure the file is left as it was.
    """
    if not forms:
        raise PdfError("there is no form to print")
    if record_ids and len(record_ids) != len(forms):
        raise PdfError(f"{len(forms)} forms but {len(record_ids)} record ids")
    ids = list(record_ids) or [None] * len(forms)
    buffer = io.BytesIO()
    from counterapp.forms import pdf_layout  # reportlab loads here, not at start-up

    try:
        pages = pdf_layout.build(forms, ids, buffer, reception_number, language, received_on)
    except pdf_layout.FAILURES as exc:  # its message may quote a name or an address
        raise PdfError(f"the PDF could not be laid out ({type(exc).__name__})") from None
    if isinstance(out, str | os.PathLike):
        _write_atomically(buffer.getvalue(), Path(out))
    else:
        out.write(buffer.getvalue())
    return pages


def _write_atomically(document: bytes, path: Path) -> None:
    """Write beside the target, then rename: a failure never leaves a truncated file."""
    handle, part = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(document)
            file.flush()
            os.fsync(file.fileno())
        os.replace(part, path)
    except OSError as exc:
        Path(part).unlink(missing_ok=True)
        raise PdfError(f"the PDF could not be written ({type(exc).__name__})") from None
