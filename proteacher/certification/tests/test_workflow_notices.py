"""The words of every 訊息通知 the workflow table sends: SPEC §7's for 進階, the type's own name for every type."""

import datetime

import pytest

from proteacher.certification import workflow
from proteacher.certification.models import CertificationType
from proteacher.notifications import services

pytestmark = pytest.mark.django_db

# SPEC §7, copied by hand for 進階專業回饋人才認證 (not derived from the table).
SPEC_ADVANCED = {
    "formal_return": (
        "申請進階專業回饋人才認證退件",
        "感謝您申請進階專業回饋人才認證，因您的認證資料有誤，請依形式審查意見補齊後再重新申請認證。",
    ),
    "first_pass": (
        "進階專業回饋人才認證通過",
        "感謝您申請進階專業回饋人才認證，您的初審結果為「通過」，可取得證書。證書將於所有認證審查完成後統一核發，謝謝。",
    ),
    "first_revise": (
        "進階專業回饋人才認證請修正送複審",
        "感謝您申請進階專業回饋人才認證，您的初審結果為修正後複審，請您依據審查委員意見修正後再申請複審。"
        "如有需要，可洽詢所屬縣市之教專中心安排複審諮詢，謝謝。",
    ),
    "first_fail": (
        "初審進階專業回饋人才認證未通過",
        "感謝您申請進階專業回饋人才認證，因資料有所不足，初審委員評為認證不通過，敬請參閱審查意見以做為未來專業回饋之參考。"
        "您若對審查意見有疑義，可填寫申復表申請申復，或可於研習時數之檢核時效內，未來再重新申請認證，謝謝。",
    ),
    "second_fail": (
        "複審進階專業回饋人才認證未通過",
        "感謝您申請進階專業回饋人才認證，因您的複審資料仍有不足，經複審委員評為認證不通過，"
        "敬請參閱審查意見以做為未來專業回饋之參考。您若對審查意見有疑義，可填寫申復表申請申復，"
        "或可於研習時數之檢核時效內，未來再重新申請認證，謝謝。",
    ),
    "second_pass": (
        "申請進階認證已經通過",
        "感謝您申請進階認證，您的審查結果為「通過」，可取得證書。證書將於所有認證審查完成後統一核發，謝謝。",
    ),
    "appeal_pass": (
        "申請進階認證已經通過",
        "感謝您申請進階認證，您的審查結果為「通過」，可取得證書。證書將於所有認證審查完成後統一核發，謝謝。",
    ),
    "appeal_fail": (
        "申請進階認證申覆不成功",
        "感謝您申請進階認證，您的申復結果為不合格，敬請參閱審查意見以做為未來專業回饋之參考。"
        "您可於研習時數之檢核時效內，未來再重新申請認證，謝謝。",
    ),
    "issue": (
        "進階專業回饋人才認證數位研習證明已核發",
        "感謝您參與進階專業回饋人才培訓，數位研習證明已核發，您可至個人資訊頁面檢視，謝謝。",
    ),
    "approve": (
        "進階專業回饋人才認證已公告",
        "感謝您申請進階專業回饋人才認證，審查結果已公告，證書字號將請教育部核定後公告，屆時可至個人資訊頁面檢視。"
        "證書將統一印製後寄發，請您耐心等待，謝謝。",
    ),
}

# Written in the seed's voice where the seed has no text.
OWN_WORDS = {
    "submit": "已收到",
    "formal_pass": "形式審查",
    "resubmit": "複審資料",
    "appeal": "申復",
    "appeal_accept": "受理",
    "appeal_reject": "未受理",
    "appeal_expire": "申復期限已過",
    "appeal_resubmit": "申復重新送審",
}

