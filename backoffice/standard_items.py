"""Our form field ids and the data item names of the 住民記録システム標準仕様書.

Source: 「住民記録システム標準仕様書」 (総務省 第4.0版 令和5年3月 and later editions
published by デジタル庁), 第3章 1.1 住民データ — the item names a standard-conformant
住民記録システム uses, so a municipality's import can map the export's columns by name.
Where the specification has no item for a field (e.g. a move's new address) the term of
住民基本台帳法 is used (新住所: 第22条・第23条). The names were matched by hand: check
them against the edition your vendor implements before relying on them.

Fields that are not resident data items (form-specific answers such as ``copies`` or
``purpose``) are not listed and keep their field id in the export.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

# Order = column order of the export.
STANDARD_ITEM_NAMES: Final = MappingProxyType(
    {
        "name": "氏名",
        "name_kana": "氏名フリガナ",
        "birth_date": "生年月日",
        "sex": "性別",  # JIS X 0303 code as recorded: 1 男, 2 女, 9 適用不能
        "address": "住所",
        "postal_code": "郵便番号",
        "previous_address": "従前の住所",
        "new_address": "新住所",
        "new_postal_code": "新住所郵便番号",
        "move_date": "異動日",
        "application_date": "届出日",
        "householder_name": "世帯主氏名",
        "relationship_to_householder": "続柄",
        "relationship": "続柄",  # a person row's 世帯主との続柄 (異動者 ...)
        "domicile": "本籍",
        "domicile_head": "筆頭者氏名",
        "my_number": "個人番号",
        "phone": "電話番号",
        # A person's row (異動者 ...): 住民票 items of 住民基本台帳法 §7 and, for a 外国人住民,
        # §30の45; the 転入前の住民票コード of a 転入 (§22).
        "previous_resident_code": "転入前の住民票コード",
        "nationality": "国籍・地域",
        "resident_category": "30条45規定区分",
        "status_of_residence": "在留資格",
        "period_of_stay": "在留期間",
        "period_expiry": "在留期間の満了の日",
        "residence_card_number": "在留カード等の番号",
        # The person filing (届出人, §26–27) on a form that lists persons.
        "filer_role": "届出人の資格",
        "filer_name": "届出人氏名",
        "filer_address": "届出人住所",
    }
)


def item_name(field_id: str) -> str:
    """The standard item name for a field id, or the id itself when there is none."""
    return STANDARD_ITEM_NAMES.get(field_id, field_id)
