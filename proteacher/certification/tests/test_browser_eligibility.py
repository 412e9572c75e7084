"""The 進階 type page in Chromium: the eligibility table, a refused 申請, a case, and a second try."""

import datetime
from decimal import Decimal

import pytest

from proteacher import dates
from proteacher.certification import defaults
from proteacher.certification.models import (
    ApplicationRoute,
    Case,
    Certificate,
    CertificationType,
    FormSlot,
    RuleSet,
)
from proteacher.registry.models import TrainingCategory, TrainingRecord
from proteacher.testing import factories
from proteacher.testing.browser import screenshot, sign_in_with_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FAILURE = "資格不符。請洽詢所屬縣市之教專中心或臺師大培訓認證"
ALREADY = "目前沒有可申請的認證 (本學年度已申請過)"


@pytest.fixture(autouse=True)
def certification_types():
    # The live server's database is flushed between tests: put the shipped types, rules and routes back.
    defaults.install(CertificationType, FormSlot, RuleSet)
    defaults.install_routes(CertificationType, ApplicationRoute)


def train(user, course: str, category: str, hours: str, day: datetime.date):
    TrainingRecord.objects.create(
        inservice_account=user.inservice_account,
        course=course,
        category=category,
        hours=Decimal(hours),
        completed_on=day,
        academic_year=dates.academic_year(day),
    )


def holds_basic_certificate(user):
    Certificate.objects.create(
        teacher=user,
        certification_type=CertificationType.objects.get(code="basic"),
        academic_year=104,
        number="A104000811",
        source="old_system",
    )


def open_advanced(page):
    page.goto(page.base_url + "/certification/")
    page.get_by_role("link", name="進階專業回饋人才認證").click()
    page.get_by_role("heading", name="進階專業回饋人才認證").wait_for()


def eligibility_rows(page) -> dict[str, str]:
    table = page.get_by_role("table").filter(has_text="申請資格")
    return {
        row.get_by_role("rowheader").inner_text().strip(): row.inner_text()
        for row in table.get_by_role("row").all()[1:]
    }


def test_an_ineligible_teacher_sees_why_and_cannot_apply(page):
    # As the seed's screen: two years of formal service, and 6 hours two academic years ago.
    year_start = dates.academic_year_bounds(dates.current_academic_year())[0]
    teacher = factories.teacher(
        name="林不符",
        account="t-ineligible",
        formal_since=year_start.replace(year=year_start.year - 2),
        teaching_years=5,
    )
    holds_basic_certificate(teacher)
    two_years_ago = year_start.replace(year=year_start.year - 2, month=10, day=19)
    train(teacher, "進階專業回饋人才培訓 2-1 教學觀察與回饋實務", TrainingCategory.ADVANCED, "6", two_years_ago)
    sign_in_with_session(page, teacher)

    open_advanced(page)

    rows = eligibility_rows(page)
    assert list(rows) == ["身份", "正式教師年資", "實際教學年資", "證號", "研習時數", "研習年度"]
    assert [item for item, text in rows.items() if FAILURE in text] == ["正式教師年資", "研習時數", "研習年度"]
    assert "1.108年7月以後，18小時 2.107年7月至108年6月，15小時" in rows["研習時數"]
    screenshot(page, "eligibility-table")

    page.get_by_role("button", name="申請").click()

    page.get_by_text("資格不符，無法申請。").wait_for()
    assert [item for item, text in eligibility_rows(page).items() if FAILURE in text] == [
        "正式教師年資",
        "研習時數",
        "研習年度",
    ]
    assert not Case.objects.exists()
    screenshot(page, "eligibility-refused")


