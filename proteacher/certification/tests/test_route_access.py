"""Who may open which page of 認證專區 and its forms: every route × every kind of visitor.

The rules: a visitor who is not signed in is sent to sign in; a page for one role answers 403 to
the other roles; a case (and its forms and files) outside the visitor's scope is a 404, never a
403, so probing case numbers tells nothing. A teacher's case is the teacher's to edit; the 縣市 of
its county and 管理者 may read it. (Its 查看表單列表 and 申復 pages are the back office's: review's matrix.)
"""

import pytest
from django.contrib.auth.views import redirect_to_login
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from proteacher import dates
from proteacher.certification import workflow
from proteacher.certification.models import Case, Certificate, SlotAnswer
from proteacher.registry.counties import COUNTIES
from proteacher.registry.models import School
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

# school_officer: a teacher of the owner's school holding the 學校承辦人 grant for it. The grant opens
# the school's pages (學校專區) and nothing else: on the owner's case it is any other teacher.
PERSONAS = [
    "anonymous",
    "owner",
    "other_teacher",
    "school_officer",
    "county_same",
    "county_other",
    "reviewer",
    "admin",
]
SIGN_IN = "sign in"  # a 302 to the login page that comes back afterwards
ALLOWED = "allowed"  # 200, or a 302 that is not to the login page (a saved form, a refused 申請)

SIGNED_IN = {"anonymous": SIGN_IN} | dict.fromkeys(PERSONAS[1:], 200)
EVERYONE = dict.fromkeys(PERSONAS, 200)
TEACHERS_ONLY = {
    "anonymous": SIGN_IN,
    "owner": ALLOWED,
    "other_teacher": ALLOWED,
    "school_officer": ALLOWED,
    "county_same": 403,
    "county_other": 403,
    "reviewer": 403,
    "admin": 403,
}
ADMIN_ONLY = {"anonymous": SIGN_IN} | dict.fromkeys(PERSONAS[1:-1], 403) | {"admin": 200}
# The case page and what it links to for reading: the teacher, the case's county, 管理者.
CASE_READERS = {
    "anonymous": SIGN_IN,
    "owner": 200,
    "other_teacher": 404,
    "school_officer": 404,
    "county_same": 200,
    "county_other": 404,
    "reviewer": 404,
    "admin": 200,
}
# Changing a case: its teacher only. Other teachers learn nothing (404); other roles never edit (403).
OWNER_ONLY = TEACHERS_ONLY | {"other_teacher": 404, "school_officer": 404}

# A POST-only route answers a teacher's GET with 405 before looking the case up: it says nothing
# about the case.
POST_ONLY = OWNER_ONLY | {"owner": 405, "other_teacher": 405, "school_officer": 405}

# 自動儲存 answers JSON: a visitor whose session ended is told so (401) instead of being redirected.
DRAFT = OWNER_ONLY | {"anonymous": 401, "owner": 200}
NO_GET = dict.fromkeys(PERSONAS, 405)

# 學校專區: the grant's holder, for its own school only. Another teacher of the school (even the
# owner) finds nothing (404); other roles are refused (403).
SCHOOL_OFFICER_ONLY = {"anonymous": SIGN_IN} | dict.fromkeys(PERSONAS[1:], 403)
SCHOOL_OFFICER_ONLY |= {"owner": 404, "other_teacher": 404, "school_officer": 200}
# 學校專區's entry: any teacher (one without a grant is told so); the holder goes on to its school.
SCHOOL_ENTRY = TEACHERS_ONLY | {"owner": 200, "other_teacher": 200, "school_officer": ALLOWED}
# 縣市 and 管理者 (a 縣市 sees its own county's).
OFFICE_PAGE = (
    {"anonymous": SIGN_IN} | dict.fromkeys(PERSONAS[1:], 403) | {"county_same": 200, "county_other": 200, "admin": 200}
)
TAIPEI = next(code for code, name, _ in COUNTIES if name == "臺北市")  # the owner's county, county_same's
YEAR = "<this academic year>"  # replaced by the current academic year

