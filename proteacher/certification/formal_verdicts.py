"""What a complete 形式審查表 is: a verdict (資料齊全且正確 是 / 否) for every slot, a reason for each
否, and 通過 only when every verdict is 是. The workflow's formal_pass / formal_return rows check
it on the locked case; the office's form asks the same function, so a page and a direct call of
the service refuse the same things with the same words.
"""

SLOT_REASON_MISSING = "請填寫「{slot}」不齊全或不正確的原因。"
SLOT_UNCHECKED = "請勾選「{slot}」是否資料齊全且正確。"
PASS_WITH_PROBLEMS = "有表單標示為資料不齊全或不正確，無法通過；請改按「{return_label}」。"  # nosec B105 # a message


def problems(slots, verdicts: dict, passed: bool, return_label: str) -> dict[str, str]:
    """{slot code or "decision": message} for what keeps the verdicts from being accepted.

    `verdicts` is {slot_code: {"ok": bool, "reason": str}}. (The 原因訊息 a 退件 needs is the
    workflow row's own rule.)
    """
    found: dict[str, str] = {}
    for slot in slots:
        verdict = verdicts.get(slot.code)
        if not isinstance(verdict, dict) or not isinstance(verdict.get("ok"), bool):
            found[slot.code] = SLOT_UNCHECKED.format(slot=slot.label)
        elif not verdict["ok"] and not str(verdict.get("reason", "")).strip():
            found[slot.code] = SLOT_REASON_MISSING.format(slot=slot.label)
    if passed and any(
        isinstance(verdicts.get(slot.code), dict) and verdicts[slot.code].get("ok") is False for slot in slots
    ):
        found["decision"] = PASS_WITH_PROBLEMS.format(return_label=return_label)
    return found


def cleaned(slots, verdicts: dict) -> dict:
    """Only the type's slots, in its order, with clean values: the stored form is what was asked."""
    return {
        slot.code: {
            "ok": verdicts[slot.code]["ok"],
            "reason": "" if verdicts[slot.code]["ok"] else str(verdicts[slot.code].get("reason", "")).strip(),
        }
        for slot in slots
    }


def rows(slots, verdicts: dict) -> list[dict]:
    """A stored 形式審查表 as its pages list it: the type's slots in list order (a JSON object keeps
    no order on PostgreSQL), then any slot judged that the type no longer has."""
    labels = {slot.code: slot.label for slot in slots}
    codes = [code for code in labels if code in verdicts]
    codes += sorted(code for code in verdicts if code not in labels)
    return [
        {
            "label": labels.get(code, code),
            "ok": bool(verdicts[code].get("ok")),
            "reason": verdicts[code].get("reason", ""),
        }
        for code in codes
    ]
