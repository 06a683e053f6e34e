"""The clerk's working layer: refused submits, explicit drafts, 本日の申請, the slip."""

from __future__ import annotations

from pathlib import Path

import pypdfium2
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from cardreader.emulator.resident import DEFAULT_RESIDENT
from counterapp import outbox
from counterapp.audit import entries as audit_entries
from counterapp.queue import worklist_counts
from counterapp.settings import Settings, load_settings
from counterapp.vault import KEY_FILE
from tests.counterapp.cli_runner import run_counterapp
from tests.ui.test_clerk import (
    MakeContext,
    moving_in_forms,
    open_window,
    read_to_forms,
)
from ui.clerk.window import ClerkWindow
from ui.context import build_context
from ui.i18n import LANGUAGES, t

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = CTRL | Qt.KeyboardModifier.ShiftModifier


def _audit(window: ClerkWindow) -> list[tuple[str, str | None, dict[str, object]]]:
    return [(e.event, e.record_id, e.detail) for e in audit_entries(window.context.audit.db)]


@pytest.mark.slow
def test_ctrl_enter_with_required_values_empty_is_refused_and_marks_every_one(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("valid")
    window = open_window(qtbot, context)
    moving_in_forms(qtbot, window)
    missing = window.service.problems(window.visit)
    assert sum(map(len, missing)) >= 2
    window.editor.setCurrentIndex(window.editor.count() - 1)  # the cursor is elsewhere
    window.ticket_edit.setFocus()
    qtbot.keyClick(window.ticket_edit, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: "必須の項目" in window.problems_label.text(), timeout=5_000)
    assert window.stack.currentWidget() is window.forms_page  # refused: still editing
    assert "受付が完了" not in window.message.title.text()
    assert context.service.queue.entries() == []  # nothing queued, nothing saved
    for index, problems in enumerate(missing):
        wrong = {p.field_id for p in problems}
        for field_id, row in window.editor.rows[index].items():
            assert row.marked == (field_id in wrong), (index, field_id)
    first_form = next(i for i, found in enumerate(missing) if found)
    first_field = missing[first_form][0].field_id
    assert window.editor.currentIndex() == first_form
    assert window.editor.rows[first_form][first_field].input.hasFocus()
    assert window.sign_on_screen() is None  # no pen signature on an incomplete form
    assert "署名できません" in window.problems_label.text()
    window.language_box.setCurrentIndex(LANGUAGES.index("en"))  # the clerk switches language
    count = sum(map(len, missing))
    assert window.problems_label.text() == "⚠ " + t(
        "clerk.forms.sign_incomplete", "en", count=count
    )


@pytest.mark.slow
def test_a_draft_is_saved_listed_reopened_completed_and_queued_once(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("valid")
    window = open_window(qtbot, context)
    read_to_forms(qtbot, window)
    window.ticket_edit.setText("A-12")
    copies = window.editor.rows[0]["copies"].input
    qtbot.keyClick(copies, Qt.Key.Key_Return, CTRL_SHIFT)  # 下書きとして保存
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=5_000)
    assert window.message.title.text() == "下書きとして保存しました"
    (draft,) = context.service.queue.entries()
    assert draft.worklist_status == "draft" and draft.reception_number == "1001"
    assert "1001" in window.message.body.text() and "送信していません" in window.message.body.text()

    view = window.queue_view
    window.tabs.setCurrentWidget(view)
    qtbot.keyClicks(view.search, "1001")
    assert view.table.rowCount() == 1
    row = [view.table.item(0, c).text() for c in range(5)]
    assert row[1:] == ["1001", "住民票の写し等交付請求書", "下書き", "A-12"]
    assert row[0].count(":") == 1  # a time, HH:MM
    view.filter.setCurrentIndex(2)  # failed only
    assert view.table.rowCount() == 0
    view.filter.setCurrentIndex(1)  # drafts only
    assert view.table.rowCount() == 1
    view.table.setFocus()
    view.table.setCurrentCell(0, 0)
    qtbot.keyClick(view.table, Qt.Key.Key_Return)  # open it
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.forms_page, timeout=5_000)
    assert window.tabs.currentIndex() == 0
    assert window.ticket_edit.text() == "A-12"
    copies = window.editor.rows[0]["copies"].input
    assert copies.hasFocus() and window.editor.rows[0]["copies"].marked
    qtbot.keyClick(copies, "1")
    qtbot.keyClick(copies, Qt.Key.Key_Return, CTRL)
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.message, timeout=5_000)
    assert "受付番号" in window.message.body.text()

    entries = context.service.queue.entries()
    assert [(e.worklist_status, e.reception_number, e.ticket_number) for e in entries] == [
        ("pending", "1002", "A-12")
    ]  # the draft row is gone: one form, queued once
    assert context.audit.db.execute("select count(*) from outbox").fetchone()[0] == 1
    audit = _audit(window)
    assert ("form.viewed", draft.id, {"purpose": "reopen"}) in audit
    assert ("form.purged", draft.id, {"reason": "draft_completed"}) in audit
    assert [e for e, rid, _ in audit if e == "form.queued"] == ["form.queued"]
    counts = worklist_counts(entries)
    assert counts == {"draft": 0, "pending": 1, "sent": 0, "failed": 0}
    assert "送信待ち 1" in window.status.sync.text()
    assert "送信待ち 1 件" in view.counts.text() and "下書き 0 件" in view.counts.text()