CASE = "<the owner's case>"  # replaced by the case's pk
MENTOR_CASE = "<the owner's 教學輔導教師 case>"  # one whose 推薦表 the school fills
SCHOOL = "<the owner's school>"  # replaced by its 學校代碼
OTHER_SCHOOL = "<another school>"  # a school the officer holds no grant for
CERTIFICATE = "<the owner's certificate>"  # replaced by the pk of a certificate issued to the owner

# (route, URL kwargs, method, query string, expected per persona)
MATRIX = [
    ("certification:index", {}, "get", "", SIGNED_IN),
    # 教師驗證 step 2 (a verified teacher is sent on) and 個人資訊 → 認證證號: teachers' own pages.
    ("certification:transfer", {}, "get", "", TEACHERS_ONLY),
    ("certification:transfer", {}, "post", "", TEACHERS_ONLY),
    ("certification:held", {}, "get", "", TEACHERS_ONLY),
    # A certificate's PDF: its holder alone; another teacher learns nothing of it (404).
    ("certification:held_pdf", {"pk": CERTIFICATE}, "get", "", OWNER_ONLY | {"owner": 200}),
    ("certification:type", {"type_code": "advanced"}, "get", "", TEACHERS_ONLY),
    ("certification:apply", {"type_code": "advanced"}, "post", "", TEACHERS_ONLY),
    ("certification:settings", {}, "get", "", ADMIN_ONLY),
    ("certification:settings_new", {}, "get", "", ADMIN_ONLY),
    ("certification:settings_type", {"type_code": "advanced"}, "get", "", ADMIN_ONLY),
    ("certification:settings_rules", {"type_code": "advanced"}, "get", "", ADMIN_ONLY),
    # 期程設定: the list for the office, the national default for 管理者, a county's override for its
    # 縣市 (another county's: 404) and 管理者.
    ("certification:periods", {}, "get", "", OFFICE_PAGE),
    ("certification:period_national", {"type_code": "advanced", "year": YEAR}, "get", "", ADMIN_ONLY),
    (
        "certification:period_county",
        {"type_code": "advanced", "year": YEAR, "county_code": TAIPEI},
        "get",
        "",
        OFFICE_PAGE | {"county_other": 404},
    ),
    (
        "certification:period_county",
        {"type_code": "advanced", "year": YEAR, "county_code": TAIPEI},
        "post",
        "",
        OFFICE_PAGE | {"county_same": ALLOWED, "county_other": 404, "admin": ALLOWED},
    ),
    ("certification:case", {"pk": CASE}, "get", "", CASE_READERS),
    ("certification:submit", {"pk": CASE}, "get", "", OWNER_ONLY),
    ("certification:submit", {"pk": CASE}, "post", "", OWNER_ONLY),
    ("certification:act", {"pk": CASE}, "get", "", OWNER_ONLY),
    ("certification:act", {"pk": CASE}, "post", "", OWNER_ONLY),
    ("certification:slot_use", {"pk": CASE, "slot_code": "observation"}, "get", "", POST_ONLY),
    ("certification:slot_use", {"pk": CASE, "slot_code": "observation"}, "post", "", OWNER_ONLY),
    ("certification:slot_discard", {"pk": CASE, "slot_code": "observation"}, "get", "", POST_ONLY),
    ("certification:slot_discard", {"pk": CASE, "slot_code": "observation"}, "post", "", OWNER_ONLY),
    # An online form already saved, one being started, an upload already saved.
    ("certification:slot_edit", {"pk": CASE, "slot_code": "observation"}, "get", "", OWNER_ONLY),
    ("certification:slot_edit", {"pk": CASE, "slot_code": "pre_conference"}, "get", "pre_conference_a", OWNER_ONLY),
    ("certification:slot_edit", {"pk": CASE, "slot_code": "implementation"}, "get", "", OWNER_ONLY),
    ("certification:slot_edit", {"pk": CASE, "slot_code": "observation"}, "post", "", OWNER_ONLY),
    ("certification:slot_edit", {"pk": CASE, "slot_code": "implementation"}, "post", "", OWNER_ONLY),
    ("certification:slot_edit", {"pk": CASE, "slot_code": "no-such-slot"}, "get", "", OWNER_ONLY | {"owner": 404}),
    ("certification:slot_draft", {"pk": CASE, "slot_code": "observation"}, "post", "anecdotal_record", DRAFT),
    ("certification:slot_draft", {"pk": CASE, "slot_code": "observation"}, "get", "anecdotal_record", NO_GET),
    ("certification:slot_print", {"pk": CASE, "slot_code": "observation"}, "get", "", CASE_READERS),
    ("certification:slot_file", {"pk": CASE, "slot_code": "implementation"}, "get", "", CASE_READERS),
    # The school's 推薦表 is not the teacher's to open, post or draft: the owner is sent back to
    # 流程進度 with the reason, and reads it in its print view.
    ("certification:slot_edit", {"pk": MENTOR_CASE, "slot_code": "recommendation"}, "get", "", OWNER_ONLY),
    ("certification:slot_edit", {"pk": MENTOR_CASE, "slot_code": "recommendation"}, "post", "", OWNER_ONLY),
    (
        "certification:slot_draft",
        {"pk": MENTOR_CASE, "slot_code": "recommendation"},
        "post",
        "school_recommendation",
        DRAFT | {"owner": 403},
    ),
    ("certification:slot_print", {"pk": MENTOR_CASE, "slot_code": "recommendation"}, "get", "", CASE_READERS),
    # 學校專區 (a 學校承辦人's school): 認證總表, its export, the 推薦表 of a case of the school.
    ("school:index", {}, "get", "", SCHOOL_ENTRY),
    ("school:overview", {"school_code": SCHOOL}, "get", "", SCHOOL_OFFICER_ONLY),
    ("school:overview", {"school_code": OTHER_SCHOOL}, "get", "", SCHOOL_OFFICER_ONLY | {"school_officer": 404}),
    ("school:export", {"school_code": SCHOOL}, "get", "", SCHOOL_OFFICER_ONLY),
    ("school:export", {"school_code": OTHER_SCHOOL}, "get", "", SCHOOL_OFFICER_ONLY | {"school_officer": 404}),
    ("school:recommendation", {"school_code": SCHOOL, "pk": MENTOR_CASE}, "get", "", SCHOOL_OFFICER_ONLY),
    # A saved 推薦表 (at revision 1, as the matrix posts) saved again.
    (
        "school:recommendation",
        {"school_code": SCHOOL, "pk": MENTOR_CASE},
        "post",
        "",
        SCHOOL_OFFICER_ONLY | {"school_officer": ALLOWED},
    ),
    # The owner's 進階 case has no 推薦表 of the school's.
    (
        "school:recommendation",
        {"school_code": SCHOOL, "pk": CASE},
        "get",
        "",
        SCHOOL_OFFICER_ONLY | {"school_officer": 404},
    ),
    (
        "school:recommendation",
        {"school_code": OTHER_SCHOOL, "pk": MENTOR_CASE},
        "get",
        "",
        SCHOOL_OFFICER_ONLY | {"school_officer": 404},
    ),
    # The blank templates are public, as 檔案下載 is.
    ("documents:blank", {"code": "implementation_proof", "fmt": "docx"}, "get", "", EVERYONE),
    ("documents:blank", {"code": "implementation_proof", "fmt": "odt"}, "get", "", EVERYONE),
]


