"""通知設定: everyone chooses how optional notices are emailed; the page names them, says which
notices always go by email, and saving (recorded in the audit log) changes what the next notice does."""

import re

import pytest
from django.urls import reverse

from proteacher.certification import workflow
from proteacher.notifications import preferences
from proteacher.notifications.models import Delivery, Notification, OutgoingMail
from proteacher.notifications.tests.conftest import Walker
from proteacher.portal.notice_settings import optional_notices
from proteacher.testing import factories
from proteacher.testing.audit import entries, the_entry
from proteacher.testing.workflow import without_checks_and_effects

pytestmark = pytest.mark.django_db

PAGE = reverse("portal:notice_settings")
LEGAL_WEIGHT = "審查結果、退件、申復期限、證書撤銷及各項期限通知一律立即以電子郵件寄送，不受此設定影響。"
OPTIONAL = [
    "○○認證已收到送審文件",
    "○○認證已收到複審資料",
    "申請○○認證已收到申復申請",
    "申請○○認證已收到申復重新送審資料",
    "○○認證已公告",
    "○○認證數位研習證明已核發",
]


def checked(page: str) -> str:
    """The value of the radio button that is checked (one, always)."""
    [value] = re.findall(r'<input type="radio" name="delivery" value="(\w+)"[^>]*\schecked', page)
    return value


def test_a_teacher_finds_it_under_personal_information_with_the_legal_weight_sentence(client, teacher):
    client.force_login(teacher)
    profile = client.get(reverse("accounts:profile")).content.decode()
    assert f'href="{PAGE}">通知設定</a>' in profile

    page = client.get(PAGE).content.decode()

    assert LEGAL_WEIGHT in page
    assert '<h1 class="h4">個人資訊</h1>' in page and 'aria-current="page" href="' + PAGE + '">通知設定' in page
    for title in OPTIONAL:
        assert f"<li>{title}</li>" in page
    for label in ("立即寄送電子郵件", "每日彙整一封電子郵件", "僅站內訊息"):
        assert label in page
    assert checked(page) == Delivery.IMMEDIATE  # the default


@pytest.mark.parametrize("persona", ["reviewer", "taipei_officer", "admin_user"])
def test_staff_find_it_in_their_own_settings(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert f'href="{PAGE}"' in client.get(reverse("portal:workspace")).content.decode()

    page = client.get(PAGE).content.decode()

    assert LEGAL_WEIGHT in page and '<h1 class="h4">通知設定</h1>' in page and "個人資訊" not in page


def test_the_page_lists_exactly_the_tables_optional_notices():
    assert optional_notices() == OPTIONAL
    optional = {step.action for step in workflow.TRANSITIONS if step.notice is not None and step.notice.optional}
    assert optional == {"submit", "resubmit", "appeal", "appeal_resubmit", "approve", "issue"}


def test_saving_is_recorded_and_changes_how_the_next_receipt_goes(client, teacher, admin_user, monkeypatch):
    without_checks_and_effects(monkeypatch)
    walk = Walker(office=admin_user)
    client.force_login(teacher)

    response = client.post(PAGE, {"delivery": Delivery.IN_APP}, follow=True)

    page = response.content.decode()
    assert "通知設定已儲存。" in page and checked(page) == Delivery.IN_APP
    entry = the_entry("notice_preference.change")
    assert entry.actor_id == teacher.pk and entry.subject_id == teacher.pk
    assert entry.target == "選擇性通知：立即寄送電子郵件 → 僅站內訊息"
    # The same choice again changes nothing and records nothing.
    client.post(PAGE, {"delivery": Delivery.IN_APP})
    assert len(entries("notice_preference.change")) == 1

    case = walk.to(factories.case(teacher, "advanced"), "formal_return")  # 送出審查文件: a receipt
    walk.take(case, "formal_return", reason="缺少認證檢核表")
    receipt = Notification.objects.get(title="進階專業回饋人才認證已收到送審文件")
    assert receipt.delivery == Delivery.IN_APP
    assert list(OutgoingMail.objects.values_list("subject", flat=True)) == [
        "【教師專業發展支持作業平臺】申請進階專業回饋人才認證退件"
    ]

    client.post(PAGE, {"delivery": Delivery.DIGEST})
    assert preferences.delivery_of(teacher) == Delivery.DIGEST
    assert len(entries("notice_preference.change")) == 2


@pytest.mark.parametrize("posted", [{}, {"delivery": "weekly"}, {"delivery": "digest\x00"}])
def test_a_bad_choice_is_refused_with_a_message(client, reviewer, posted):
    client.force_login(reviewer)

    response = client.post(PAGE, posted)

    assert response.status_code == 200
    assert "請選擇選擇性通知的寄送方式。" in response.content.decode()
    assert not entries("notice_preference.change")
    assert preferences.delivery_of(reviewer) == Delivery.IMMEDIATE
