"""The clerk's reading of a verdict: the overall result and every check with its reason."""

from __future__ import annotations

from counterapp.messages import MESSAGES, text
from counterapp.verification.verdict import Outcome, Verdict


def verdict_text(verdict: Verdict, lang: str = "ja") -> str:
    """The clerk's view: the overall result, then each check with its reason."""
    lines = [text(f"verdict.{verdict.overall.value}", lang)]
    if verdict.method != "pin":
        lines.append(text(f"verdict.method.{verdict.method}", lang))
    if verdict.test_trust:
        lines.insert(0, text("trust.test_only_banner", lang))
    for check in verdict.checks:
        mark = {"pass": "✔", "fail": "✘", "unknown": "?", "skipped": "-"}[check.outcome.value]
        label = text(_label_key(check.check, check.method), lang)
        reason = (
            f": {text(check.reason, lang)}"
            if check.reason and check.outcome is not Outcome.PASS
            else ""
        )
        lines.append(f"  {mark} {label}{reason}")
        hint = f"{check.reason}.hint"
        if check.outcome is not Outcome.PASS and check.params and hint in MESSAGES:
            lines.append(f"      {text(hint, lang, **dict(check.params))}")
    if verdict.certificate:
        facts = verdict.certificate
        lines.append(
            f"証明書: シリアル {facts.serial} / 有効期限 {facts.not_after[:10]} / "
            f"発行CA世代 {facts.issuer_generation}"
        )
    return "\n".join(lines)


def _label_key(check: str, method: str | None) -> str:
    """A check's label; a check made another way has its own (check.possession.internal_auth)."""
    specific = f"check.{check}.{method}"
    return specific if method and specific in MESSAGES else f"check.{check}"