@pytest.fixture
def people(teacher, school_officer, taipei_officer, taichung_officer, reviewer, admin_user):
    return {
        "anonymous": None,
        "owner": teacher,
        # Same county and school as the owner: what keeps the case from this teacher is not the county.
        "other_teacher": factories.teacher(name="王其他", account="t-other", county_name="臺北市"),
        "school_officer": school_officer,
        "county_same": taipei_officer,
        "county_other": taichung_officer,
        "reviewer": reviewer,
        "admin": admin_user,
    }


@pytest.fixture
def owners_case(people):
    case = factories.case(people["owner"], "advanced")
    factories.answer(case, "observation", "anecdotal_record", complete=False)
    factories.answer(case, "implementation", "implementation_proof", upload=True, file_name="SA1.pdf")
    factories.issued_certificate(people["owner"])
    mentor = factories.case(people["owner"], "mentor")
    factories.answer(mentor, "recommendation", complete=False)
    factories.school("臺北市立其他國中")
    return case


def url_of(route, kwargs, case, query) -> str:
    certificate = case.teacher.certificates.get(source=Certificate.Source.ISSUED)
    mentor = Case.objects.get(teacher=case.teacher, certification_type__code="mentor")
    other_school = School.objects.get(name="臺北市立其他國中")
    pks = {
        CASE: case.pk,
        CERTIFICATE: certificate.pk,
        MENTOR_CASE: mentor.pk,
        SCHOOL: case.school.code,
        OTHER_SCHOOL: other_school.code,
        YEAR: dates.current_academic_year(),
    }
    url = reverse(route, kwargs={key: pks.get(value, value) for key, value in kwargs.items()})
    return f"{url}?template={query}" if query else url


