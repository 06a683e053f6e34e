"""The window's header: who and where (municipality, terminal, operator) and the step.

The operator shown is the ``operator`` setting when an administrator set it; while it is
empty or still its default ("operator"), the OS user name of the session (the clerk's
Windows sign-in) is shown instead.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from counterapp.settings import Settings, operator_name
from ui.i18n import t

STEPS = ("choose", "read", "check", "send")


class Header(QWidget):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.setObjectName("header")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.title = QLabel()
        self.title.setObjectName("headerTitle")
        self.facts = QLabel()
        self.facts.setObjectName("headerFacts")
        for label in (self.title, self.facts):
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.steps = [QLabel() for _ in STEPS]
        self.current = 0
        who = QVBoxLayout()
        who.setSpacing(2)
        who.addWidget(self.title)
        who.addWidget(self.facts)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        layout.addLayout(who, 1)
        for number, label in enumerate(self.steps):
            label.setObjectName("step")
            label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
            if number:
                arrow = QLabel("→")
                arrow.setObjectName("headerFacts")
                layout.addWidget(arrow)
            layout.addWidget(label)

    def retranslate(self, language: str) -> None:
        settings = self.settings
        self.title.setText(settings.municipality or t("ui.app_title", language))
        self.facts.setText(
            f"{t('clerk.header.terminal', language, terminal=settings.terminal_id)}　"
            f"{t('clerk.status.operator', language, operator=operator_name(settings))}"
        )
        for number, (label, step) in enumerate(zip(self.steps, STEPS, strict=True), start=1):
            label.setText(f"{number} {t('clerk.step.' + step, language)}")
        self.set_step(self.current, language)

    def set_step(self, index: int, language: str | None = None) -> None:
        """Mark step ``index`` (0 選択, 1 読取, 2 確認, 3 送信) as the current one."""
        self.current = index
        for number, label in enumerate(self.steps):
            label.setProperty("current", number == index)
            label.setProperty("done", number < index)
            label.style().unpolish(label)
            label.style().polish(label)
        current = self.steps[index].text()
        self.setAccessibleName(f"{self.title.text()} {self.facts.text()} {current}")
