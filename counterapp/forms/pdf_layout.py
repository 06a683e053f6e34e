"""Forms laid out with reportlab platypus, in BIZ UDゴシック (resources/fonts/) as a subset.

The text is made ready for paper first (``printtext``: line breaks, 外字); platypus's own CJK
wrap cuts anywhere, so each value arrives as lines joined with <br/>."""

from __future__ import annotations

import datetime as dt
import functools
import io
import re
from collections.abc import Sequence
from itertools import groupby
from typing import Any, NamedTuple
from xml.sax.saxutils import escape

from reportlab import platypus
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import CallerMacro, KeepTogether, Paragraph, Spacer, Table, TopPadder

from counterapp.forms import printtext
from counterapp.forms.definition import FieldDefinition, FieldType, FormDefinition, Text
from counterapp.forms.display import display_date, display_value
from counterapp.forms.filled import FieldValue, FilledForm, Source
from counterapp.forms.validation import shown as is_shown
from counterapp.resources import resource_path
from counterapp.wire.schema import IDENTITY_METHOD_LABELS, IdentityMethod

FAILURES = (platypus.doctemplate.LayoutError, TTFError, OSError)  # reported as a PdfError
REGULAR, BOLD = "BIZUDGothic-Regular", "BIZUDGothic-Bold"  # as the files are named
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
LEFT, WIDTH, TOP, BOTTOM = MARGIN, PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - MARGIN, 34 * mm
ROW_LINES = 10  # a longer value goes on in another row: rows are not split across pages
PAD, GAP, QR_SIZE, QR_COLUMN = 1.8 * mm, 4 * mm, 26 * mm, 40 * mm
LABEL_WIDTH, SOURCE_WIDTH = 46 * mm, 21 * mm
VALUE_WIDTH = WIDTH - LABEL_WIDTH - SOURCE_WIDTH
LABEL_TEXT, VALUE_TEXT = LABEL_WIDTH - 2 * PAD, VALUE_WIDTH - 2 * PAD  # inside the cell padding
BLACK, SHADE, HEADING_SHADE = Color(0, 0, 0), Color(0.93, 0.93, 0.93), Color(0.85, 0.85, 0.85)
SOURCE_LABELS = {Source.IC_CHIP: "ICチップ", Source.SYSTEM: "端末", Source.EVENT: "手続"}
SOURCE_LABELS |= {Source.RESIDENT: "本人入力", Source.CLERK: "職員入力", Source.BLANK: "要記入"}
SOURCE_LABELS |= {Source.PROPOSED: "要確認"}  # split from the chip's address, not confirmed
ALL, SIDES = ((0, 0), (-1, -1)), ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")
HEADINGS = (("項目", "Item"), ("記載内容", "Entry"), ("転記元", "Source"))
COLUMNS = [LABEL_WIDTH, VALUE_WIDTH, SOURCE_WIDTH]
NOTICE = (
    "ICチップから転記：「ICチップ」欄はマイナンバーカードのICチップの記録を写したものです。",
    "Pre-filled from the My Number card's IC chip. Please check every entry.",
)


class Reception(NamedTuple):
    """What every form of one visit prints alike."""

    number: str  # "" for a draft not received yet
    day: dt.date
    identity: IdentityMethod


def _style(font: str, size: float, leading: float, gray: float = 0, align: int = 0) -> Any:
    shape = {"fontName": font, "fontSize": size, "leading": leading, "alignment": align}
    return ParagraphStyle(font, textColor=Color(gray, gray, gray), wordWrap="CJK", **shape)


TITLE, SUBTITLE = _style(BOLD, 17, 23, align=1), _style(REGULAR, 10.5, 15, 0.3, 1)
HEADING, LABEL, MARK = _style(BOLD, 10, 14), _style(BOLD, 10, 13), _style(BOLD, 9, 13)
VALUE, RECEPTION, NOTE = _style(REGULAR, 12, 16), _style(REGULAR, 11, 15), _style(REGULAR, 9.5, 13)
SECONDARY, SMALL = _style(REGULAR, 8, 10, 0.35), _style(REGULAR, 8, 11)
HINT, CAPTION = _style(REGULAR, 7.5, 10, 0.45), _style(REGULAR, 7.5, 10, 0.45, 2)


