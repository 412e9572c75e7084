"""Who may open which page of the back office: every review route × every kind of visitor.

The rules: a visitor who is not signed in is sent to sign in; a page for some roles answers 403
to the others; a case (or an assignment) outside the visitor's scope is a 404, so probing numbers
tells nothing. A 縣市 of another county and a 委員 not assigned to the case never get a 200 on it.

- 認證審查 (queue, export), 分發委員 of a queue, 審查委員: 縣市 and 管理者.
- The case as the office sees it: 縣市 of its county, 管理者, and a 委員 assigned to it (read-only).
- 形式審查, 判定, 申復 受理, 延長期限, 延長審查期限, 分發委員 of a case: 縣市 of its county and 管理者;
  POST only for all but 分發委員.
- 統計 (statistics:page, statistics:export): 縣市 and 管理者, as 認證審查.
- A 委員's settings (reviewer_edit), 發證 and its batches (a batch's page and its progress),
  稽核紀錄, 郵件寄送狀態 (重新寄送: POST only) and 資料匯入 (an import, its progress, its file, a
  sample file; 確認匯入: POST only): 管理者 only.
- 審查案件 and a 審查標準表: 委員 only, and only their own assignment.
- The forms and files of the case, framed in those pages: the same people as the case page.
- 送審紀錄 (each send, frozen) and its forms and files: the case page's readers and the teacher.
- 檢視紀錄 from 流程進度: the case's teacher only (another teacher: 404; see below).
- 查看表單列表 and 申復 from 流程進度: the case's teacher, and the 縣市 of its county and 管理者 read
  them; nobody else (no 委員: they read their own form on their own page).
"""

import pytest
from django.contrib.auth.views import redirect_to_login
from django.urls import get_resolver, reverse

from proteacher.accounts.models import User
from proteacher.certification.workflow import State
from proteacher.review import issuing
from proteacher.review.models import Assignment, ReviewRound
from proteacher.review.tests.test_decisions import advance
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "teacher",
    # A teacher of the case's school holding the 學校承辦人 grant for it (see below).
    "school_officer",
    "county_same",
    "county_other",
    "reviewer_assigned",
    "reviewer_unassigned",
    "admin",
]
SIGN_IN = "sign in"  # a 302 to the login page that comes back afterwards
# The view ran and answered (a page, a redirect with a message, a form's 400 or 409): anything
# but a refusal of the visitor (403, 404, 405) or a sign-in redirect.
REACHED = "reached"

OFFICE_LISTS = {
    "anonymous": SIGN_IN,
    "teacher": 403,
    "county_same": 200,
    "county_other": 200,  # their own county's list
    "reviewer_assigned": 403,
    "reviewer_unassigned": 403,
    "admin": 200,
}
CASE_PAGE = OFFICE_LISTS | {"county_other": 404, "reviewer_assigned": 200, "reviewer_unassigned": 404}
OFFICE_CASE_PAGE = OFFICE_LISTS | {"county_other": 404}
OFFICE_CASE_POST = OFFICE_CASE_PAGE | {"county_same": REACHED, "admin": REACHED}
# A POST-only route answers the office's GET with 405 before looking the case up.
POST_ONLY = OFFICE_LISTS | {"county_same": 405, "county_other": 405, "admin": 405}
ADMIN_ONLY = {"anonymous": SIGN_IN} | dict.fromkeys(PERSONAS[1:-1], 403) | {"admin": 200}
REVIEWERS_ONLY = {"anonymous": SIGN_IN} | dict.fromkeys(PERSONAS[1:], 403)
REVIEWERS_ONLY |= {"reviewer_assigned": 200, "reviewer_unassigned": 200}
OWN_ASSIGNMENT = REVIEWERS_ONLY | {"reviewer_unassigned": 404}
TEACHERS_PAGE = CASE_PAGE | {"teacher": 200, "reviewer_assigned": 404}
# 送審紀錄: the case page's readers and the teacher.
SENT_PAGES = CASE_PAGE | {"teacher": 200}
# 檢視紀錄: the case's teacher alone (a teacher's page: staff are refused whatever the case).
TEACHER_ONLY = {"anonymous": SIGN_IN} | dict.fromkeys(PERSONAS[1:], 403) | {"teacher": 200, "school_officer": 404}
# The case was sent once: there is no earlier round to compare with (test_rounds covers two).
NOTHING_TO_COMPARE = {"anonymous": SIGN_IN} | dict.fromkeys(PERSONAS[1:], 404)
# The teacher files 申復 (refused here with its reason: the case is in 初審); nobody else posts it.
APPEAL_POST = {"anonymous": SIGN_IN} | dict.fromkeys(PERSONAS[1:], 403) | {"teacher": REACHED, "school_officer": 404}

