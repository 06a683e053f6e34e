"""Filled forms as an A4 PDF that the resident checks and signs at the counter.

Text is set in BIZ UDゴシック (``resources/fonts/``), embedded as a subset. A character
the font has no glyph for (e.g. 𠮷 U+20BB7) is printed as 〓 and listed by code point in
a footnote so the clerk can write it by hand: nothing the chip gave is silently dropped.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import BinaryIO, Literal, Protocol

from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from counterapp.forms.definition import FieldDefinition, FieldType, FormDefinition, Text
from counterapp.forms.display import display_date, display_value
from counterapp.forms.filled import FieldValue, FilledForm, Source
from counterapp.resources import resource_path

REGULAR = "BIZUDGothic"
BOLD = "BIZUDGothic-Bold"
FONT_FILES = {REGULAR: "BIZUDGothic-Regular.ttf", BOLD: "BIZUDGothic-Bold.ttf"}
GETA = "〓"  # 下駄記号: the traditional stand-in for a character that cannot be printed

mm = 72 / 25.4  # points per millimetre
PAGE_WIDTH, PAGE_HEIGHT = 210 * mm, 297 * mm  # A4 portrait
MARGIN = 18 * mm
LEFT = MARGIN
WIDTH = PAGE_WIDTH - 2 * MARGIN
TOP = PAGE_HEIGHT - MARGIN
FOOTER_HEIGHT = 16 * mm
BOTTOM = MARGIN + FOOTER_HEIGHT  # the lowest line content may reach
GAP = 4 * mm
PAD = 1.8 * mm

LABEL_WIDTH = 46 * mm
SOURCE_WIDTH = 21 * mm
VALUE_WIDTH = WIDTH - LABEL_WIDTH - SOURCE_WIDTH
MIN_ROW_HEIGHT = 9 * mm
WRITE_IN_HEIGHT = 14 * mm
QR_SIZE = 26 * mm
SIGNATURE_HEIGHT = 22 * mm

# Characters that may not start a line (行頭禁則), kept to the common ones.
NO_LINE_START = frozenset(
    "、。，．・：；？！）」』】〕〉》ー々ぁぃぅぇぉっゃゅょァィゥェォッャュョ,.:;!?)]}"
)
# Runs of Latin letters (with Vietnamese and Portuguese accents) and of digits, half or full
# width, break only between words: "２３０１号室" must not be read as "２３" and "０１号室".
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


@dataclass(frozen=True)
class Style:
    font: str
    size: float
    leading: float
    gray: float = 0.0  # 0 is black


TITLE = Style(BOLD, 17, 23)
SUBTITLE = Style(REGULAR, 10.5, 15, 0.3)
HEADING = Style(BOLD, 10, 14)
LABEL = Style(BOLD, 10, 13)
SECONDARY = Style(REGULAR, 8, 10, 0.35)
VALUE = Style(REGULAR, 12, 16)
RECEPTION = Style(REGULAR, 11, 15)
MARK = Style(BOLD, 9, 13)
SMALL = Style(REGULAR, 8, 11)
NOTE = Style(REGULAR, 9.5, 13)
HINT = Style(REGULAR, 7.5, 10, 0.45)
FOOTER = Style(REGULAR, 7.5, 10, 0.25)


@dataclass(frozen=True)
class Line:
    text: str
    style: Style


class Block(Protocol):
    """Something drawn across the page width below ``top``."""

    @property
    def height(self) -> float: ...

    def draw(self, canvas: Canvas, top: float) -> None: ...


def render_pdf(
    forms: Sequence[FilledForm],
    out: BinaryIO,
    *,
    reception_number: str,
    record_ids: Sequence[str],
    language: str = "ja",
    received_on: dt.date | None = None,
) -> int:
    """Write the forms as one A4 PDF (one or more pages per form); return the page count."""
    if not forms or len(record_ids) != len(forms):
        raise ValueError("render_pdf needs at least one form and exactly one record id per form")
    register_fonts()
    day = received_on or dt.date.today()
    canvas = Canvas(
        out, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), pageCompression=1, initialFontName=REGULAR
    )
    canvas.setTitle(f"受付番号 {reception_number}")
    canvas.setCreator("counterapp")
    pages = 0
    for form, record_id in zip(forms, record_ids, strict=True):
        plan = _plan_form(form, record_id, reception_number, day, language)
        _draw_form(canvas, plan, form, record_id, reception_number)
        pages += len(plan)
    canvas.save()
    return pages


@functools.cache
def register_fonts() -> frozenset[int]:
    """Register BIZ UDゴシック with reportlab; return the code points both weights can draw."""
    covered: frozenset[int] | None = None
    for name, file_name in FONT_FILES.items():
        font = TTFont(name, str(resource_path("fonts", file_name)))
        pdfmetrics.registerFont(font)
        glyphs = frozenset(int(code) for code in font.face.charToGlyph)
        covered = glyphs if covered is None else covered & glyphs
    assert covered is not None
    return covered


def printable(text: str) -> str:
    """The text as it can be printed: 〓 for each character the font cannot draw."""
    return "".join(_printable_char(char) for char in text)


def can_print(char: str) -> bool:
    """Whether the embedded font has a glyph for this character."""
    return ord(char) in register_fonts()


def _printable_char(char: str) -> str:
    if _is_variation_selector(char):
        return ""  # the base character is printed; the footnote names the selector
    if char in "\t\r\n":
        return " "
    return char if can_print(char) else GETA


def _is_variation_selector(char: str) -> bool:
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _fully_printable(text: str) -> bool:
    return all(can_print(char) for char in text)


# --- line breaking -------------------------------------------------------------------


def wrap(text: str, style: Style, width: float) -> list[Line]:
    """The text broken into lines no wider than ``width``; every character is kept."""
    lines: list[Line] = []
    for paragraph in text.splitlines() or [""]:
        lines.extend(Line(part, style) for part in _wrap_paragraph(paragraph, style, width))
    return lines


def _wrap_paragraph(text: str, style: Style, width: float) -> list[str]:
    lines: list[list[str]] = [[]]
    for token in _tokens(text, style, width):
        if lines[-1] and _width("".join([*lines[-1], token]), style) > width:
            if token == " ":
                continue  # a line break replaces the space between two words
            lines.append(_start_line(lines[-1], token, style, width))
        lines[-1].append(token)
    return ["".join(line).rstrip(" ") for line in lines]


def _tokens(text: str, style: Style, width: float) -> Iterator[str]:
    for token in TOKEN.findall(text):
        if len(token) > 1 and _width(token, style) > width:
            yield from token  # a word longer than the line breaks anywhere
        else:
            yield token


def _start_line(previous: list[str], token: str, style: Style, width: float) -> list[str]:
    """A new line; a closing mark may not start it, so it takes the last token along."""
    closing = token[0] in NO_LINE_START and len(previous) > 1
    if closing and _width(previous[-1] + token, style) <= width:
        return [previous.pop()]
    return []


def _width(text: str, style: Style) -> float:
    return float(pdfmetrics.stringWidth(text, style.font, style.size))


def _height(lines: Sequence[Line]) -> float:
    return sum(line.style.leading for line in lines)


def _draw_lines(
    canvas: Canvas,
    lines: Sequence[Line],
    x: float,
    top: float,
    width: float = 0.0,
    align: Literal["left", "center", "right"] = "left",
) -> None:
    for line in lines:
        style = line.style
        baseline = top - (style.leading - style.size) / 2 - 0.86 * style.size
        canvas.setFont(style.font, style.size)
        canvas.setFillGray(style.gray)
        if align == "center":
            canvas.drawCentredString(x + width / 2, baseline, line.text)
        elif align == "right":
            canvas.drawRightString(x + width, baseline, line.text)
        else:
            canvas.drawString(x, baseline, line.text)
        top -= style.leading
    canvas.setFillGray(0)


def reading_language(definition: FormDefinition, language: str) -> str | None:
    """The language printed under the Japanese (None for ja; en where the font lacks letters)."""
    # BIZ UDゴシック lacks Hangul, some Simplified Chinese and some Vietnamese letters: rather
    # than mix languages or print tofu, a form whose texts it cannot all print uses English.
    if language == "ja":
        return None
    texts = [definition.title, *(f.label for f in definition.fields)]
    texts += [choice.label for f in definition.fields for choice in f.choices]
    if all(_fully_printable(text.in_language(language)) for text in texts):
        return language
    return "en"


def _secondary(text: Text, reading: str | None) -> str | None:
    """The text in the reading language, or None when there is nothing to add to the Japanese."""
    if reading is None or text.in_language(reading) == text.ja:
        return None
    return text.in_language(reading)


# --- blocks --------------------------------------------------------------------------


@dataclass(frozen=True)
class Header:
    """First page: title, reception number and date, and the record id as a QR code."""

    title: tuple[Line, ...]
    reception: tuple[tuple[tuple[Line, ...], tuple[Line, ...]], ...]
    record_id: str

    @property
    def height(self) -> float:
        left = _height(self.title) + GAP + sum(self._cell_height(row) for row in self.reception)
        right = QR_SIZE + HINT.leading * 2
        return max(left, right) + GAP

    def draw(self, canvas: Canvas, top: float) -> None:
        title_width = WIDTH - QR_SIZE - GAP
        _draw_lines(canvas, self.title, LEFT, top, title_width, "center")
        y = top - _height(self.title) - GAP
        for row in self.reception:
            y -= self._draw_cell(canvas, row, y)
        self._draw_qr(canvas, top)

    def _cell_height(self, row: tuple[tuple[Line, ...], tuple[Line, ...]]) -> float:
        return max(_height(row[0]), _height(row[1])) + 2 * PAD

    def _draw_cell(
        self, canvas: Canvas, row: tuple[tuple[Line, ...], tuple[Line, ...]], top: float
    ) -> float:
        height = self._cell_height(row)
        label_width, value_width = 34 * mm, 84 * mm
        _box(canvas, LEFT, top - height, label_width, height, fill=0.92)
        _box(canvas, LEFT + label_width, top - height, value_width, height)
        _draw_lines(canvas, row[0], LEFT + PAD, top - PAD)
        _draw_lines(canvas, row[1], LEFT + label_width + PAD, top - PAD)
        return height

    def _draw_qr(self, canvas: Canvas, top: float) -> None:
        x = LEFT + WIDTH - QR_SIZE
        draw_qr(canvas, self.record_id, x, top - QR_SIZE, QR_SIZE)
        caption = (Line("記録ID Record ID", HINT), Line(self.record_id, HINT))
        _draw_lines(canvas, caption, x - 20 * mm, top - QR_SIZE, QR_SIZE + 20 * mm, "right")


@dataclass(frozen=True)
class Continued:
    """Top of a form's later pages: which form and reception they belong to."""

    title: str
    reception_number: str
    height: float = 9 * mm

    def draw(self, canvas: Canvas, top: float) -> None:
        _draw_lines(canvas, [Line(f"{self.title}（続き）", HEADING)], LEFT, top)
        reception = [Line(f"受付番号 {self.reception_number}", HEADING)]
        _draw_lines(canvas, reception, LEFT, top, WIDTH, "right")
        canvas.setLineWidth(0.6)
        canvas.line(
            LEFT, top - HEADING.leading - 1 * mm, LEFT + WIDTH, top - HEADING.leading - 1 * mm
        )


