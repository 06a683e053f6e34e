"""Every UNCERTAIN behaviour the emulator assumes is named in one place and in the README."""

from __future__ import annotations

from pathlib import Path

from cardreader.emulator import uncertain

ROOT = Path(__file__).resolve().parents[3]


def test_each_assumption_is_a_named_value_of_the_one_module() -> None:
    names = [item.name for item in uncertain.ASSUMPTIONS]
    assert len(names) == len(set(names))
    for name in names:
        assert hasattr(uncertain, name), name


def test_the_readme_lists_every_assumption_for_the_field_kit() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## カードエミュレーター") :]
    missing = [a.name for a in uncertain.ASSUMPTIONS if f"`{a.name}`" not in section]
    assert not missing, f"README's emulator section does not name {missing}"
