"""The pre-filled forms, one tab each: chip values marked, problems and 外字 shown inline.

Every edit goes through ``CounterService.edit`` (source: clerk), so a changed chip value
keeps the chip's original and the signature over the old content is dropped. The My
Number is shown masked and cannot be edited here.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence

from PySide6.QtCore import QSignalBlocker, QSize, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from counterapp.forms import validation
from counterapp.forms.definition import FieldDefinition, FieldType, Prefill
from counterapp.forms.display import display_value
from counterapp.forms.filled import FieldValue, FilledForm
from counterapp.forms.validation import FieldProblem, field_problem
from counterapp.messages import text
from ui.i18n import t

Edit = Callable[[int, str, str], None]  # form index, field id, new value


def badge(value: FieldValue, language: str) -> str:
    """A text mark (not colour alone) for values that came from the IC chip."""
    if value.edited_from_chip:
        return t("clerk.forms.edited_badge", language)
    if value.source.value == "ic_chip":
        return t("clerk.forms.chip_badge", language)
    return ""


class FieldRow(QWidget):
    """One field: its input, its provenance badge and what is wrong with it."""

    def __init__(self, definition: FieldDefinition, value: FieldValue, language: str) -> None:
        super().__init__()
        self.definition = definition
        self.language = language
        self.input = self._input(definition, value.value)
        name = definition.label.in_language(language) + (" *" if definition.required else "")
        self.input.setAccessibleName(name)
        if definition.help is not None:
            self.input.setAccessibleDescription(definition.help.in_language(language))
            self.input.setToolTip(definition.help.in_language(language))
        self.badge = QLabel(badge(value, language))
        self.note = QLabel()
        self.note.setObjectName("fieldNote")
        self.note.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.input, 1)
        row.addWidget(self.badge)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.note)

    def _input(self, definition: FieldDefinition, value: str) -> QWidget:
        if definition.prefill is Prefill.CARD_MY_NUMBER and value:  # none: no card, typed
            masked = QLineEdit(display_value(definition, value, self.language))
            masked.setReadOnly(True)
            return masked
        if definition.type is FieldType.CHOICE:
            combo = QComboBox()
            combo.addItem("", "")
            for choice in definition.choices:
                combo.addItem(choice.label.in_language(self.language), choice.value)
            combo.setCurrentIndex(max(combo.findData(value), 0))
            combo.view().setAccessibleName(definition.label.in_language(self.language))
            return combo
        if definition.type is FieldType.CHECKBOX:
            box = QCheckBox()
            box.setChecked(value == "true")
            return box
        return QLineEdit(value)

    def on_change(self, changed: Callable[[str], None]) -> None:
        widget = self.input
        if isinstance(widget, QComboBox):
            widget.currentIndexChanged.connect(lambda _i: changed(str(widget.currentData())))
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(lambda on: changed("true" if on else "false"))
        elif isinstance(widget, QLineEdit) and not widget.isReadOnly():
            widget.textEdited.connect(changed)

    def show_state(self, value: FieldValue, gaiji: tuple[str, ...]) -> None:
        """Refresh the badge, the 和暦 reading, the problem and the 外字 warning."""
        self.badge.setText(badge(value, self.language))
        notes = []
        if self.definition.type is FieldType.DATE and value.value:
            notes.append(display_value(self.definition, value.value, self.language))
        problem = field_problem(self.definition, value.value)
        if not problem:
            self.mark(False)  # fixed: the mark of a refused submit goes
        if problem:
            notes.append("⚠ " + text(problem, self.language))
        if gaiji:
            chars = " ".join(f"{c}(U+{ord(c):04X})" for c in gaiji)
            notes.append("⚠ " + t("clerk.forms.gaiji", self.language, chars=chars))
        self.note.setText("\n".join(notes))
        self.note.setVisible(bool(notes))  # an empty note takes no room under its field
        self.input.setAccessibleDescription("\n".join(notes))

    def show_value(self, value: str) -> None:
        """Show the core's value in the input without reporting it as an edit."""
        widget = self.input
        with QSignalBlocker(widget):
            if isinstance(widget, QComboBox):
                widget.setCurrentIndex(max(widget.findData(value), 0))
            elif isinstance(widget, QCheckBox):
                widget.setChecked(value == "true")
            elif isinstance(widget, QLineEdit) and not widget.isReadOnly():
                widget.setText(value)

    def mark(self, missing: bool) -> None:
        """Mark the field as one that stops the submit (a dynamic property themes can style;
        the note under the field says what is wrong in words)."""
        self.input.setProperty("missing", missing)
        self.input.style().unpolish(self.input)
        self.input.style().polish(self.input)

    @property
    def marked(self) -> bool:
        return bool(self.input.property("missing"))


def _person(filled: FilledForm, field_id: str, language: str) -> str:
    """「異動者 2: 」 before a field of a group's second person; nothing for a form field."""
    parts = field_id.split(".")
    if len(parts) != 3:
        return ""
    group = filled.form.definition.group(parts[0])
    return f"{group.label.in_language(language)} {parts[1]}: "


