"""The printed form: readable Japanese with an embedded font, nothing cut off, 外字 never lost."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from PIL import Image
from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from cardreader.emulator.resident import (
    DEFAULT_RESIDENT,
    GAIJI_RESIDENT,
    LONG_ADDRESS_RESIDENT,
    Resident,
)
from cardreader.mynumber import MyNumber
from counterapp.forms import pdf_layout as layout
from counterapp.forms.filled import CardData, FilledForm
from counterapp.forms.loader import DefinitionError, LoadedForm, load_form, load_library
from counterapp.forms.pdf import PdfError, render_pdf
from counterapp.forms.prefill import (
    Answers,
    Context,
    add_card_row,
    add_hand_row,
    fill_event,
    fill_form,
)
from counterapp.wire.schema import IdentityMethod

RECEPTION = "A-0042"
RECORD_ID = "01JV7Q3M6Y8K2T4N9B5C1D0E7F"
CONTEXT = Context(today=dt.date(2025, 5, 1), municipality="千代田区")
SCALE = 2  # rendering scale: 144 dpi

# A form with every kind of row the printer draws, independent of the shared catalogue.
SAMPLE_FORM = """\
kind: form
id: pdf-sample
version: 1
basis: [{law: 住民基本台帳法, article: 第22条}]
title:
  ja: 住民異動届
  ja-easy: ひっこし の とどけ
  en: Notification of change of address
  zh: 住民迁移申报
  ko: 주민 이동 신고
  vi: Thông báo thay đổi nơi cư trú
  pt: Notificação de mudança de endereço
fields:
  - id: name
    type: text
    required: true
    prefill: card.name
    label: {ja: 氏名, ja-easy: なまえ, en: Full name, zh: 姓名, ko: 성명, vi: Họ và tên,
            pt: Nome completo}
  - id: address
    type: address
    required: true
    prefill: card.address
    label: {ja: 住所, ja-easy: じゅうしょ, en: Address, zh: 住址, ko: 주소, vi: Địa chỉ,
            pt: Endereço}
  - id: birth_date
    type: date
    prefill: card.birth_date
    label: {ja: 生年月日, ja-easy: うまれた ひ, en: Date of birth, zh: 出生日期, ko: 생년월일,
            vi: Ngày sinh, pt: Data de nascimento}
  - id: sex
    type: choice
    prefill: card.sex
    label: {ja: 性別, ja-easy: せいべつ, en: Sex, zh: 性别, ko: 성별, vi: Giới tính, pt: Sexo}
    choices:
      - {value: "1", label: {ja: 男, ja-easy: おとこ, en: Male, zh: 男, ko: 남, vi: Nam,
                             pt: Masculino}}
      - {value: "2", label: {ja: 女, ja-easy: おんな, en: Female, zh: 女, ko: 여, vi: Nữ,
                             pt: Feminino}}
  - id: moved_on
    type: date
    required: true
    label: {ja: 異動日, ja-easy: ひっこした ひ, en: Date of the move, zh: 迁移日期, ko: 이동일,
            vi: Ngày chuyển, pt: Data da mudança}
  - id: remarks
    type: text
    label: {ja: 備考, ja-easy: その ほか, en: Remarks, zh: 备注, ko: 비고, vi: Ghi chú,
            pt: Observações}
  - id: head_of_household
    type: checkbox
    label: {ja: 世帯主である, ja-easy: せたいぬし です, en: I am the head of the household,
            zh: 本人是户主, ko: 세대주임, vi: Tôi là chủ hộ, pt: Sou o chefe da família}
  - id: copies
    type: number
    label: {ja: 必要な通数, ja-easy: ほしい かず, en: Number of copies, zh: 所需份数,
            ko: 필요한 통수, vi: Số bản cần, pt: Número de cópias}
