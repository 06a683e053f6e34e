"""The household on the forms page: who is at the counter, and how each came in.

The first card holder is the 届出人 (the role field on the forms says otherwise when the
clerk changes it); further members tap their own card (``next_card``) or are entered by
hand (``add_by_hand`` opens ``MemberDialog``). Everything goes through the visit core: the
window only forwards these signals.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from counterapp.forms.definition import FieldDefinition, PersonGroup, Prefill, Question
from counterapp.forms.filled import FieldValue, Source
from counterapp.visit import Visit
from ui.clerk.editor import FieldRow
from ui.clerk.pages import button
from ui.i18n import t

DIALOG_FIELDS_HEIGHT = 420  # px: with the lists and buttons the dialog fits in 768


def person_name(visit: Visit, index: int) -> str:
    """The name of the visit's person ``index`` (0: the first card holder)."""
    if index == 0:
        return visit.card.data.name if visit.card is not None else ""
    member = visit.members[index - 1]
    return member.card.data.name if member.card is not None else member.values.get("name", "")


class HouseholdBar(QWidget):
    """One line per person and the two ways to add one; ``remove(i)``: visit.members[i]."""

    next_card = Signal()
    add_by_hand = Signal()
    remove = Signal(int)

    def __init__(self, virtual_cards: Sequence[str] = ()) -> None:
        super().__init__()
        self.title = QLabel()
        font = self.title.font()
        font.setBold(True)
        self.title.setFont(font)
        self.people = QHBoxLayout()
        self.next_button = button("", "Ctrl+N")
        self.hand_button = button("", "Ctrl+M")
        self.next_button.clicked.connect(self.next_card)
        self.hand_button.clicked.connect(self.add_by_hand)
        # The emulator: which virtual card the next person "places" (TEST ONLY residents).
        self.virtual_card = QComboBox()
        for scenario in virtual_cards:
            self.virtual_card.addItem(scenario, scenario)
        self.virtual_card.setVisible(bool(virtual_cards))
        people = QHBoxLayout()  # the persons on one line, the ways to add one under it
        people.addWidget(self.title)
        people.addLayout(self.people, 1)
        actions = QHBoxLayout()
        actions.addStretch()
        for widget in (self.virtual_card, self.next_button, self.hand_button):
            actions.addWidget(widget)
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(4)
        column.addLayout(people)
        column.addLayout(actions)
        self.remove_buttons: list[QPushButton] = []

    def retranslate(self, language: str) -> None:
        self.title.setText(t("clerk.household.heading", language) + ":")
        for widget, key in (
            (self.next_button, "clerk.household.next_card"),
            (self.hand_button, "clerk.household.add_by_hand"),
        ):
            shortcut = widget.shortcut()
            widget.setText(t(key, language))
            widget.setAccessibleName(widget.text())
            widget.setShortcut(shortcut)
        self.virtual_card.setAccessibleName(t("clerk.household.virtual_card", language))
        self.virtual_card.view().setAccessibleName(self.virtual_card.accessibleName())
        self.virtual_card.setToolTip(self.virtual_card.accessibleName())

    def show_people(self, visit: Visit, language: str) -> None:
        """Each person: number, name, own card or by hand; the first is the 届出人."""
        self.wipe()
        if visit.card is None:  # a draft reopened: the persons as its forms list them
            self._listed(visit, language)
            return
        for index in range(1 + len(visit.members)):
            made = "clerk.household.by_hand"
            if index == 0 or visit.members[index - 1].card is not None:
                made = "clerk.household.by_card"
            notes = [t(made, language)]
            if index == 0:
                notes.append(t("clerk.household.filer", language))
            label = QLabel(f"{index + 1}. {person_name(visit, index)}（{'・'.join(notes)}）")
            label.setAccessibleName(label.text())
            self.people.addWidget(label)
            if index:
                remove = QPushButton("×")
                remove.setAccessibleName(t("clerk.household.remove", language, number=index + 1))
                remove.setToolTip(remove.accessibleName())
                remove.clicked.connect(functools.partial(self.remove.emit, index - 1))
                self.people.addWidget(remove)
                self.remove_buttons.append(remove)
        self.people.addStretch()

    def _listed(self, visit: Visit, language: str) -> None:
        listing = next((f for f in visit.forms if f.form.definition.groups), None)
        group = listing.form.definition.groups[0] if listing is not None else None
        for number, person in enumerate(listing.rows(group.id) if listing and group else (), 1):
            made = "clerk.household.by_hand" if person.by_hand else "clerk.household.by_card"
            name = next((v.value for v in person.values if v.field_id == "name"), "")
            label = QLabel(f"{number}. {name}（{t(made, language)}）")
            label.setAccessibleName(label.text())
            self.people.addWidget(label)
        self.people.addStretch()

    @property
    def next_virtual_card(self) -> str | None:
        return self.virtual_card.currentData() if self.virtual_card.isVisible() else None

    def wipe(self) -> None:
        """Remove every person's line (their names with it)."""
        while self.people.count():
            item = self.people.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.setParent(None)
                widget.deleteLater()
        self.remove_buttons.clear()