CASE = "<the case>"
ASSIGNMENT = "<the assigned reviewer's assignment>"
REVIEWER = "<the assigned reviewer>"
IMPORT_RUN = "<an import run>"
BATCH = "<a 發證 batch of the case>"
UNKNOWN = 999999

# (route, URL kwargs, method, expected per persona)
MATRIX = [
    ("review:queue", {}, "get", OFFICE_LISTS),
    ("review:export", {}, "get", OFFICE_LISTS),
    ("review:case", {"pk": CASE}, "get", CASE_PAGE),
    ("review:slot_print", {"pk": CASE, "slot_code": "observation"}, "get", CASE_PAGE),
    ("review:slot_file", {"pk": CASE, "slot_code": "implementation"}, "get", CASE_PAGE),
    ("review:reviews", {"pk": CASE}, "get", TEACHERS_PAGE),
    ("review:submissions", {"pk": CASE}, "get", SENT_PAGES),
    ("review:submission_print", {"pk": CASE, "number": 1, "slot_code": "observation"}, "get", SENT_PAGES),
    ("review:submission_file", {"pk": CASE, "number": 1, "slot_code": "implementation"}, "get", SENT_PAGES),
    ("review:compare", {"pk": CASE, "number": 1}, "get", NOTHING_TO_COMPARE),
    ("review:viewed", {"pk": CASE}, "get", TEACHER_ONLY),
    # No appeal was filed: the page says so on 流程進度.
    (
        "review:appeal",
        {"pk": CASE},
        "get",
        TEACHERS_PAGE | {"teacher": REACHED, "county_same": REACHED, "admin": REACHED},
    ),
    ("review:appeal", {"pk": CASE}, "post", APPEAL_POST),
    ("review:appeal_send", {"pk": CASE}, "get", {"anonymous": SIGN_IN} | dict.fromkeys(PERSONAS[1:], 405)),
    ("review:appeal_send", {"pk": CASE}, "post", APPEAL_POST),
    ("review:formal", {"pk": CASE}, "get", POST_ONLY),
    ("review:formal", {"pk": CASE}, "post", OFFICE_CASE_POST),
    ("review:decide", {"pk": CASE}, "get", POST_ONLY),
    ("review:decide", {"pk": CASE}, "post", OFFICE_CASE_POST),
    ("review:appeal_intake", {"pk": CASE}, "get", POST_ONLY),
    ("review:appeal_intake", {"pk": CASE}, "post", OFFICE_CASE_POST),
    ("review:extend_deadline", {"pk": CASE}, "get", POST_ONLY),
    ("review:extend_deadline", {"pk": CASE}, "post", OFFICE_CASE_POST),
    ("review:extend_review_due", {"pk": CASE, "assignment_id": ASSIGNMENT}, "get", POST_ONLY),
    ("review:extend_review_due", {"pk": CASE, "assignment_id": ASSIGNMENT}, "post", OFFICE_CASE_POST),
    # The case is not issued: no certificate to download (test_certificate_office covers an issued one).
    ("review:certificate_pdf", {"pk": CASE}, "get", OFFICE_CASE_PAGE | {"county_same": 404, "admin": 404}),
    ("review:certificate_status", {"pk": CASE}, "get", ADMIN_ONLY | {"admin": 405}),
    ("review:certificate_status", {"pk": CASE}, "post", ADMIN_ONLY | {"admin": REACHED}),
    ("review:assign", {"pk": CASE}, "get", OFFICE_CASE_PAGE),
    ("review:assign", {"pk": CASE}, "post", OFFICE_CASE_POST),
    ("review:assign_queue", {}, "get", OFFICE_LISTS),
    ("review:reviewers", {}, "get", OFFICE_LISTS),
    ("review:reviewer_edit", {"pk": REVIEWER}, "get", ADMIN_ONLY),
    ("review:my_cases", {}, "get", REVIEWERS_ONLY),
    ("review:review_form", {"assignment_id": ASSIGNMENT}, "get", OWN_ASSIGNMENT),
    ("review:issuing", {}, "get", ADMIN_ONLY),
    ("review:issuing_batch", {"pk": BATCH}, "get", ADMIN_ONLY),
    ("review:issuing_batch_progress", {"pk": BATCH}, "get", ADMIN_ONLY),
    # A batch that does not exist: 404 to 管理者, the same refusal as any other page to the others.
    ("review:issuing_batch", {"pk": UNKNOWN}, "get", ADMIN_ONLY | {"admin": 404}),
    ("review:issuing_batch_progress", {"pk": UNKNOWN}, "get", ADMIN_ONLY | {"admin": 404}),
    ("review:audit_log", {}, "get", ADMIN_ONLY),
    ("review:outgoing_mail", {}, "get", ADMIN_ONLY),
    ("review:mail_resend", {}, "get", ADMIN_ONLY | {"admin": 405}),
    ("review:mail_resend", {}, "post", ADMIN_ONLY | {"admin": REACHED}),
    ("review:imports", {}, "get", ADMIN_ONLY),
    # No file posted: the form's 400 with its message.
    ("review:imports", {}, "post", ADMIN_ONLY | {"admin": REACHED}),
    ("review:import_sample", {"kind": "schools"}, "get", ADMIN_ONLY),
    ("review:import_run", {"pk": IMPORT_RUN}, "get", ADMIN_ONLY),
    ("review:import_progress", {"pk": IMPORT_RUN}, "get", ADMIN_ONLY),
    ("review:import_file", {"pk": IMPORT_RUN}, "get", ADMIN_ONLY),
    ("review:import_confirm", {"pk": IMPORT_RUN}, "get", ADMIN_ONLY | {"admin": 405}),
    # The run is still 檢查中: the page says it cannot be confirmed yet.
    ("review:import_confirm", {"pk": IMPORT_RUN}, "post", ADMIN_ONLY | {"admin": REACHED}),
    # 統計 and its workbook: 縣市 (its own county's figures) and 管理者.
    ("statistics:page", {}, "get", OFFICE_LISTS),
    ("statistics:export", {}, "get", OFFICE_LISTS),
]