"""


@pytest.fixture(scope="module")
def sample_form(tmp_path_factory: pytest.TempPathFactory) -> LoadedForm:
    path = tmp_path_factory.mktemp("forms") / "pdf-sample.yaml"
    path.write_text(SAMPLE_FORM, encoding="utf-8")
    return load_form(path, catalogue={})


def card_of(resident: Resident) -> CardData:
    return CardData(
        resident.name,
        resident.address,
        resident.birth_date,
        resident.sex,
        MyNumber(resident.my_number),
    )


def filled(
    form: LoadedForm, resident: Resident = DEFAULT_RESIDENT, **resident_says: str
) -> FilledForm:
    return fill_form(form, card_of(resident), Answers(resident=resident_says), CONTEXT)


def render(forms: Sequence[FilledForm], language: str = "ja") -> tuple[bytes, int]:
    out = io.BytesIO()
    record_ids = [f"{RECORD_ID[:-1]}{n}" for n in range(len(forms))]
    pages = render_pdf(
        forms,
        out,
        reception_number=RECEPTION,
        record_ids=record_ids,
        language=language,
        received_on=dt.date(2025, 5, 1),
    )
    return out.getvalue(), pages


def page_texts(document: bytes) -> list[str]:
    pdf_document = pdfium.PdfDocument(document)
    return [page.get_textpage().get_text_range() for page in pdf_document]


def all_text(document: bytes) -> str:
    """Every page's text with line breaks removed, so a wrapped value reads as one."""
    return re.sub(r"[\r\n]", "", "".join(page_texts(document)))


def page_image(document: bytes, index: int = 0) -> Image.Image:
    image: Image.Image = pdfium.PdfDocument(document)[index].render(scale=SCALE).to_pil()
    return image.convert("L")


def dark_share(image: Image.Image) -> float:
    histogram = image.histogram()
    return sum(histogram[:128]) / sum(histogram)


def test_the_page_shows_the_residents_name_and_wareki_birth_date_as_text(
    sample_form: LoadedForm, tmp_path: Path
) -> None:
    document, pages = render([filled(sample_form, copies="2")])

    image = page_image(document)
    image.save(tmp_path / "page.png")
    assert pages == len(page_texts(document)) == 1
    assert image.size == (round(595.28 * SCALE), round(841.89 * SCALE))  # A4 portrait
    assert 0.02 < dark_share(image) < 0.35  # printed, not blank and not a black smear
    text = page_texts(document)[0]
    assert "番号　花子" in text  # exactly as the chip gives it, with the ideographic space
    assert "昭和55年2月17日" in text
    assert "住民異動届" in text
    assert RECEPTION in text
    assert "署名欄（自署）" in text
    assert "ICチップから転記" in text


def test_the_font_is_embedded_as_a_subset(sample_form: LoadedForm) -> None:
    document, _ = render([filled(sample_form)])

    assert b"/FontFile2" in document
    fonts = set(re.findall(rb"/BaseFont\s*/([^\s/]+)", document))
    assert fonts and all(re.fullmatch(rb"[A-Z]{6}\+BIZUDGothic-(Regular|Bold)", f) for f in fonts)
    assert len(document) < 400_000  # the whole 4.6 MB font is not copied in


def test_a_long_address_is_printed_whole(sample_form: LoadedForm) -> None:
    document, pages = render([filled(sample_form, LONG_ADDRESS_RESIDENT)])

    assert pages == 1
    assert LONG_ADDRESS_RESIDENT.address in all_text(document)
    # "２３０１号室" is one number: it is not split across two lines.
    assert any("２３０１号室" in line for line in page_texts(document)[0].splitlines())


def test_gaiji_are_marked_and_an_unprintable_one_becomes_geta_with_its_code_point(
    sample_form: LoadedForm,
) -> None:
    form = filled(sample_form, GAIJI_RESIDENT)
    assert form.flags == {"name": ("髙", "𠮷")}

    document, _ = render([form])

    text = all_text(document)
    assert "髙橋　〓男" in text  # 髙 has a glyph; 𠮷 (U+20BB7) has none and prints as 〓
    assert "外字: 職員が確認してください" in text
    assert "U+9AD9" in text
    assert "U+20BB7" in text
    assert "※外字1" in text


def test_a_field_still_to_fill_is_an_empty_box(sample_form: LoadedForm) -> None:
    with_remark = filled(sample_form, remarks="特になし")
    without = filled(sample_form)

    text_with = page_texts(render([with_remark])[0])[0]
    text_without = page_texts(render([without])[0])[0]

    assert "特になし" in text_with
    assert text_without.count("ここに記入してください") == 3  # 異動日, 備考 and 必要な通数
    assert text_with.count("ここに記入してください") == 2
    assert "□ はい　□ いいえ" in text_without  # a blank checkbox offers both to tick


