"""A NUL (or any control character) in 認證設定, an online form, 流程進度 or 資料轉移: a Chinese
message on the field, or the character dropped; never a server error, never a NUL stored."""

import html

import pytest
from django.urls import reverse

from proteacher.certification import workflow
from proteacher.certification.models import CaseEvent, CertificationType, FormSlot, RuleSet, SlotAnswer
from proteacher.certification.tests.test_new_type import FORM as NEW_TYPE
from proteacher.certification.tests.test_settings_views import TEXTS, rules_post, slots_post
from proteacher.testing import factories
from proteacher.testing.workflow import advance
from proteacher.text import CONTROL_CHARACTERS

pytestmark = pytest.mark.django_db

NUL = "\x00"
ADVANCED = reverse("certification:settings_type", args=["advanced"])


def page(response) -> str:
    assert response.status_code < 500
    return html.unescape(response.content.decode())


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return admin_user


def test_a_new_types_code_with_a_nul_says_so(client, admin):
    response = client.post(reverse("certification:settings_new"), {**NEW_TYPE, "code": f"coach{NUL}"})
    assert CONTROL_CHARACTERS in page(response)
    assert not CertificationType.objects.filter(name=NEW_TYPE["name"]).exists()


def test_a_types_name_with_a_control_character_says_so(client, admin):
    assert CONTROL_CHARACTERS in page(client.post(ADVANCED, {**TEXTS, "name": "進階\x1b認證"}))
    assert CertificationType.objects.get(code="advanced").name == "進階專業回饋人才認證"


def test_a_slots_label_with_a_nul_says_so(client, admin):
    assert CONTROL_CHARACTERS in page(client.post(ADVANCED, slots_post({"community": {"label": f"社群{NUL}"}})))


def test_a_new_slot_with_a_nul_says_so(client, admin):
    posted = {"action": "add_slot", "new-label": "新項目", "new-code": f"x{NUL}", "new-template_codes": ["flanders"]}
    assert CONTROL_CHARACTERS in page(client.post(ADVANCED, posted))


def test_a_rules_item_refuses_a_nul_and_its_condition_drops_one(client, admin):
    rules = reverse("certification:settings_rules", args=["advanced"])
    refused = client.post(rules, rules_post(**{"rule-0-item": f"年資{NUL}"}))
    assert CONTROL_CHARACTERS in page(refused)

    before = RuleSet.objects.filter(certification_type__code="advanced").count()
    client.post(rules, rules_post(**{"rule-0-condition": f"任教滿{NUL}四年\r\n（含）"}))
    saved = RuleSet.objects.filter(certification_type__code="advanced").order_by("-version").first()
    assert RuleSet.objects.filter(certification_type__code="advanced").count() == before + 1
    assert saved.rules[0]["condition"] == "任教滿四年\n（含）"


def test_a_nul_in_the_rule_count_or_the_version_shown_is_ignored(client, admin):
    rules = reverse("certification:settings_rules", args=["advanced"])
    assert client.get(rules, {"base": f"1{NUL}"}).status_code == 200
    assert client.post(rules, rules_post(rule_count=f"6{NUL}")).status_code < 500


@pytest.fixture
def case(teacher):
    return workflow.open_case(teacher, CertificationType.objects.get(code="basic"), 113, {})


def test_an_online_form_keeps_the_text_without_the_nul(client, teacher, case):
    client.force_login(teacher)
    url = reverse("certification:slot_edit", args=[case.pk, "observation"])
    posted = {"template": "anecdotal_record", "revision": "0", "teacher": f"王{NUL}大明", "records-0-facts": "舉手\r\n"}
    response = client.post(f"{url}?template=anecdotal_record", posted)
    assert response.status_code == 302
    data = SlotAnswer.objects.get(case=case, slot_code="observation").data
    assert data["teacher"] == "王大明" and data["records"][0]["facts"] == "舉手"


def test_a_nul_in_the_template_asked_for_is_no_template(client, teacher, case):
    client.force_login(teacher)
    url = reverse("certification:slot_edit", args=[case.pk, "observation"])
    assert client.get(url, {"template": f"anecdotal_record{NUL}"}).status_code == 404


def test_a_nul_in_the_action_asked_for_is_no_action(client, teacher, case):
    client.force_login(teacher)
    response = client.post(reverse("certification:act", args=[case.pk]), {"action": NUL, "revision": f"{NUL}1"})
    assert response.status_code < 500
    case.refresh_from_db()
    assert case.state == workflow.State.PREPARING


def test_a_nul_as_the_transfer_decision_is_not_an_answer(client, new_teacher):
    client.force_login(new_teacher)
    assert client.post(reverse("certification:transfer"), {"decision": NUL}).status_code < 500


def test_the_slots_do_not_change_on_a_refused_post(client, admin):
    before = list(FormSlot.objects.filter(certification_type__code="advanced").values_list("label", flat=True))
    client.post(ADVANCED, slots_post({"community": {"label": f"社群{NUL}"}}))
    after = list(FormSlot.objects.filter(certification_type__code="advanced").values_list("label", flat=True))
    assert after == before


def test_the_workflow_keeps_a_reason_without_control_characters(teacher, taipei_officer):
    case = advance(factories.case(teacher, "advanced"), workflow.State.FIRST_DECISION, taipei_officer)
    workflow.transition(case, "first_fail", actor=taipei_officer, reason=f"資料{NUL}不足\r\n\x1b")
    assert CaseEvent.objects.filter(case=case).last().reason == "資料不足"
