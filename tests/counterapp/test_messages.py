"""Every text a user can be shown exists in every language of its catalogue.

The terminal's catalogue (``resources/ui``) has seven languages, the back office's
(``backoffice/texts``) Japanese and English. Each test runs once per language, so a
failure names the language and lists the keys it lacks.
"""

from __future__ import annotations

import importlib
import inspect
import os
import pkgutil
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cardreader.errors import WrongPin
from counterapp.messages import CATALOGUE, MESSAGES, PIN_NAMES, error_text
from counterapp.resources import resource_path
from counterapp.wire.catalogue import (
    LANGUAGES,
    MACHINE_TRANSLATION_NOTE,
    Catalogue,
    CatalogueError,
)
from counterapp.wire.parsecache import CACHE_ENV
from ui.languages import LANGUAGES as UI_LANGUAGES

ROOT = Path(__file__).resolve().parents[2]
BACKOFFICE = Catalogue(ROOT / "backoffice" / "texts", ("ja", "en"))
CATALOGUES = {"ui": CATALOGUE, "backoffice": BACKOFFICE}
EVERY_LANGUAGE = [(name, lang) for name, c in CATALOGUES.items() for lang in c.languages]
MACHINE_TRANSLATED = ("zh", "ko", "vi", "pt")

# Reason keys appear as string literals in the checks, and as message_key on errors.
REASON_LITERAL = re.compile(
    r'"((?:cert|chain|consistency|crl|cvc|data|kenhojo|kenkaku|possession|'
    r"revocation|trust|pin|card|reader|form|field|queue|vault|signature|sync|submission|"
    r'holder|signed_key|operator)\.[a-z_]+)"'
)
# The 照合番号 part errors are made as f"collation.{part}.invalid".
COLLATION_PART_KEYS = {
    f"collation.{part}.invalid"
    for part in ("birth_date", "expiry_year", "security_code", "collation_b", "my_number")
}
# The windows ask for their texts as t("key", ...).
UI_LITERAL = re.compile(r'\bt\(\s*"([a-z_]+(?:\.[a-z_]+)+)"')
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
EASY_SENTENCE_MAX = 45
KANJI = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _reason_keys_in_source() -> set[str]:
    found: set[str] = set()
    for folder in ("cardreader", "counterapp"):
        for path in (ROOT / folder).rglob("*.py"):
            # Audit events and the card items forms are pre-filled from are not reasons.
            if path.name not in ("messages.py", "audit.py", "definition.py"):
                found |= set(REASON_LITERAL.findall(path.read_text("utf-8")))
    return (found | COLLATION_PART_KEYS) - {"trust.toml"}


def _ui_keys_in_source() -> set[str]:
    return {
        key
        for path in (ROOT / "ui").rglob("*.py")
        for key in UI_LITERAL.findall(path.read_text("utf-8"))
    }


@pytest.mark.parametrize(("catalogue", "language"), EVERY_LANGUAGE)
def test_every_catalogue_key_has_a_text_in(catalogue: str, language: str) -> None:
    missing = CATALOGUES[catalogue].missing(language)
    assert not missing, f"{catalogue}: no {language} text for {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_reason_and_error_key_in_the_core_has_a_text_in(language: str) -> None:
    missing = sorted(k for k in _reason_keys_in_source() if not MESSAGES.get(k, {}).get(language))
    assert not missing, f"no {language} text for {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_the_windows_ask_for_has_a_text_in(language: str) -> None:
    entries = CATALOGUE.entries()
    missing = sorted(k for k in _ui_keys_in_source() if not entries.get(k, {}).get(language))
    assert not missing, f"no {language} text for {missing}"


@pytest.mark.parametrize(("catalogue", "language"), EVERY_LANGUAGE)
def test_translations_keep_the_japanese_placeholders_in(catalogue: str, language: str) -> None:
    wrong = [
        key
        for key, texts in CATALOGUES[catalogue].entries().items()
        if language in texts
        and set(PLACEHOLDER.findall(texts[language])) != set(PLACEHOLDER.findall(texts["ja"]))
    ]
    assert not wrong, f"{catalogue}: {language} placeholders differ from ja in {wrong}"


def test_easy_japanese_is_kana_not_a_copy_of_the_kanji_text() -> None:
    entries = CATALOGUE.entries()
    with_kanji = sorted(k for k, texts in entries.items() if KANJI.search(texts["ja-easy"]))
    copied = sorted(
        k
        for k, texts in entries.items()
        if texts["ja-easy"] == texts["ja"] and KANJI.search(texts["ja"])
    )
    assert not with_kanji, f"ja-easy texts with kanji: {with_kanji}"
    assert not copied, f"ja-easy texts copied from ja: {copied}"


def test_easy_japanese_sentences_are_short() -> None:
    # Our bound: 45 characters a sentence, spaces not counted (most are far shorter).
    long = sorted(
        f"{key}: {sentence}"
        for key, texts in CATALOGUE.entries().items()
        for sentence in re.split("[。！？]", texts["ja-easy"])
        if len(sentence.replace(" ", "")) > EASY_SENTENCE_MAX
    )
    assert not long, f"ja-easy sentences over {EASY_SENTENCE_MAX} characters: {long}"