@pytest.mark.parametrize(
    ("route", "kwargs", "method", "query", "persona", "expected"),
    [
        pytest.param(
            route,
            kwargs,
            method,
            query,
            persona,
            expected[persona],
            id=f"{route}-{kwargs.get('slot_code', kwargs.get('fmt', ''))}{query}-{method}-{persona}",
        )
        for route, kwargs, method, query, expected in MATRIX
        for persona in PERSONAS
    ],
)
def test_route_access(client, people, owners_case, route, kwargs, method, query, persona, expected):
    if people[persona] is not None:
        client.force_login(people[persona])
    url = url_of(route, kwargs, owners_case, query)

    # A form posts the revision of the answer it showed (the owner's draft is at 1); a post without
    # one is refused as a stale page, which is not what this matrix is about.
    response = client.post(url, {"revision": "1"}) if method == "post" else getattr(client, method)(url)

    login = reverse("accounts:login")
    if expected == SIGN_IN:
        assert response.status_code == 302
        assert response["Location"] == redirect_to_login(url).url
    elif expected == ALLOWED:
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            assert not response["Location"].startswith(login)
    else:
        assert response.status_code == expected


def test_the_matrix_covers_every_route():
    resolver = get_resolver()
    names = {
        f"{namespace}:{name}"
        for namespace in ("certification", "documents", "school")
        for name in resolver.namespace_dict[namespace][1].reverse_dict
        if isinstance(name, str)
    }

    assert names == {route for route, *_ in MATRIX}


# --- After 送出審查文件 nothing changes ------------------------------------------------------


@pytest.fixture
def sent_case(teacher):
    case = factories.case(teacher, "advanced")
    factories.fill_every_slot(case)
    workflow.transition(case, "submit", actor=teacher, expected_revision=case.revision)
    return case


def snapshot(case) -> list[tuple]:
    return list(
        SlotAnswer.objects.filter(case=case)
        .order_by("slot_code")
        .values_list("slot_code", "template_code", "data", "file", "file_name", "is_complete", "revision")
    )


def test_a_sent_online_form_refuses_a_save(client, teacher, sent_case):
    before = snapshot(sent_case)
    client.force_login(teacher)

    client.post(
        reverse("certification:slot_edit", args=[sent_case.pk, "observation"]),
        {"revision": "1", "teacher": "改過的內容", "unit": "改過的內容"},
    )

    assert snapshot(sent_case) == before


def test_a_sent_upload_refuses_another_file(client, teacher, sent_case):
    before = snapshot(sent_case)
    client.force_login(teacher)

    client.post(
        reverse("certification:slot_edit", args=[sent_case.pk, "implementation"]),
        {"revision": "1", "file": SimpleUploadedFile("other.pdf", factories.pdf_bytes(2), "application/pdf")},
    )

    assert snapshot(sent_case) == before


def test_a_sent_upload_refuses_removing_its_file(client, teacher, sent_case):
    before = snapshot(sent_case)
    client.force_login(teacher)

    client.post(
        reverse("certification:slot_edit", args=[sent_case.pk, "implementation"]),
        {"action": "remove", "revision": str(sent_case.answers.get(slot_code="implementation").revision)},
    )

    assert snapshot(sent_case) == before


def test_a_sent_case_refuses_a_template_change(client, teacher, sent_case):
    before = snapshot(sent_case)
    client.force_login(teacher)

    client.post(
        reverse("certification:slot_edit", args=[sent_case.pk, "observation"]),
        {"template": "flanders", "action": "save", "revision": "0"},
    )

    assert snapshot(sent_case) == before
