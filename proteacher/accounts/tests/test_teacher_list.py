"""教師名單: who may open it, what each row shows, search, the 資料異常 filter, paging, queries."""

import pytest
from django.urls import reverse

from proteacher.accounts.models import TeacherProfile, User
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

TEACHERS = reverse("accounts:teacher_list")


def unmatched_school(teacher: User, sent_name: str = "臺北市立不存在國小") -> User:
    TeacherProfile.objects.filter(user=teacher).update(school=None, school_name=sent_name)
    return teacher


def rows(page: str) -> list[str]:
    """The 姓名 cell of each row, in order."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [cell.split("</th>", 1)[0] for cell in body.split('<th scope="row">')[1:]]


def test_county_officer_sees_the_columns(client, taipei_officer, teacher):
    client.force_login(taipei_officer)
    page = client.get(TEACHERS).content.decode()

    headers = ["姓名", "服務學校", "縣市", "職稱代碼", "教師驗證", "資料異常"]
    positions = [page.index(f'<th scope="col">{label}</th>') for label in headers]
    assert positions == sorted(positions)
    assert rows(page) == ["黃測試"]
    assert "臺北市立測試國小" in page and "8 專任教師" in page and "已完成" in page


def test_unverified_teachers_read_未完成(client, taipei_officer, new_teacher):
    client.force_login(taipei_officer)

    assert "未完成" in client.get(TEACHERS).content.decode()


def test_teachers_and_reviewers_may_not_open_it(client, teacher, reviewer):
    for person in (teacher, reviewer):
        client.force_login(person)
        assert client.get(TEACHERS).status_code == 403


def test_unmatched_master_data_is_highlighted_and_spelled_out(client, admin_user, teacher):
    unmatched_school(teacher)
    client.force_login(admin_user)

    page = client.get(TEACHERS).content.decode()

    assert '<tr class="table-warning">' in page
    assert "服務學校「臺北市立不存在國小」" in page and '<span class="badge text-bg-warning">資料異常</span>' in page


def test_admin_filters_to_flagged_records(client, admin_user, teacher, taichung_teacher, new_teacher):
    unmatched_school(teacher)
    User.objects.filter(pk=taichung_teacher.pk).update(county=None)
    TeacherProfile.objects.filter(user=taichung_teacher).update(county_name="台中")
    client.force_login(admin_user)

    page = client.get(TEACHERS, {"flagged": "1"}).content.decode()

    assert sorted(rows(page)) == sorted(["黃測試", "林老師"])
    assert "學校所屬縣市「台中」" in page
    assert 'name="flagged" class="form-check-input" id="id_flagged" checked' in page


def test_an_unknown_title_code_is_flagged(client, admin_user, teacher, taichung_teacher):
    TeacherProfile.objects.filter(user=taichung_teacher).update(title_code=None, title_code_value="99")
    client.force_login(admin_user)

    page = client.get(TEACHERS, {"flagged": "1"}).content.decode()

    assert rows(page) == ["林老師"] and "職稱代碼「99」" in page


def test_search_by_name_or_school(client, admin_user, teacher, taichung_teacher):
    factories.teacher(name="吳老師", account="t-wu", county_name="臺中市", school_name="臺中市立大墩國民中學")
    client.force_login(admin_user)

    assert rows(client.get(TEACHERS, {"q": "林"}).content.decode()) == ["林老師"]
    assert rows(client.get(TEACHERS, {"q": "大墩"}).content.decode()) == ["吳老師"]
    assert "沒有符合條件的教師。" in client.get(TEACHERS, {"q": "沒有這個人"}).content.decode()


def test_search_finds_a_school_name_that_matched_nothing(client, admin_user, teacher):
    unmatched_school(teacher, "臺北市私立試辦實驗學校")
    client.force_login(admin_user)

    assert rows(client.get(TEACHERS, {"q": "試辦"}).content.decode()) == ["黃測試"]


def test_fifty_per_page_and_the_search_survives_paging(client, admin_user):
    for number in range(55):
        factories.teacher(name=f"測試{number:02d}", account=f"t-{number}", county_name="臺北市")
    client.force_login(admin_user)

    first = client.get(TEACHERS, {"q": "測試"}).content.decode()
    second = client.get(TEACHERS, {"q": "測試", "page": "2"}).content.decode()

    assert len(rows(first)) == 50 and len(rows(second)) == 5
    assert "共 55 位教師" in first
    assert 'href="?q=%E6%B8%AC%E8%A9%A6&amp;page=2">下一頁</a>' in first


def test_queries_do_not_grow_with_the_number_of_teachers(client, admin_user, django_assert_max_num_queries):
    for number in range(30):
        teacher = factories.teacher(name=f"老師{number:02d}", account=f"t-{number}", county_name="臺北市")
        if number % 3 == 0:
            unmatched_school(teacher)
    client.force_login(admin_user)

    # Session, user, count, one page of rows, and the session saved back (inside a savepoint).
    with django_assert_max_num_queries(8):
        page = client.get(TEACHERS).content.decode()
    assert len(rows(page)) == 30
    with django_assert_max_num_queries(8):
        assert len(rows(client.get(TEACHERS, {"flagged": "1", "q": "老師"}).content.decode())) == 10
