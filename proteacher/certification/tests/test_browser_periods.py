"""申請 outside the period (期程) in Chromium: the page offered 申請 while the period ran; it closed
before the click, so 申請 is refused with the period in the sentence, and 認證專區's card is greyed
with the same sentence."""

import datetime

import pytest
from django.utils import timezone

from proteacher import dates
from proteacher.certification import defaults
from proteacher.certification.deadlines import format_deadline
from proteacher.certification.models import (
    ApplicationRoute,
    Case,
    CertificationPeriod,
    CertificationType,
    FormSlot,
    RuleSet,
)
from proteacher.testing import factories
from proteacher.testing.browser import screenshot, sign_in_with_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def certification_types():
    # The live server's database is flushed between tests: put the shipped types, rules and routes back.
    defaults.install(CertificationType, FormSlot, RuleSet)
    defaults.install_routes(CertificationType, ApplicationRoute)


def test_apply_after_the_period_closed_is_refused_with_the_period(page):
    teacher = factories.advanced_candidate()
    now = timezone.now().replace(second=0, microsecond=0)
    period = CertificationPeriod.objects.create(
        certification_type=CertificationType.objects.get(code="advanced"),
        academic_year=dates.current_academic_year(),
        apply_opens_at=now - datetime.timedelta(days=30),
        apply_closes_at=now + datetime.timedelta(days=30),
    )
    sign_in_with_session(page, teacher)
    page.goto(page.base_url + "/certification/")
    page.get_by_role("link", name="進階專業回饋人才認證").click()
    apply = page.get_by_role("button", name="申請")
    apply.wait_for()

    # The county closes 申請 while the page is open.
    period.apply_closes_at = now - datetime.timedelta(minutes=1)
    period.save()
    apply.click()

    sentence = (
        f"目前不在申請期間，申請期間為 {format_deadline(period.apply_opens_at)} "
        f"至 {format_deadline(period.apply_closes_at)}。"
    )
    page.get_by_role("status").filter(has_text=sentence).wait_for()
    assert page.get_by_role("button", name="申請").count() == 0
    assert not Case.objects.exists()
    screenshot(page, "apply-outside-period")

    page.goto(page.base_url + "/certification/")
    card = page.locator(".card-outside-period").filter(has_text="進階專業回饋人才認證")
    card.get_by_text(sentence).wait_for()
    screenshot(page, "apply-outside-period-card")
