"""The printed forms laid out with reportlab platypus (imported only when a PDF is made).

Text is set in BIZ UDゴシック (``resources/fonts/``), embedded as a subset. 外字 are flagged,
never replaced: a character the font has no glyph for (e.g. 𠮷 U+20BB7) prints as 〓 and a
footnote names every flagged character by code point so the clerk can write it by hand.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import Color
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
)
from reportlab.platypus.doctemplate import LayoutError
from reportlab.platypus.flowables import CallerMacro, TopPadder

from counterapp.forms.definition import FieldDefinition, FieldType, FormDefinition, Text
from counterapp.forms.display import display_date, display_value
from counterapp.forms.filled import FieldValue, FilledForm, Source
from counterapp.resources import resource_path

FAILURES = (LayoutError, TTFError, OSError)  # what render_pdf reports as a PdfError
REGULAR, BOLD = "BIZUDGothic", "BIZUDGothic-Bold"
GETA = "〓"  # 下駄記号: the traditional stand-in for a character that cannot be printed
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
LEFT, WIDTH, TOP, BOTTOM = MARGIN, PAGE_WIDTH - 2 * MARGIN, PAGE_HEIGHT - MARGIN, 34 * mm
CONTINUED_HEIGHT, PAD, GAP, QR_SIZE, QR_COLUMN = 9 * mm, 1.8 * mm, 4 * mm, 26 * mm, 40 * mm
LABEL_WIDTH, SOURCE_WIDTH = 46 * mm, 21 * mm
VALUE_WIDTH = WIDTH - LABEL_WIDTH - SOURCE_WIDTH
BLACK, SHADE, HEADING_SHADE = Color(0, 0, 0), Color(0.93, 0.93, 0.93), Color(0.85, 0.85, 0.85)
NO_LINE_START = frozenset(
    "、。，．・：；？！）」』】〕〉》ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ,.:;!?)]}"
)
# Runs of Latin letters (with Vietnamese and Portuguese accents) and of digits, half or full
# width, break only between words: "２３０１号室" must not be read as "２３" and "０１号室".
# (platypus' CJK wrap cuts anywhere, so lines are broken here and joined with <br/>.)
TOKEN = re.compile(
    r"[!-~\u00a1-\u024f\u1e00-\u1eff\u2010-\u201f\u2212\uff0d\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+"
    r"|.",
    re.DOTALL,
)
SOURCE_LABELS = {
    Source.IC_CHIP: "ICチップ",
    Source.SYSTEM: "端末",
    Source.EVENT: "手続",
    Source.RESIDENT: "本人入力",
    Source.CLERK: "職員入力",
    Source.BLANK: "要記入",
}
NOTICE = (
    "ICチップから転記：「ICチップ」欄はマイナンバーカードのICチップの記録を写したものです。",
    "Pre-filled from the My Number card's IC chip. Please check every entry.",
)


def _style(font: str, size: float, leading: float, gray: float = 0, align: int = 0) -> Any:
    color = Color(gray, gray, gray)
    name = f"{font}-{size}-{align}"
    return ParagraphStyle(
        name,
        fontName=font,
        fontSize=size,
        leading=leading,
        textColor=color,
        alignment=align,
        wordWrap="CJK",
    )


TITLE, SUBTITLE = _style(BOLD, 17, 23, align=1), _style(REGULAR, 10.5, 15, 0.3, 1)
HEADING, LABEL, MARK = _style(BOLD, 10, 14), _style(BOLD, 10, 13), _style(BOLD, 9, 13)
VALUE, RECEPTION, NOTE = _style(REGULAR, 12, 16), _style(REGULAR, 11, 15), _style(REGULAR, 9.5, 13)
SECONDARY, SMALL = _style(REGULAR, 8, 10, 0.35), _style(REGULAR, 8, 11)
HINT, CAPTION = _style(REGULAR, 7.5, 10, 0.45), _style(REGULAR, 7.5, 10, 0.45, 2)


@functools.cache
def register_fonts() -> frozenset[int]:
    """Register BIZ UDゴシック with reportlab; return the code points both weights can draw."""
    covered: frozenset[int] | None = None
    for name, file_name in ((REGULAR, "Regular"), (BOLD, "Bold")):
        font = TTFont(name, str(resource_path("fonts", f"BIZUDGothic-{file_name}.ttf")))
        pdfmetrics.registerFont(font)
        glyphs = frozenset(int(code) for code in font.face.charToGlyph)
        covered = glyphs if covered is None else covered & glyphs
    assert covered is not None
    return covered


def _is_selector(char: str) -> bool:
    return 0xFE00 <= ord(char) <= 0xFE0F or 0xE0100 <= ord(char) <= 0xE01EF


def printable(text: str) -> str:
    """The text as it can be printed: 〓 for each character the font cannot draw."""
    covered = register_fonts()
    return "".join(
        "" if _is_selector(c) else " " if c in "\t\r" else c if ord(c) in covered or c == "\n"
        else GETA
        for c in text
    )  # fmt: skip


def wrap(text: str, style: Any, width: float) -> list[str]:
    """Lines no wider than ``width``, with 行頭禁則; every character but a break's space kept."""

    def fits(part: str) -> bool:
        return bool(pdfmetrics.stringWidth(part, style.fontName, style.fontSize) <= width)

    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in TOKEN.findall(paragraph):
            for piece in [token] if fits(token) else list(token):  # an over-long word breaks
                if line and not fits(line + piece):
                    carry = line[-1] if piece[0] in NO_LINE_START and len(line) > 1 else ""
                    lines.append(line[: len(line) - len(carry)].rstrip(" "))
                    line, piece = carry, "" if piece == " " else piece
                line += piece
        lines.append(line.rstrip(" "))
    return lines


