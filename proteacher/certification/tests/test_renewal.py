"""換證 (renewal) of a 教學輔導教師 certificate: a type of its own (教學輔導教師換證) applied for by one
of its two routes, each with its own proofs, open to holders whose certificate ends within 12
months or has ended, through the same workflow; 發證 gives a new 教學輔導教師 certificate with 10
more years, and the old one's reminders stop."""

import datetime
import html
import re

import pytest
from django.urls import reverse

from proteacher.certification import expiry, rules, selectors, services, workflow
from proteacher.certification.models import ApplicationRoute, Case, Certificate, CertificationType, TrainingCertificate
from proteacher.certification.tests.test_certificate_expiry import ISSUED_AT, expiry_notices, issued
from proteacher.certification.workflow import State
from proteacher.errors import DomainError
from proteacher.testing import factories
from proteacher.testing.workflow import PATHS, take, walk

pytestmark = pytest.mark.django_db

RENEWAL = reverse("certification:type", args=["mentor_renewal"])
APPLY = reverse("certification:apply", args=["mentor_renewal"])


def renewal() -> CertificationType:
    factories.certification_types()
    return CertificationType.objects.get(code="mentor_renewal")


def route(code: str) -> ApplicationRoute:
    return renewal().routes.get(code=code)


def page(response) -> str:
    return html.unescape(response.content.decode())


def renewable_row(teacher, day: datetime.date) -> rules.Row:
    evaluation = rules.evaluate(teacher, renewal(), day, route=route("served"))
    return next(row for row in evaluation.rows if row.code == "renewable")


def mentor_certificate(teacher, **values) -> Certificate:
    values.setdefault("expires_on", datetime.date(2036, 12, 4))
    return factories.issued_certificate(teacher, "mentor", **values)


# --- the data ----------------------------------------------------------------------------------


def test_the_renewal_type_ships_with_its_two_routes_and_their_proofs():
    kind = renewal()

    assert kind.renews.code == "mentor" and kind.certificate_type.code == "mentor"
    assert [(r.code, r.name, r.slot_codes) for r in kind.routes.all()] == [
        ("served", "第一種換證方式", ["recommendation", "refresher", "mentoring_duties"]),
        ("practice", "第二種換證方式", ["recommendation", "refresher", "practice_items"]),
    ]
    assert [slot.label for slot in kind.slots.all()] == [
        "換證推薦表",
        "換證回流研習證明",
        "輔導任務證明",
        "專業實踐事項紀錄表",
    ]


# --- who may apply -----------------------------------------------------------------------------


def test_a_certificate_ending_within_twelve_months_may_be_renewed(teacher):
    mentor_certificate(teacher)

    early = renewable_row(teacher, datetime.date(2035, 12, 3))
    assert not early.passed
    assert early.detail.endswith("有效期限至 2036-12-04，2035-12-04 起可申請換證")

    assert renewable_row(teacher, datetime.date(2035, 12, 4)).passed
    ended = renewable_row(teacher, datetime.date(2037, 3, 1))
    assert ended.passed and ended.detail.endswith("已於 2036-12-04 到期")


