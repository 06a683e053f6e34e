"""Every error the service answers, as a stable code with a Japanese and an English text.

Terminals act on the code; the detail (日本語 first, then English) is for the person
reading a log or a screen. No detail ever echoes a submitted value.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from starlette.responses import JSONResponse

from counterapp.wire import MAX_BODY_BYTES, Problem

_LIMIT = f"{MAX_BODY_BYTES / 2**20:g} MiB"


@dataclass(frozen=True)
class Text:
    ja: str
    en: str

    def both(self) -> str:
        """Japanese first, then English, as every user-facing text of the project."""
        return f"{self.ja} / {self.en}"


TEXTS: Final = MappingProxyType(
    {
        # -- request-level problems (HTTP status codes) --
        "terminal.no_certificate": Text(
            "端末証明書が提示されていません。", "No terminal client certificate was presented."
        ),
        "terminal.unknown": Text(
            "登録されていない端末です。", "This terminal's certificate is not registered."
        ),
        "terminal.disabled": Text(
            "この端末は無効にされています。", "This terminal has been disabled."
        ),
        "request.too_large": Text(
            f"送信データが大きすぎます（上限 {_LIMIT}）。", f"The request body exceeds {_LIMIT}."
        ),
        "request.invalid": Text(
            "送信データの形式が正しくありません。", "The request does not match the schema."
        ),
        "request.not_found": Text("そのURLはありません。", "No such resource."),
        "request.method_not_allowed": Text(
            "そのURLではこの操作はできません。", "This method is not allowed here."
        ),
        "request.error": Text("要求を処理できません。", "The request cannot be processed."),
        "server.internal_error": Text(
            "サーバー内部でエラーが発生しました。", "Internal server error."
        ),
        "server.unavailable": Text(
            "データベースに接続できません。", "The database is not available."
        ),
        # -- per-item reasons in a BatchResult --
        "submission.other_terminal": Text(
            "この受付IDは別の端末から受け付け済みです。",
            "This client id was already submitted by another terminal.",
        ),
        "submission.invalid": Text(
            "保存できない値（NUL 文字、不正な文字コード、範囲外の日時）が含まれています。",
            "The form holds a value that cannot be stored (NUL, unpaired surrogate, "
            "or a time out of range).",
        ),
    }
)

# Signature verdicts stored with a form (counterapp.signing keys plus our own).
SIGNATURE_TEXTS: Final = MappingProxyType(
    {
        "signature.malformed": Text("署名データの形式が不正です。", "The signature is malformed."),
        "signature.content_changed": Text(
            "署名後に内容が変更されています。", "The content changed after signing."
        ),
        "signature.invalid": Text("署名が正しくありません。", "The signature does not verify."),
        "signature.untrusted": Text(
            "署名者の証明書が信頼できる認証局から発行されていません。",
            "The signer's certificate was not issued by a trusted CA.",
        ),
        "signature.cert_expired": Text(
            "署名時に署名者の証明書が有効期間外でした。",
            "The signer's certificate was not valid at signing time.",
        ),
        "trust.no_anchors": Text(
            "署名検証用の認証局が登録されていません。",
            "No signing CA is registered for verification.",
        ),
    }
)


class ProblemError(Exception):
    """Raised inside the app to answer with a Problem; carries the HTTP status."""

    def __init__(self, status: int, code: str, extra: str = "") -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.extra = extra


def problem(code: str, extra: str = "") -> Problem:
    """The wire Problem for ``code``; ``extra`` adds non-personal detail (e.g. field paths)."""
    text = TEXTS.get(code, TEXTS["request.error"]).both()
    return Problem(code=code, detail=f"{text} {extra}".strip())


def problem_response(
    status: int, code: str, extra: str = "", headers: dict[str, str] | None = None
) -> JSONResponse:
    """A JSON response carrying the Problem for ``code``."""
    body = problem(code, extra).model_dump(mode="json")
    return JSONResponse(body, status_code=status, headers=headers)