@dataclass(frozen=True)
class Row:
    """One table row: a field's label, its value (or a box to write in) and its source."""

    label: tuple[Line, ...]
    value: tuple[Line, ...]
    source: tuple[Line, ...]
    write_in: bool = False
    heading: bool = False

    @property
    def height(self) -> float:
        content = max(_height(self.label), _height(self.value), _height(self.source))
        minimum = WRITE_IN_HEIGHT if self.write_in else MIN_ROW_HEIGHT
        return max(content + 2 * PAD, minimum)

    def draw(self, canvas: Canvas, top: float) -> None:
        bottom, height = top - self.height, self.height
        value_x = LEFT + LABEL_WIDTH
        source_x = value_x + VALUE_WIDTH
        shade = 0.85 if self.heading else 0.93
        _box(canvas, LEFT, bottom, LABEL_WIDTH, height, fill=shade)
        _box(canvas, value_x, bottom, VALUE_WIDTH, height, fill=shade if self.heading else None)
        _box(canvas, source_x, bottom, SOURCE_WIDTH, height, fill=shade if self.heading else None)
        if self.write_in:
            inner = (value_x + PAD, bottom + PAD, VALUE_WIDTH - 2 * PAD, height - 2 * PAD)
            _box(canvas, *inner, line_width=1.0)
        _draw_lines(canvas, self.label, LEFT + PAD, top - PAD)
        _draw_lines(canvas, self.value, value_x + PAD + (PAD if self.write_in else 0), top - PAD)
        _draw_lines(canvas, self.source, source_x + PAD, top - PAD)

    def split(self, space: float) -> tuple[Row, Row] | None:
        """This row cut into a part that fits ``space`` and the rest; None if it cannot be cut."""
        kept: list[Line] = []
        for line in self.value:
            if _height([*kept, line]) + 2 * PAD > space:
                break
            kept.append(line)
        first = replace(self, value=tuple(kept))
        if not kept or len(kept) == len(self.value) or first.height > space:
            return None
        rest_label = (*self.label[:1], Line("（続き）", SECONDARY))
        return first, replace(self, label=rest_label, value=self.value[len(kept) :])