@functools.cache
def register_fonts() -> frozenset[int]:
    """Register BIZ UDゴシック with reportlab; return the code points both weights can draw."""
    fonts = [TTFont(name, resource_path("fonts", f"{name}.ttf")) for name in (REGULAR, BOLD)]
    for font in fonts:
        pdfmetrics.registerFont(font)
    return frozenset(fonts[0].face.charToGlyph) & frozenset(fonts[1].face.charToGlyph)


def printable(text: str) -> str:
    return printtext.printable(text, register_fonts())


def wrap(text: str, style: Any, width: float) -> list[str]:
    """Lines of ``text`` no wider than ``width`` in ``style``."""
    font, size = style.fontName, style.fontSize
    return printtext.wrap(text, lambda part: pdfmetrics.stringWidth(part, font, size) <= width)


def para(text: str, style: Any, width: float) -> Any:
    return _paragraph(wrap(printable(text), style, width), style)


def _paragraph(lines: list[str], style: Any) -> Any:
    """The lines as a Paragraph, 　 and tabs kept (platypus would make them one space)."""
    markup = "<br/>".join(escape(line) for line in lines)
    return Paragraph(re.sub(r"[^\S ]", lambda space: f"&#{ord(space[0])};", markup), style)


def _table(rows: list[Any], widths: list[float], *style: Any, pad: float = PAD, **kw: Any) -> Any:
    padding = [(side, *ALL, pad) for side in SIDES]
    base = [*padding, ("VALIGN", *ALL, "TOP"), ("FONTNAME", *ALL, REGULAR)]  # no Helvetica
    return Table(rows, colWidths=widths, style=base + list(style), **kw)


def _grid(rows: list[Any], widths: list[float], *style: Any, line: float = 0.6, **kw: Any) -> Any:
    """A table ruled all over, its first column shaded for the labels."""
    grid = [("GRID", *ALL, line, BLACK), ("BACKGROUND", (0, 0), (0, -1), SHADE)]
    return _table(rows, widths, *grid, *style, **kw)


def _pair(ja: str, en: str, style: Any = LABEL) -> list[Any]:
    return [Paragraph(ja, style), Paragraph(en, SECONDARY)]


def reading_language(definition: FormDefinition, language: str) -> str:
    """The language printed under the Japanese: ``language``, or en where the font lacks letters."""
    texts = [definition.title, *(f.label for f in definition.fields)]
    texts += [choice.label for f in definition.fields for choice in f.choices]
    fits = all(printable(t.in_language(language)) == t.in_language(language) for t in texts)
    return language if fits else "en"


def _both(ja: str, second: str, styles: tuple[Any, Any], width: float) -> list[Any]:
    """The Japanese and, below it, the text in the reading language if that is different."""
    lines = [para(ja, styles[0], width)]
    return lines if second == ja else [*lines, para(second, styles[1], width)]


def _header(title: Text, reading: str, record_id: str | None, reception: Reception) -> Any:
    """The title, the reception number, date and identification, and the record id as a QR code."""
    left = _both(title.ja, title.in_language(reading), (TITLE, SUBTITLE), WIDTH - QR_COLUMN - GAP)
    number = para(reception.number or "未受付（下書き）", RECEPTION, 80 * mm)
    date = Paragraph(display_date(reception.day.isoformat()), RECEPTION)
    how = _pair(*IDENTITY_METHOD_LABELS[reception.identity], VALUE)
    cells = [[_pair("受付番号", "Reception No."), number], [_pair("受付日", "Date"), date]]
    cells.append([_pair("本人確認", "Identified by"), how])
    left += [Spacer(1, GAP), _grid(cells, [34 * mm, 84 * mm])]
    qr = Drawing(QR_SIZE, QR_SIZE, initialFontName=REGULAR)
    if record_id:  # a draft not saved yet has none
        qr.add(QrCodeWidget(record_id, barLevel="M", barWidth=QR_SIZE, barHeight=QR_SIZE))
    caption = escape(record_id or "なし（下書き） none (draft)")
    right = [qr, Paragraph("記録ID Record ID", CAPTION), Paragraph(caption, CAPTION)]
    widths = [WIDTH - QR_COLUMN, QR_COLUMN]
    return _table([[left, right]], widths, ("ALIGN", (1, 0), (1, 0), "RIGHT"), pad=0)