TYPE_CODES = ["basic", "advanced", "mentor"]
# Steps the teacher is not told about: opening the case is their own act on the page, and the
# office's and reviewers' internal steps show only as the case's 狀態.
SILENT_ACTIONS = [
    "apply",
    "assign_first",
    "assign_second",
    "assign_appeal",
    "first_reviews_done",
    "second_reviews_done",
    "appeal_reviews_done",
]
TOLD = [step.action for step in workflow.ACTIONS if step.action not in SILENT_ACTIONS]


def kind(code: str) -> CertificationType:
    return CertificationType.objects.get(code=code)


@pytest.mark.parametrize("action", sorted(SPEC_ADVANCED))
def test_advanced_texts_are_spec_words_exactly(action):
    title, body = workflow.notice_of(action, kind("advanced"))

    assert (title, body) == SPEC_ADVANCED[action]


def test_basic_reads_its_own_names():
    basic = kind("basic")

    assert workflow.notice_of("formal_return", basic)[0] == "申請初階專業回饋人才認證退件"
    assert workflow.notice_of("second_pass", basic)[0] == "申請初階認證已經通過"
    assert workflow.notice_of("issue", basic)[1] == (
        "感謝您參與初階專業回饋人才培訓，數位研習證明已核發，您可至個人資訊頁面檢視，謝謝。"
    )


@pytest.mark.parametrize("type_code", TYPE_CODES)
@pytest.mark.parametrize("action", sorted(TOLD))
def test_every_message_names_its_own_type_and_no_other(type_code, action):
    own = kind(type_code)
    others = CertificationType.objects.exclude(pk=own.pk)

    title, body = workflow.notice_of(action, own)
    text = title + body

    assert own.name in text or own.short_name in text or own.training_name in text
    for other in others:
        assert other.name not in text and other.short_name not in text and other.training_name not in text
    if type_code != "advanced":
        assert "進階" not in text  # the old system's mix-up, never again
    if type_code != "basic":
        assert "初階" not in text


@pytest.mark.parametrize("action", sorted(OWN_WORDS))
def test_the_messages_the_seed_lacks_say_what_happened(action):
    title, body = workflow.notice_of(action, kind("advanced"))

    assert OWN_WORDS[action] in title + body
    assert body.startswith("感謝您申請進階")


def test_every_action_is_either_told_or_deliberately_silent():
    assert all(step.notice is workflow.SILENT or isinstance(step.notice, workflow.Notice) for step in workflow.ACTIONS)
    assert set(TOLD) | set(SILENT_ACTIONS) == {step.action for step in workflow.ACTIONS}


@pytest.mark.parametrize("action", sorted(SILENT_ACTIONS))
def test_silent_actions_have_no_message(action):
    assert workflow.notice_of(action, kind("advanced")) is None


def test_a_decision_appends_its_reason():
    title, body = workflow.notice_of("formal_return", kind("advanced"), reason=" 觀察紀錄表缺少簽名 ")

    assert body == SPEC_ADVANCED["formal_return"][1] + "\n原因：觀察紀錄表缺少簽名"


def test_no_reason_line_without_a_reason_or_for_the_teachers_own_steps():
    assert "原因" not in workflow.notice_of("first_pass", kind("advanced"), reason="  ")[1]
    assert "原因" not in workflow.notice_of("submit", kind("advanced"), reason="系統備註")[1]


def test_a_failing_decision_gives_the_appeal_deadline_in_taipei_time():
    deadline = datetime.datetime(2020, 3, 1, 15, 59, tzinfo=datetime.UTC)  # 23:59 in Taipei

    _, body = workflow.notice_of("first_fail", kind("advanced"), reason="資料不足", appeal_deadline=deadline)

    assert body == SPEC_ADVANCED["first_fail"][1] + "\n申復期限：109-03-01 23:59（含假日）\n原因：資料不足"


def test_email_subject_carries_the_title():
    assert (
        services.EMAIL_SUBJECT.format(title="進階專業回饋人才認證通過")
        == "【教師專業發展支持作業平臺】進階專業回饋人才認證通過"
    )