@dataclass(frozen=True)
class Notes:
    """The 外字 footnote: each character the clerk has to check, by code point."""

    lines: tuple[Line, ...]

    @property
    def height(self) -> float:
        return _height(self.lines) + 2 * PAD + GAP

    def draw(self, canvas: Canvas, top: float) -> None:
        top -= GAP
        _box(canvas, LEFT, top - self.height + GAP, WIDTH, self.height - GAP, line_width=1.4)
        _draw_lines(canvas, self.lines, LEFT + PAD, top - PAD)


@dataclass(frozen=True)
class Signature:
    """The box the resident signs in, at the bottom of a form's last page."""

    statement: tuple[Line, ...]

    @property
    def height(self) -> float:
        return _height(self.statement) + 1.5 * mm + SIGNATURE_HEIGHT

    def draw(self, canvas: Canvas, top: float) -> None:
        _draw_lines(canvas, self.statement, LEFT, top)
        box_top = top - _height(self.statement) - 1.5 * mm
        bottom = box_top - SIGNATURE_HEIGHT
        _box(canvas, LEFT, bottom, LABEL_WIDTH, SIGNATURE_HEIGHT, fill=0.93, line_width=1.2)
        _box(
            canvas,
            LEFT + LABEL_WIDTH,
            bottom,
            WIDTH - LABEL_WIDTH,
            SIGNATURE_HEIGHT,
            line_width=1.2,
        )
        label = (Line("署名欄（自署）", LABEL), Line("Signature", SECONDARY))
        _draw_lines(canvas, label, LEFT + PAD, box_top - PAD)


