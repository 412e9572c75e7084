"""委員 workspace: 審查案件 lists only their assignments; the 審查標準表 page reads the case and
saves, sends, and then only shows the form."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from proteacher.accounts.models import User
from proteacher.certification.models import Case, CaseEvent
from proteacher.certification.workflow import State
from proteacher.review.models import Assignment
from proteacher.review.tests.test_assignment import make_reviewer, waiting_case
from proteacher.review.tests.test_reviewing import assigned_case
from proteacher.testing import factories
from proteacher.testing.browser import screenshot
from proteacher.testing.review_walk import second_step

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewers(db):
    return [make_reviewer("reviewer-b", "李委員"), make_reviewer("reviewer-c", "陳委員")]


@pytest.fixture
def first_round(teacher, taipei_officer, reviewers):
    # Every form filled (waiting_case): the uploads are PDFs, the observation forms online.
    return assigned_case(teacher, taipei_officer, reviewers)


def form_url(assignment):
    return reverse("review:review_form", args=[assignment.pk])


def posted(assignment, action="submit", recommendation="pass", **extra):
    """What the browser posts for a fully filled 審查標準表 of the advanced type (six rows)."""
    data = {"action": action, "revision": str(Assignment.objects.get(pk=assignment.pk).revision)}
    for number in range(1, 7):
        data[f"formal_{number}"] = "present"
        data[f"grades-{number}-rating"] = "grade_3"
        data[f"grades-{number}-facts"] = f"第{number}項意見"
    data["notes"] = "整體而言資料完整。"
    data["recommendation"] = recommendation
    return data | extra


# --- 審查案件 -------------------------------------------------------------------------------------


def test_my_cases_lists_only_my_assignments_without_other_reviewers(client, first_round, reviewers, taipei_officer):
    case, (mine, _) = first_round
    assigned_case(factories.teacher(name="別人", account="t-else"), taipei_officer, reviewers[1:])
    waiting_case(factories.teacher(name="未分發", account="t-waiting"), taipei_officer)
    client.force_login(reviewers[0])

    response = client.get(reverse("review:my_cases"))

    page = response.content.decode()
    assert [a.pk for a in response.context["page"].object_list] == [mine.pk]
    assert "進階專業回饋人才認證" in page and "初審" in page and "臺北市立測試國小" in page and "未送出" in page
    assert "陳委員" not in page  # the other reviewer of the same case
    assert form_url(mine) in page


def test_a_submitted_review_reads_submitted(client, first_round, reviewers):
    _, (mine, _) = first_round
    client.force_login(reviewers[0])
    client.post(form_url(mine), posted(mine))
    page = client.get(reverse("review:my_cases")).content.decode()
    assert "已送出" in page and "檢視" in page


def test_my_cases_costs_the_same_queries_with_more_assignments(
    client, teacher, taipei_officer, reviewers, django_assert_max_num_queries
):
    assigned_case(teacher, taipei_officer, reviewers[:1])
    client.force_login(reviewers[0])
    with django_assert_max_num_queries(10) as few:
        client.get(reverse("review:my_cases"))

    for number in range(5):
        other = factories.teacher(name=f"教師{number}", account=f"t-{number}", school_name=f"臺北市立第{number}國小")
        assigned_case(other, taipei_officer, reviewers[:1])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("review:my_cases"))
    assert len(response.context["page"].object_list) == 6


@pytest.mark.parametrize("persona", ["teacher", "taipei_officer", "admin_user"])
def test_my_cases_is_for_reviewers_only(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("review:my_cases")).status_code == 403


# --- the 審查標準表 page ---------------------------------------------------------------------------


def test_the_page_shows_the_case_its_forms_and_files_and_the_form(client, first_round, reviewers):
    case, (mine, _) = first_round
    client.force_login(reviewers[0])

    response = client.get(form_url(mine))

    page = response.content.decode()
    assert response.status_code == 200
    assert "進階審查標準表（初審）" in page
    for text in (
        "認證教師",
        "黃測試",
        "服務學校",
        "臺北市立測試國小",
        "第1-2等級 優良",
        "第5等級 待加強",
        "其他文字補充說明",
    ):
        assert text in page, text
    # The uploaded PDF opens in the page and in its own tab; online forms open their print page.
    # What the round reviews: the forms and files as the teacher sent them.
    file_url = reverse("review:submission_file", args=[case.pk, 1, "implementation"])
    assert '<iframe class="pdf-viewer' in page and f'src="{file_url}"' in page
    assert reverse("review:submission_print", args=[case.pk, 1, "observation"]) in page
    assert "修正後複審 (部分錯誤與疏漏，須補件複審)" in page
    assert 'name="action" value="submit"' in page
    assert "陳委員" not in page


def test_the_second_round_offers_only_pass_or_fail(client, teacher, taipei_officer, reviewers):
    _, (assignment,) = assigned_case(teacher, taipei_officer, reviewers[:1], State.SECOND_ASSIGN)
    client.force_login(reviewers[0])
    page = client.get(form_url(assignment)).content.decode()
    assert "通過 (認證資料完整詳實)" in page and "不通過 (較嚴重之錯誤與缺失)" in page
    # The 初審 results are shown read-only above; the 複審 form itself offers two results.
    own_form = re.sub(r'<section aria-labelledby="earlier-heading".*?</section>', "", page, flags=re.S)
    assert "初審：修正後複審" in page
    assert "修正後複審" not in own_form and "修正後通過" not in own_form


def test_saving_a_draft_keeps_it_and_the_case_stays_in_review(client, first_round, reviewers):
    case, (mine, _) = first_round
    client.force_login(reviewers[0])

    response = client.post(form_url(mine), {"action": "save", "revision": "0", "notes": "尚在審閱"})

    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.data["notes"], mine.submitted_at) == ("尚在審閱", None)
    assert Case.objects.get(pk=case.pk).state == State.FIRST_REVIEW
    page = client.get(form_url(mine)).content.decode()
    assert "已儲存。尚未填寫：" in page and "尚在審閱" in page


def test_submit_with_something_missing_saves_a_draft_and_says_what(client, first_round, reviewers):
    _, (mine, _) = first_round
    client.force_login(reviewers[0])
    data = posted(mine)
    del data["recommendation"]

    client.post(form_url(mine), data)

    mine.refresh_from_db()
    assert mine.submitted_at is None and mine.data["grades"]["1"]["rating"] == "grade_3"
    page = client.get(form_url(mine)).content.decode()
    assert "已儲存為草稿，尚未送出。尚未填寫：審查結果建議。" in page


def test_submitting_makes_the_form_read_only(client, first_round, reviewers):
    case, (mine, _) = first_round
    client.force_login(reviewers[0])

    response = client.post(form_url(mine), posted(mine))

    assert response.status_code == 302
    page = client.get(form_url(mine)).content.decode()
    assert "已送出審查標準表。" in page and "此審查標準表已送出，僅供檢視。" in page
    assert 'name="action"' not in page and "<textarea" not in page
    assert "第1項意見" in page
    assert Case.objects.get(pk=case.pk).state == State.FIRST_REVIEW


def test_a_post_after_submit_is_refused_and_changes_nothing(client, first_round, reviewers):
    _, (mine, _) = first_round
    client.force_login(reviewers[0])
    client.post(form_url(mine), posted(mine))
    before = Assignment.objects.get(pk=mine.pk)

    response = client.post(form_url(mine), posted(mine, recommendation="fail", revision=str(before.revision)))

    assert response.status_code == 302
    after = Assignment.objects.get(pk=mine.pk)
    assert (after.revision, after.recommendation) == (before.revision, "pass")
    assert "此審查標準表已送出，僅供檢視。" in client.get(form_url(mine)).content.decode()


def test_the_last_reviewer_moves_the_case_to_first_decision(client, first_round, reviewers):
    case, (first, second) = first_round
    client.force_login(reviewers[0])
    client.post(form_url(first), posted(first))
    assert Case.objects.get(pk=case.pk).state == State.FIRST_REVIEW

    client.force_login(reviewers[1])
    client.post(form_url(second), posted(second, recommendation="fail"))

    assert Case.objects.get(pk=case.pk).state == State.FIRST_DECISION
    assert CaseEvent.objects.filter(case=case, action="first_reviews_done").count() == 1


def test_a_stale_tab_keeps_what_was_typed_and_says_why(client, first_round, reviewers):
    _, (mine, _) = first_round
    client.force_login(reviewers[0])
    client.post(form_url(mine), {"action": "save", "revision": "0", "notes": "第一個分頁"})

    response = client.post(form_url(mine), {"action": "save", "revision": "0", "notes": "第二個分頁"})

    assert response.status_code == 409
    page = response.content.decode()
    assert "此審查標準表已在其他視窗儲存過" in page and "第二個分頁" in page
    assert Assignment.objects.get(pk=mine.pk).data["notes"] == "第一個分頁"


def test_an_unreadable_value_is_shown_back_and_not_saved(client, first_round, reviewers):
    _, (mine, _) = first_round
    client.force_login(reviewers[0])
    response = client.post(form_url(mine), posted(mine, recommendation="whatever"))
    assert response.status_code == 400
    assert "「審查結果建議」的選項不正確。" in response.content.decode()
    assert Assignment.objects.get(pk=mine.pk).revision == 0


def test_another_reviewers_assignment_is_404(client, first_round, reviewers):
    _, (_, theirs) = first_round
    client.force_login(reviewers[0])
    assert client.get(form_url(theirs)).status_code == 404
    assert client.post(form_url(theirs), posted(theirs)).status_code == 404
    assert Assignment.objects.get(pk=theirs.pk).revision == 0


@pytest.mark.parametrize("persona", ["teacher", "taipei_officer", "admin_user"])
def test_the_form_page_is_for_reviewers_only(client, request, first_round, persona):
    _, (mine, _) = first_round
    client.force_login(request.getfixturevalue(persona))
    assert client.get(form_url(mine)).status_code == 403


def test_the_page_names_no_other_reviewer(client, first_round, reviewers):
    _, (mine, _) = first_round
    client.force_login(reviewers[0])
    page = client.get(form_url(mine)).content.decode()
    assert not re.search("陳委員|reviewer-c", page)


# --- in the browser -------------------------------------------------------------------------------


def sign_in_with_password(page, username):
    """The password, then the second factor (a first sign-in sets up the authenticator app)."""
    page.goto(page.base_url + reverse("accounts:login"))
    staff = page.locator("#staff-login")
    staff.get_by_label("帳號").fill(username)
    staff.get_by_label("密碼").fill(factories.PASSWORD)
    staff.get_by_role("button", name="登入").click()
    second_step(page, User.objects.get(username=username))
    page.wait_for_load_state()


def sign_out(page):
    page.get_by_role("button", name="登出").click()
    page.wait_for_load_state()


def review_in_browser(page, username, recommendation):
    sign_in_with_password(page, username)
    page.goto(page.base_url + reverse("portal:workspace"))
    page.get_by_role("link", name="審查案件").click()
    page.get_by_role("link", name=re.compile("^審查")).first.click()
    for number in range(1, 7):
        page.get_by_label(f"{number} 審查等級：第1-2等級 優良").check()
        page.get_by_label(f"{number} 審查意見").fill(f"第{number}項資料完整。")
    page.get_by_label(recommendation).check()
    screenshot(page, f"review-form-{username}")
    page.get_by_role("button", name="送出").first.click()
    page.wait_for_load_state()
    expect(page.get_by_text("已送出審查標準表。")).to_be_visible()
    expect(page.get_by_text("此審查標準表已送出，僅供檢視。")).to_be_visible()
    page.goto(page.base_url + reverse("review:my_cases"))
    screenshot(page, f"review-my-cases-{username}")
    sign_out(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_officer_assigns_two_reviewers_who_review_until_the_case_reaches_first_decision(page):
    factories.certification_types()
    teacher = factories.teacher()
    officer = factories.staff("taipei-officer", "county", county_name="臺北市", name="臺北市教專中心")
    colleague = make_reviewer("reviewer-colleague", "同校委員", teacher.profile.school)
    make_reviewer("reviewer-b", "李委員", factories.school("臺北市立建國高級中學"))
    make_reviewer("reviewer-c", "陳委員")
    case = waiting_case(teacher, officer)

    sign_in_with_password(page, "taipei-officer")
    page.goto(page.base_url + reverse("review:assign", args=[case.pk]))
    expect(page.get_by_label("同校委員")).to_be_disabled()
    expect(page.get_by_text("不能審查同校教師的申請")).to_be_visible()
    expect(page.get_by_label("李委員")).to_be_checked()
    expect(page.get_by_label("陳委員")).to_be_checked()
    screenshot(page, "review-assign")
    page.get_by_role("button", name="分發委員").click()
    page.wait_for_load_state()
    assert Case.objects.get(pk=case.pk).state == State.FIRST_REVIEW
    assert not Assignment.objects.filter(reviewer=colleague).exists()
    sign_out(page)

    review_in_browser(page, "reviewer-b", "通過 (認證資料完整詳實)")
    assert Case.objects.get(pk=case.pk).state == State.FIRST_REVIEW
    review_in_browser(page, "reviewer-c", "修正後複審 (部分錯誤與疏漏，須補件複審)")

    assert Case.objects.get(pk=case.pk).state == State.FIRST_DECISION
    assert list(
        Assignment.objects.filter(case=case).order_by("reviewer__username").values_list("recommendation", flat=True)
    ) == ["pass", "revise"]
