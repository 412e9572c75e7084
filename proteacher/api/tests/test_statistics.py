"""統計 through the API: the same figures as the page, in the token's scope (a county token sees
its own county whatever it asks for)."""

import pytest

from proteacher.api.tests.conftest import bearer
from proteacher.certification.workflow import State
from proteacher.review import statistics
from proteacher.testing import factories
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db

URL = "/api/v1/statistics"


@pytest.fixture
def year(teacher, taichung_teacher, admin_user):
    """A 臺北市 case issued, a 臺中市 case sent, a 臺中市 basic case opened."""
    advance(factories.case(teacher, "advanced"), State.ISSUED, admin_user)
    advance(factories.case(taichung_teacher, "advanced"), State.FORMAL_REVIEW, admin_user)
    factories.case(taichung_teacher, "basic")


def test_a_national_token_gets_the_pages_figures(client, issue, admin_user, year):
    _, raw = issue()

    body = client.get(URL, headers=bearer(raw)).json()

    page = statistics.figures(admin_user, statistics.StatisticsFilters()).as_dict()
    assert (
        body["totals"]
        == page["totals"]
        == {
            "applications": 3,
            "sent": 2,
            "passed": 1,
            "failed": 0,
            "appealed": 0,
            "issued": 1,
        }
    )
    assert body["by_county"] == page["by_county"]
    assert [row["label"] for row in body["by_county"]] == ["臺北市", "臺中市"]


def test_a_county_token_sees_its_county_only_whatever_it_asks(client, issue, taipei, taichung, year):
    _, raw = issue(county=taipei)

    mine = client.get(URL, headers=bearer(raw)).json()
    asked = client.get(URL, {"county": taichung.code}, headers=bearer(raw)).json()

    assert mine["totals"]["applications"] == 1
    assert [row["label"] for row in mine["by_county"]] == ["臺北市"]
    assert asked == mine


def test_filters(client, issue, taichung, year):
    _, raw = issue()

    def applications(**query):
        response = client.get(URL, query, headers=bearer(raw))
        assert response.status_code == 200, response.content
        return response.json()["totals"]["applications"]

    assert applications(certification_type="basic") == 1
    assert applications(county=taichung.code) == 2
    assert applications(academic_year=1) == 0
    unknown = client.get(URL, {"certification_type": "none-such"}, headers=bearer(raw))
    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_certification_type")
    unknown = client.get(URL, {"county": "zz"}, headers=bearer(raw))
    assert (unknown.status_code, unknown.json()["code"]) == (400, "unknown_county")


def test_statistics_need_their_scope(client, issue):
    _, raw = issue(scopes=["cases:read"])

    response = client.get(URL, headers=bearer(raw))

    assert response.status_code == 403
    assert "讀取統計" in response.json()["message"]