# The 學校承辦人 grant opens nothing of the back office: the holder is refused what any teacher is
# refused, and finds nothing (404) of a case of its school that the case's own teacher may open.
for *_, expected in MATRIX:
    if "school_officer" not in expected:
        teachers = expected["teacher"]
        expected["school_officer"] = 404 if teachers in (200, REACHED) else teachers


@pytest.fixture
def people(teacher, school_officer, taipei_officer, taichung_officer, reviewer, admin_user):
    return {
        "anonymous": None,
        "teacher": teacher,
        "school_officer": school_officer,
        "county_same": taipei_officer,
        "county_other": taichung_officer,
        "reviewer_assigned": reviewer,
        "reviewer_unassigned": factories.staff("reviewer-b", "reviewer", name="李委員"),
        "admin": admin_user,
    }


@pytest.fixture
def assignment(people):
    """The teacher's 臺北市 case in 初審, assigned to one 委員."""
    case = advance(factories.case(people["teacher"], "advanced"), State.FIRST_REVIEW, people["county_same"])
    return Assignment.objects.create(
        case=case,
        round=ReviewRound.FIRST,
        reviewer=people["reviewer_assigned"],
        assigned_by=people["county_same"],
        template_code="review_advanced",
        template_version=1,
    )


@pytest.fixture
def import_run(people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from proteacher.review import imports

    factories.county("臺北市")
    upload = SimpleUploadedFile("學校.csv", "學校代碼,學校名稱,縣市\n900001,測試國中,臺北市\n".encode())
    return imports.submit("schools", upload, actor=people["admin"], by="工作小組")


def url_of(route, kwargs, assignment, import_run=None) -> str:
    values = {CASE: assignment.case_id, ASSIGNMENT: assignment.pk, REVIEWER: assignment.reviewer_id}
    if import_run is not None:
        values[IMPORT_RUN] = import_run.pk
    if BATCH in kwargs.values():
        admin = User.objects.filter(role="admin").first()
        values[BATCH] = issuing.create_batch("issue", [(assignment.case_id, None)], admin, issuing.new_token()).pk
    return reverse(route, kwargs={key: values.get(value, value) for key, value in kwargs.items()})


@pytest.mark.parametrize(
    ("route", "kwargs", "method", "persona", "expected"),
    [
        pytest.param(
            route,
            kwargs,
            method,
            persona,
            expected[persona],
            id=f"{route}-{kwargs.get('slot_code', '')}{'?' if kwargs.get('pk') == UNKNOWN else ''}-{method}-{persona}",
        )
        for route, kwargs, method, expected in MATRIX
        for persona in PERSONAS
    ],
)
def test_route_access(client, people, assignment, import_run, route, kwargs, method, persona, expected):
    if people[persona] is not None:
        client.force_login(people[persona])
    url = url_of(route, kwargs, assignment, import_run)

    try:
        response = getattr(client, method)(url)
    except NotImplementedError:
        pytest.skip(f"{route} is not built yet")

    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"] == redirect_to_login(url).url
    elif expected == REACHED:
        assert response.status_code not in (401, 403, 404, 405)
        if response.status_code == 302:
            assert not response["Location"].startswith(reverse("accounts:login"))
    else:
        assert response.status_code == expected


def test_the_matrix_covers_every_route():
    resolver = get_resolver()
    names = {
        f"{namespace}:{name}"
        for namespace in ("review", "statistics")
        for name in resolver.namespace_dict[namespace][1].reverse_dict
        if isinstance(name, str)
    }

    assert names == {route for route, *_ in MATRIX}


def test_another_county_and_an_unassigned_reviewer_never_get_a_case_page():
    for route, kwargs, _method, expected in MATRIX:
        if CASE in kwargs.values() or ASSIGNMENT in kwargs.values():
            assert expected["county_other"] != 200, route
            assert expected["reviewer_unassigned"] != 200, route


def test_the_teacher_never_reads_the_reviewers_names(client, people, assignment):
    assignment.data = {"recommendation": "revise", "notes": "請補充。"}
    assignment.recommendation = "revise"
    assignment.save()
    client.force_login(people["teacher"])

    page = client.get(reverse("certification:case", args=[assignment.case_id])).content.decode()

    assert "王委員" not in page
    assert "reviewer-a" not in page
    assert client.get(reverse("review:case", args=[assignment.case_id])).status_code == 403


def test_another_teacher_learns_nothing_of_the_teachers_review_pages(client, assignment):
    other = factories.teacher(name="王其他", account="t-other", county_name="臺北市")
    client.force_login(other)

    for route in ("review:reviews", "review:appeal", "review:viewed"):
        assert client.get(reverse(route, args=[assignment.case_id])).status_code == 404
    assert client.post(reverse("review:appeal", args=[assignment.case_id])).status_code == 404
