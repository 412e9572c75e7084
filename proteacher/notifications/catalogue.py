"""Every 訊息通知 the platform sends about a case, keyed by the workflow action that causes it.

The texts are SPEC §7's (the old system's own words), with placeholders for the case's type so
that a 初階 case never reads 進階:

    {type}      CertificationType.name           進階專業回饋人才認證
    {short}     CertificationType.short_name     進階認證
    {training}  CertificationType.training_name  進階專業回饋人才

A wording fix is one edit here; the in-app message and the email both come from it.
"""

from dataclasses import dataclass

from django.utils import timezone


@dataclass(frozen=True)
class Message:
    title: str
    body: str
    # A decision's 原因訊息 (CaseEvent.reason) is appended when the officer gave one.
    shows_reason: bool = False
    # A failing decision tells the teacher the last moment to press 申復 (Case.appeal_deadline).
    shows_appeal_deadline: bool = False


@dataclass(frozen=True)
class RenderedMessage:
    title: str
    body: str


_LATER_AGAIN = "您可於研習時數之檢核時效內，未來再重新申請認證，謝謝。"
_OPINIONS = "敬請參閱審查意見以做為未來專業回饋之參考。"

MESSAGES: dict[str, Message] = {
    # 準備資料 → 形式審查 (not in the seed: the teacher's receipt)
    "submit": Message(
        "{type}已收到送審文件",
        "感謝您申請{type}，已收到您的送審文件，將由縣市教專中心進行形式審查，審查結果將另行通知，謝謝。",
    ),
    # 形式審查 通過 (not in the seed)
    "formal_pass": Message(
        "{type}形式審查通過",
        "感謝您申請{type}，您的認證資料已通過形式審查，將分發審查委員進行初審，審查結果將另行通知，謝謝。",
        shows_reason=True,
    ),
    # 形式審查 退件 (SPEC §7)
    "formal_return": Message(
        "申請{type}退件",
        "感謝您申請{type}，因您的認證資料有誤，請依形式審查意見補齊後再重新申請認證。",
        shows_reason=True,
    ),
    # 初審 通過 / 修正後通過 (SPEC §7)
    "first_pass": Message(
        "{type}通過",
        "感謝您申請{type}，您的初審結果為「通過」，可取得證書。證書將於所有認證審查完成後統一核發，謝謝。",
        shows_reason=True,
    ),
    # 初審 修正後複審 (SPEC §7)
    "first_revise": Message(
        "{type}請修正送複審",
        "感謝您申請{type}，您的初審結果為修正後複審，請您依據審查委員意見修正後再申請複審。"
        "如有需要，可洽詢所屬縣市之教專中心安排複審諮詢，謝謝。",
        shows_reason=True,
    ),
    # 初審 未通過 (SPEC §7)
    "first_fail": Message(
        "初審{type}未通過",
        "感謝您申請{type}，因資料有所不足，初審委員評為認證不通過，" + _OPINIONS + "您若對審查意見有疑義，"
        "可填寫申復表申請申復，或可於研習時數之檢核時效內，未來再重新申請認證，謝謝。",
        shows_reason=True,
        shows_appeal_deadline=True,
    ),
    # 初審修正資料 → 複審分發委員 (not in the seed)
    "resubmit": Message(
        "{type}已收到複審資料",
        "感謝您申請{type}，已收到您修正後的複審資料，將分發審查委員進行複審，審查結果將另行通知，謝謝。",
    ),
    # 複審 通過 (SPEC §7)
    "second_pass": Message(
        "申請{short}已經通過",
        "感謝您申請{short}，您的審查結果為「通過」，可取得證書。證書將於所有認證審查完成後統一核發，謝謝。",
        shows_reason=True,
    ),
    # 複審 未通過 (SPEC §7)
    "second_fail": Message(
        "複審{type}未通過",
        "感謝您申請{type}，因您的複審資料仍有不足，經複審委員評為認證不通過，" + _OPINIONS + "您若對審查意見有疑義，"
        "可填寫申復表申請申復，或可於研習時數之檢核時效內，未來再重新申請認證，謝謝。",
        shows_reason=True,
        shows_appeal_deadline=True,
    ),
    # 申復 pressed (not in the seed)
    "appeal": Message(
        "申請{short}已收到申復申請",
        "感謝您申請{short}，已收到您的認證審查結果申復表，將由縣市教專中心確認是否受理申復申請案，"
        "結果將另行通知，謝謝。",
    ),
    # No 申復 within the window (not in the seed)
    "appeal_expire": Message(
        "申請{short}申復期限已過",
        "感謝您申請{short}，您未於審查結果通知後10日內（含假日）提出申復，申復期限已過，認證結果為不合格，"
        + _OPINIONS
        + _LATER_AGAIN,
    ),
    # 申復申請案受理 (not in the seed)
    "appeal_accept": Message(
        "申請{short}申復申請案受理",
        "感謝您申請{short}，您的申復申請案已受理，將進行申復審查。請您依據審查委員意見修正資料後，"
        "按「申復重新送審」重新送審，謝謝。",
        shows_reason=True,
    ),
    # 申復申請案未受理 (SPEC §7 asks for it in the same voice)
    "appeal_reject": Message(
        "申請{short}申復申請案未受理",
        "感謝您申請{short}，您的申復申請案未受理，認證結果為不合格，" + _OPINIONS + _LATER_AGAIN,
        shows_reason=True,
    ),
    # 申復修正資料 → 申復分發委員 (not in the seed)
    "appeal_resubmit": Message(
        "申請{short}已收到申復重新送審資料",
        "感謝您申請{short}，已收到您申復重新送審的資料，將分發審查委員進行申復審查，審查結果將另行通知，謝謝。",
    ),
    # 申復 通過 (SPEC §7: the same words as 複審 通過)
    "appeal_pass": Message(
        "申請{short}已經通過",
        "感謝您申請{short}，您的審查結果為「通過」，可取得證書。證書將於所有認證審查完成後統一核發，謝謝。",
        shows_reason=True,
    ),
    # 申復 未通過 (SPEC §7, including the seed's 申覆)
    "appeal_fail": Message(
        "申請{short}申覆不成功",
        "感謝您申請{short}，您的申復結果為不合格，" + _OPINIONS + _LATER_AGAIN,
        shows_reason=True,
    ),
    # 通過 → 通過可產證: the results are announced (SPEC §7 "已發證, announced")
    "approve": Message(
        "{type}已公告",
        "感謝您申請{type}，審查結果已公告，證書字號將請教育部核定後公告，屆時可至個人資訊頁面檢視。"
        "證書將統一印製後寄發，請您耐心等待，謝謝。",
    ),
    # 通過可產證 → 已發證 (SPEC §7)
    "issue": Message(
        "{type}數位研習證明已核發",
        "感謝您參與{training}培訓，數位研習證明已核發，您可至個人資訊頁面檢視，謝謝。",
    ),
}

