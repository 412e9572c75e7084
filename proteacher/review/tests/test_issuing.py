"""發證作業: 管理者 approves 通過 cases in batches (→ 通過可產證) and issues them (→ 已發證) with
certificate numbers counted per county, type and year from 1, gap-free, and a 數位研習證明.

The batches are moved by the worker (issuing.run_batches, the job of proteacher.worker); the
batch's page, its progress and the worker's restarts are in test_issuing_batches.py."""

import dataclasses
import re

import pytest
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from proteacher.certification import certificates, workflow
from proteacher.certification.models import Case, CaseEvent, Certificate, CertificateSerial, TrainingCertificate
from proteacher.certification.workflow import State, table
from proteacher.dates import current_academic_year
from proteacher.errors import DomainError
from proteacher.review import issuing
from proteacher.testing import factories
from proteacher.testing.workflow import walk

pytestmark = pytest.mark.django_db

TO_PASSED = ["submit", "formal_pass", "assign_first", "first_reviews_done", "first_pass"]
YEAR = current_academic_year()
_accounts = iter(range(1, 10_000))


def passed_case(type_code="advanced", county_name="臺北市", year=YEAR, name=None):
    number = next(_accounts)
    user = factories.teacher(name=name or f"教師{number}", account=f"t-issue-{number}", county_name=county_name)
    case = factories.case(user, type_code, academic_year=year)
    factories.fill_every_slot(case)
    officer = factories.staff(f"officer-{number}", "county", county_name=county_name)
    return walk(case, TO_PASSED, officer)


def approved_case(admin, **kwargs):
    case = passed_case(**kwargs)
    workflow.transition(case, "approve", actor=admin)
    case.refresh_from_db()
    return case


def selection(*cases):
    return [(case.pk, case.revision) for case in cases]


@dataclasses.dataclass
class Result:
    done: list
    refused: list


def run_batch(action, chosen, actor) -> Result:
    """The batch as the page makes it, moved by the worker's job."""
    batch = issuing.create_batch(action, chosen, actor, issuing.new_token())
    issuing.run_batches()
    items = list(batch.items.select_related("case").order_by("position"))
    assert all(item.outcome for item in items), "the worker left items pending"
    return Result(
        done=[item.case for item in items if item.outcome == "done"],
        refused=[(item.case, item.message) for item in items if item.outcome == "refused"],
    )


def approve(chosen, actor) -> Result:
    return run_batch("approve", chosen, actor)


def issue(chosen, actor) -> Result:
    return run_batch("issue", chosen, actor)


def numbers(*cases) -> list[str]:
    return [Certificate.objects.get(case=case).number for case in cases]


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_number_reads_as_in_the_spec():
    assert certificates.certificate_number("臺北", "B", 108, 13) == "臺北證號第B108000013號"
    assert certificates.certificate_number("臺北", "A", 104, 811) == "臺北證號第A104000811號"


# --- the services -----------------------------------------------------------------------------


def test_approving_a_batch_moves_each_passed_case(admin_user):
    first, second = passed_case(), passed_case()

    result = approve(selection(first, second), admin_user)

    assert [case.pk for case in result.done] == [first.pk, second.pk] and result.refused == []
    assert set(Case.objects.filter(pk__in=[first.pk, second.pk]).values_list("state", flat=True)) == {State.APPROVED}
    assert CaseEvent.objects.filter(action="approve", actor=admin_user).count() == 2


def test_numbers_start_at_one_per_county_type_and_year_and_run_on(admin_user):
    taipei = [approved_case(admin_user) for _ in range(3)]
    taichung = approved_case(admin_user, county_name="臺中市")
    basic = approved_case(admin_user, type_code="basic")
    last_year = approved_case(admin_user, year=YEAR - 1)

    result = issue(selection(*taipei, taichung, basic, last_year), admin_user)

    assert len(result.done) == 6 and result.refused == []
    assert numbers(*taipei) == [f"臺北證號第B{YEAR:03d}{serial:06d}號" for serial in (1, 2, 3)]
    assert numbers(taichung) == [f"臺中證號第B{YEAR:03d}000001號"]
    assert numbers(basic) == [f"臺北證號第A{YEAR:03d}000001號"]
    assert numbers(last_year) == [f"臺北證號第B{YEAR - 1:03d}000001號"]
    more = approved_case(admin_user)
    issue(selection(more), admin_user)
    assert numbers(more) == [f"臺北證號第B{YEAR:03d}000004號"]