def para(text: str, style: Any, width: float) -> Any:
    """A paragraph of ``text`` broken to ``width``; 　 and other spaces kept (not collapsed)."""
    lines = (escape(line) for line in wrap(printable(text), style, width))
    markup = re.sub(r"[^\S ]", lambda space: f"&#{ord(space[0])};", "<br/>".join(lines))
    return Paragraph(markup, style)


def _padded(*extra: tuple[Any, ...], pad: float = PAD) -> list[tuple[Any, ...]]:
    sides = ("LEFTPADDING", "RIGHTPADDING", "TOPPADDING", "BOTTOMPADDING")
    return [*((side, (0, 0), (-1, -1), pad) for side in sides), ("VALIGN", (0, 0), (-1, -1), "TOP")]


def _grid(rows: list[list[Any]], widths: Sequence[float], line: float = 0.6, **kw: Any) -> Any:
    style = [*_padded(), ("GRID", (0, 0), (-1, -1), line, BLACK)]
    return Table(
        rows, colWidths=widths, style=[*style, ("BACKGROUND", (0, 0), (0, -1), SHADE)], **kw
    )


def _pair(ja: str, en: str, style: Any = LABEL) -> list[Any]:
    return [Paragraph(ja, style), Paragraph(en, SECONDARY)]


def reading_language(definition: FormDefinition, language: str) -> str | None:
    """The language printed under the Japanese (None for ja; en where the font lacks letters)."""
    if language == "ja":
        return None
    texts = [definition.title, *(f.label for f in definition.fields)]
    texts += [choice.label for f in definition.fields for choice in f.choices]
    covered = register_fonts()
    printable_all = all(ord(c) in covered for t in texts for c in t.in_language(language))
    return language if printable_all else "en"


def _secondary(text: Text, reading: str | None) -> str | None:
    return (
        None
        if reading is None or text.in_language(reading) == text.ja
        else text.in_language(reading)
    )


def _header(
    form: FilledForm, record_id: str | None, reception: str, day: dt.date, reading: str | None
) -> Any:
    title, width = form.form.definition.title, WIDTH - QR_COLUMN - GAP
    left = [para(title.ja, TITLE, width)]
    if (second := _secondary(title, reading)) is not None:
        left.append(para(second, SUBTITLE, width))
    cells = [
        [
            _pair("受付番号", "Reception No."),
            para(reception or "未受付（下書き）", RECEPTION, 80 * mm),
        ]
    ]
    cells.append([_pair("受付日", "Date"), Paragraph(display_date(day.isoformat()), RECEPTION)])
    left += [Spacer(1, GAP), _grid(cells, [34 * mm, 84 * mm], hAlign="LEFT")]
    qr: Any = Spacer(QR_SIZE, QR_SIZE)
    if record_id:
        qr = Drawing(QR_SIZE, QR_SIZE, hAlign="RIGHT")
        qr.add(QrCodeWidget(record_id, barLevel="M", barWidth=QR_SIZE, barHeight=QR_SIZE))
    caption = record_id or "なし（下書き） none (draft)"
    right = [qr, Paragraph("記録ID Record ID", CAPTION), Paragraph(escape(caption), CAPTION)]
    style = [*_padded(pad=0), ("ALIGN", (1, 0), (1, 0), "RIGHT")]
    return Table([[left, right]], colWidths=[WIDTH - QR_COLUMN, QR_COLUMN], style=style)


