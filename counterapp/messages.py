"""User-facing text for every message key, Japanese first.

Errors that may reach a user carry a ``message_key``; front ends turn keys into
text here. Texts never include a PIN or a My Number.
"""

from __future__ import annotations

from typing import Any

PIN_NAMES = {
    "ja": {
        "auth": "利用者証明用電子証明書の暗証番号",
        "signing": "署名用電子証明書の暗証番号",
        "kenhojo": "券面事項入力補助用の暗証番号",
        "collation_a": "照合番号A",
        "collation_b": "照合番号B",
    },
    "en": {
        "auth": "user-authentication PIN",
        "signing": "digital-signature password",
        "kenhojo": "card-text PIN (券面事項入力補助用)",
        "collation_a": "collation number A",
        "collation_b": "collation number B",
    },
}

MESSAGES: dict[str, dict[str, str]] = {
    "card.error": {"ja": "カードの読み取りに失敗しました。", "en": "The card could not be read."},
    "reader.error": {
        "ja": "カードリーダーでエラーが発生しました。",
        "en": "The card reader reported an error.",
    },
    "reader.not_found": {
        "ja": "カードリーダーが見つかりません。接続を確認してください。",
        "en": "The card reader was not found. Check that it is connected.",
    },
    "reader.service_unavailable": {
        "ja": "スマートカードサービスが停止しています。カードリーダーを接続し直してください。",
        "en": "The smart-card service is not running. Reconnect the card reader.",
    },
    "reader.no_extended_length": {
        "ja": "カードリーダーが拡張長APDUに対応していません。",
        "en": "The reader does not pass extended-length APDUs.",
    },
    "card.absent": {
        "ja": "カードがありません。カードをリーダーに置いてください。",
        "en": "No card. Place the card on the reader.",
    },
    "card.removed": {
        "ja": "読み取り中にカードが離れました。もう一度カードを置いてください。",
        "en": "The card was removed during the read. Place it on the reader again.",
    },
    "card.status": {
        "ja": "カードがエラーを返しました。",
        "en": "The card answered with an error.",
    },
    "card.malformed": {
        "ja": "カードのデータが読み取れない形式です。",
        "en": "The card returned data in an unexpected format.",
    },
    "card.not_mynumber": {
        "ja": "マイナンバーカードではありません。",
        "en": "This is not a My Number card.",
    },
    "card.file_not_found": {
        "ja": "カードに必要なデータがありません。",
        "en": "The card does not hold the requested data.",
    },
    "pin.required": {
        "ja": "暗証番号の入力が必要です。",
        "en": "A PIN must be entered first.",
    },
    "pin.error": {"ja": "{pin}の確認に失敗しました。", "en": "The {pin} check failed."},
    "pin.invalid_format": {
        "ja": "{pin}の形式が正しくありません（回数は減っていません）。",
        "en": "The {pin} has the wrong format (no try was used).",
    },
    "pin.wrong": {
        "ja": "{pin}が違います。あと{tries_left}回間違えるとロックされます。",
        "en": "Wrong {pin}. {tries_left} tries left before it locks.",
    },
    "pin.blocked": {
        "ja": "{pin}はロックされています。市区町村の窓口で解除が必要です。",
        "en": "The {pin} is locked. The municipal office must unlock it.",
    },
    "pin.last_try": {
        "ja": "{pin}は残り1回です。間違えるとロックされるため、確認なしには送信しません。",
        "en": "The {pin} has one try left; it is not sent without explicit confirmation.",
    },
    "pin.cancelled": {"ja": "暗証番号の入力が中止されました。", "en": "PIN entry was cancelled."},
    "verdict.genuine": {"ja": "判定: 真正なカードです", "en": "Verdict: genuine"},
    "verdict.not_genuine": {"ja": "判定: 真正ではありません", "en": "Verdict: NOT genuine"},
    "verdict.undetermined": {
        "ja": "判定: 確認できませんでした（理由を確認してください）",
        "en": "Verdict: undetermined (see the reasons)",
    },
    "check.chain": {"ja": "証明書チェーン（J-LIS）", "en": "Certificate chain (J-LIS)"},
    "check.validity": {"ja": "有効期間", "en": "Validity period"},
    "check.key": {"ja": "鍵と署名方式", "en": "Key and algorithm"},
    "check.revocation": {"ja": "失効確認", "en": "Revocation"},
    "check.possession": {
        "ja": "本人確認（暗証番号による署名）",
        "en": "Possession (PIN signature)",
    },
    "check.integrity": {"ja": "券面事項の改ざん検知", "en": "Card text integrity"},
    "check.consistency": {"ja": "記載事項の一致", "en": "Consistency of records"},
    "chain.untrusted": {
        "ja": "信頼できる発行者（J-LIS）までたどれません",
        "en": "No chain to a trusted issuer (J-LIS)",
    },
    "trust.no_anchors": {"ja": "トラストアンカーが未設定です", "en": "No trust anchor configured"},
    "crl.invalid": {
        "ja": "失効リスト（CRL）を読み取れません",
        "en": "The certificate revocation list cannot be read",
    },
    "data.malformed": {
        "ja": "カードのデータが壊れているか、形式が正しくありません",
        "en": "The card's data is damaged or malformed",
    },
    "trust.test_only_banner": {
        "ja": "【TEST ONLY】テスト用の信頼点で検証しました。実際のカードの真正性は示しません。",
        "en": "[TEST ONLY] Verified against test trust anchors; says nothing about a real card.",
    },
    "cert.expired": {"ja": "証明書の有効期限が切れています", "en": "The certificate has expired"},
    "cert.not_yet_valid": {
        "ja": "証明書の有効期間がまだ始まっていません",
        "en": "The certificate is not yet valid",
    },
    "cert.revoked": {"ja": "証明書は失効しています", "en": "The certificate is revoked"},
    "cert.weak_key": {"ja": "鍵長が不足しています", "en": "The key is too weak"},
    "cert.bad_algorithm": {"ja": "署名方式が想定外です", "en": "Unexpected signature algorithm"},
    "cert.bad_key_usage": {"ja": "鍵用途が想定外です", "en": "Unexpected key usage"},
    "crl.missing": {
        "ja": "失効リスト（CRL）がないため失効を確認できません",
        "en": "No CRL: revocation could not be checked",
    },
    "crl.stale": {
        "ja": "失効リスト（CRL）の次回更新日時を過ぎています",
        "en": "The CRL is past its next update",
    },
    "revocation.no_issuer": {
        "ja": "発行者が確認できないため失効確認を省略しました",
        "en": "Revocation skipped: issuer not established",
    },
    "possession.bad_signature": {
        "ja": "カードの署名が証明書と一致しません",
        "en": "The card's signature does not match its certificate",
    },
    "possession.not_checked": {"ja": "本人確認は省略されました", "en": "Possession not checked"},
    "kenhojo.tampered": {
        "ja": "券面事項（氏名・住所など）が改ざんされています",
        "en": "The card text (name, address, ...) has been altered",
    },
    "kenhojo.bad_signature": {
        "ja": "券面事項の署名が正しくありません",
        "en": "The card text signature does not verify",
    },
    "kenhojo.absent": {
        "ja": "券面事項入力補助APがありません（スマートフォン等）",
        "en": "No card-text application (e.g. a smartphone)",
    },
    "kenhojo.not_read": {"ja": "券面事項を読み取っていません", "en": "Card text not read"},
    "cvc.untrusted": {
        "ja": "カード発行者の証明書（CVC）が検証できません",
        "en": "The card's CVC does not verify against the issuer key",
    },
    "cvc.unknown_issuer": {
        "ja": "CVC の発行者鍵が未設定です",
        "en": "The CVC issuer key is not configured",
    },
    "trust.generation_missing": {
        "ja": "発行元の J-LIS CA の世代がこの端末に入っていないため確認できません"
        "（偽造の証拠ではありません）",
        "en": "The issuing J-LIS CA generation is not installed on this terminal: "
        "cannot decide (this is not evidence of forgery)",
    },
    "trust.generation_missing.hint": {
        "ja": "発行元 CA（{kind}）の鍵識別子 {key_id} に一致する世代が未導入です。"
        "管理者が J-LIS の CA 証明書（例: {kind}ca02.cer）を"
        "「counterapp trust add」で追加してください。",
        "en": "No installed {kind} CA generation has key identifier {key_id}. An administrator "
        "should install J-LIS's CA certificate (e.g. {kind}ca02.cer) with 'counterapp trust add'.",
    },
    "cvc.unknown_issuer.hint": {
        "ja": "CVC の発行者鍵ID {key_id} がこの端末に入っていません。"
        "管理者が「counterapp trust add-cvc」で追加してください。",
        "en": "CVC issuer key id {key_id} is not installed on this terminal. "
        "An administrator should add it with 'counterapp trust add-cvc'.",
    },
    "check.card_face": {
        "ja": "券面（写真・氏名・住所）の署名",
        "en": "Card face signature (photo, name, address)",
    },
    "kenkaku.bad_signature": {
        "ja": "券面（写真・氏名・住所の画像）が J-LIS の署名と一致しません（改ざんの疑い）",
        "en": "The card face (photo, name and address images) does not match J-LIS's signature",
    },
    "consistency.mismatch": {
        "ja": "記載事項が一致しません",
        "en": "The records on the card disagree",
    },
    "consistency.not_read": {"ja": "比較対象なし", "en": "Nothing to compare"},
    "trust.invalid": {
        "ja": "トラストアンカーの設定に誤りがあります",
        "en": "Trust settings invalid",
    },
    "settings.invalid": {
        "ja": "設定ファイルに誤りがあります。",
        "en": "The settings file is invalid.",
    },
    # Forms and the queue
    "form.card_not_genuine": {
        "ja": "カードの真正性が確認できないため、申請書は作成しませんでした。",
        "en": "The card was not verified as genuine, so no form was filled.",
    },
    "form.unknown": {"ja": "該当する申請書がありません。", "en": "No such form or life event."},
    "form.nothing_to_fill": {
        "ja": "回答の内容では作成する申請書がありません。質問への回答を見直してください。",
        "en": "The answers choose no form to fill. Check the answers to the questions.",
    },
    "form.definition_invalid": {
        "ja": "申請書の定義ファイルに誤りがあります。",
        "en": "A form definition file is invalid.",
    },
    "form.answers_invalid": {
        "ja": "回答ファイルに誤りがあります。",
        "en": "The answers file is invalid.",
    },
    "form.pdf_failed": {
        "ja": "PDFを作成できませんでした。保存先を確認して、もう一度お試しください。",
        "en": "The PDF could not be made. Check where it is saved and try again.",
    },
    "form.gaiji": {
        "ja": "JIS第1・第2水準にない文字（外字）です。職員が確認してください。",
        "en": "Character outside JIS X 0208 (外字): the clerk must check it.",
    },
    "field.required": {"ja": "入力が必要です", "en": "Required"},
    "field.too_long": {"ja": "文字数が多すぎます", "en": "Too long"},
    "field.pattern": {"ja": "形式が正しくありません", "en": "Wrong format"},
    "field.katakana": {"ja": "全角カタカナで入力してください", "en": "Use full-width katakana"},
    "field.postal_code": {
        "ja": "郵便番号は7桁で入力してください",
        "en": "Enter a 7-digit postal code",
    },
    "field.date": {"ja": "日付が正しくありません", "en": "Not a valid date"},
    "field.choice": {"ja": "選択肢から選んでください", "en": "Choose one of the options"},
    "field.checkbox": {"ja": "はい・いいえで答えてください", "en": "Answer yes or no"},
    "field.number": {"ja": "数字で入力してください", "en": "Enter a number"},
    "field.out_of_range": {"ja": "範囲外の数です", "en": "Number out of range"},
    "signature.valid": {
        "ja": "電子署名は有効です。署名後に内容は変更されていません。",
        "en": "The signature is valid; the form has not changed since it was signed.",
    },
    "signature.malformed": {
        "ja": "電子署名のデータが壊れています。",
        "en": "The signature data is malformed.",
    },
    "signature.content_changed": {
        "ja": "署名後に申請書の内容が変更されています。",
        "en": "The form was changed after it was signed.",
    },
    "signature.invalid": {
        "ja": "電子署名が正しくありません。",
        "en": "The signature does not verify.",
    },
    "signature.untrusted": {
        "ja": "署名用電子証明書の発行者を信頼できません。",
        "en": "The signing certificate was not issued by a trusted CA.",
    },
    "signature.cert_expired": {
        "ja": "署名時点で署名用電子証明書が有効期間外です。",
        "en": "The signing certificate was not valid at the time of signing.",
    },
    "signature.card_failed": {
        "ja": "カードが正しい署名を返しませんでした。",
        "en": "The card returned a signature that does not verify.",
    },
    "sync.failed": {"ja": "送信に失敗しました。", "en": "Sending failed."},
    "sync.not_configured": {
        "ja": "送信先（バックオフィス）または端末証明書が設定されていません。",
        "en": "The back office URL or this terminal's certificate is not configured.",
    },
    "sync.unavailable": {
        "ja": "バックオフィスに接続できません。申請書は送信待ちのまま保持し、自動で再送します。",
        "en": "The back office is unreachable. Forms stay queued and are resent automatically.",
    },
    "sync.refused": {
        "ja": "バックオフィスがこの端末からの送信を拒否しました。管理者に連絡してください。",
        "en": "The back office refused this terminal. Contact the administrator.",
    },
    "sync.timeout": {"ja": "バックオフィスの応答がありません", "en": "The back office timed out"},
    "sync.network": {"ja": "ネットワークに接続できません", "en": "Network unreachable"},
    "sync.bad_response": {
        "ja": "バックオフィスの応答を読み取れません",
        "en": "The back office's answer could not be read",
    },
    "sync.unanswered": {
        "ja": "バックオフィスが応答しなかった申請書です（再送します）",
        "en": "The back office did not answer for this form (will be resent)",
    },
    "sync.crl_unavailable": {
        "ja": "失効リストを取得できません（前回のものを使用）",
        "en": "Could not fetch the CRLs (the previous ones stay in use)",
    },
    "submission.rejected": {
        "ja": "バックオフィスが受け付けませんでした",
        "en": "The back office did not accept the form",
    },
    "queue.not_found": {"ja": "その申請書はありません。", "en": "No such form on this terminal."},
    "queue.purged": {
        "ja": "この申請書の個人情報は削除済みです。",
        "en": "This form's personal data has already been deleted.",
    },
    "vault.unavailable": {
        "ja": "暗号鍵を利用できません。",
        "en": "The encryption key is not available.",
    },
    "kiosk.admin_pin_invalid": {
        "ja": "管理者暗証番号は6桁以上の数字です（または保存ファイルが壊れています）。",
        "en": "The administrator PIN has at least 6 digits (or its file is damaged).",
    },
    "vault.damaged": {
        "ja": "保存データが壊れているか、改ざんされています。",
        "en": "Stored data is damaged or was altered.",
    },
}


def text(key: str, lang: str = "ja", **params: Any) -> str:
    """The message for ``key`` in ``lang`` (Japanese if missing), with parameters filled in."""
    entry = MESSAGES.get(key) or MESSAGES["card.error"]
    template = entry.get(lang) or entry["ja"]
    pin = params.pop("pin_name", None)
    if pin is not None:
        params["pin"] = PIN_NAMES.get(lang, PIN_NAMES["ja"]).get(pin, pin)
    defaults = _Defaults(pin="暗証番号" if lang == "ja" else "PIN", tries_left="?")
    defaults.update(params)
    return template.format_map(defaults)


class _Defaults(dict[str, Any]):
    """Fills a parameter the caller did not give, so a text never shows raw braces."""

    def __missing__(self, key: str) -> str:
        return "?"


def error_text(error: Exception, lang: str = "ja") -> str:
    """The user's text for an error that carries a message key."""
    key = getattr(error, "message_key", "card.error")
    params = {
        name: getattr(error, name) for name in ("tries_left", "pin_name") if hasattr(error, name)
    }
    return text(key, lang, **params)
