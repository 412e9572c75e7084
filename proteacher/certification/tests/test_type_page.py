"""A type's page: the eligibility table with 申請, the year's message, and the earlier cases."""

import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from proteacher import dates
from proteacher.certification import workflow
from proteacher.certification.models import Case, CertificationType
from proteacher.certification.tests.test_rules import eligible_for_advanced, training

pytestmark = pytest.mark.django_db

ADVANCED = reverse("certification:type", args=["advanced"])
APPLY = reverse("certification:apply", args=["advanced"])
FAILURE = "資格不符。請洽詢所屬縣市之教專中心或臺師大培訓認證"


def page(response) -> str:
    return html.unescape(response.content.decode())


def rows_of(text: str) -> list[str]:
    """The eligibility table's rows as plain text, one string per row."""
    table = text[text.index("<caption") : text.index("</table>", text.index("<caption"))]
    return [" ".join(re.sub(r"<[^>]+>", " ", body).split()) for body in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S)]


def open_case(teacher, year: int, state: str = workflow.State.PREPARING, created=None, updated=None) -> Case:
    case = workflow.open_case(teacher, CertificationType.objects.get(code="advanced"), year, {})
    Case.objects.filter(pk=case.pk).update(
        state=state, created_at=created or case.created_at, updated_at=updated or case.updated_at
    )
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def huang(client, teacher):
    client.force_login(teacher)
    return teacher


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(ADVANCED)

    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_an_unverified_teacher_is_sent_to_verification(client, new_teacher):
    client.force_login(new_teacher)

    assert client.get(ADVANCED).url == reverse("accounts:verify")


@pytest.mark.parametrize("persona", ["taipei_officer", "reviewer", "admin_user"])
def test_staff_are_refused(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(ADVANCED).status_code == 403


def test_an_unknown_type_is_not_found(client, huang):
    assert client.get(reverse("certification:type", args=["nothing"])).status_code == 404


def test_the_heading_is_the_types_name(client, huang):
    text = page(client.get(ADVANCED))

    assert re.search(r"<h1[^>]*>進階專業回饋人才認證</h1>", text)


def test_the_breadcrumbs_read_as_the_seeds(client, huang):
    crumbs = re.sub(r"<[^>]+>", " ", page(client.get(ADVANCED)).split('<ol class="breadcrumb">')[1].split("</ol>")[0])

    assert crumbs.split() == ["首頁", "認證專區", "進階專業回饋人才認證", "申請認證"]


def test_the_table_has_the_seeds_columns_and_rows(client, huang):
    eligible_for_advanced(huang, hours_day=dates.today())

    rows = rows_of(page(client.get(ADVANCED)))

    assert rows[0] == "項目 條件"
    assert [r.split(" 符合：")[0] for r in rows[1:]] == [
        "身份 現職正式教師",
        "正式教師年資 滿3年以上",
        "實際教學年資 滿3年以上",
        "證號 1.初階證號或106年以後之初階認證時數6小時(依照縣市規定)",
        "研習時數 1.108年7月以後，18小時 2.107年7月至108年6月，15小時",
        "研習年度 1.認證時當年度之研習 2.認證時前1年度之研習",
    ]


def test_an_eligible_teacher_sees_no_failure_and_the_apply_button(client, huang):
    eligible_for_advanced(huang, hours_day=dates.today())

    text = page(client.get(ADVANCED))

    assert FAILURE not in text
    assert re.search(
        rf'<form method="post" action="{APPLY}"[^>]*>.*?<button type="submit"[^>]*>申請</button>', text, re.S
    )


def test_the_failure_message_stands_beside_each_failing_row_only(client, huang):
    # No 初階 number, no training, two years of formal service: four rows fail.
    huang.profile.formal_since = dates.today() - datetime.timedelta(days=2 * 365)
    huang.profile.save()

    rows = rows_of(page(client.get(ADVANCED)))[1:]

    failing = [r.split()[0] for r in rows if FAILURE in r]
    assert failing == ["正式教師年資", "證號", "研習時數", "研習年度"]
    assert "身份 現職正式教師 符合" in rows[0]


def test_the_message_follows_the_condition_in_the_same_row(client, huang):
    rows = rows_of(page(client.get(ADVANCED)))

    assert rows[5].startswith(f"研習時數 1.108年7月以後，18小時 2.107年7月至108年6月，15小時 {FAILURE}")


def test_an_ineligible_teacher_still_sees_the_apply_button(client, huang):
    # The seed shows 申請 under a failing table; pressing it is refused (test_apply).
    assert ">申請</button>" in page(client.get(ADVANCED))


def test_a_failing_row_says_what_is_missing(client, huang):
    training(huang, "12", dates.today())

    assert "未符合：" in page(client.get(ADVANCED))
    assert "研習 12 小時" in page(client.get(ADVANCED))


def test_earlier_cases_are_listed_with_year_state_and_dates(client, huang):
    year = dates.current_academic_year()
    created = timezone.make_aware(datetime.datetime(2020, 2, 25, 9, 0))
    updated = timezone.make_aware(datetime.datetime(2020, 2, 28, 23, 30))
    case = open_case(huang, year - 1, state=workflow.State.FAILED, created=created, updated=updated)

    text = page(client.get(ADVANCED))

    table = text[text.index("<thead", text.index('aria-label="申請紀錄"')) :]
    header = re.sub(r"<[^>]+>", " ", table.split("</thead>")[0]).split()
    assert header == ["年份", "狀態", "最後更新時間", "建立時間"]
    cells = re.sub(r"<[^>]+>", " ", table.split("<tbody>")[1].split("</tbody>")[0]).split()
    assert cells == [str(year - 1), "不合格", "2020-02-28", "2020-02-25"]
    assert f'<a href="{reverse("certification:case", args=[case.pk])}">{year - 1}</a>' in table


def test_an_earlier_case_leaves_this_years_application_open(client, huang):
    open_case(huang, dates.current_academic_year() - 1, state=workflow.State.FAILED)

    text = page(client.get(ADVANCED))

    assert ">申請</button>" in text
    assert "目前沒有可申請的認證" not in text


def test_this_years_case_replaces_the_button_with_the_seeds_message(client, huang):
    open_case(huang, dates.current_academic_year())

    text = page(client.get(ADVANCED))

    assert "目前沒有可申請的認證 (本學年度已申請過)" in text
    assert ">申請</button>" not in text
    assert "<caption" not in text  # the seed's page shows the cases and the message only
    assert "準備資料" in text


def test_cases_of_other_types_and_teachers_are_not_listed(client, huang, taichung_teacher):
    open_case(taichung_teacher, dates.current_academic_year())
    workflow.open_case(huang, CertificationType.objects.get(code="basic"), dates.current_academic_year(), {})

    text = page(client.get(ADVANCED))

    assert 'aria-label="申請紀錄"' not in text
    assert ">申請</button>" in text


def test_a_closed_type_says_so_and_offers_no_button(client, huang):
    CertificationType.objects.filter(code="advanced").update(is_open=False)

    text = page(client.get(ADVANCED))

    assert "此認證目前未開放申請。" in text
    assert ">申請</button>" not in text


def test_the_page_costs_the_same_queries_with_more_training_and_cases(client, huang, django_assert_max_num_queries):
    client.get(ADVANCED)  # warm the session
    with django_assert_max_num_queries(13) as few:
        client.get(ADVANCED)
    for number in range(40):
        training(huang, "1", dates.today() - datetime.timedelta(days=number))
    for year in range(90, 100):
        open_case(huang, year, state=workflow.State.FAILED)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(ADVANCED)