def qr_modules(value: str) -> list[list[bool]]:
    """The QR code of ``value`` (error correction M), row by row from the top; True is dark."""
    code = QRCode(None, QRErrorCorrectLevel.M)
    code.addData(value)
    code.make()
    return [[bool(module) for module in row] for row in code.modules]


def draw_qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    """Draw ``value`` as a QR code, quiet zone included, in the square at (x, y)."""
    modules = qr_modules(value)
    quiet = 4  # modules of white border the standard asks for
    step = size / (len(modules) + 2 * quiet)
    canvas.setFillGray(0)
    for row_number, row in enumerate(modules):
        row_y = y + size - (quiet + row_number + 1) * step
        for start, length in _dark_runs(row):
            canvas.rect(x + (quiet + start) * step, row_y, length * step, step, stroke=0, fill=1)


def _dark_runs(row: Sequence[bool]) -> Iterator[tuple[int, int]]:
    """(start, length) of each run of dark modules: one rectangle per run, no hairline gaps."""
    start = None
    for index, dark in enumerate([*row, False]):
        if dark and start is None:
            start = index
        elif not dark and start is not None:
            yield start, index - start
            start = None


def _box(
    canvas: Canvas,
    x: float,
    y: float,
    width: float,
    height: float,
    *,
    fill: float | None = None,
    line_width: float = 0.6,
) -> None:
    canvas.setLineWidth(line_width)
    if fill is not None:
        canvas.setFillGray(fill)
    canvas.rect(x, y, width, height, stroke=1, fill=0 if fill is None else 1)
    canvas.setFillGray(0)


# --- building the blocks of one form -----------------------------------------------


def _header(
    form: FilledForm, record_id: str, reception_number: str, day: dt.date, reading: str | None
) -> Header:
    title_width = WIDTH - QR_SIZE - GAP
    title = form.form.definition.title
    lines = wrap(printable(title.ja), TITLE, title_width)
    second = _secondary(title, reading)
    if second is not None:
        lines += wrap(printable(second), SUBTITLE, title_width)
    reception = (
        (
            (Line("受付番号", LABEL), Line("Reception No.", SECONDARY)),
            (Line(reception_number, RECEPTION),),
        ),
        (
            (Line("受付日", LABEL), Line("Date", SECONDARY)),
            (Line(display_date(day.isoformat()), RECEPTION),),
        ),
    )
    return Header(tuple(lines), reception, record_id)


def _table_heading() -> Row:
    return Row(
        (Line("項目", HEADING), Line("Item", SECONDARY)),
        (Line("記載内容", HEADING), Line("Entry", SECONDARY)),
        (Line("転記元", HEADING), Line("Source", SECONDARY)),
        heading=True,
    )