def _row(
    field: FieldDefinition, value: FieldValue, mark: int | None, reading: str | None
) -> list[Any]:
    label = [para(field.label.ja, LABEL, LABEL_WIDTH - 2 * PAD)]
    if (second := _secondary(field.label, reading)) is not None:
        label.append(para(second, SECONDARY, LABEL_WIDTH - 2 * PAD))
    width = VALUE_WIDTH - 2 * PAD
    if not value.value:
        needed = "（必須）" if field.required else "（任意）"
        return [label, _write_in(field, reading, width), _pair(SOURCE_LABELS[Source.BLANK], needed)]
    shown = display_value(field, value.value, "ja")
    cell = [para(shown, VALUE, width)]
    translated = display_value(field, value.value, reading) if reading else shown
    if field.type in (FieldType.CHOICE, FieldType.CHECKBOX) and translated != shown:
        cell.append(para(translated, SECONDARY, width))
    if mark is not None:
        cell.append(para(f"※外字{mark}　下の注を確認", MARK, width))
    source = [Paragraph(SOURCE_LABELS[value.source], SMALL)]
    if value.edited_from_chip:
        source.append(Paragraph("ICチップから変更", SECONDARY))
    return [label, cell, source]


def _write_in(field: FieldDefinition, reading: str | None, width: float) -> Any:
    """A field nobody filled: the choices to tick, or an empty box."""
    options = _options(field, "ja")
    if options:
        second = _options(field, reading) if reading is not None else options
        cell = [para(options, VALUE, width)]
        return cell + [para(second, SECONDARY, width)] if second != options else cell
    hint = Paragraph("ここに記入してください Please write here", HINT)
    style = [*_padded(), ("BOX", (0, 0), (-1, -1), 1.0, BLACK)]
    return Table([[hint]], colWidths=[width], rowHeights=[10 * mm], style=style)


def _options(field: FieldDefinition, language: str) -> str:
    if field.type is FieldType.CHOICE:
        return "　".join(f"□ {c.label.in_language(language)}" for c in field.choices)
    if field.type is FieldType.CHECKBOX:
        yes, no = (display_value(field, v, language) for v in ("true", "false"))
        return f"□ {yes}　□ {no}"
    return ""


def characters_to_check(form: FilledForm, field_id: str) -> tuple[str, ...]:
    """The field's 外字 and every character the font cannot print, once each, in order."""
    shown = display_value(form.form.definition.field(field_id), form.value(field_id).value)
    found = list(form.flags.get(field_id, ()))
    covered = register_fonts()
    extra = [c for c in dict.fromkeys(shown) if _is_selector(c) or ord(c) not in covered]
    return tuple(found + [c for c in extra if c not in found])


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    if _is_selector(char):
        return f"異体字セレクタ {code}（直前の字の字形を確認）"
    if ord(char) in register_fonts():
        return f"{char}（{code}）"
    return f"{GETA}（{code}・印字できない文字。手書きで補記）"


def _notes(entries: list[tuple[int, str, tuple[str, ...]]]) -> list[Any]:
    if not entries:
        return []
    lines = _pair(
        "外字: 職員が確認してください",
        "Characters outside JIS X 0208 or not in the font: the clerk checks them.",
        HEADING,
    )
    for mark, label, chars in entries:
        described = "、".join(_describe(char) for char in chars)
        lines.append(para(f"※外字{mark}　{label}：{described}", NOTE, WIDTH - 2 * PAD))
    style = [*_padded(), ("BOX", (0, 0), (-1, -1), 1.4, BLACK)]
    return [Spacer(1, GAP), Table([[lines]], colWidths=[WIDTH], style=style)]


def _signature() -> Any:
    """The box the resident signs in, at the foot of the form's last page."""
    statement = _pair(
        "上記の記載内容に誤りがないことを確認しました。",
        "I have checked that the entries above are correct.",
        SMALL,
    )
    box = _grid(
        [[_pair("署名欄（自署）", "Signature"), ""]],
        [LABEL_WIDTH, WIDTH - LABEL_WIDTH],
        1.2,
        rowHeights=[22 * mm],
    )
    together = Table(
        [[[*statement, Spacer(1, 1.5 * mm), box]]], colWidths=[WIDTH], style=_padded(pad=0)
    )
    return TopPadder(together)