def test_without_a_valid_mentor_certificate_nobody_renews(teacher, taichung_teacher, admin_user):
    mentor_certificate(teacher, revoked_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    factories.certificate(taichung_teacher, "mentor", 100, "C100000001")  # old system: no end date known

    revoked = renewable_row(teacher, datetime.date(2036, 10, 1))
    undated = renewable_row(taichung_teacher, datetime.date(2036, 10, 1))

    assert not revoked.passed and revoked.detail == "查無有效之教學輔導教師認證證號"
    assert not undated.passed and undated.detail == "教學輔導教師認證證號 C100000001 無有效期限資料，請洽管理者"


def test_a_renewed_certificate_is_the_one_read(teacher):
    mentor_certificate(teacher)
    mentor_certificate(teacher, serial=2, expires_on=datetime.date(2046, 6, 9))

    assert not renewable_row(teacher, datetime.date(2036, 10, 1)).passed


# --- 認證專區: by a route only -------------------------------------------------------------------


def test_the_zone_offers_renewal_by_its_routes_only(client, teacher):
    renewal()
    client.force_login(teacher)

    markup = page(client.get(reverse("certification:index")))

    assert f'href="{RENEWAL}"' not in markup
    assert f'href="{RENEWAL}?route=served"' in markup and f'href="{RENEWAL}?route=practice"' in markup


def test_the_types_own_page_asks_for_a_route_and_applying_without_one_opens_nothing(client, teacher, time_machine):
    time_machine.move_to("2036-06-10 10:00:00+08:00")
    mentor_certificate(teacher)
    client.force_login(teacher)

    markup = page(client.get(RENEWAL))
    assert services.CHOOSE_ROUTE in markup and f'action="{APPLY}"' not in markup
    assert "教學輔導教師換證 第一種換證方式" in markup and "教學輔導教師換證 第二種換證方式" in markup

    response = client.post(APPLY)
    assert response.status_code == 302 and response.url == RENEWAL
    assert not Case.objects.exists()
    with pytest.raises(DomainError, match="請選擇申請方式"):
        services.apply_for(teacher, renewal())


def test_each_route_asks_for_its_own_proofs(client, teacher, time_machine):
    time_machine.move_to("2036-06-10 10:00:00+08:00")
    mentor_certificate(teacher)
    client.force_login(teacher)

    response = client.post(APPLY, {"route": "served"})

    case = Case.objects.get(teacher=teacher)
    assert response.url == reverse("certification:case", args=[case.pk])
    assert [slot.code for slot in selectors.case_slots(case)] == ["recommendation", "refresher", "mentoring_duties"]
    markup = page(client.get(response.url))
    assert "輔導任務證明" in markup and "專業實踐事項紀錄表" not in markup
    assert client.get(reverse("certification:slot_edit", args=[case.pk, "practice_items"])).status_code == 404


def test_a_route_case_is_sent_when_its_own_proofs_are_complete(teacher, admin_user, time_machine):
    time_machine.move_to("2036-06-10 10:00:00+08:00")
    mentor_certificate(teacher)
    case = services.apply_for(teacher, renewal(), route=route("practice"))
    factories.answer(case, "recommendation")
    factories.answer(case, "refresher")

    with pytest.raises(DomainError, match="專業實踐事項紀錄表"):
        workflow.transition(case, "submit", actor=teacher)
    factories.answer(case, "practice_items")
    take(case, "submit", admin_user)

    case.refresh_from_db()
    assert case.state == State.FORMAL_REVIEW


# --- 發證 --------------------------------------------------------------------------------------


def test_renewal_issues_a_new_mentor_certificate_and_the_old_ones_reminders_stop(
    client, teacher, admin_user, time_machine
):
    time_machine.move_to(ISSUED_AT)
    old = issued(teacher, admin_user)
    time_machine.move_to("2036-06-04 08:00:00+08:00")
    assert expiry.send_reminders() == 1  # six months ahead

    time_machine.move_to("2036-06-10 10:00:00+08:00")
    case = services.apply_for(teacher, renewal(), route=route("served"))
    for slot in selectors.case_slots(case):
        factories.answer(case, slot.code)
    walk(case, PATHS[State.ISSUED], admin_user)

    new = Certificate.objects.get(case=case)
    assert new.certification_type.code == "mentor"
    assert new.number == "臺北證號第C124000001號"  # the 教學輔導教師 letter and numbers
    assert new.expires_on == datetime.date(2046, 6, 9)
    assert TrainingCertificate.objects.get(case=case).title == "教學輔導教師換證回流培訓 數位研習證明"

    time_machine.move_to("2036-11-04 08:00:00+08:00")
    assert expiry.send_reminders() == 0  # renewed: no one-month reminder for the old one
    assert len(expiry_notices(teacher)) == 1
    assert list(old.expiry_reminders.values_list("months_before", flat=True)) == [6]

    time_machine.move_to("2036-12-05 10:00:00+08:00")
    client.force_login(teacher)
    held = page(client.get(reverse("certification:held")))
    assert re.search(r"中華民國125年12月4日 <span[^>]*>已過期</span>", held)
    assert "中華民國135年6月9日" in held
    verify = page(client.get(reverse("verify:code", args=[new.verify_code])))
    assert "教學輔導教師認證" in verify and "已過期" not in verify


# --- 認證設定 ----------------------------------------------------------------------------------


def test_the_settings_page_names_the_renewed_type_and_each_routes_proofs(client, admin_user):
    renewal()
    client.force_login(admin_user)

    markup = page(client.get(reverse("certification:settings_type", args=["mentor_renewal"])))

    assert "換證之認證類別：教學輔導教師認證。" in markup
    assert "換證推薦表、換證回流研習證明、輔導任務證明" in markup
    assert "換證推薦表、換證回流研習證明、專業實踐事項紀錄表" in markup


def test_the_months_of_the_renewal_rule_are_edited_under_its_rules(client, admin_user, teacher):
    renewal()
    client.force_login(admin_user)
    url = reverse("certification:settings_rules", args=["mentor_renewal"])
    assert "到期前幾個月起可申請" in page(client.get(url))
    current = renewal().rule_sets.first().rules
    data = {"action": "save", "rule_count": str(len(current)), "from_academic_year": "115", "county": ""}
    for index, rule in enumerate(current):
        prefix = f"rule-{index}-"
        data |= {prefix + key: rule[key] for key in ("code", "check", "item", "condition")}
        data |= {f"{prefix}p_{name}": str(value) for name, value in rule["params"].items()}
    data["rule-1-p_months"] = "6"

    client.post(url, data)

    newest = renewal().rule_sets.order_by("-version").first()
    assert newest.from_academic_year == 115
    assert newest.rules[1]["params"] == {"kind": "mentor", "months": 6}
    mentor_certificate(teacher)
    assert not renewable_row(teacher, datetime.date(2036, 6, 3)).passed
    assert renewable_row(teacher, datetime.date(2036, 6, 4)).passed
