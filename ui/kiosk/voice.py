"""Voice guidance: each screen's prompt is spoken when Qt's text-to-speech is available.

QtTextToSpeech ships in PySide6-Addons; without it (or without a speech engine) the
kiosk stays silent and nothing is reported.
"""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtCore import QLocale, QObject

LOCALES = {
    "ja": "ja_JP",
    "ja-easy": "ja_JP",
    "en": "en_US",
    "zh": "zh_CN",
    "ko": "ko_KR",
    "vi": "vi_VN",
    "pt": "pt_BR",
}


def _speech_engine(parent: QObject) -> Any | None:
    """A QTextToSpeech object, or None when the module or an engine is missing."""
    try:
        module = importlib.import_module("PySide6.QtTextToSpeech")
        engine_class = module.QTextToSpeech
        if not engine_class.availableEngines():
            return None
        return engine_class(parent)
    except Exception:  # missing module, no engine, a broken speech backend: stay silent
        return None


class Voice(QObject):
    """Speaks short prompts in the resident's language; does nothing without an engine."""

    def __init__(self, parent: QObject | None = None, enabled: bool = True) -> None:
        super().__init__(parent)
        self._engine = _speech_engine(self) if enabled else None

    @property
    def available(self) -> bool:
        return self._engine is not None

    def say(self, text: str, language: str) -> None:
        engine = self._engine
        if engine is None or not text:
            return
        try:
            engine.stop()
            engine.setLocale(QLocale(LOCALES.get(language, "ja_JP")))
            engine.say(text)
        except Exception:  # speech is a help, never a reason for the kiosk to fail
            self._engine = None

    def stop(self) -> None:
        if self._engine is not None:
            self._engine.stop()
