"""The case as the office sees it: every form and file, the history with who acted, the reviewers
and their 審查標準表, the appeal, and the action the state offers."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from proteacher.certification.workflow import State
from proteacher.review.models import Appeal, Assignment, ReviewRound
from proteacher.review.tests.test_decisions import advance
from proteacher.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(teacher, taipei_officer):
    case = factories.case(teacher, "advanced")
    factories.answer(case, "implementation", "implementation_proof", file_name="公開授課實施證明.pdf")
    factories.answer(case, "observation", "anecdotal_record")
    return advance(case, State.FORMAL_REVIEW, taipei_officer)


def page_of(client, user, case) -> str:
    client.force_login(user)
    response = client.get(reverse("review:case", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def assign(case, reviewer, officer, submitted=False, round=ReviewRound.FIRST, recommendation="pass"):
    return Assignment.objects.create(
        case=case,
        round=round,
        reviewer=reviewer,
        assigned_by=officer,
        template_code="review_advanced",
        template_version=1,
        data={"notes": "觀察紀錄具體。", "recommendation": recommendation} if submitted else {},
        recommendation=recommendation if submitted else "",
        submitted_at=timezone.now() if submitted else None,
    )


def test_the_header_names_the_case(client, sent, taipei_officer):
    page = page_of(client, taipei_officer, sent)

    header = page.split('class="table table-bordered table-form case-header"')[1].split("</table>")[0]
    for text in ("流程名稱", "進階認證", "狀態", "形式審查", "學校", "臺北市立測試國小", "教師", "黃測試老師"):
        assert text in header
    assert f"<td>{sent.academic_year}</td>" in header
    assert timezone.localtime(sent.updated_at).strftime("%Y-%m-%d %H:%M") in header


def test_every_slot_is_listed_with_its_template(client, sent, taipei_officer):
    page = page_of(client, taipei_officer, sent)

    for label in ("實施證明", "社群參與證明", "觀察前會談紀錄表", "觀察紀錄表", "觀察後回饋會談紀錄表", "認證檢核表"):
        assert f'<th scope="row">{label}</th>' in page
    assert "公開授課實施證明" in page
    assert "軼事紀錄表" in page


def test_an_uploaded_pdf_is_shown_in_the_page_and_can_be_downloaded(client, sent, taipei_officer):
    page = page_of(client, taipei_officer, sent)

    file_url = reverse("review:submission_file", args=[sent.pk, 1, "implementation"])
    assert f'<iframe class="pdf-frame w-100 border mt-2" src="{file_url}"' in page
    assert f'href="{file_url}" download="公開授課實施證明.pdf"' in page
    served = client.get(file_url)
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"].startswith("inline")


def test_an_online_form_opens_read_only(client, sent, taipei_officer):
    page = page_of(client, taipei_officer, sent)

    print_url = reverse("review:submission_print", args=[sent.pk, 1, "observation"])
    assert f'src="{print_url}"' in page
    assert client.get(print_url).status_code == 200


@pytest.mark.parametrize(
    ("route", "slot"), [("review:slot_file", "implementation"), ("review:slot_print", "observation")]
)
def test_the_framed_documents_may_be_framed_by_the_platform_itself(client, sent, taipei_officer, route, slot):
    client.force_login(taipei_officer)

    response = client.get(reverse(route, args=[sent.pk, slot]))

    assert response["X-Frame-Options"] == "SAMEORIGIN"


def test_the_history_names_who_acted(client, sent, taipei_officer):
    page = page_of(client, taipei_officer, sent)

    history = page.split('class="table table-sm table-striped case-history"')[1].split("</table>")[0]
    assert "處理人員" in history
    assert "準備資料 → 形式審查" in history
    assert "送出審查文件" in history
    assert "黃測試老師" in history


def test_the_history_shows_the_officer_and_the_platform(client, teacher, taipei_officer):
    case = advance(factories.case(teacher, "advanced"), State.FIRST_DECISION, taipei_officer)

    page = page_of(client, taipei_officer, case)

    history = page.split("case-history")[1].split("</table>")[0]
    assert "形式審查 → 初審分發委員" in history
    assert "臺北市教專中心" in history
    assert "初審 → 初審判定" in history
    assert "系統" in history


def test_the_office_sees_the_reviewers_and_their_recommendations(client, teacher, taipei_officer, reviewer):
    case = advance(factories.case(teacher, "advanced"), State.FIRST_REVIEW, taipei_officer)
    other = factories.staff("reviewer-b", "reviewer", name="李委員")
    assign(case, reviewer, taipei_officer, submitted=True, recommendation="revise")
    assign(case, other, taipei_officer)

    page = page_of(client, taipei_officer, case)

    table = page.split('class="table table-sm table-bordered align-middle assignments"')[1]
    assert "王委員" in table and "李委員" in table
    assert "已送出" in table and "未送出" in table
    assert "修正後複審 (部分錯誤與疏漏，須補件複審)" in table
    assert "觀察紀錄具體。" in table  # the submitted 審查標準表, read-only


def test_an_assigned_reviewer_reads_the_forms_without_the_office_parts(client, teacher, taipei_officer, reviewer):
    case = advance(factories.case(teacher, "advanced"), State.FIRST_REVIEW, taipei_officer)
    other = factories.staff("reviewer-b", "reviewer", name="李委員")
    assign(case, reviewer, taipei_officer)
    assign(case, other, taipei_officer, submitted=True)

    page = page_of(client, reviewer, case)

    assert "觀察紀錄表" in page
    assert "李委員" not in page
    assert "歷程紀錄" not in page
    assert "審查作業" not in page


@pytest.mark.parametrize(("persona", "status"), [("teacher", 403), ("taichung_officer", 404), ("reviewer", 404)])
def test_others_do_not_see_the_case(client, sent, request, persona, status):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("review:case", args=[sent.pk])).status_code == status


# --- The appeal -------------------------------------------------------------------------------


@pytest.fixture
def appealed(teacher, taipei_officer):
    case = advance(factories.case(teacher, "advanced"), State.APPEAL_INTAKE, taipei_officer)
    appeal = Appeal.objects.get(case=case)
    appeal.file_name = "補充資料.pdf"
    appeal.file.save("appeal.pdf", ContentFile(factories.pdf_bytes()), save=True)
    return case


def test_the_appeal_form_and_its_file_are_shown(client, appealed, taipei_officer):
    page = page_of(client, taipei_officer, appealed)

    section = page.split('class="appeal-record')[1]
    assert "申復初審結果" in section
    assert "受理中" in section
    assert "委員認為資料不足。" in section
    assert "已補充說明。" in section
    assert "補充資料.pdf" in section
    appeal = Appeal.objects.get(case=appealed)
    file_url = f"{reverse('review:case', args=[appealed.pk])}?appeal_file={appeal.pk}"
    assert f'src="{file_url}"' in section
    served = client.get(file_url)
    assert (served.status_code, served["Content-Type"]) == (200, "application/pdf")
    assert served["X-Frame-Options"] == "SAMEORIGIN"
    assert b"".join(served.streaming_content).startswith(b"%PDF")


def test_an_appeal_file_of_another_case_is_not_found(client, appealed, teacher, taipei_officer):
    other = factories.case(factories.teacher(name="王其他", account="t-other"), "advanced")
    appeal = Appeal.objects.get(case=appealed)
    client.force_login(taipei_officer)

    response = client.get(f"{reverse('review:case', args=[other.pk])}?appeal_file={appeal.pk}")

    assert response.status_code == 404


def test_another_county_cannot_open_the_appeal_file(client, appealed, taichung_officer):
    appeal = Appeal.objects.get(case=appealed)
    client.force_login(taichung_officer)

    response = client.get(f"{reverse('review:case', args=[appealed.pk])}?appeal_file={appeal.pk}")

    assert response.status_code == 404


# --- The action each state offers -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "text"),
    [
        (State.FIRST_ASSIGN, "review:assign"),
        (State.SECOND_ASSIGN, "review:assign"),
        (State.APPEAL_ASSIGN, "review:assign"),
        (State.FIRST_DECISION, 'class="decision-form"'),
        (State.SECOND_DECISION, 'class="decision-form"'),
        (State.APPEAL_DECISION, 'class="decision-form"'),
        (State.APPEAL_INTAKE, 'class="appeal-intake-form"'),
        (State.FIRST_REVIEW, "data-no-action"),
        (State.PREPARING, "data-no-action"),
        (State.PASSED, "data-no-action"),
    ],
)
def test_the_county_gets_the_states_action(client, teacher, taipei_officer, state, text):
    case = advance(factories.case(teacher, "advanced"), state, taipei_officer)

    page = page_of(client, taipei_officer, case)

    panel = page.split('id="action-heading"')[1].split("</section>")[0]
    if text == "review:assign":
        assert f'href="{reverse("review:assign", args=[case.pk])}"' in panel
        assert ">分發委員</a>" in panel
    else:
        assert text in panel


@pytest.mark.parametrize("state", [State.PASSED, State.APPROVED])
def test_the_admin_is_sent_to_issuing(client, teacher, admin_user, state):
    case = advance(factories.case(teacher, "advanced"), state, admin_user)

    page = page_of(client, admin_user, case)

    panel = page.split('id="action-heading"')[1].split("</section>")[0]
    assert f'href="{reverse("review:issuing")}"' in panel
