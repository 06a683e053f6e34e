"""The verdict at a glance: a badge (shape + word + colour) and one line of reason.

○ 真正 (green), × 受付不可 (red), △ 要確認 (amber): never colour alone. 詳細 (Ctrl+I)
opens a dialog listing every check with its outcome and reason.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from counterapp.messages import MESSAGES
from counterapp.verification.explain import verdict_text
from counterapp.verification.verdict import Outcome, Overall, Verdict
from ui.clerk.pages import button
from ui.i18n import t

SHAPES = {Overall.GENUINE: "○", Overall.NOT_GENUINE: "×", Overall.UNDETERMINED: "△"}
REVOKED = "cert.revoked"


def badge_text(verdict: Verdict, language: str) -> str:
    """The badge's shape and word, e.g. "○ 真正"."""
    return f"{SHAPES[verdict.overall]} {t('clerk.badge.' + verdict.overall.value, language)}"


def reason_line(verdict: Verdict, language: str) -> str:
    """The one reason that matters most: the first problem, a warning, or "all passed"."""
    keys = [*verdict.reasons] if verdict.overall is not Overall.GENUINE else [*verdict.warnings]
    for key in keys:
        if key in MESSAGES:
            return t(key, language)
    passed = sum(1 for check in verdict.checks if check.outcome is Outcome.PASS)
    return t("clerk.badge.all_passed", language, count=passed)


def outcome_heading_key(verdict: Verdict) -> str:
    """The result page's heading: revoked, not genuine or undetermined."""
    if any(c.reason == REVOKED and c.outcome is Outcome.FAIL for c in verdict.checks):
        return "clerk.outcome.revoked"
    if verdict.overall is Overall.UNDETERMINED:
        return "clerk.outcome.undetermined"
    return "clerk.outcome.heading"  # not genuine: "このカードでは受付できません"


class VerdictBadge(QWidget):
    """Badge, reason and the 詳細 button; hidden while there is no verdict."""

    def __init__(self) -> None:
        super().__init__()
        self.verdict: Verdict | None = None
        self.language = "ja"
        self.badge = QLabel()
        self.badge.setObjectName("verdictBadge")
        self.reason = QLabel()
        self.reason.setObjectName("verdictReason")
        self.reason.setWordWrap(True)
        self.reason.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.details = button("", "Ctrl+I")
        self.details.clicked.connect(self.open_details)
        self.dialog: QDialog | None = None
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.addWidget(self.badge)
        self.row.addWidget(self.reason, 1)
        self.row.addWidget(self.details)
        self.hide()

    def add_action(self, widget: QWidget) -> None:
        """A button that belongs with the verdict (e.g. the card face check)."""
        self.row.addWidget(widget)

    def show_verdict(self, verdict: Verdict | None, language: str) -> None:
        self.verdict, self.language = verdict, language
        self.setVisible(verdict is not None)
        shortcut = self.details.shortcut()
        self.details.setText(t("clerk.badge.details", language))
        self.details.setAccessibleName(self.details.text())
        self.details.setShortcut(shortcut)
        if verdict is None:
            for label in (self.badge, self.reason):
                label.setText("")
            return
        self.badge.setProperty("verdict", verdict.overall.value)
        self.badge.setText(badge_text(verdict, language))
        self.badge.setAccessibleName(self.badge.text())
        self.reason.setText(reason_line(verdict, language))
        self.badge.style().unpolish(self.badge)  # the property picks the colour
        self.badge.style().polish(self.badge)

    def open_details(self) -> QDialog | None:
        """Every check with its outcome and reason."""
        if self.verdict is None or not self.isVisible():
            return None
        dialog = DetailsDialog(self.verdict, self.language, self)
        dialog.finished.connect(dialog.deleteLater)
        self.dialog = dialog
        dialog.open()
        return dialog


class DetailsDialog(QDialog):
    def __init__(self, verdict: Verdict, language: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(t("clerk.badge.details_title", language))
        self.text = QLabel(verdict_text(verdict, language))
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setObjectName("details")
        self.text.setMargin(12)
        self.text.setAccessibleName(self.windowTitle())
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.text)
        close = button(t("clerk.badge.close", language))
        close.clicked.connect(self.reject)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll)
        layout.addLayout(row)
        self.resize(640, 420)