def _rows(field: FieldDefinition, value: FieldValue, mark: int, reading: str) -> list[list[Any]]:
    """A field's rows: label, value (or a box or choices to fill in), source; continued if long."""
    label = _both(field.label.ja, field.label.in_language(reading), (LABEL, SECONDARY), LABEL_TEXT)
    if not value.value:
        needed = _pair("要記入", "（必須）" if field.required else "（任意）")
        return [[label, _write_in(field, reading), needed]]
    shown = display_value(field, value.value)
    lines = wrap(printable(shown), VALUE, VALUE_TEXT)
    cells = [[_paragraph(lines[n : n + ROW_LINES], VALUE)] for n in range(0, len(lines), ROW_LINES)]
    translated = display_value(field, value.value, reading)
    if field.type in (FieldType.CHOICE, FieldType.CHECKBOX) and translated != shown:
        cells[-1].append(para(translated, SECONDARY, VALUE_TEXT))
    if mark:
        cells[-1].append(para(f"※外字{mark}　下の注を確認", MARK, VALUE_TEXT))
    source = [Paragraph(SOURCE_LABELS[value.source], SMALL)]
    edited = [Paragraph("ICチップから変更", SECONDARY)] if value.edited_from_chip else []
    more = [Paragraph(f"{escape(printable(field.label.ja))}（続き）", SECONDARY)]
    return [[label, cells[0], source + edited], *([more, cell, []] for cell in cells[1:])]


def _write_in(field: FieldDefinition, reading: str) -> Any:
    """A field nobody filled: the choices to tick, or an empty box."""
    if field.type in (FieldType.CHOICE, FieldType.CHECKBOX):
        values = [choice.value for choice in field.choices] or ["true", "false"]
        ja, second = (
            "　".join(f"□ {display_value(field, v, lang)}" for v in values)
            for lang in ("ja", reading)
        )
        return _both(ja, second, (VALUE, SECONDARY), VALUE_TEXT)
    hint = Paragraph("ここに記入してください Please write here", HINT)
    return _table([[hint]], [VALUE_TEXT], ("BOX", *ALL, 1.0, BLACK), rowHeights=[10 * mm])


def _notes(entries: list[str]) -> list[Any]:
    """The 外字 footnote: each character the clerk has to check, by code point."""
    english = "Characters outside JIS X 0208 or not in the font: the clerk checks them."
    lines = _pair("外字: 職員が確認してください", english, HEADING)
    lines += [para(entry, NOTE, WIDTH - 2 * PAD) for entry in entries]
    box = _table([[lines]], [WIDTH], ("BOX", *ALL, 1.4, BLACK))
    return [Spacer(1, GAP), box] if entries else []


def _signature() -> Any:
    """The box the resident signs in, pushed to the foot of the form's last page."""
    english = "I have checked that the entries above are correct."
    statement = _pair("上記の記載内容に誤りがないことを確認しました。", english, SMALL)
    label = _pair("署名欄（自署）", "Signature")
    box = _grid([[label, []]], [LABEL_WIDTH, WIDTH - LABEL_WIDTH], line=1.2, rowHeights=[22 * mm])
    return TopPadder(_table([[[*statement, Spacer(1, 1.5 * mm), box]]], [WIDTH], pad=0))