def test_issuing_writes_the_certificate_the_training_certificate_and_the_event(admin_user):
    case = approved_case(admin_user, name="張進階")

    issue(selection(case), admin_user)

    case.refresh_from_db()
    assert case.state == State.ISSUED
    certificate = Certificate.objects.get(case=case)
    assert (certificate.teacher, certificate.certification_type.code, certificate.academic_year) == (
        case.teacher,
        "advanced",
        YEAR,
    )
    assert (certificate.source, certificate.county, certificate.serial) == ("issued", case.county, 1)
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.action, event.actor, event.to_state) == ("issue", admin_user, State.ISSUED)
    assert certificate.issued_at == event.at or abs((certificate.issued_at - event.at).total_seconds()) < 1
    assert event.extra["certificate_number"] == certificate.number
    training = TrainingCertificate.objects.get(case=case)
    assert training.teacher == case.teacher
    assert training.title == "進階專業回饋人才培訓 數位研習證明"
    assert training.issued_at == certificate.issued_at


def test_a_failed_issue_rolls_its_number_back_and_the_next_case_takes_it(admin_user, monkeypatch):
    first, broken, third = (approved_case(admin_user) for _ in range(3))

    def refuse_the_broken_one(change):
        if change.case.pk == broken.pk:
            raise DomainError("此申請的資料不完整。")

    declared = table.BY_ACTION["issue"]
    failing = dataclasses.replace(declared, effects=(*declared.effects, refuse_the_broken_one))
    monkeypatch.setitem(table.BY_ACTION, "issue", failing)

    result = issue(selection(first, broken, third), admin_user)

    assert result.refused == [(broken, "此申請的資料不完整。")]
    assert numbers(first, third) == [f"臺北證號第B{YEAR:03d}000001號", f"臺北證號第B{YEAR:03d}000002號"]
    assert not Certificate.objects.filter(case=broken).exists()
    assert not TrainingCertificate.objects.filter(case=broken).exists()
    assert Case.objects.get(pk=broken.pk).state == State.APPROVED
    assert CertificateSerial.objects.get().last_serial == 2

    monkeypatch.setitem(table.BY_ACTION, "issue", declared)
    broken.refresh_from_db()
    issue(selection(broken), admin_user)
    assert numbers(broken) == [f"臺北證號第B{YEAR:03d}000003號"]


def test_issuing_again_numbers_nothing_twice(admin_user):
    cases = [approved_case(admin_user) for _ in range(2)]
    shown = selection(*cases)
    issue(shown, admin_user)

    again = issue(shown, admin_user)

    assert again.done == []
    assert [why for _, why in again.refused] == ["此申請已經處理過，目前的狀態為「已發證」。"] * 2
    assert Certificate.objects.filter(source="issued").count() == 2
    assert CertificateSerial.objects.get().last_serial == 2


def test_a_passed_case_is_not_issued_before_it_is_approved(admin_user):
    case = passed_case()

    result = issue([(case.pk, None)], admin_user)

    assert result.refused == [(case, "此申請目前的狀態為「通過」，無法執行「發證」。")]
    assert not Certificate.objects.filter(case=case).exists()
    assert not CertificateSerial.objects.exists()


def test_a_county_officer_neither_approves_nor_issues(admin_user, taipei_officer):
    passed, approved = passed_case(), approved_case(admin_user)

    assert approve([(passed.pk, None)], taipei_officer).refused == [(passed, "您沒有執行此操作的權限。")]
    assert issue([(approved.pk, None)], taipei_officer).refused == [(approved, "您沒有執行此操作的權限。")]
    assert not Certificate.objects.filter(source="issued").exists()


# --- the page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["taipei_officer", "teacher", "reviewer"])
def test_only_the_administrator_opens_the_page(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("review:issuing")).status_code == 403
    assert client.post(reverse("review:issuing"), {"action": "issue"}).status_code == 403


def test_a_visitor_is_sent_to_sign_in(client):
    url = reverse("review:issuing")

    response = client.get(url)

    assert response.status_code == 302 and response["Location"] == redirect_to_login(url).url


def test_the_page_lists_both_batches_with_counts_and_filters(client, admin_user):
    taipei = passed_case(name="臺北甲")
    taichung = passed_case(county_name="臺中市", name="臺中乙")
    ready = approved_case(admin_user, type_code="basic", name="初階丙")
    client.force_login(admin_user)

    html = client.get(reverse("review:issuing")).content.decode()
    text = text_of(html)

    assert "待核定可產證（狀態「通過」）： 2 件" in text
    assert "待發證（狀態「通過可產證」）： 1 件" in text
    for case in (taipei, taichung, ready):
        assert f'name="case" value="{case.pk}:{case.revision}"' in html
    assert ">核定可產證</button>" in html and ">發證</button>" in html

    county = taichung.county_id
    filtered = client.get(reverse("review:issuing"), {"county": county}).content.decode()
    assert "臺中乙" in filtered and "臺北甲" not in filtered and "初階丙" not in filtered
    by_type = client.get(reverse("review:issuing"), {"type": "basic", "year": YEAR}).content.decode()
    assert "初階丙" in by_type and "臺北甲" not in by_type


