"""新增認證類別: a type is rows, so a fourth one is added under 認證設定 and works like the shipped ones."""

import re

import pytest
from django.urls import reverse

from proteacher.certification import services, workflow
from proteacher.certification.models import Certificate, CertificationType
from proteacher.certification.workflow import State
from proteacher.errors import DomainError
from proteacher.notifications.models import Notification
from proteacher.testing import factories
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db

NEW = reverse("certification:settings_new")
FORM = {
    "code": "coach",
    "name": "學習領導教練認證",
    "short_name": "教練認證",
    "certificate_letter": "d",
    "training_name": "學習領導教練",
    "review_template_code": "review_basic",
    "is_open": "on",
}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return admin_user


def test_the_settings_list_offers_a_new_type(client, admin):
    assert f'href="{NEW}"' in client.get(reverse("certification:settings")).content.decode()
    assert "新增認證類別" in text_of(client.get(NEW))


def test_a_new_type_is_added_last_and_its_page_opens(client, admin):
    response = client.post(NEW, FORM)

    kind = CertificationType.objects.get(code="coach")
    assert response.url == reverse("certification:settings_type", args=["coach"])
    assert (kind.name, kind.short_name, kind.certificate_letter, kind.training_name, kind.review_template_code) == (
        "學習領導教練認證",
        "教練認證",
        "D",
        "學習領導教練",
        "review_basic",
    )
    assert kind.sort_order > max(CertificationType.objects.exclude(pk=kind.pk).values_list("sort_order", flat=True))
    assert "已新增「學習領導教練認證」" in text_of(client.get(response.url))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": "advanced"}, "代碼「advanced」已經使用。"),
        ({"code": "new"}, "代碼「new」與平臺的網址重複，請改用其他代碼。"),
        ({"code": "settings"}, "代碼「settings」與平臺的網址重複，請改用其他代碼。"),
        ({"code": "Coach 2"}, "代碼請以小寫英文字母開頭，只用小寫英文字母、數字與底線，最多 20 字。"),
        (
            {"certificate_letter": "b"},
            "證號字母「B」已由「進階專業回饋人才認證」使用，每個認證類別須有自己的證號字母。",
        ),
        ({"review_template_code": ""}, "請選擇審查標準表。"),
        ({"review_template_code": "post_conference_a"}, "請選擇審查標準表。"),
    ],
)
def test_a_refused_type_says_why_and_keeps_what_was_typed(client, admin, changes, message):
    before = CertificationType.objects.count()

    response = client.post(NEW, {**FORM, **changes})

    assert response.status_code in (200, 400)
    text = text_of(response)
    assert message in text
    assert "學習領導教練認證" in response.content.decode()
    assert CertificationType.objects.count() == before


def test_a_letter_taken_by_another_type_is_refused_on_edit_too(admin):
    with pytest.raises(DomainError) as refused:
        services.update_type(CertificationType.objects.get(code="basic"), certificate_letter="B")

    assert refused.value.message == "證號字母「B」已由「進階專業回饋人才認證」使用，每個認證類別須有自己的證號字母。"
    assert CertificationType.objects.get(code="basic").certificate_letter == "A"


def test_a_type_without_rules_refuses_to_open_a_case(client, admin):
    services.create_type(code="coach", **{k: v for k, v in FORM.items() if k not in ("code", "is_open")})
    teacher = factories.teacher(name="周教練", account="t-coach")
    client.force_login(teacher)

    response = client.post(reverse("certification:apply", args=["coach"]), follow=True)

    assert not teacher.cases.exists()
    assert "資格不符" in text_of(response)


def test_a_new_type_goes_from_application_to_its_own_certificate(admin_user, taipei_officer):
    """Three slots, one rule, and the whole way through 形式審查 and 初審 to 發證: its numbers carry
    its letter and its messages its names; nothing in the code knows it."""
    kind = services.create_type(
        code="coach",
        **{k: v for k, v in FORM.items() if k not in ("code", "is_open", "certificate_letter")},
        certificate_letter="D",
    )
    for label, templates in (
        ("觀察前會談紀錄表", ["pre_conference_a"]),
        ("觀察紀錄表", ["anecdotal_record"]),
        ("觀察後回饋會談紀錄表", ["post_conference_a"]),
    ):
        services.add_slot(kind, label=label, template_codes=templates)
    services.save_rule_set(
        kind,
        from_academic_year=100,
        county=None,
        rules_data=[
            {"code": "identity", "item": "身份", "condition": "現職教師", "check": "in_service_teacher", "params": {}}
        ],
        actor=admin_user,
    )
    teacher = factories.teacher(name="周教練", account="t-coach")
    case = services.apply_for(teacher, kind)

    advance(case, State.PASSED, taipei_officer)
    for action in ("approve", "issue"):
        workflow.transition(case, action, actor=admin_user, expected_revision=case.revision)

    certificate = Certificate.objects.get(case=case)
    assert re.fullmatch(rf"臺北證號第D{case.academic_year:03d}000001號", certificate.number)
    assert certificate.certification_type == kind
    titles = list(Notification.objects.filter(recipient=teacher).values_list("title", flat=True))
    assert "學習領導教練認證數位研習證明已核發" in titles
    assert all("進階" not in title and "初階" not in title for title in titles)
