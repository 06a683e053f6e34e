"""The seven languages of the UI, in the order the kiosk offers them."""

from counterapp.wire.catalogue import LANGUAGES as LANGUAGES

LANGUAGE_NAMES = {
    "ja": "日本語",
    "ja-easy": "やさしい にほんご",
    "en": "English",
    "zh": "中文",
    "ko": "한국어",
    "vi": "Tiếng Việt",
    "pt": "Português",
}
