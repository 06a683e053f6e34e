"""The reception slip's words and where a front end puts the PDF (clerk window and kiosk)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from counterapp.slip import Slip, SlipTexts, render_slip
from ui.i18n import t


def slip_texts(place: str, language: str = "ja") -> SlipTexts:
    """The slip's words in ``language`` (the clerk's window prints Japanese)."""
    return SlipTexts(
        title=t("slip.title", language),
        number_label=t("slip.number", language),
        procedures_label=t("slip.procedures", language),
        wait=t("slip.wait", language, place=place),
    )


def open_for_printing(path: Path) -> None:
    """Hand the PDF to the desktop (its viewer prints it on the office printer)."""
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def write_slip(slip: Slip, place: str, language: str, path: Path) -> Path:
    render_slip(slip, slip_texts(place, language), path)
    return path