def test_each_form_starts_on_its_own_page_and_the_count_is_returned(
    sample_form: LoadedForm,
) -> None:
    forms = [filled(sample_form), filled(sample_form, LONG_ADDRESS_RESIDENT)]

    document, pages = render(forms)

    texts = page_texts(document)
    assert pages == len(texts) == 2
    assert "番号　花子" in texts[0] and "番号　花子" not in texts[1]
    assert all("住民異動届" in text and RECEPTION in text for text in texts)


def test_the_record_id_is_printed_and_its_qr_code_is_on_the_page(sample_form: LoadedForm) -> None:
    document, _ = render([filled(sample_form)])
    record_id = f"{RECORD_ID[:-1]}0"

    assert record_id in page_texts(document)[0]
    # No QR decoder is installed, so read the printed modules back and compare them with
    # the QR encoding of the record id (error correction M).
    expected = qr_modules(record_id)
    assert _printed_qr(page_image(document), len(expected)) == expected


def qr_modules(value: str) -> list[list[bool]]:
    code = QRCode(None, QRErrorCorrectLevel.M)
    code.addData(value)
    code.make()
    return [[bool(module) for module in row] for row in code.modules]


def _qr_corner(image: Image.Image) -> Image.Image:
    """The square at the top right of the printed area where the QR code goes, dark as 255."""
    right, top = (layout.LEFT + layout.WIDTH) * SCALE, (layout.PAGE_HEIGHT - layout.TOP) * SCALE
    size = layout.QR_SIZE * SCALE
    return image.crop((int(right - size), int(top), int(right), int(top + size))).point(
        lambda p: 255 if p < 128 else 0
    )


def _printed_qr(image: Image.Image, count: int) -> list[list[bool]]:
    """The modules of the printed QR code, row by row."""
    corner = _qr_corner(image)
    left, top, right, bottom = corner.getbbox() or (0, 0, 0, 0)  # from the finder patterns
    step = (right - left) / count
    assert step > 0 and abs((bottom - top) - (right - left)) < step  # a square
    return [
        [
            corner.getpixel((int(left + (col + 0.5) * step), int(top + (row + 0.5) * step))) == 255
            for col in range(count)
        ]
        for row in range(count)
    ]


def test_a_value_longer_than_a_page_flows_onto_the_next_without_losing_text(
    sample_form: LoadedForm,
) -> None:
    remark = "".join(f"第{n}項の補足説明です。" for n in range(1, 301))

    document, pages = render([filled(sample_form, remarks=remark)])

    assert pages >= 3
    assert remark in _value_column(document)
    assert "（続き）" in page_texts(document)[1]
    assert "署名欄（自署）" in page_texts(document)[-1]


def _value_column(document: bytes) -> str:
    """The text of the table's value column, page after page, without the column heading."""
    left = layout.LEFT + layout.LABEL_WIDTH
    top = layout.TOP  # below the heading of a continued page
    texts = [
        page.get_textpage().get_text_bounded(left, layout.BOTTOM, left + layout.VALUE_WIDTH, top)
        for page in pdfium.PdfDocument(document)
    ]
    return re.sub(r"[\r\n]|記載内容|Entry", "", "".join(texts))


def test_another_language_is_printed_under_the_japanese(sample_form: LoadedForm) -> None:
    document, _ = render([filled(sample_form)], language="pt")

    text = all_text(document)
    assert "住民異動届" in text
    assert "Notificação de mudança de endereço" in text
    assert "Nome completo" in text
    assert "Feminino" in text


def test_a_language_the_font_cannot_print_falls_back_to_english_not_tofu(
    sample_form: LoadedForm,
) -> None:
    document, _ = render([filled(sample_form)], language="ko")

    text = all_text(document)
    assert "Notification of change of address" in text
    assert "Full name" in text
    assert not re.search("[\uac00-\ud7a3〓]", text)  # no Hangul the font lacks, no 〓