def test_files_with_machine_translations_say_so_in_their_header() -> None:
    unmarked = []
    for path in sorted(resource_path("ui").glob("*.yaml")):
        header = "".join(
            line for line in path.read_text("utf-8").splitlines() if line.startswith("#")
        )
        entries = CATALOGUE.section(path.stem).values()
        translated = any(lang in texts for texts in entries for lang in MACHINE_TRANSLATED)
        if translated and MACHINE_TRANSLATION_NOTE not in header:
            unmarked.append(path.name)
    assert not unmarked, f"no '{MACHINE_TRANSLATION_NOTE}' note in {unmarked}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_wrong_pin_is_told_in_the_residents_own_words(language: str) -> None:
    shown = error_text(WrongPin("auth", 2), language)
    assert "2" in shown and "{" not in shown
    assert PIN_NAMES[language]["auth"] in shown
    if language not in ("en", "ja"):
        assert shown not in (
            error_text(WrongPin("auth", 2), "en"),
            error_text(WrongPin("auth", 2), "ja"),
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_error_without_a_message_key_gets_the_generic_card_error_in(language: str) -> None:
    assert None not in MESSAGES and "pin_name.auth" not in MESSAGES
    assert error_text(ValueError("internal detail"), language) == MESSAGES["card.error"][language]


def test_the_kiosk_offers_exactly_the_catalogue_languages() -> None:
    assert UI_LANGUAGES == LANGUAGES


def test_a_missing_text_falls_back_to_japanese_for_easy_japanese_and_english_otherwise(
    tmp_path: Path,
) -> None:
    (tmp_path / "only.yaml").write_text("greeting:\n  ja: こんにちは\n  en: Hello\n", "utf-8")
    catalogue = Catalogue(tmp_path, LANGUAGES)
    assert catalogue.text("greeting", "ja-easy") == "こんにちは"
    assert catalogue.text("greeting", "vi") == "Hello"
    assert catalogue.missing("vi") == ["greeting"]


def test_a_key_defined_in_two_files_is_refused(tmp_path: Path) -> None:
    for name in ("one", "two"):
        (tmp_path / f"{name}.yaml").write_text("greeting:\n  ja: こんにちは\n", "utf-8")
    with pytest.raises(CatalogueError, match="greeting"):
        Catalogue(tmp_path, LANGUAGES).entries()


def _text_in_a_new_process(folder: Path, cache: Path) -> str:
    program = (
        "import sys; from pathlib import Path; from counterapp.wire.catalogue import Catalogue; "
        "print(Catalogue(Path(sys.argv[1]), ('ja', 'en')).text('greeting', 'en'))"
    )
    env = {**os.environ, CACHE_ENV: str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", program, str(folder)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_the_next_start_reads_the_cache_and_an_edited_or_damaged_cache_changes_nothing(
    tmp_path: Path,
) -> None:
    folder, cache = tmp_path / "texts", tmp_path / "cache"
    folder.mkdir()
    source = folder / "only.yaml"
    source.write_text("greeting:\n  ja: こんにちは\n  en: Hello\n", "utf-8")
    assert _text_in_a_new_process(folder, cache) == "Hello"
    [cached] = cache.rglob("catalogue.only-*.json")
    cached.write_text("{damaged", "utf-8")
    assert _text_in_a_new_process(folder, cache) == "Hello"
    cached.write_text('["valid JSON, wrong shape"]', "utf-8")
    assert _text_in_a_new_process(folder, cache) == "Hello"
    source.write_text("greeting:\n  ja: こんにちは\n  en: Hi\n", "utf-8")
    assert _text_in_a_new_process(folder, cache) == "Hi"  # an edited file: a new entry
    assert len(list(cache.rglob("catalogue.only-*.json"))) == 2  # the old one ages out (a week)


# Exceptions that are bugs, stay inside a test tool, or are caught and turned into an error
# with a key (UnreadableCertificate becomes signature.malformed); never explained to a user.
NOT_FOR_USERS = {
    "MalformedCommand",
    "VpcdGone",
    "UnsafeAuditDetail",
    "CatalogueError",
    "UnreadableCertificate",
}


def _exception_classes() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for package in ("cardreader", "counterapp"):
        for module in pkgutil.walk_packages([str(ROOT / package)], f"{package}."):
            if module.name.endswith("__main__"):
                continue
            for name, value in vars(importlib.import_module(module.name)).items():
                is_error = inspect.isclass(value) and issubclass(value, BaseException)
                if is_error and value.__module__ == module.name:
                    found[f"{module.name}.{name}"] = value
    return found


def _sets_its_key_per_error(error: type[BaseException]) -> bool:
    """Errors that take their key from what failed (a reason key, the PIN error's key)."""
    return "self.message_key = " in inspect.getsource(error)


def test_every_error_a_user_may_see_carries_a_message_key_with_texts() -> None:
    classes = _exception_classes()
    assert "cardreader.errors.WrongPin" in classes  # the walk found the errors
    without = sorted(
        name
        for name, error in classes.items()
        if error.__name__ not in NOT_FOR_USERS
        and getattr(error, "message_key", None) not in MESSAGES
        and not _sets_its_key_per_error(error)
    )
    assert not without, f"errors without a message key that has texts: {without}"


YAML_ISH = st.text(alphabet=":\n -{}[]\"'#&*!|>%@`jaen1\t", max_size=200)


@settings(max_examples=200, deadline=None)
@given(st.one_of(YAML_ISH, st.text(max_size=200)))
def test_any_catalogue_file_loads_or_is_refused_with_its_name(content: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "fuzz.yaml").write_text(content, "utf-8")
        # the cache goes to the temporary folder too
        with mock.patch.dict(os.environ, {"XDG_CACHE_HOME": folder}):
            try:
                entries = Catalogue(Path(folder), LANGUAGES).entries()
            except CatalogueError as error:
                assert "fuzz.yaml" in str(error)
                return
        texts = [text for by_language in entries.values() for text in by_language.values()]
        assert all(isinstance(text, str) for text in texts)