# Steps the teacher is not told about: opening the case is their own act on the page, and the
# office's and reviewers' internal steps show only as the case's 狀態.
SILENT_ACTIONS = frozenset(
    {
        "apply",
        "assign_first",
        "assign_second",
        "assign_appeal",
        "first_reviews_done",
        "second_reviews_done",
        "appeal_reviews_done",
    }
)

REASON_LINE = "\n原因：{reason}"
APPEAL_DEADLINE_LINE = "\n申復期限：{deadline}（含假日）"

# The email's subject; its body is templates/email/notification.txt.
EMAIL_SUBJECT = "【教師專業發展支持作業平臺】{title}"


def render(action: str, certification_type, reason: str = "", appeal_deadline=None) -> RenderedMessage | None:
    """The message for `action` on a case of `certification_type`, or None when it is silent."""
    message = MESSAGES.get(action)
    if message is None:
        return None
    names = {
        "type": certification_type.name,
        "short": certification_type.short_name,
        "training": certification_type.training_name,
    }
    body = message.body.format(**names)
    if message.shows_appeal_deadline and appeal_deadline is not None:
        # Taipei time whatever the worker's or the request's time zone: the teacher's clock.
        local = timezone.localtime(appeal_deadline, timezone.get_default_timezone())
        body += APPEAL_DEADLINE_LINE.format(deadline=local.strftime("%Y-%m-%d %H:%M"))
    if message.shows_reason and reason.strip():
        body += REASON_LINE.format(reason=reason.strip())
    return RenderedMessage(title=message.title.format(**names), body=body)


def email_subject(title: str) -> str:
    return EMAIL_SUBJECT.format(title=title)
