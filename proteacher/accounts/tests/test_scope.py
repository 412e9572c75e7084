"""縣市 scoping: a county officer sees its own county's teachers only, whatever the query says."""

import pytest
from django.urls import reverse

from proteacher.accounts import selectors
from proteacher.accounts.models import TeacherProfile, User
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

TEACHERS = reverse("accounts:teacher_list")


@pytest.fixture
def people(teacher, taichung_teacher, taipei_officer, taichung_officer, reviewer, admin_user):
    # One flagged teacher per county: the school matched nothing in master data.
    taipei_flagged = factories.teacher(name="臺北待補", account="t-tp-flag", county_name="臺北市")
    taichung_flagged = factories.teacher(name="臺中待補", account="t-tc-flag", county_name="臺中市")
    TeacherProfile.objects.filter(user__in=[taipei_flagged, taichung_flagged]).update(school=None)
    # And one whose county matched nothing: no county officer can see it, 管理者 can.
    nowhere = factories.teacher(name="縣市不明", account="t-nowhere", county_name="臺北市")
    User.objects.filter(pk=nowhere.pk).update(county=None)
    return {
        "teacher": teacher,
        "taipei_officer": taipei_officer,
        "taichung_officer": taichung_officer,
        "reviewer": reviewer,
        "admin_user": admin_user,
    }


def names_on(client, viewer, **query) -> set[str]:
    client.force_login(viewer)
    page = client.get(TEACHERS, query)
    assert page.status_code == 200
    body = page.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return {cell.split("</th>", 1)[0] for cell in body.split('<th scope="row">')[1:]}


@pytest.mark.parametrize(
    "query",
    [{}, {"q": "待補"}, {"q": "老師"}, {"q": "測試"}, {"q": "市立"}, {"flagged": "1"}, {"q": "臺中", "flagged": "1"}],
)
def test_each_county_sees_only_its_own_teachers(client, people, query):
    taipei_names = names_on(client, people["taipei_officer"], **query)
    taichung_names = names_on(client, people["taichung_officer"], **query)

    assert taipei_names <= {"黃測試", "臺北待補"}
    assert taichung_names <= {"林老師", "臺中待補"}


def test_the_taipei_officer_lists_and_searches_taipei(client, people):
    officer = people["taipei_officer"]

    assert names_on(client, officer) == {"黃測試", "臺北待補"}
    assert names_on(client, officer, q="黃") == {"黃測試"}
    assert names_on(client, officer, q="林") == set()
    assert names_on(client, officer, flagged="1") == {"臺北待補"}


def test_the_taichung_officer_lists_and_searches_taichung(client, people):
    officer = people["taichung_officer"]

    assert names_on(client, officer) == {"林老師", "臺中待補"}
    assert names_on(client, officer, q="黃") == set()
    assert names_on(client, officer, flagged="1") == {"臺中待補"}


def test_a_later_page_does_not_leak_another_county(client, people):
    for number in range(60):
        factories.teacher(name=f"臺中{number:02d}", account=f"t-tc-{number}", county_name="臺中市")

    second_page = names_on(client, people["taipei_officer"], page="2")

    assert second_page == {"黃測試", "臺北待補"}


def test_the_admin_sees_every_county_and_the_flagged_ones(client, people):
    everyone = {"黃測試", "林老師", "臺北待補", "臺中待補", "縣市不明"}

    assert names_on(client, people["admin_user"]) == everyone
    assert names_on(client, people["admin_user"], flagged="1") == {"臺北待補", "臺中待補", "縣市不明"}


def test_the_selectors_draw_the_same_lines(people):
    def names(viewer):
        return set(selectors.teachers_visible_to(viewer).values_list("name", flat=True))

    assert names(people["taipei_officer"]) == {"黃測試", "臺北待補"}
    assert names(people["taichung_officer"]) == {"林老師", "臺中待補"}
    assert names(people["reviewer"]) == set()
    assert names(people["teacher"]) == set()
    assert len(names(people["admin_user"])) == 5
    assert not selectors.staff_visible_to(people["taipei_officer"]).exists()
    assert set(selectors.staff_visible_to(people["admin_user"]).values_list("role", flat=True)) == {
        "county",
        "reviewer",
        "admin",
    }