@dataclass(frozen=True)
class MemberEntry:
    """What the clerk entered for a person without a card."""

    values: dict[str, str]
    answers: dict[str, bool]
    groups: tuple[str, ...]

    def __repr__(self) -> str:
        return "MemberEntry(<personal data>)"


class MemberDialog(QDialog):
    """A person without a card: their row fields once, their own answers, extra lists."""

    def __init__(
        self,
        fields: Sequence[FieldDefinition],
        questions: Sequence[Question],
        groups: Sequence[PersonGroup],
        language: str,
        parent: QWidget | None = None,
        answers: Mapping[str, bool] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("clerk.household.dialog.title", language))
        self.setAccessibleName(self.windowTitle())
        page = QWidget()
        form = QFormLayout(page)
        self.rows: dict[str, FieldRow] = {}
        for definition in fields:
            if definition.when is not None or definition.prefill is Prefill.CARD_MY_NUMBER:
                continue  # completed on the forms, where it shows once its condition holds
            row = FieldRow(definition, _blank(definition.id), language)
            label = QLabel(row.input.accessibleName())
            label.setBuddy(row.input)
            form.addRow(label, row)
            self.rows[definition.id] = row
        self.answers = {q.id: QCheckBox(q.label.in_language(language)) for q in questions}
        for question_id, box in self.answers.items():  # the visit's answer until changed
            box.setChecked(bool((answers or {}).get(question_id)))
        self.groups = {g.id: QCheckBox(g.label.in_language(language)) for g in groups}
        scroll = QScrollArea()  # many fields: the dialog stays within a counter PC's screen
        scroll.setWidgetResizable(True)
        scroll.setWidget(page)
        scroll.setMinimumWidth(page.sizeHint().width() + 24)
        scroll.setMaximumHeight(DIALOG_FIELDS_HEIGHT)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        for key, boxes in (
            ("clerk.household.dialog.questions", self.answers),
            ("clerk.household.dialog.lists", self.groups),
        ):
            if boxes:
                layout.addWidget(QLabel(t(key, language)))
            for box in boxes.values():
                box.setAccessibleName(box.text())
                layout.addWidget(box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        cancel = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        cancel.setText(t("ui.cancel", language))
        cancel.setAccessibleName(cancel.text())
        add = buttons.addButton(
            t("clerk.household.dialog.add", language), QDialogButtonBox.ButtonRole.AcceptRole
        )
        add.setAccessibleName(add.text())
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def entry(self) -> MemberEntry:
        """The values typed (empty ones left out), the answers and the lists ticked."""
        values = {k: v for k, row in self.rows.items() if (v := _typed(row))}
        answers = {k: box.isChecked() for k, box in self.answers.items()}
        groups = tuple(k for k, box in self.groups.items() if box.isChecked())
        return MemberEntry(values, answers, groups)

    def done(self, result: int) -> None:
        super().done(result)
        for row in self.rows.values():  # the person's values leave with the dialog
            widget = row.input
            if hasattr(widget, "clear"):
                widget.clear()


def _blank(field_id: str) -> FieldValue:
    return FieldValue(field_id, "", Source.BLANK)


def _typed(row: FieldRow) -> str:
    widget = row.input
    if isinstance(widget, QComboBox):
        return str(widget.currentData() or "")
    if isinstance(widget, QCheckBox):
        return "true" if widget.isChecked() else ""
    text = getattr(widget, "text", None)
    return str(text()) if callable(text) else ""
