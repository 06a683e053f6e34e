"""The form library's start-up cache: the same forms as the files, rebuilt whenever in doubt."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from counterapp.forms.loader import CACHE_KIND, load_library, parse_library
from counterapp.resources import resource_path
from counterapp.wire import parsecache


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(parsecache.CACHE_ENV, str(folder))
    return folder / "parsed"


@pytest.fixture
def forms(tmp_path: Path) -> Path:
    """A municipality's own copy of the shipped definitions, free to edit."""
    return Path(shutil.copytree(resource_path("forms"), tmp_path / "forms"))


def _entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob(f"{CACHE_KIND}-*.json"))


def test_the_cached_library_is_the_library_the_files_define(cache_dir: Path) -> None:
    first = load_library()  # parsed, then kept
    assert len(_entries(cache_dir)) == 1
    cached = load_library()  # from the cache
    assert cached == first == parse_library(resource_path("forms"))
    juminhyo = cached.forms["juminhyo-request"]
    assert juminhyo.definition.title.ja == "住民票の写し等交付請求書"
    assert juminhyo.sha256 == first.forms["juminhyo-request"].sha256
    assert [f.form for f in cached.event("転入").forms] == [
        f.form for f in first.event("転入").forms
    ]


def test_an_edited_form_file_is_read_again(cache_dir: Path, forms: Path) -> None:
    before = load_library(forms)
    path = forms / "juminhyo-request.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "ja: 住民票の写し等交付請求書", "ja: 住民票の写し等交付請求書（千代田区）"
        ),
        encoding="utf-8",
    )
    after = load_library(forms)
    assert after.forms["juminhyo-request"].definition.title.ja.endswith("（千代田区）")
    assert after.forms["juminhyo-request"].sha256 != before.forms["juminhyo-request"].sha256
    assert len(_entries(cache_dir)) == 2


def test_a_damaged_cache_entry_is_rebuilt(cache_dir: Path, forms: Path) -> None:
    expected = load_library(forms)
    for damage in (b"", b"{not json", b'{"forms": {"x": {"definition": {}}}, "events": {}}'):
        (entry,) = _entries(cache_dir)
        entry.write_bytes(damage)
        assert load_library(forms) == expected
        assert entry.read_bytes() not in (b"", damage)


def test_an_unwritable_cache_costs_time_not_forms(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv(parsecache.CACHE_ENV, str(blocked))
    assert "juminhyo-request" in load_library().forms