def test_a_batch_is_confirmed_before_anything_moves(client, admin_user):
    cases = [passed_case() for _ in range(2)]
    client.force_login(admin_user)
    chosen = [f"{case.pk}:{case.revision}" for case in cases]

    response = client.post(reverse("review:issuing"), {"action": "approve", "case": chosen})

    text = text_of(response.content.decode())
    assert "確定要將下列 2 件案件「核定可產證」嗎？" in text
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("state", flat=True)) == {State.PASSED}
    token = re.search(r'name="token" value="([0-9a-f]{32})"', response.content.decode()).group(1)

    queued = client.post(
        reverse("review:issuing"), {"action": "approve", "case": chosen, "confirm": "1", "token": token}, follow=True
    )

    queued_text = text_of(queued.content.decode())
    assert "已建立「核定可產證」批次，共 2 件，系統正在背景處理" in queued_text
    assert "狀態： 排隊中" in queued_text and "已處理 0／2 件" in queued_text
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("state", flat=True)) == {State.PASSED}

    issuing.run_batches()

    done = client.get(queued.redirect_chain[-1][0])
    assert "已核定可產證 2 件。" in text_of(done.content.decode())
    assert set(Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("state", flat=True)) == {State.APPROVED}


def confirmed(client, action, chosen):
    """The confirmation page's 確定, as the browser posts it (with the page's token)."""
    page = client.post(reverse("review:issuing"), {"action": action, "case": chosen}).content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', page).group(1)
    return client.post(reverse("review:issuing"), {"action": action, "case": chosen, "confirm": "1", "token": token})


def test_issuing_from_the_page_counts_what_was_done_and_what_was_refused(client, admin_user):
    cases = [approved_case(admin_user, name=f"發證{n}") for n in range(3)]
    client.force_login(admin_user)
    chosen = [f"{case.pk}:{case.revision}" for case in cases]

    first = confirmed(client, "issue", chosen)
    issuing.run_batches()
    again = confirmed(client, "issue", chosen)
    issuing.run_batches()

    assert "已發證 3 件。" in text_of(client.get(first["Location"]).content.decode())
    again_text = text_of(client.get(again["Location"]).content.decode())
    assert "已發證 0 件。另有 3 件未處理" in again_text
    assert "發證0 進階認證 臺北市 " in again_text and "此申請已經處理過，目前的狀態為「已發證」。" in again_text
    assert Certificate.objects.filter(source="issued").count() == 3


def test_a_stale_page_is_refused_by_name(client, admin_user):
    case = passed_case(name="舊頁面")
    client.force_login(admin_user)

    response = client.post(
        reverse("review:issuing"),
        {"action": "approve", "case": [f"{case.pk}:{case.revision - 1}"], "confirm": "1"},
    )
    issuing.run_batches()

    text = text_of(client.get(response["Location"]).content.decode())
    assert "舊頁面 進階認證 臺北市" in text and "此頁面的資料已經更新，請重新整理後再操作。" in text
    assert Case.objects.get(pk=case.pk).state == State.PASSED


def test_nothing_ticked_says_so(client, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("review:issuing"), {"action": "issue", "confirm": "1"}, follow=True)

    assert "請勾選要發證的案件。" in text_of(response.content.decode())


def test_the_page_costs_the_same_with_more_cases(client, admin_user):
    passed_case(), approved_case(admin_user)
    client.force_login(admin_user)
    url = reverse("review:issuing")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)

    for _ in range(4):
        passed_case(county_name="臺中市")
        approved_case(admin_user, type_code="basic")
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


# --- 個人資訊 ---------------------------------------------------------------------------------


def test_the_teacher_reads_the_number_with_its_time_and_the_training_certificate(client, admin_user):
    case = approved_case(admin_user)
    issue(selection(case), admin_user)
    certificate = Certificate.objects.get(case=case)
    client.force_login(case.teacher)

    text = text_of(client.get(reverse("certification:held")).content.decode())

    issued_on = timezone.localtime(certificate.issued_at).strftime("%Y-%m-%d")
    assert f"進階認證 {YEAR} 臺北證號第B{YEAR:03d}000001號 {issued_on}" in text
    assert "數位研習證明" in text
    assert f"進階專業回饋人才培訓 數位研習證明 {issued_on}" in text
