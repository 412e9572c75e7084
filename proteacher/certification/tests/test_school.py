"""學校承辦人: the grant (who may give it, for which teacher), the school's 認證總表 and its
export (scope, rows), and the 推薦表 the school fills (the teacher cannot change it; 送出 names it
while it is missing)."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from proteacher.accounts import school_officers
from proteacher.audit.models import AuditEntry
from proteacher.certification import answers, workflow
from proteacher.certification.models import SlotAnswer
from proteacher.certification.selectors import slot_of
from proteacher.documents.catalogue import get_template
from proteacher.errors import DomainError
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

SCHOOL = "臺北市立成淵高級中學"
OTHER_SCHOOL = "臺北市立建國高級中學"
FILLED = {
    "teacher": "陳推薦",
    "school": SCHOOL,
    "meeting_name": "115學年度第1次教師專業發展會議",
    "meeting_date": "2026-11-20",
    "decision": "recommend",
    "principal": "王校長",
    "reasons": "教學專業表現優良，長期協助同儕專業成長。",
}


@pytest.fixture
def school():
    return factories.school(SCHOOL, code="313301")


@pytest.fixture
def other_school():
    return factories.school(OTHER_SCHOOL, code="313302")


@pytest.fixture
def officer(school):
    return factories.teacher(name="林承辦", account="t-officer", school_name=SCHOOL)


@pytest.fixture
def candidate(school):
    return factories.teacher(name="陳推薦", account="t-candidate", school_name=SCHOOL)


@pytest.fixture
def granted(officer, school, taipei_officer):
    return school_officers.grant(taipei_officer, school, "t-officer")


@pytest.fixture
def mentor_case(candidate):
    return factories.case(candidate, "mentor")


def recommendation_url(school, case) -> str:
    return reverse("school:recommendation", args=[school.code, case.pk])


# --- the grant ------------------------------------------------------------------------------------


def test_the_county_grants_a_teacher_of_the_school_by_name(client, taipei_officer, school, officer):
    client.force_login(taipei_officer)
    response = client.post(reverse("accounts:school_officers"), {"school": school.pk, "teacher": "林承辦"}, follow=True)

    assert "已授權「林承辦」為「臺北市立成淵高級中學」的學校承辦人。" in response.text
    officer.refresh_from_db()
    assert officer.is_school_officer
    assert list(school_officers.school_officers_of(school)) == [officer]
    entry = AuditEntry.objects.get(action="school_officer.grant")
    assert entry.actor_id == taipei_officer.pk and entry.data["school"] == "313301"


def test_only_a_teacher_of_that_school_may_be_granted(client, taipei_officer, school):
    factories.teacher(name="李別校", account="t-elsewhere", school_name=OTHER_SCHOOL)
    client.force_login(taipei_officer)
    response = client.post(reverse("accounts:school_officers"), {"school": school.pk, "teacher": "李別校"})

    assert response.status_code == 400
    assert "在「臺北市立成淵高級中學」找不到「李別校」這位教師" in response.text
    assert not school_officers.school_officers_of(school).exists()


def test_another_countys_officer_cannot_grant(client, taichung_officer, school, officer):
    client.force_login(taichung_officer)
    response = client.post(reverse("accounts:school_officers"), {"school": school.pk, "teacher": "林承辦"})

    # The school is not among the choices of a 臺中市 officer.
    assert response.status_code == 400
    assert "請選擇所屬縣市的學校。" in response.text
    with pytest.raises(DomainError, match="只能為所屬縣市的學校授權學校承辦人"):
        school_officers.grant(taichung_officer, school, "林承辦")
    assert not school_officers.school_officers_of(school).exists()


def test_another_countys_officer_cannot_revoke(client, taichung_officer, granted):
    client.force_login(taichung_officer)
    response = client.post(reverse("accounts:school_officers"), {"action": "revoke", "grant": granted.pk}, follow=True)

    assert "此授權已撤銷或不存在" in response.text
    granted.refresh_from_db()
    assert granted.is_live


def test_a_revoked_grant_loses_access(client, taipei_officer, school, officer, granted):
    client.force_login(officer)
    assert client.get(reverse("school:overview", args=[school.code])).status_code == 200

    staff = factories.staff("taipei-2", "county", county_name="臺北市")
    client.force_login(staff)
    response = client.post(reverse("accounts:school_officers"), {"action": "revoke", "grant": granted.pk}, follow=True)
    assert "已撤銷「林承辦」的「臺北市立成淵高級中學」學校承辦人授權。" in response.text

    officer.refresh_from_db()
    assert not officer.is_school_officer
    client.force_login(officer)
    assert client.get(reverse("school:overview", args=[school.code])).status_code == 404
    assert AuditEntry.objects.filter(action="school_officer.revoke", actor_id=staff.pk).count() == 1


# --- 認證總表 -------------------------------------------------------------------------------------


def test_the_overview_shows_the_schools_cases_and_no_other_school(client, officer, granted, school, mentor_case):
    elsewhere = factories.teacher(name="李別校", account="t-elsewhere", school_name=OTHER_SCHOOL)
    factories.case(elsewhere, "advanced")
    other = factories.school(OTHER_SCHOOL)
    client.force_login(officer)

    page = client.get(reverse("school:overview", args=[school.code]))

    assert page.status_code == 200
    assert "陳推薦" in page.text and "教學輔導教師認證" in page.text and "待學校填寫" in page.text
    assert "李別校" not in page.text
    assert client.get(reverse("school:overview", args=[other.code])).status_code == 404
    assert client.get(recommendation_url(other, mentor_case)).status_code == 404


def test_a_teacher_without_a_grant_finds_nothing_and_staff_are_refused(client, candidate, taipei_officer, school):
    client.force_login(candidate)
    assert client.get(reverse("school:overview", args=[school.code])).status_code == 404
    client.force_login(taipei_officer)
    assert client.get(reverse("school:overview", args=[school.code])).status_code == 403


def test_the_overview_filters_by_year_and_type(client, officer, granted, school, mentor_case, candidate):
    factories.case(candidate, "advanced", academic_year=mentor_case.academic_year - 1)
    client.force_login(officer)
    url = reverse("school:overview", args=[school.code])

    assert client.get(url).text.count('data-case="') == 2
    assert client.get(url, {"type": "mentor"}).text.count('data-case="') == 1
    assert client.get(url, {"academic_year": mentor_case.academic_year - 1}).text.count('data-case="') == 1
    # A filter that is not offered shows the whole list instead of failing.
    assert client.get(url, {"academic_year": "abc", "type": "x"}).status_code == 200


def test_the_export_holds_the_rows_with_iso_dates_and_is_audited(client, officer, granted, school, mentor_case):
    client.force_login(officer)
    response = client.get(reverse("school:export", args=[school.code]), {"type": "mentor"})

    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("教師", "認證類別", "學年度", "狀態", "申請日", "送出日", "最後更新", "期限", "學校推薦表")
    teacher, kind, year, state, applied, sent, updated, deadline, recommendation = rows[1]
    assert (teacher, kind, year, state) == ("陳推薦", "教學輔導教師認證", mentor_case.academic_year, "準備資料")
    assert applied == timezone.localtime(mentor_case.created_at).date().isoformat()
    assert updated == timezone.localtime(mentor_case.updated_at).strftime("%Y-%m-%d %H:%M")
    assert sent in ("", None) and deadline in ("", None)
    assert recommendation == "待學校填寫"
    assert len(rows) == 2
    entry = AuditEntry.objects.get(action="school.export")
    assert entry.actor_id == officer.pk and entry.data["rows"] == 1


# --- the school's 推薦表 --------------------------------------------------------------------------


def test_the_school_fills_the_recommendation_and_the_teachers_slot_shows_it_done(
    client, officer, granted, school, mentor_case, candidate
):
    client.force_login(officer)
    form = client.get(recommendation_url(school, mentor_case))
    assert form.status_code == 200 and "學校推薦表" in form.text and 'value="陳推薦"' in form.text

    response = client.post(recommendation_url(school, mentor_case), FILLED | {"revision": "0"}, follow=True)
    assert "已儲存「陳推薦」的推薦表。" in response.text

    answer = SlotAnswer.objects.get(case=mentor_case, slot_code="recommendation")
    assert (
        answer.is_complete and answer.template_code == "school_recommendation" and answer.data["principal"] == "王校長"
    )
    entry = AuditEntry.objects.get(action="school.recommend")
    assert entry.actor_id == officer.pk and entry.case_id == mentor_case.pk

    client.force_login(candidate)
    case_page = client.get(reverse("certification:case", args=[mentor_case.pk]))
    row = case_page.text.split('data-slot="recommendation"')[1].split("</tr>")[0]
    assert "由學校填寫" in row and "已完成" in row
    assert reverse("certification:slot_print", args=[mentor_case.pk, "recommendation"]) in row
    assert client.get(reverse("certification:slot_print", args=[mentor_case.pk, "recommendation"])).status_code == 200


def test_the_teacher_cannot_change_the_schools_recommendation(client, officer, granted, school, mentor_case, candidate):
    client.force_login(officer)
    client.post(recommendation_url(school, mentor_case), FILLED | {"revision": "0"})
    before = list(SlotAnswer.objects.filter(case=mentor_case).values_list("data", "revision"))
    client.force_login(candidate)
    url = reverse("certification:slot_edit", args=[mentor_case.pk, "recommendation"])

    opened = client.get(url, follow=True)
    posted = client.post(
        url, FILLED | {"principal": "自己", "revision": "1", "template": "school_recommendation"}, follow=True
    )
    draft = client.post(
        reverse("certification:slot_draft", args=[mentor_case.pk, "recommendation"]),
        FILLED | {"template": "school_recommendation", "revision": "1"},
    )

    assert "「推薦表」由學校填寫，教師無法填寫或修改。" in opened.text
    assert "「推薦表」由學校填寫，教師無法填寫或修改。" in posted.text
    assert draft.status_code == 403
    slot = slot_of(mentor_case, "recommendation")
    with pytest.raises(DomainError, match="由學校填寫"):
        answers.save_answer(
            mentor_case, slot, get_template("school_recommendation"), data={}, is_complete=True, expected_revision=None
        )
    assert list(SlotAnswer.objects.filter(case=mentor_case).values_list("data", "revision")) == before


def test_a_teacher_of_another_school_with_a_grant_cannot_fill_it(client, other_school, taipei_officer, mentor_case):
    stranger = factories.teacher(name="李別校", account="t-elsewhere", school_name=OTHER_SCHOOL)
    school_officers.grant(taipei_officer, other_school, "t-elsewhere")
    client.force_login(stranger)

    assert client.get(recommendation_url(other_school, mentor_case)).status_code == 404
    assert client.post(recommendation_url(mentor_case.school, mentor_case), FILLED).status_code == 404
    assert not SlotAnswer.objects.filter(case=mentor_case).exists()


def test_submission_names_the_recommendation_missing(candidate, mentor_case):
    for slot in mentor_case.certification_type.slots.all():
        if not slot.is_filled_by_school:
            factories.answer(mentor_case, slot.code)

    with pytest.raises(DomainError) as refused:
        workflow.transition(mentor_case, "submit", actor=candidate, expected_revision=mentor_case.revision)

    assert refused.value.message == "「推薦表」尚未由學校填寫，請洽服務學校的學校承辦人。"


def test_the_send_page_names_the_recommendation_missing(client, candidate, mentor_case):
    client.force_login(candidate)
    page = client.get(reverse("certification:submit", args=[mentor_case.pk]))

    assert "「推薦表」尚未由學校填寫，請洽服務學校的學校承辦人" in page.text


def test_the_school_cannot_change_it_once_sent(client, officer, granted, school, mentor_case, candidate):
    client.force_login(officer)
    client.post(recommendation_url(school, mentor_case), FILLED | {"revision": "0"})
    for slot in mentor_case.certification_type.slots.all():
        if not slot.is_filled_by_school:
            factories.answer(mentor_case, slot.code)
    mentor_case.refresh_from_db()
    workflow.transition(mentor_case, "submit", actor=candidate, expected_revision=mentor_case.revision)

    response = client.post(recommendation_url(school, mentor_case), FILLED | {"principal": "改過", "revision": "1"})

    assert response.status_code == 409
    assert "此申請已送出審查" in response.text
    assert SlotAnswer.objects.get(case=mentor_case, slot_code="recommendation").data["principal"] == "王校長"


def test_the_renewal_recommendation_is_the_schools_too(mentor_case):
    from proteacher.certification.models import FormSlot

    slots = FormSlot.objects.filter(code="recommendation", certification_type__code__in=["mentor", "mentor_renewal"])
    assert {(slot.filled_by, tuple(slot.template_codes)) for slot in slots} == {("school", ("school_recommendation",))}


def test_the_office_reads_the_schools_recommendation_in_the_submission(
    client, officer, granted, school, mentor_case, candidate, taipei_officer
):
    from proteacher.certification.models import SubmittedAnswer

    client.force_login(officer)
    client.post(recommendation_url(school, mentor_case), FILLED | {"revision": "0"})
    for slot in mentor_case.certification_type.slots.all():
        if not slot.is_filled_by_school:
            factories.answer(mentor_case, slot.code)
    mentor_case.refresh_from_db()
    workflow.transition(mentor_case, "submit", actor=candidate, expected_revision=mentor_case.revision)

    frozen = SubmittedAnswer.objects.get(submission__case=mentor_case, slot_code="recommendation")
    assert frozen.template_code == "school_recommendation" and frozen.data["principal"] == "王校長"
    client.force_login(taipei_officer)
    page = client.get(reverse("review:slot_print", args=[mentor_case.pk, "recommendation"]))
    assert page.status_code == 200 and "王校長" in page.text and "115學年度第1次教師專業發展會議" in page.text


def test_the_teachers_case_page_says_the_school_has_yet_to_fill_it(client, candidate, mentor_case):
    client.force_login(candidate)
    page = client.get(reverse("certification:case", args=[mentor_case.pk]))

    row = page.text.split('data-slot="recommendation"')[1].split("</tr>")[0]
    assert "由學校填寫" in row and "待學校填寫" in row
    assert "<select" not in row and "新增" not in row


def test_the_admin_grants_in_any_county_and_a_revoked_grant_may_be_given_again(admin_user, taichung):
    school = factories.school("臺中市立大墩國民中學", county_name="臺中市")
    teacher = factories.teacher(name="林大墩", account="t-dadun", county_name="臺中市", school_name=school.name)

    first = school_officers.grant(admin_user, school, "林大墩")
    school_officers.revoke(admin_user, first.pk)
    again = school_officers.grant(admin_user, school, "t-dadun")

    teacher.refresh_from_db()
    assert teacher.live_school_grants == 1 and again.pk != first.pk
    with pytest.raises(DomainError, match="已是「臺中市立大墩國民中學」的學校承辦人"):
        school_officers.grant(admin_user, school, "t-dadun")
