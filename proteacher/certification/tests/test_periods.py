"""期程設定: 管理者 saves a type's national period for a year from 認證設定, a 縣市 its own county's
override (another county's page is a 404), each save with its audit entry."""

import datetime
import re

import pytest
from django.urls import reverse

from proteacher import dates
from proteacher.certification.deadlines import TAIPEI, period_for
from proteacher.certification.models import CertificationPeriod, CertificationType
from proteacher.testing import factories
from proteacher.testing.audit import entries

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def advanced():
    factories.certification_types()
    return CertificationType.objects.get(code="advanced")


def test_the_admin_sets_the_national_period_from_the_types_settings(client, admin_user, advanced):
    year = dates.current_academic_year()
    client.force_login(admin_user)
    settings_page = client.get(reverse("certification:settings_type", args=["advanced"])).content.decode()
    url = reverse("certification:period_national", args=["advanced", year])
    assert f'href="{url}"' in settings_page

    response = client.post(
        url, {"apply_opens_at": "2026-09-01T08:00", "apply_closes_at": "2026-10-31T23:59", "revision_days": "30"}
    )

    assert response.status_code == 302
    period = period_for(advanced.pk, year, None)
    assert period.apply_opens_at == datetime.datetime(2026, 9, 1, 8, 0, tzinfo=TAIPEI)
    assert period.revision_days == 30
    [entry] = entries("settings.period")
    assert entry.actor_id == admin_user.pk and entry.data["changed"]["apply_closes_at"] == [None, "115-10-31 23:59"]
    # Saving it again as it is records nothing.
    client.post(
        url, {"apply_opens_at": "2026-09-01T08:00", "apply_closes_at": "2026-10-31T23:59", "revision_days": "30"}
    )
    assert len(entries("settings.period")) == 1


def test_a_county_overrides_its_own_county_only(client, taipei_officer, taipei, taichung, advanced):
    year = dates.current_academic_year()
    CertificationPeriod.objects.create(
        certification_type=advanced,
        academic_year=year,
        apply_closes_at=datetime.datetime(2026, 10, 31, 23, 59, tzinfo=TAIPEI),
        revision_days=30,
    )
    client.force_login(taipei_officer)
    own = reverse("certification:period_county", args=["advanced", year, taipei.code])
    other = reverse("certification:period_county", args=["advanced", year, taichung.code])

    page = text_of(client.get(own).content.decode())
    assert "全國：115-10-31 23:59" in page and "全國：30 天" in page
    assert client.get(other).status_code == 404
    assert client.post(other, {"revision_days": "10"}).status_code == 404
    assert client.get(reverse("certification:period_national", args=["advanced", year])).status_code == 403
    client.post(own, {"apply_closes_at": "2026-11-07T23:59"})

    mine = period_for(advanced.pk, year, taipei.pk)
    assert mine.apply_closes_at == datetime.datetime(2026, 11, 7, 23, 59, tzinfo=TAIPEI)
    assert mine.revision_days == 30  # the national one's, where the county set nothing
    assert period_for(advanced.pk, year, taichung.pk).apply_closes_at.day == 31
    listed = text_of(client.get(reverse("certification:periods")).content.decode())
    assert "申請截止：115-11-07 23:59" in listed


def test_a_period_that_closes_before_it_opens_is_refused(client, admin_user, advanced):
    client.force_login(admin_user)
    url = reverse("certification:period_national", args=["advanced", dates.current_academic_year()])

    response = client.post(url, {"apply_opens_at": "2026-10-01T08:00", "apply_closes_at": "2026-09-01T08:00"})

    assert response.status_code == 400
    assert "申請截止須晚於申請開始。" in text_of(response.content.decode())
    assert not CertificationPeriod.objects.exists()


def test_a_year_far_from_today_is_not_found(client, admin_user, advanced):
    client.force_login(admin_user)
    url = reverse("certification:period_national", args=["advanced", dates.current_academic_year() + 20])
    assert client.get(url).status_code == 404