def _row(
    definition: FieldDefinition, value: FieldValue, mark: int | None, reading: str | None
) -> Row:
    label = wrap(printable(definition.label.ja), LABEL, LABEL_WIDTH - 2 * PAD)
    second = _secondary(definition.label, reading)
    if second is not None:
        label += wrap(printable(second), SECONDARY, LABEL_WIDTH - 2 * PAD)
    source = _source_lines(definition, value)
    if not value.value:
        return _write_in_row(definition, tuple(label), source, reading)
    lines = _value_lines(definition, value.value, reading)
    if mark is not None:
        lines += wrap(f"※外字{mark}　下の注を確認", MARK, VALUE_WIDTH - 2 * PAD)
    return Row(tuple(label), tuple(lines), source)


def _value_lines(definition: FieldDefinition, value: str, reading: str | None) -> list[Line]:
    width = VALUE_WIDTH - 2 * PAD
    shown = display_value(definition, value, "ja")
    lines = wrap(printable(shown), VALUE, width)
    if reading is not None and definition.type in (FieldType.CHOICE, FieldType.CHECKBOX):
        translated = display_value(definition, value, reading)
        if translated != shown:
            lines += wrap(printable(translated), SECONDARY, width)
    return lines


def _write_in_row(
    definition: FieldDefinition,
    label: tuple[Line, ...],
    source: tuple[Line, ...],
    reading: str | None,
) -> Row:
    """A field nobody filled: an empty box, or the choices to tick."""
    width = VALUE_WIDTH - 2 * PAD
    options = _options(definition, "ja")
    if options:
        lines = wrap(printable(options), VALUE, width)
        second = _options(definition, reading) if reading is not None else options
        if second != options:
            lines += wrap(printable(second), SECONDARY, width)
        return Row(label, tuple(lines), source)
    hint = (Line("ここに記入してください Please write here", HINT),)
    return Row(label, hint, source, write_in=True)


def _options(definition: FieldDefinition, language: str) -> str:
    if definition.type is FieldType.CHOICE:
        return "　".join(f"□ {c.label.in_language(language)}" for c in definition.choices)
    if definition.type is FieldType.CHECKBOX:
        yes = display_value(definition, "true", language)
        no = display_value(definition, "false", language)
        return f"□ {yes}　□ {no}"
    return ""


def _source_lines(definition: FieldDefinition, value: FieldValue) -> tuple[Line, ...]:
    if not value.value:
        needed = "（必須）" if definition.required else "（任意）"
        return (Line(SOURCE_LABELS[Source.BLANK], LABEL), Line(needed, SECONDARY))
    lines = [Line(SOURCE_LABELS[value.source], SMALL)]
    if value.edited_from_chip:
        lines.append(Line("ICチップから変更", SECONDARY))
    return tuple(lines)


def characters_to_check(form: FilledForm, field_id: str) -> tuple[str, ...]:
    """The field's 外字 and every character the font cannot print, once each, in order."""
    value = form.value(field_id)
    shown = display_value(form.form.definition.field(field_id), value.value)
    found = list(form.flags.get(field_id, ()))
    for char in shown:
        if char not in found and (_is_variation_selector(char) or not can_print(char)):
            found.append(char)
    return tuple(found)


def _describe(char: str) -> str:
    code = f"U+{ord(char):04X}"
    if _is_variation_selector(char):
        return f"異体字セレクタ {code}（直前の字の字形を確認）"
    if can_print(char):
        return f"{char}（{code}）"
    return f"{GETA}（{code}・印字できない文字。手書きで補記）"


def _notes(entries: Sequence[tuple[int, str, tuple[str, ...]]]) -> Notes:
    width = WIDTH - 2 * PAD
    lines = [
        Line("外字: 職員が確認してください", HEADING),
        Line("Characters outside JIS X 0208 or not in the font: the clerk checks them.", SECONDARY),
    ]
    for mark, label, chars in entries:
        described = "、".join(_describe(char) for char in chars)
        lines += wrap(f"※外字{mark}　{printable(label)}：{described}", NOTE, width)
    return Notes(tuple(lines))


def _signature() -> Signature:
    statement = (
        Line("上記の記載内容に誤りがないことを確認しました。", SMALL),
        Line("I have checked that the entries above are correct.", SECONDARY),
    )
    return Signature(statement)


# --- pages ---------------------------------------------------------------------------

Placed = tuple[Block, float]  # a block and the y of its top edge


