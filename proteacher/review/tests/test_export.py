"""匯出 Excel: the queue's filtered list as an .xlsx file, read back with openpyxl."""

import datetime
import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from proteacher.certification.models import Case
from proteacher.certification.workflow import State
from proteacher.review.tests.test_decisions import advance
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

URL = reverse("review:export")
HEADER = ["教師", "全教網帳號", "學校", "縣市", "認證類別", "學年度", "狀態", "最後更新時間"]


def rows_of(response) -> list[list]:
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def cases(taipei_officer, taichung_officer):
    sent = advance(
        factories.case(factories.teacher(name="陳一", account="t-001"), academic_year=115),
        State.FORMAL_REVIEW,
        taipei_officer,
    )
    draft = factories.case(factories.teacher(name="王三", account="t-003"), "basic", academic_year=114)
    other = factories.case(factories.teacher(name="張四", account="t-004", county_name="臺中市"), academic_year=115)
    return {"sent": sent, "draft": draft, "other": other}


def test_the_file_has_a_chinese_header_and_a_row_per_case(client, cases, taipei_officer):
    client.force_login(taipei_officer)

    rows = rows_of(client.get(URL))

    assert rows[0] == HEADER
    assert sorted(row[0] for row in rows[1:]) == ["王三", "陳一"]


def test_a_row_reads_as_the_page_does(client, cases, taipei_officer):
    sent = cases["sent"]
    # 23:30 UTC is 07:30 the next day in Taipei: the file shows Taipei time, as text.
    Case.objects.filter(pk=sent.pk).update(updated_at=datetime.datetime(2026, 3, 31, 23, 30, tzinfo=datetime.UTC))
    client.force_login(taipei_officer)

    rows = rows_of(client.get(URL, {"q": "陳一"}))

    assert rows[1] == [
        "陳一",
        "t-001",
        "臺北市立測試國小",
        "臺北市",
        "進階專業回饋人才認證",
        115,
        "形式審查",
        "2026-04-01 07:30",
    ]


def test_the_filters_apply(client, cases, taipei_officer):
    client.force_login(taipei_officer)

    rows = rows_of(client.get(URL, {"academic_year": 115, "state": State.FORMAL_REVIEW}))

    assert [row[0] for row in rows[1:]] == ["陳一"]


def test_a_county_exports_only_its_own_cases(client, cases, taipei_officer, taichung):
    client.force_login(taipei_officer)

    rows = rows_of(client.get(URL, {"county": taichung.pk}))

    assert "張四" not in [row[0] for row in rows]


def test_the_admin_exports_every_county(client, cases, admin_user):
    client.force_login(admin_user)

    rows = rows_of(client.get(URL))

    assert sorted(row[0] for row in rows[1:]) == ["張四", "王三", "陳一"]


def test_the_file_is_named_for_the_year_in_rfc_5987_form(client, cases, taipei_officer):
    client.force_login(taipei_officer)

    response = client.get(URL, {"academic_year": 115})

    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{quote('認證審查_115學年度.xlsx')}"


def test_the_name_says_all_years_and_the_state_when_filtered(client, cases, taipei_officer):
    client.force_login(taipei_officer)

    response = client.get(URL, {"state": State.FORMAL_REVIEW})

    assert quote("認證審查_全部學年度_形式審查.xlsx") in response["Content-Disposition"]


def test_every_page_of_the_list_is_exported(client, taipei_officer):
    for number in range(55):
        factories.case(factories.teacher(name=f"教師{number}", account=f"t-many-{number}"))
    client.force_login(taipei_officer)

    assert len(rows_of(client.get(URL))) == 1 + 55


def test_a_name_that_looks_like_a_formula_stays_text(client, taipei_officer):
    factories.case(factories.teacher(name="=1+1", account="t-formula"))
    client.force_login(taipei_officer)

    response = client.get(URL)

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == "=1+1"
    assert sheet["A2"].data_type == "s"


def test_an_empty_list_is_a_header_only(client, taipei_officer):
    client.force_login(taipei_officer)

    assert rows_of(client.get(URL)) == [HEADER]


def test_it_is_not_kept_by_shared_caches(client, taipei_officer):
    client.force_login(taipei_officer)

    assert client.get(URL)["Cache-Control"] == "private, no-store"


def test_the_time_is_taipei_time_whatever_the_clock(client, taipei_officer, cases):
    client.force_login(taipei_officer)
    expected = timezone.localtime(Case.objects.get(pk=cases["draft"].pk).updated_at).strftime("%Y-%m-%d %H:%M")

    rows = rows_of(client.get(URL, {"q": "王三"}))

    assert rows[1][-1] == expected
