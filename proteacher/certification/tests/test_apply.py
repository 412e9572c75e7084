"""申請: a case only when every row passes, one per teacher, type and academic year."""

import datetime
import html
import threading

import pytest
from django.contrib import messages
from django.db import connection
from django.urls import reverse

from proteacher import dates
from proteacher.certification import rules, services, workflow
from proteacher.certification.models import Case, CaseEvent, CertificationType
from proteacher.certification.tests.test_rules import advanced, eligible_for_advanced, new_version
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

APPLY = reverse("certification:apply", args=["advanced"])
ADVANCED = reverse("certification:type", args=["advanced"])
FAILURE = "資格不符。請洽詢所屬縣市之教專中心或臺師大培訓認證"
ALREADY = "目前沒有可申請的認證 (本學年度已申請過)"


def page(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def eligible(client, teacher):
    eligible_for_advanced(teacher, hours_day=dates.today())
    client.force_login(teacher)
    return teacher


@pytest.fixture
def ineligible(client, teacher):
    client.force_login(teacher)
    return teacher


# --- the view ---------------------------------------------------------------------------------


def test_an_eligible_teacher_lands_on_the_new_case(client, eligible):
    response = client.post(APPLY)

    case = Case.objects.get(teacher=eligible)
    assert response.status_code == 302
    assert response.url == reverse("certification:case", args=[case.pk])


def test_the_case_is_this_years_and_in_preparation(client, eligible):
    client.post(APPLY)

    case = Case.objects.get(teacher=eligible)
    assert case.certification_type.code == "advanced"
    assert case.academic_year == dates.current_academic_year()
    assert case.state == workflow.State.PREPARING
    assert case.school == eligible.profile.school and case.county == eligible.county


def test_the_case_keeps_the_evaluation_that_let_it_in(client, eligible):
    client.post(APPLY)

    record = Case.objects.get(teacher=eligible).eligibility
    rule_set = rules.applicable_rule_set(advanced(), eligible.county_id, dates.current_academic_year())
    assert record["rule_set"]["id"] == rule_set.pk and record["rule_set"]["version"] == rule_set.version
    assert record["passed"] is True
    assert [r["item"] for r in record["results"]] == [
        "身份",
        "正式教師年資",
        "實際教學年資",
        "證號",
        "研習時數",
        "研習年度",
    ]
    assert record["inputs"]["certificates"][0]["number"] == "A104000811"


def test_applying_writes_the_first_event(client, eligible):
    client.post(APPLY)

    event = CaseEvent.objects.get(case__teacher=eligible)
    assert (event.action, event.from_state, event.to_state, event.actor) == (
        "apply",
        "",
        workflow.State.PREPARING,
        eligible,
    )


def test_applying_says_so(client, eligible):
    response = client.post(APPLY, follow=False)

    message = [str(m) for m in messages.get_messages(response.wsgi_request)]
    assert message == ["已建立進階認證申請，請於編輯表單列表中填寫或上傳各項表單。"]


def test_an_ineligible_teacher_creates_nothing(client, ineligible):
    response = client.post(APPLY)

    assert response.status_code == 200
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_a_refusal_shows_the_table_with_the_failing_rows(client, ineligible):
    text = page(client.post(APPLY))

    assert "資格不符，無法申請。請查看下表未符合的項目。" in text
    assert text.count(FAILURE) == 3  # 證號, 研習時數, 研習年度
    assert "<caption" in text and ">申請</button>" in text


def test_one_failing_row_is_enough_to_refuse(client, eligible):
    eligible.profile.teaching_years = 2
    eligible.profile.save()

    client.post(APPLY)

    assert not Case.objects.exists()


def test_a_second_application_in_the_same_year_gets_the_seeds_message(client, eligible):
    client.post(APPLY)

    response = client.post(APPLY, follow=True)

    assert Case.objects.filter(teacher=eligible).count() == 1
    assert response.redirect_chain == [(ADVANCED, 302)]
    assert page(response).count(ALREADY) == 1
    assert ">申請</button>" not in page(response)


def test_last_years_case_does_not_stop_this_years_application(client, eligible):
    workflow.open_case(eligible, advanced(), dates.current_academic_year() - 1, {})

    client.post(APPLY)

    assert Case.objects.filter(teacher=eligible, academic_year=dates.current_academic_year()).exists()


def test_a_case_of_another_type_does_not_count(client, eligible):
    workflow.open_case(eligible, CertificationType.objects.get(code="basic"), dates.current_academic_year(), {})

    client.post(APPLY)

    assert Case.objects.filter(teacher=eligible, certification_type__code="advanced").count() == 1


def test_a_closed_type_takes_no_application(client, eligible):
    CertificationType.objects.filter(code="advanced").update(is_open=False)

    response = client.post(APPLY, follow=True)

    assert not Case.objects.exists()
    assert "此認證目前未開放申請。" in page(response)


def test_apply_takes_only_post(client, eligible):
    assert client.get(APPLY).status_code == 405


@pytest.mark.parametrize("persona", ["taipei_officer", "reviewer", "admin_user"])
def test_staff_cannot_apply(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.post(APPLY).status_code == 403
    assert not Case.objects.exists()


def test_an_unverified_teacher_is_sent_to_verification(client, new_teacher):
    client.force_login(new_teacher)

    assert client.post(APPLY).url == reverse("accounts:verify")
    assert not Case.objects.exists()


def test_an_unknown_type_is_not_found(client, eligible):
    assert client.post(reverse("certification:apply", args=["nothing"])).status_code == 404


# --- the service --------------------------------------------------------------------------


def test_the_academic_year_is_that_of_the_day_of_application(teacher):
    eligible_for_advanced(teacher, hours_day=datetime.date(2019, 10, 19))

    case = services.apply_for(teacher, advanced(), on_day=datetime.date(2020, 7, 31))

    assert case.academic_year == 108


def test_the_countys_own_rules_are_recorded(teacher, taipei):
    eligible_for_advanced(teacher, hours_day=datetime.date(2019, 10, 19))
    taipei_rules = new_version(advanced(), 108, county=taipei, hours=18)

    case = services.apply_for(teacher, advanced(), on_day=datetime.date(2020, 2, 25))

    assert case.eligibility["rule_set"] == {
        "id": taipei_rules.pk,
        "version": taipei_rules.version,
        "from_academic_year": 108,
        "county": "臺北市",
    }


def test_the_refusal_carries_the_evaluation(teacher):
    with pytest.raises(services.NotEligible) as refusal:
        services.apply_for(teacher, advanced(), on_day=datetime.date(2020, 2, 25))

    assert [row.item for row in refusal.value.evaluation.failing_rows] == ["證號", "研習時數", "研習年度"]


def test_already_applied_is_refused_before_evaluating(teacher, monkeypatch):
    existing = workflow.open_case(teacher, advanced(), 108, {})
    monkeypatch.setattr(rules, "evaluate", lambda *args, **kwargs: pytest.fail("evaluated again"))

    with pytest.raises(services.AlreadyApplied) as refusal:
        services.apply_for(teacher, advanced(), on_day=datetime.date(2020, 2, 25))

    assert refusal.value.case == existing
    assert refusal.value.message == ALREADY


def test_losing_the_race_to_a_second_request_gives_the_existing_case(teacher, monkeypatch):
    """A double click: the other request inserts between our check and our insert."""
    eligible_for_advanced(teacher, hours_day=datetime.date(2019, 10, 19))
    evaluate = rules.evaluate
    competitor = {}

    def evaluate_while_another_request_applies(*args, **kwargs):
        result = evaluate(*args, **kwargs)
        competitor["case"] = workflow.open_case(teacher, advanced(), 108, result.record)
        return result

    monkeypatch.setattr(rules, "evaluate", evaluate_while_another_request_applies)

    with pytest.raises(services.AlreadyApplied) as refusal:
        services.apply_for(teacher, advanced(), on_day=datetime.date(2020, 2, 25))

    assert refusal.value.case == competitor["case"]
    assert Case.objects.count() == 1
    assert CaseEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections writing at once need PostgreSQL")
def test_two_simultaneous_applications_make_one_case(monkeypatch):
    from proteacher.certification import defaults
    from proteacher.certification.models import FormSlot, RuleSet

    defaults.install(CertificationType, FormSlot, RuleSet)
    teacher = factories.teacher()
    eligible_for_advanced(teacher, hours_day=datetime.date(2019, 10, 19))
    kind = advanced()
    # Both requests pass the "already applied?" check before either inserts.
    both_checked = threading.Barrier(2, timeout=10)
    evaluate = rules.evaluate

    def evaluate_then_wait(*args, **kwargs):
        result = evaluate(*args, **kwargs)
        both_checked.wait()
        return result

    monkeypatch.setattr(rules, "evaluate", evaluate_then_wait)
    outcomes = []

    def request():
        try:
            outcomes.append(services.apply_for(teacher, kind, on_day=datetime.date(2020, 2, 25)))
        except services.AlreadyApplied as refusal:
            outcomes.append(refusal)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Case.objects.count() == 1
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["AlreadyApplied", "Case"]
