"""The UI text catalogue read from the start-up cache says what the YAML files say."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from counterapp import parsecache
from counterapp.resources import resource_path
from ui import i18n


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(parsecache.CACHE_ENV, str(tmp_path))
    i18n.catalogue.cache_clear()
    yield tmp_path / "parsed"
    i18n.catalogue.cache_clear()


def _entries(cache_dir: Path) -> list[Path]:
    return sorted(cache_dir.glob(f"{i18n.CACHE_KIND}-*.json"))


def test_the_cached_texts_are_the_texts_of_the_files(cache_dir: Path) -> None:
    files = sorted(Path(resource_path("ui")).glob("*.yaml"))
    parsed = i18n.parse_catalogue(files)
    assert i18n.catalogue() == parsed  # parsed, then kept
    i18n.catalogue.cache_clear()
    assert i18n.catalogue() == parsed  # from the cache
    assert len(_entries(cache_dir)) == 1


@pytest.mark.parametrize("damage", [b"", b"[1, 2]", b'{"clerk.title": {"ja": 3}}', b"{"])
def test_a_damaged_entry_is_parsed_again(cache_dir: Path, damage: bytes) -> None:
    expected = i18n.catalogue()
    (entry,) = _entries(cache_dir)
    entry.write_bytes(damage)
    i18n.catalogue.cache_clear()
    assert i18n.catalogue() == expected
    assert entry.read_bytes() != damage