def test_wrapping_keeps_every_character_within_the_width() -> None:
    layout.register_fonts()
    text = LONG_ADDRESS_RESIDENT.address + " Rua das Flores, 1234 — São Paulo"
    width = 60 * mm
    font, size = layout.VALUE.fontName, layout.VALUE.fontSize

    lines = layout.wrap(text, layout.VALUE, width)

    assert len(lines) > 1
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert all(stringWidth(line, font, size) <= width for line in lines)
    assert not any(line.startswith(("、", "。", "）")) for line in lines)  # 行頭禁則


def test_a_draft_without_record_ids_prints_to_a_file_without_a_qr_code(
    sample_form: LoadedForm, tmp_path: Path
) -> None:
    # The clerk window prints a visit before it is saved: no reception number, no record ids.
    path = tmp_path / "draft.pdf"

    pages = render_pdf([filled(sample_form)], path, reception_number="", record_ids=())

    document = path.read_bytes()
    assert pages == len(page_texts(document)) == 1
    text = page_texts(document)[0]
    assert "番号　花子" in text and "署名欄（自署）" in text
    assert "下書き" in text
    assert _qr_corner(page_image(document)).getbbox() is None  # no QR code


def test_a_failed_print_leaves_the_file_as_it_was(sample_form: LoadedForm, tmp_path: Path) -> None:
    path = tmp_path / "visit.pdf"
    path.write_bytes(b"%PDF- an earlier print")
    form = filled(sample_form)

    with pytest.raises(PdfError, match="record ids") as mismatch:
        render_pdf([form], path, reception_number=RECEPTION, record_ids=["a", "b"])
    with pytest.raises(PdfError) as unwritable:
        render_pdf([form], tmp_path, reception_number=RECEPTION, record_ids=["a"])  # a folder

    assert mismatch.value.message_key == unwritable.value.message_key == "form.pdf_failed"
    assert path.read_bytes() == b"%PDF- an earlier print"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["visit.pdf"]  # no 0-byte or part file


def test_every_form_of_the_library_prints() -> None:
    try:
        library = load_library()
    except DefinitionError as exc:
        pytest.skip(f"the form library does not load right now: {exc.source}")
    forms = [filled(loaded) for loaded in library.forms.values()]

    document, pages = render(forms)

    assert pages >= len(forms) > 0
    assert len(page_texts(document)) == pages


def test_starting_the_cli_does_not_load_reportlab() -> None:
    # reportlab loads when a PDF is made, not when the CLI (which imports render_pdf) starts.
    code = "import sys, counterapp.cli.form; print(any(m[:9] == 'reportlab' for m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert loaded.stdout.strip() == "False"


def test_the_page_says_how_the_resident_was_identified(sample_form: LoadedForm) -> None:
    out = io.BytesIO()
    render_pdf([filled(sample_form)], out, identity_method=IdentityMethod.MANUAL)
    manual = all_text(out.getvalue())
    assert "本人確認" in manual and "カードを使わずに受付（手入力）" in manual
    assert "Without the card (typed by the clerk)" in manual
    card, _ = render([filled(sample_form)])  # the card with its PINs: today's path
    assert "マイナンバーカード（暗証番号）" in all_text(card) and "手入力" not in all_text(card)


def test_a_persons_heading_is_never_left_alone_at_the_foot_of_a_page() -> None:
    """A household of four on the 転入 forms: each 「N人目」 heading shares its page with at
    least the person's first row (it was left alone at the foot of page 1)."""
    library = load_library()
    event = library.event("moving-in")
    answers = Answers(questions={q.id: True for q in event.questions})
    forms = []
    for form in fill_event(library, event, card_of(DEFAULT_RESIDENT), answers, CONTEXT):
        for group in form.form.definition.groups:
            for resident in (GAIJI_RESIDENT, LONG_ADDRESS_RESIDENT):
                form = add_card_row(form, group.id, card_of(resident), CONTEXT)
            form = add_hand_row(form, group.id, {group.fields[0].id: "手入力　太郎"})
        forms.append(form)
    document, _ = render(forms)
    headed = 0
    for text in page_texts(document):
        table = text.split("ICチップから転記")[0]  # the page without its footer
        rows = [line for line in table.splitlines() if line.strip()]
        headed += sum("人目（" in line for line in rows)
        assert not any("人目（" in line for line in rows[-2:]), rows[-3:]  # heading + its en line
    assert headed >= 4 * 2  # the persons of at least two forms were printed