def _form_story(
    form: FilledForm, record_id: str | None, reception: str, language: str, day: dt.date
) -> list[Any]:
    definition = form.form.definition
    reading = reading_language(definition, language)
    where = f"{definition.id} v{definition.version}　{record_id or ''}"
    page_info = (id(form), printable(definition.title.ja), reception, where)
    rows = [
        [
            _pair("項目", "Item", HEADING),
            _pair("記載内容", "Entry", HEADING),
            _pair("転記元", "Source", HEADING),
        ]
    ]
    entries: list[tuple[int, str, tuple[str, ...]]] = []
    for field in definition.fields:
        if chars := characters_to_check(form, field.id):
            entries.append((len(entries) + 1, field.label.ja, chars))
        rows.append(_row(field, form.value(field.id), len(entries) if chars else None, reading))
    widths = [LABEL_WIDTH, VALUE_WIDTH, SOURCE_WIDTH]
    table = _grid(rows[:-1], widths, repeatRows=1, splitInRow=1)
    table.setStyle([("BACKGROUND", (0, 0), (-1, 0), HEADING_SHADE)])
    # The last row goes along with the signature: a signature is never alone on a page.
    tail = KeepTogether([_grid(rows[-1:], widths), *_notes(entries), _signature()])
    mark = CallerMacro(lambda macro: setattr(macro.canv, "page_info", page_info))
    header = _header(form, record_id, reception, day, reading)
    return [mark, NextPageTemplate("later"), header, Spacer(1, GAP), table, tail]


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Holds the pages back until the end, to print "page N / M" of each form on them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self.held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        totals = Counter(state["page_info"][0] for state in self.held)
        done: Counter[int] = Counter()
        for state in self.held:
            self.__dict__.update(state)
            done[self.page_info[0]] += 1
            self._footer(f"{done[self.page_info[0]]} / {totals[self.page_info[0]]}")
            super().showPage()
        super().save()

    def _footer(self, page: str) -> None:
        _, _, reception, where = self.page_info
        top = MARGIN + 20 + 1 * mm  # two lines of 10 pt
        self.setLineWidth(0.5)
        self.setStrokeGray(0.4)
        self.line(LEFT, top + 1 * mm, LEFT + WIDTH, top + 1 * mm)
        self.setFont(REGULAR, 7.5)
        self.setFillGray(0.25)
        for n, right in enumerate((f"受付番号 {reception or '—'}　{page}", where)):
            self.drawString(LEFT, top - 7.7 - 10 * n, NOTICE[n])
            self.drawRightString(LEFT + WIDTH, top - 7.7 - 10 * n, right)


def _continued(canvas: Any, _doc: Any) -> None:
    """Top of a form's later pages: which form and reception they belong to."""
    _, title, reception, _ = canvas.page_info
    canvas.setFont(BOLD, 10)
    canvas.drawString(LEFT, TOP - 11, f"{title}（続き）")
    canvas.drawRightString(LEFT + WIDTH, TOP - 11, f"受付番号 {reception or '—'}")
    canvas.setLineWidth(0.6)
    canvas.line(LEFT, TOP - 14 - 1 * mm, LEFT + WIDTH, TOP - 14 - 1 * mm)


def build(
    forms: Sequence[FilledForm],
    record_ids: Sequence[str | None],
    out: BinaryIO,
    reception: str,
    language: str,
    received_on: dt.date | None,
) -> int:
    """Lay the forms out into ``out``, each from a new page; return the page count."""
    register_fonts()
    day = received_on or dt.date.today()
    frame = {"leftPadding": 0, "rightPadding": 0, "topPadding": 0, "bottomPadding": 0}
    first = Frame(LEFT, BOTTOM, WIDTH, TOP - BOTTOM, **frame)
    later = Frame(LEFT, BOTTOM, WIDTH, TOP - BOTTOM - CONTINUED_HEIGHT, **frame)
    templates = [PageTemplate("first", [first]), PageTemplate("later", [later], onPage=_continued)]
    title = f"受付番号 {reception}" if reception else "下書き"
    doc = BaseDocTemplate(
        out,
        pagesize=A4,
        pageTemplates=templates,
        title=title,
        creator="counterapp",
        initialFontName=REGULAR,
        pageCompression=1,
    )
    story: list[Any] = []
    for form, record_id in zip(forms, record_ids, strict=True):
        story += [NextPageTemplate("first"), PageBreak()] if story else []
        story += _form_story(form, record_id, reception, language, day)
    doc.build(story, canvasmaker=_NumberedCanvas)
    return int(doc.page)
