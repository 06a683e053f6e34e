"""Qt tests run offscreen, against a throwaway data folder and the built-in emulator."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before anything imports Qt

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from counterapp.settings import Settings, load_settings
from ui.context import UiContext, build_context

MakeContext = Callable[..., UiContext]


@pytest.fixture
def ui_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings of a fresh terminal whose queue key lives in a file under ``tmp_path``."""
    monkeypatch.setenv("COUNTERAPP_KEY_STORE", "file")
    monkeypatch.setenv("COUNTERAPP_MUNICIPALITY", "千代田区")
    return load_settings(tmp_path)


@pytest.fixture
def make_context(ui_settings: Settings, qapp: object) -> Iterator[MakeContext]:
    """``make_context("valid")``: a UiContext on an emulator scenario; closed afterwards."""
    contexts: list[UiContext] = []

    def make(scenario: str = "valid") -> UiContext:
        context = build_context(ui_settings, None, scenario)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