def test_an_eligible_teacher_applies_once(page):
    teacher = factories.teacher(name="黃測試", account="t-eligible")
    holds_basic_certificate(teacher)
    last_year = dates.academic_year_bounds(dates.current_academic_year() - 1)[0]
    train(
        teacher,
        "進階專業回饋人才培訓 2-1 教學觀察與回饋實務",
        TrainingCategory.ADVANCED,
        "6",
        last_year.replace(month=10, day=19),
    )
    train(
        teacher,
        "進階專業回饋人才培訓 2-2 專業學習社群與共同備課",
        TrainingCategory.ADVANCED,
        "6",
        last_year.replace(month=10, day=20),
    )
    train(
        teacher,
        "進階專業回饋人才培訓 2-4 專業回饋實務探討",
        TrainingCategory.ADVANCED_PRACTICE,
        "6",
        last_year.replace(year=last_year.year + 1, month=3, day=15),
    )
    sign_in_with_session(page, teacher)

    open_advanced(page)
    assert FAILURE not in page.get_by_role("table").filter(has_text="申請資格").inner_text()
    screenshot(page, "eligibility-table-eligible")
    # A second tab left open on the same page: its 申請 comes after the first one's.
    stale = page.context.new_page()
    stale.goto(page.url)

    page.get_by_role("button", name="申請").click()

    page.wait_for_url("**/certification/cases/*/")
    case = Case.objects.get(teacher=teacher)
    assert page.url.endswith(f"/certification/cases/{case.pk}/")
    assert case.academic_year == dates.current_academic_year()

    stale.get_by_role("button", name="申請").click()

    stale.get_by_text(ALREADY).wait_for()
    assert stale.get_by_role("button", name="申請").count() == 0
    assert Case.objects.filter(teacher=teacher).count() == 1
    rows = stale.get_by_role("table", name="申請紀錄").get_by_role("row").all()
    assert [cell.inner_text() for cell in rows[0].get_by_role("columnheader").all()] == [
        "年份",
        "狀態",
        "最後更新時間",
        "建立時間",
    ]
    assert rows[1].get_by_role("cell").first.inner_text() == str(dates.current_academic_year())
    assert "準備資料" in rows[1].inner_text()
    screenshot(stale, "eligibility-already-applied")


def test_the_zone_offers_the_mentor_route_as_a_card_of_its_own(page):
    sign_in_with_session(page, factories.teacher(name="許輔導", account="t-mentor"))
    page.goto(page.base_url + "/certification/")

    cards = page.locator(".card-title")
    assert [" ".join(text.split()) for text in cards.all_inner_texts()] == [
        "初階專業回饋人才認證",
        "進階專業回饋人才認證",
        "教學輔導教師認證",
        "教學輔導教師認證 第一種申請方式",
        # 換證: by its routes only, no card of the type's own.
        "教學輔導教師換證 第一種換證方式",
        "教學輔導教師換證 第二種換證方式",
    ]
    screenshot(page, "certification-zone-routes")
    page.get_by_role("link", name="第一種申請方式").click()

    page.get_by_role("heading", name="教學輔導教師認證 第一種申請方式").wait_for()
    assert "已取得進階專業回饋人才證書" in page.locator(".route-description").inner_text()
    assert list(eligibility_rows(page)) == ["身份", "正式教師年資", "實際教學年資", "證號", "研習時數", "研習年度"]
    assert page.get_by_role("button", name="申請").is_visible()


def test_a_mentor_whose_certificate_ends_soon_renews_by_a_route_and_fills_its_proofs(page):
    teacher = factories.teacher(name="許輔導", account="t-mentor")
    factories.issued_certificate(teacher, "mentor", expires_on=dates.today() + datetime.timedelta(days=90))
    sign_in_with_session(page, teacher)
    page.goto(page.base_url + "/certification/")

    page.get_by_role("link", name="教學輔導教師換證 第二種換證方式").click()

    page.get_by_role("heading", name="教學輔導教師換證 第二種換證方式").wait_for()
    assert "專業實踐事項" in page.locator(".route-description").inner_text()
    assert list(eligibility_rows(page)) == ["身份", "證號"]
    page.get_by_role("button", name="申請").click()

    page.get_by_text("已建立教學輔導教師換證申請").wait_for()
    slots = page.locator("tr[data-slot]")
    assert slots.evaluate_all("rows => rows.map(row => row.dataset.slot)") == [
        "recommendation",
        "refresher",
        "practice_items",
    ]
    screenshot(page, "renewal-case")
