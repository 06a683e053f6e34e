"""The seven languages of the UI, in the order the kiosk offers them.

The same as ``counterapp.wire.catalogue.LANGUAGES`` (a test keeps them equal); spelled out
here so the launcher can parse its arguments before the core and its imports load.
"""

LANGUAGES = ("ja", "ja-easy", "en", "zh", "ko", "vi", "pt")
LANGUAGE_NAMES = {
    "ja": "日本語",
    "ja-easy": "やさしい にほんご",
    "en": "English",
    "zh": "中文",
    "ko": "한국어",
    "vi": "Tiếng Việt",
    "pt": "Português",
}