class RowLabel(QLabel):
    """A field's label, as tall as its field and centred on it (styled heights included)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return self._as_tall_as_the_field(super().sizeHint())

    def minimumSizeHint(self) -> QSize:
        return self._as_tall_as_the_field(super().minimumSizeHint())

    def _as_tall_as_the_field(self, hint: QSize) -> QSize:
        field = self.buddy()
        height = field.sizeHint().height() if field is not None else 0
        return QSize(hint.width(), max(hint.height(), height))


def _person_heading(filled: FilledForm, field_id: str, language: str) -> QLabel:
    """Over a person's fields: their number, name and whether their card was read."""
    group_id, number, _ = field_id.split(".")
    person = filled.rows(group_id)[int(number) - 1]
    made = "clerk.household.by_hand" if person.by_hand else "clerk.household.by_card"
    name = next((v.value for v in person.values if v.field_id == "name"), "")
    heading = QLabel(f"{number}. {name}（{t(made, language)}）")
    heading.setObjectName("groupHeading")
    return heading


def _has_name(filled: FilledForm) -> bool:
    return any(item.field_id == "name" for item in filled.values)


class FormsEditor(QTabWidget):
    """All forms of the visit; ``edit(index, field_id, value)`` is called on every change."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, FieldRow]] = []
        self.layouts: list[QFormLayout] = []

    def show_forms(self, forms: list[FilledForm], language: str, edit: Edit) -> None:
        self.wipe()
        copies = Counter(filled.form_id for filled in forms)
        for index, filled in enumerate(forms):
            title = self._title(filled, language)
            if copies[filled.form_id] > 1 and _has_name(filled):  # one per card: whose
                title = f"{title}（{filled.value('name').value}）"
            self.addTab(self._form_tab(index, filled, language, edit), title)
        self.refresh(forms)

    @staticmethod
    def _title(filled: FilledForm, language: str) -> str:
        return filled.form.definition.title.in_language(language)

    def _form_tab(self, index: int, filled: FilledForm, language: str, edit: Edit) -> QWidget:
        page = QWidget()
        layout = QFormLayout(page)
        # A row is the field with its note below: the label sits beside the field itself,
        # not in the middle of field and note.
        layout.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        rows: dict[str, FieldRow] = {}
        person = ""
        for value in filled.all_values():  # a person of a group: under its flat id
            definition = filled.form.definition.field_at(value.field_id)
            prefix = value.field_id.rpartition(".")[0]  # e.g. "movers.2" ("" for the form's)
            if prefix and prefix != person:
                person = prefix
                layout.addRow(_person_heading(filled, value.field_id, language))
            row = FieldRow(definition, value, language)
            row.on_change(functools.partial(edit, index, value.field_id))
            label = RowLabel(_person(filled, value.field_id, language) + row.input.accessibleName())
            label.setBuddy(row.input)
            layout.addRow(label, row)
            rows[value.field_id] = row
        self.rows.append(rows)
        self.layouts.append(layout)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        return scroll

    def refresh(self, forms: list[FilledForm]) -> None:
        for rows, layout, filled in zip(self.rows, self.layouts, forms, strict=True):
            for field_id, row in rows.items():
                row.show_state(filled.value(field_id), filled.flags.get(field_id, ()))
                # A field whose condition does not hold is not asked for (e.g. the agent's
                # name while the person files for themselves): hidden, and blank as the
                # core keeps it, so it shows empty if the condition holds again.
                shown = validation.shown_at(filled, field_id)
                if not shown:
                    row.show_value(filled.value(field_id).value)
                layout.setRowVisible(row, shown)

    def refuse(self, index: int, field_id: str, kept: FieldValue, problem: Exception) -> None:
        """The core refused a typed value: show the value it kept, and why (on the field)."""
        row = self.rows[index][field_id]
        if isinstance(row.input, QLineEdit):
            row.input.setText(kept.value)
        key = getattr(problem, "message_key", "field.control_character")
        row.note.setText("⚠ " + text(key, row.language))
        row.note.setVisible(True)

    def focus_first_problem(self, forms: list[FilledForm]) -> None:
        """Put the cursor where the clerk must type first (a missing or invalid value)."""
        for index, (rows, filled) in enumerate(zip(self.rows, forms, strict=True)):
            wrong = {p.field_id for p in validation.problems(filled)}  # only fields asked for
            for field_id, row in rows.items():
                if field_id in wrong:
                    self.setCurrentIndex(index)
                    row.input.setFocus()
                    return
        self.setFocus()

    def show_person(self, index: int, field_id: str) -> None:
        """Show form ``index`` scrolled to one field (e.g. a person's row ``movers.2.name``)."""
        self.setCurrentIndex(index)
        scroll = self.widget(index)
        row = self.rows[index].get(field_id)
        if isinstance(scroll, QScrollArea) and row is not None:
            scroll.ensureWidgetVisible(row, 0, scroll.viewport().height() // 3)

    def mark_problems(self, found: Sequence[Sequence[FieldProblem]]) -> None:
        """Mark every missing or invalid value and put the cursor on the first."""
        first: tuple[int, FieldRow] | None = None
        for index, (rows, problems) in enumerate(zip(self.rows, found, strict=True)):
            wrong = {problem.field_id for problem in problems}
            for field_id, row in rows.items():
                row.mark(field_id in wrong)
                if field_id in wrong and first is None:
                    first = (index, row)
        if first is not None:
            self.setCurrentIndex(first[0])
            first[1].input.setFocus()
            scroll = self.widget(first[0])
            if isinstance(scroll, QScrollArea):
                scroll.ensureWidgetVisible(first[1])

    def wipe(self) -> None:
        """Remove every tab and with it every personal value."""
        while self.count():
            widget = self.widget(0)
            self.removeTab(0)
            if widget is None:
                continue
            widget.setParent(None)  # out of the widget tree now, not at the next event loop
            widget.deleteLater()
        self.rows.clear()
        self.layouts.clear()