def _form(form: FilledForm, record_id: str | None, reception: Reception, lang: str) -> list[Any]:
    """One form's flowables: header, table of fields, 外字 footnote and signature box."""
    definition, covered = form.form.definition, register_fonts()
    reading = reading_language(definition, lang)
    rows: list[Any] = [[_pair(ja, en, HEADING) for ja, en in HEADINGS]]
    notes: list[str] = []
    headings: list[int] = []  # the rows that head a person of a group: spanned and shaded

    def add(field: FieldDefinition, value: FieldValue, flag_id: str) -> None:
        shown = display_value(field, value.value)
        if chars := printtext.characters_to_check(shown, form.flags.get(flag_id, ()), covered):
            described = "、".join(printtext.describe(char, covered) for char in chars)
            notes.append(f"※外字{len(notes) + 1}　{field.label.ja}：{described}")
        rows.extend(_rows(field, value, len(notes) if chars else 0, reading))

    for field in definition.fields:
        if is_shown(field, form):
            add(field, form.value(field.id), field.id)
    for group in definition.groups:
        for number, row in enumerate(form.rows(group.id), start=1):
            how = ("手入力", "entered by hand") if row.by_hand else ("カード", "from a card")
            ja = f"{group.label.ja}　{number}人目（{how[0]}）"  # 異動者　2人目（手入力）
            second = f"{group.label.in_language(reading)} — {number} ({how[1]})"
            headings.append(len(rows))
            rows.append([_both(ja, second, (HEADING, SECONDARY), WIDTH - 2 * PAD), [], []])
            for field in group.fields:
                value = row.value(field.id)
                if is_shown(field, form, row) and (value.value or field.required):
                    add(field, value, f"{group.id}.{number}.{field.id}")
    *body, last = rows  # the last row goes along with the signature, never alone on a page
    table = _grid(body, COLUMNS, ("BACKGROUND", (0, 0), (-1, 0), HEADING_SHADE), repeatRows=1)
    for i in (i for i in headings if i < len(body)):  # a heading stays with the person's row
        table.setStyle([("SPAN", (0, i), (-1, i)), ("BACKGROUND", (0, i), (-1, i), SHADE)])
        table.setStyle([("NOSPLIT", (0, i), (-1, min(i + 1, len(body) - 1)))])
    tail = KeepTogether([_grid([last], COLUMNS), *_notes(notes), _signature()])
    where = f"{definition.id} v{definition.version}　{record_id or ''}"
    page = (id(form), printable(definition.title.ja), reception.number or "未受付", where)
    mark = CallerMacro(lambda macro: setattr(macro.canv, "page", page))  # for header and footer
    header = _header(definition.title, reading, record_id, reception)
    return [platypus.PageBreakIfNotEmpty(), mark, header, Spacer(1, GAP), table, tail]


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Holds the pages back until the end, to print "N / M" of each form in their footers."""

    held: tuple[dict[str, Any], ...] = ()  # each page so far, as the canvas's state

    def showPage(self) -> None:
        self.held = (*self.held, dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for form_pages in (list(pages) for _, pages in groupby(self.held, lambda p: p["page"])):
            for number, page in enumerate(form_pages, start=1):
                self.__dict__.update(page)
                self._furniture(number, len(form_pages))
                super().showPage()
        super().save()

    def _furniture(self, number: int, total: int) -> None:
        """The footer; on a form's later pages also a line above saying which form they continue."""
        _, title, reception, where = self.page
        self.setLineWidth(0.5)
        self.setStrokeGray(0.4)
        foot = MARGIN + 20 + 1 * mm  # two lines of 10 pt above the margin
        self.line(LEFT, foot + 1 * mm, LEFT + WIDTH, foot + 1 * mm)
        if number > 1:
            self.line(LEFT, TOP + 2 * mm, LEFT + WIDTH, TOP + 2 * mm)
            self.setFont(BOLD, 10)
            self.drawString(LEFT, TOP + 4 * mm, f"{title}（続き）")
            self.drawRightString(LEFT + WIDTH, TOP + 4 * mm, f"受付番号 {reception}")
        self.setFont(REGULAR, 7.5)
        self.setFillGray(0.25)
        for n, right in enumerate((f"受付番号 {reception}　{number} / {total}", where)):
            self.drawString(LEFT, foot - 7.7 - 10 * n, NOTICE[n])
            self.drawRightString(LEFT + WIDTH, foot - 7.7 - 10 * n, right)


def build(
    forms: Sequence[FilledForm], ids: Sequence[str | None], reception: Reception, lang: str
) -> tuple[bytes, int]:
    """The forms as one PDF, each from a new page, and its page count."""
    frame = platypus.Frame(LEFT, BOTTOM, WIDTH, TOP - BOTTOM, 0, 0, 0, 0)
    doc = platypus.BaseDocTemplate(out := io.BytesIO(), pagesize=A4, initialFontName=REGULAR)
    doc.addPageTemplates(platypus.PageTemplate("page", [frame]))
    doc.title = f"受付番号 {reception.number}" if reception.number else "下書き"
    doc.creator = "counterapp"
    story: list[Any] = []
    for form, record_id in zip(forms, ids, strict=True):
        story += _form(form, record_id, reception, lang)
    doc.build(story, canvasmaker=_NumberedCanvas)
    return out.getvalue(), int(doc.page)
