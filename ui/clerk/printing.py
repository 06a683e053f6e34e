"""The paper path: the visit's PDF onto the system printer chosen in Qt's print dialog.

PySide6-Essentials has no QtPdf, so the PDF is rasterised with pdfium (pypdfium2, which
ships wheels for Windows with the pdfium library inside) at the printer's resolution (at
most 300 dpi) and each page is painted onto the QPrinter, fitted to the printable area.
This is the same on Windows (a GDI printer) and Linux (CUPS), and in tests a QPrinter in
PdfFormat stands for the printer.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtPrintSupport import QPrinter

MAX_DPI = 300
POINTS_PER_INCH = 72


class PrinterUnavailable(RuntimeError):
    """The printer could not be opened for painting."""

    message_key = "clerk.print.failed"


def page_image(page: object, dpi: int) -> QImage:
    """One PDF page as an image at ``dpi``."""
    bitmap = page.render(scale=dpi / POINTS_PER_INCH)  # type: ignore[attr-defined]
    image = QImage(
        bytes(bitmap.buffer),
        bitmap.width,
        bitmap.height,
        bitmap.stride,
        QImage.Format.Format_BGR888,
    )
    return image.copy()  # own the pixels: the bitmap's buffer goes away


def fitted(image: QImage, area: QRect) -> QRect:
    """The largest rectangle of the image's shape inside ``area``, top-centred."""
    size = image.size().scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
    left = area.left() + (area.width() - size.width()) // 2
    return QRect(left, area.top(), size.width(), size.height())


def print_pdf_file(pdf: Path, printer: QPrinter) -> int:
    """Paint every page of ``pdf`` onto ``printer``; the number of pages printed."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    pages = len(document)
    painter = QPainter()
    if not painter.begin(printer):
        raise PrinterUnavailable(printer.printerName())
    try:
        dpi = min(printer.resolution(), MAX_DPI)
        for number in range(pages):
            if number:
                printer.newPage()
            image = page_image(document[number], dpi)
            painter.drawImage(fitted(image, painter.viewport()), image)
    finally:
        painter.end()
        document.close()
    return pages