@pytest.mark.slow
def test_a_failed_row_says_why_in_words_and_opens_its_contents_audited(
    qtbot: QtBot, make_context: MakeContext
) -> None:
    context = make_context("valid")
    window = open_window(qtbot, context)
    read_to_forms(qtbot, window)
    qtbot.keyClick(window.editor.rows[0]["copies"].input, "1")
    receipt = window.submit()
    assert receipt is not None
    outbox.mark_failed(context.audit.db, receipt.record_ids[0], "submission.invalid")
    view = window.queue_view
    view.refresh()
    reason = "後方システムが内容を受け付けませんでした（値が形式に合いません）"
    assert view.table.item(0, 3).text() == f"送信失敗: {reason}"
    assert "送信失敗 1 件" in view.counts.text()
    box = view.open_row(0)
    assert box is not None
    assert DEFAULT_RESIDENT.name in box.informativeText()
    assert DEFAULT_RESIDENT.my_number not in box.informativeText()
    assert ("form.viewed", receipt.record_ids[0], {"purpose": "show"}) in _audit(window)
    box.reject()


@pytest.mark.slow
def test_the_reception_slip_carries_the_number_and_no_personal_data(
    qtbot: QtBot, make_context: MakeContext, tmp_path: Path
) -> None:
    context = make_context("valid")
    window = open_window(qtbot, context)
    read_to_forms(qtbot, window)
    qtbot.keyClick(window.editor.rows[0]["copies"].input, "1")
    receipt = window.submit()
    assert receipt is not None and window.slip_button.isVisible()
    slip = tmp_path / "slip.pdf"
    window.write_slip(slip)
    document = pypdfium2.PdfDocument(slip)
    assert len(document) == 1
    page = document[0]
    image = page.render(scale=2).to_pil()
    image.save(tmp_path / "slip.png")
    assert image.convert("L").getextrema()[0] < 50  # something dark was drawn
    words = page.get_textpage().get_text_range()
    assert receipt.number in words and "受付票" in words and "住民票の写し" in words
    assert "窓口前の待合席" in words
    for personal in (
        DEFAULT_RESIDENT.name,
        DEFAULT_RESIDENT.my_number,
        DEFAULT_RESIDENT.address,
        DEFAULT_RESIDENT.address[:6],
    ):
        assert personal not in words


@pytest.mark.slow
def test_drafts_the_purge_will_delete_tonight_are_shown_before_it_runs(
    qtbot: QtBot, ui_settings: Settings
) -> None:
    (ui_settings.data_dir / "settings.toml").write_text("draft_retention_days = 0\n")
    context = build_context(load_settings(ui_settings.data_dir), None, "valid")
    try:
        window = open_window(qtbot, context)
        read_to_forms(qtbot, window)
        draft = window.save_draft()
        assert draft is not None
        window.show_worklist()
        view = window.queue_view
        assert view.warning.isVisible()
        assert "本日の終業時の削除で消える下書き 1 件" in view.warning.text()
        assert draft.number in view.warning.text()
        assert view.table.item(0, 3).text() == "下書き（本日の終業時に削除）"
        purged = run_counterapp(context.settings.data_dir, "queue", "purge")
        assert "下書き 1 件" in purged.stdout  # the purge deletes exactly what was shown
        view.refresh()
        assert not view.warning.isVisible()
        assert view.table.item(0, 3).text() == "削除済み"  # today's list says what happened
    finally:
        window.close()
        context.close()


def test_with_the_master_key_gone_submit_saves_nothing_and_says_why(
    qtbot: QtBot, make_context: MakeContext, ui_settings: Settings
) -> None:
    first = open_window(qtbot, make_context("valid"))
    read_to_forms(qtbot, first)
    qtbot.keyClick(first.editor.rows[0]["copies"].input, "1")
    assert first.submit() is not None  # complete: the form is queued
    (ui_settings.data_dir / KEY_FILE).unlink()  # the key store is lost (another PC, a restore)
    window = open_window(qtbot, make_context("valid"))
    read_to_forms(qtbot, window)
    qtbot.keyClick(window.editor.rows[0]["copies"].input, "1")
    assert window.submit() is None  # nothing saved, no traceback
    assert window.stack.currentWidget() is window.forms_page  # the forms stay for paper
    assert "鍵" in window.problems_label.text()
    assert len(window.service.queue.entries()) == 1  # only the form queued before