class _Composer:
    """Stacks a form's blocks down its pages, starting a new page when one is full."""

    def __init__(self, first: Block, continued: Block, heading: Row) -> None:
        self.pages: list[list[Placed]] = [[]]
        self.continued, self.heading = continued, heading
        self.top = TOP
        self.in_table = False
        self._put(first)

    @property
    def space(self) -> float:
        return self.top - BOTTOM

    def start_table(self) -> None:
        self.place(self.heading)
        self.in_table = True

    def end_table(self) -> None:
        self.in_table = False

    def place(self, block: Block) -> None:
        if block.height > self.space:
            self.new_page()
        self._put(block)

    def place_row(self, row: Row) -> None:
        if self.space < row.height <= self._fresh_space():
            self.new_page()
        while row.height > self.space:
            parts = row.split(self.space)
            if parts is None and self.space >= self._fresh_space():
                break  # cannot be cut any further: let it run long rather than loop
            if parts is None:
                self.new_page()
                continue
            self._put(parts[0])
            self.new_page()
            row = parts[1]
        self._put(row)

    def place_at_bottom(self, block: Block) -> None:
        if block.height > self.space:
            # A signature alone on a page could be put under other contents: take some along.
            carried = self._take_trailing_row()
            self.new_page()
            if any(isinstance(item, Row) for item in carried):
                self._put(self.heading)
            for item in carried:
                self._put(item)
        self.pages[-1].append((block, BOTTOM + block.height))
        self.top = BOTTOM

    def _take_trailing_row(self) -> list[Block]:
        """The page's last blocks up to and including its last row, if another row stays."""
        page = self.pages[-1]
        rows = [index for index, (item, _) in enumerate(page) if _is_field_row(item)]
        if len(rows) < 2:
            return []
        taken = page[rows[-1] :]
        del page[rows[-1] :]
        return [item for item, _ in taken]

    def new_page(self) -> None:
        self.pages.append([])
        self.top = TOP
        self._put(self.continued)
        if self.in_table:
            self._put(self.heading)

    def _fresh_space(self) -> float:
        return TOP - BOTTOM - self.continued.height - (self.heading.height if self.in_table else 0)

    def _put(self, block: Block) -> None:
        self.pages[-1].append((block, self.top))
        self.top -= block.height


def _is_field_row(block: Block) -> bool:
    return isinstance(block, Row) and not block.heading


def _plan_form(
    form: FilledForm, record_id: str, reception_number: str, day: dt.date, language: str
) -> list[list[Placed]]:
    """The form's blocks placed on its pages."""
    definition = form.form.definition
    reading = reading_language(definition, language)
    header = _header(form, record_id, reception_number, day, reading)
    composer = _Composer(
        header, Continued(printable(definition.title.ja), reception_number), _table_heading()
    )
    composer.start_table()
    entries: list[tuple[int, str, tuple[str, ...]]] = []
    for field in definition.fields:
        chars = characters_to_check(form, field.id)
        mark = len(entries) + 1 if chars else None
        if mark is not None:
            entries.append((mark, field.label.ja, chars))
        composer.place_row(_row(field, form.value(field.id), mark, reading))
    composer.end_table()
    if entries:
        composer.place(_notes(entries))
    composer.place_at_bottom(_signature())
    return composer.pages


def _draw_form(
    canvas: Canvas, plan: list[list[Placed]], form: FilledForm, record_id: str, reception: str
) -> None:
    for number, page in enumerate(plan, start=1):
        for block, top in page:
            block.draw(canvas, top)
        _draw_footer(canvas, form, record_id, reception, f"{number} / {len(plan)}")
        canvas.showPage()


def _draw_footer(
    canvas: Canvas, form: FilledForm, record_id: str, reception: str, page: str
) -> None:
    top = MARGIN + 2 * FOOTER.leading + 1 * mm
    canvas.setLineWidth(0.5)
    canvas.setStrokeGray(0.4)
    canvas.line(LEFT, top + 1 * mm, LEFT + WIDTH, top + 1 * mm)
    canvas.setStrokeGray(0)
    notice = (
        Line(
            "ICチップから転記：「ICチップ」欄はマイナンバーカードのICチップの記録を写したものです。",
            FOOTER,
        ),
        Line("Pre-filled from the My Number card's IC chip. Please check every entry.", FOOTER),
    )
    _draw_lines(canvas, notice, LEFT, top)
    definition = form.form.definition
    where = (
        Line(f"受付番号 {reception}　{page}", FOOTER),
        Line(f"{definition.id} v{definition.version}　{record_id}", FOOTER),
    )
    _draw_lines(canvas, where, LEFT, top, WIDTH, "right")
