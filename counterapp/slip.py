"""The reception slip: a small PDF the resident takes to the waiting area.

It carries only what a slip needs to be useful and harmless if left on a bench: the
reception number (very large), the date, the procedures' names and where to wait — never a
name, an address, a birth date or the My Number. reportlab and the fonts of the form PDF
(BIZ UDゴシック) are loaded only when a slip is made.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from counterapp.forms.pdf import PdfError

SLIP_WIDTH_MM, SLIP_HEIGHT_MM = 80, 120  # a receipt-printer roll, or cut from A4


@dataclass(frozen=True)
class SlipTexts:
    """The slip's words in the resident's language (the front end picks them)."""

    title: str
    number_label: str
    procedures_label: str
    wait: str  # e.g. "番号をお呼びするまで、1階 窓口前の待合席でお待ちください。"


@dataclass(frozen=True)
class Slip:
    number: str
    day: dt.date
    procedures: tuple[str, ...]  # the forms' titles
    ticket_number: str | None = None


def slip_for(number: str, titles: Sequence[str], ticket: str | None = None) -> Slip:
    """A slip for today; the same title twice is listed once."""
    return Slip(number, dt.date.today(), tuple(dict.fromkeys(titles)), ticket)


def render_slip(slip: Slip, texts: SlipTexts, path: str | os.PathLike[str]) -> None:
    """Write the slip as a one-page PDF (replaced atomically)."""
    from counterapp.forms import pdf_layout  # reportlab and the fonts load here
    from counterapp.forms.pdf import _replace_atomically

    try:
        document = _draw(slip, texts, pdf_layout)
    except pdf_layout.FAILURES as exc:
        raise PdfError(f"the slip could not be laid out ({type(exc).__name__})") from None
    _replace_atomically(Path(path), document)


def _draw(slip: Slip, texts: SlipTexts, layout: object) -> bytes:
    import io

    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas

    layout.register_fonts()  # type: ignore[attr-defined]
    regular, bold = layout.REGULAR, layout.BOLD  # type: ignore[attr-defined]
    width, height = SLIP_WIDTH_MM * mm, SLIP_HEIGHT_MM * mm
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), invariant=True)
    canvas.setTitle(texts.title)
    centre, y = width / 2, height - 12 * mm
    canvas.setFont(bold, 14)
    canvas.drawCentredString(centre, y, texts.title)
    y -= 9 * mm
    canvas.setFont(regular, 10)
    canvas.drawCentredString(centre, y, texts.number_label)
    size = 56.0
    while stringWidth(slip.number, bold, size) > width - 10 * mm:
        size -= 2
    y -= size * 0.9
    canvas.setFont(bold, size)
    canvas.drawCentredString(centre, y, slip.number)
    y -= 10 * mm
    canvas.setFont(regular, 10)
    when = f"{slip.day:%Y年%m月%d日}" + (f"  #{slip.ticket_number}" if slip.ticket_number else "")
    canvas.drawCentredString(centre, y, when)
    y -= 8 * mm
    canvas.setFont(bold, 10)
    canvas.drawString(6 * mm, y, texts.procedures_label)
    canvas.setFont(regular, 10)
    for title in slip.procedures:
        y -= 5.5 * mm
        canvas.drawString(9 * mm, y, f"・{title}")
    y -= 8 * mm
    for line in _wrapped(texts.wait, regular, 9.5, width - 12 * mm, stringWidth):
        canvas.setFont(regular, 9.5)
        canvas.drawString(6 * mm, y, line)
        y -= 5 * mm
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _wrapped(text: str, font: str, size: float, width: float, measure: object) -> list[str]:
    """Break ``text`` anywhere (Japanese has no spaces) so each line fits ``width``."""
    lines, line = [], ""
    for char in text:
        if line and measure(line + char, font, size) > width:  # type: ignore[operator]
            lines.append(line)
            line = ""
        line += char
    return [*lines, line] if line else lines
