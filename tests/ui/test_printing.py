"""印刷用PDF from the clerk window: to a file, to a printer, and what a failure says."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from tests.ui.test_clerk import MakeContext, open_window, read_to_forms
from ui.i18n import t

FORM_TITLE = "住民票の写し"


def page_texts(pdf: Path) -> list[str]:
    document = pdfium.PdfDocument(str(pdf))
    try:
        return [document[i].get_textpage().get_text_range() for i in range(len(document))]
    finally:
        document.close()


def inked_share(pdf: Path, page: int = 0) -> float:
    """The share of a rendered page's pixels that are not white."""
    document = pdfium.PdfDocument(str(pdf))
    try:
        image = document[page].render(scale=0.5, grayscale=True).to_pil()
    finally:
        document.close()
    histogram = image.histogram()
    return 1 - sum(histogram[250:]) / sum(histogram)


def test_the_forms_pdf_holds_every_form_with_its_title(
    qtbot: QtBot, make_context: MakeContext, tmp_path: Path
) -> None:
    window = open_window(qtbot, make_context("valid"))
    read_to_forms(qtbot, window)
    pdf = tmp_path / "forms.pdf"
    assert window.write_pdf(pdf)
    texts = page_texts(pdf)
    assert FORM_TITLE in texts[0]
    assert f"{len(texts)} / {len(texts)}" in texts[-1]  # every page, numbered


def test_the_forms_go_to_a_printer_page_by_page(
    qtbot: QtBot, make_context: MakeContext, tmp_path: Path
) -> None:
    window = open_window(qtbot, make_context("valid"))
    read_to_forms(qtbot, window)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)  # stands for the system printer
    printed = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(printed))
    pages = window.print_to(printer)
    assert window.write_pdf(tmp_path / "forms.pdf")
    assert pages == len(page_texts(tmp_path / "forms.pdf")) == len(page_texts(printed))
    assert inked_share(printed) > 0.01  # the form is on the paper, not a blank page
    assert window.print_error is None


def test_a_pdf_that_cannot_be_written_says_so(
    qtbot: QtBot, make_context: MakeContext, tmp_path: Path
) -> None:
    window = open_window(qtbot, make_context("valid"))
    read_to_forms(qtbot, window)
    assert not window.write_pdf(tmp_path / "no such folder" / "forms.pdf")
    box = window.print_error
    assert box is not None and box.isVisible()
    assert box.text() == t("form.pdf_failed", "ja")
    box.reject()
