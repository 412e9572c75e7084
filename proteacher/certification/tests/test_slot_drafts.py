"""自動儲存 of an online form: the draft address, the draft on the form page, and 儲存 after it."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proteacher.certification import answers, drafts, workflow
from proteacher.certification.models import CertificationType, SlotAnswer, SlotDraft
from proteacher.certification.views import slot_draft
from proteacher.testing import factories

pytestmark = pytest.mark.django_db

HEADER = {"teacher": "王大明", "grade": "五年級", "subject": "數學", "unit": "分數的加減"}
HHMM = re.compile(r"^\d{2}:\d{2}$")


@pytest.fixture
def case(teacher):
    return workflow.open_case(teacher, CertificationType.objects.get(code="basic"), 113, {})


def form_url(case, slot="observation", template="anecdotal_record"):
    return reverse("certification:slot_edit", args=[case.pk, slot]) + f"?template={template}"


def draft_url(case, slot="observation"):
    return reverse("certification:slot_draft", args=[case.pk, slot])


def autosave(client, case, data, revision="0", template="anecdotal_record", slot="observation"):
    return client.post(draft_url(case, slot), {"template": template, "revision": revision, **data})


def save(client, case, data, revision="0"):
    payload = {"template": "anecdotal_record", "revision": revision, "action": "save", **data}
    return client.post(form_url(case), payload)


def draft_of(case, slot="observation"):
    return SlotDraft.objects.get(case=case, slot_code=slot)


# --- The draft address ----------------------------------------------------------------------------


def test_autosave_keeps_what_was_typed_and_says_when(client, teacher, case):
    client.force_login(teacher)

    response = autosave(client, case, {**HEADER, "records-0-facts": "三位學生舉手"})

    assert response.status_code == 200
    answer = response.json()
    assert answer["status"] == "saved" and HHMM.match(answer["saved_at"])
    draft = draft_of(case)
    assert draft.data["teacher"] == "王大明" and draft.data["records"][0]["facts"] == "三位學生舉手"
    assert (draft.template_code, draft.template_version, draft.base_revision) == ("anecdotal_record", 1, 0)
    assert drafts.time_of(draft.saved_at) == answer["saved_at"]
    assert not SlotAnswer.objects.filter(case=case).exists()


def test_autosave_keeps_even_what_saving_would_refuse(client, teacher, case):
    client.force_login(teacher)

    response = autosave(client, case, {**HEADER, "date": "2020-02-30", "periods": "-1"})

    assert response.json()["status"] == "saved"
    assert draft_of(case).data["date"] == "2020-02-30" and draft_of(case).data["periods"] == "-1"


def test_a_later_autosave_replaces_the_draft(client, teacher, case):
    client.force_login(teacher)
    autosave(client, case, {"teacher": "第一次"})

    autosave(client, case, {"teacher": "第二次"})

    assert SlotDraft.objects.filter(case=case).count() == 1
    assert draft_of(case).data["teacher"] == "第二次"


def test_autosave_is_one_case_lookup_and_one_write(client, teacher, case):
    client.force_login(teacher)
    autosave(client, case, {"teacher": "第一次"})

    with CaptureQueriesContext(connection) as queries:
        autosave(client, case, {"teacher": "第二次"})

    ours = [query["sql"] for query in queries if "certification_" in query["sql"]]
    assert len(ours) == 2, ours
    assert ours[0].startswith("SELECT") and "certification_case" in ours[0]
    assert ours[1].startswith("INSERT") and "certification_slotdraft" in ours[1]


def test_another_teacher_gets_not_found_and_staff_forbidden(client, case, taichung_teacher, taipei_officer):
    client.force_login(taichung_teacher)
    response = autosave(client, case, {"teacher": "入侵"})
    assert response.status_code == 404
    assert response.json() == {"status": "not_found", "message": slot_draft.NOT_FOUND}

    client.force_login(taipei_officer)
    response = autosave(client, case, {"teacher": "入侵"})
    assert response.status_code == 403
    assert response.json() == {"status": "forbidden", "message": slot_draft.FORBIDDEN}

    assert not SlotDraft.objects.exists()


@pytest.mark.parametrize(
    ("slot", "template"),
    [
        ("observation", "no_such_template"),
        ("observation", "pre_conference_a"),  # a template of another slot
        ("no-such-slot", "anecdotal_record"),
        ("implementation", "implementation_proof"),  # not a slot of 初階
    ],
)
def test_a_form_that_is_not_there_is_not_found(client, teacher, case, slot, template):
    client.force_login(teacher)

    response = autosave(client, case, {"teacher": "王大明"}, template=template, slot=slot)

    assert response.status_code == 404 and response.json()["message"] == "找不到此表單。"
    assert not SlotDraft.objects.exists()


def test_a_form_outside_the_cases_application_route_is_not_found(client, teacher, case):
    # A case opened by a route that names its slots (換證's routes do) fills only those.
    case.eligibility = {"route": {"code": "some-route", "slot_codes": ["reflection"]}}
    case.save(update_fields=["eligibility"])
    client.force_login(teacher)

    response = autosave(client, case, {**HEADER, "records-0-facts": "三位學生舉手"})

    assert response.status_code == 404 and response.json()["message"] == "找不到此表單。"
    assert not SlotDraft.objects.exists()
    case.eligibility = {"route": {"code": "some-route", "slot_codes": ["observation"]}}
    case.save(update_fields=["eligibility"])
    assert autosave(client, case, {**HEADER}).json()["status"] == "saved"


def test_an_upload_form_has_no_draft(client, teacher):
    case = factories.case(teacher, "advanced")
    client.force_login(teacher)

    response = autosave(client, case, {}, template="implementation_proof", slot="implementation")

    assert response.status_code == 404


def test_a_sent_case_refuses_drafts(client, teacher, case):
    factories.fill_every_slot(case)
    workflow.transition(case, "submit", actor=teacher, expected_revision=case.revision)
    client.force_login(teacher)

    response = autosave(client, case, {"teacher": "偷改"}, revision="1")

    assert response.status_code == 409
    assert response.json() == {"status": "read_only", "message": answers.READ_ONLY}
    assert not SlotDraft.objects.exists()


def test_a_get_is_not_allowed(client, teacher, case):
    client.force_login(teacher)

    assert client.get(draft_url(case)).status_code == 405


def test_autosave_needs_the_csrf_token(teacher, case):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(teacher)

    response = strict.post(draft_url(case), {"template": "anecdotal_record", "revision": "0", "teacher": "王"})

    assert response.status_code == 403
    assert not SlotDraft.objects.exists()


# --- Reopening the form -----------------------------------------------------------------------------


def test_a_reopened_form_shows_the_draft_with_a_notice(client, teacher, case):
    client.force_login(teacher)
    saved_at = autosave(client, case, {**HEADER, "records-0-facts": "三位學生舉手"}).json()["saved_at"]

    page = client.get(form_url(case)).content.decode()

    assert f"已載入 {saved_at} 自動儲存的草稿，請按「儲存」確認。" in page
    assert 'value="王大明"' in page and ">三位學生舉手</textarea>" in page
    assert 'name="revision" value="0"' in page


def test_the_form_page_carries_the_draft_address_and_its_status_region(client, teacher, case):
    client.force_login(teacher)

    page = client.get(form_url(case)).content.decode()

    assert f'data-autosave-url="{draft_url(case)}"' in page
    assert 'aria-live="polite" data-autosave-status' in page
    assert "js/autosave.js" in page


def test_saving_keeps_the_answer_and_deletes_the_draft(client, teacher, case):
    client.force_login(teacher)
    autosave(client, case, {**HEADER, "teacher": "草稿"})

    response = save(client, case, {**HEADER, "teacher": "儲存的"})

    assert response.status_code == 302
    assert SlotAnswer.objects.get(case=case).data["teacher"] == "儲存的"
    assert not SlotDraft.objects.exists()
    page = client.get(form_url(case)).content.decode()
    assert "自動儲存的草稿" not in page and 'value="儲存的"' in page


def test_a_refused_save_keeps_the_draft(client, teacher, case):
    client.force_login(teacher)
    save(client, case, {"teacher": "另一個視窗"})
    autosave(client, case, {"teacher": "這個視窗"}, revision="1")

    response = save(client, case, {"teacher": "舊視窗"}, revision="0")

    assert response.status_code == 409
    assert draft_of(case).data["teacher"] == "這個視窗"


def test_the_draft_is_deleted_in_the_transaction_of_the_save(teacher, case, monkeypatch):
    from proteacher.certification.models import FormSlot
    from proteacher.documents.catalogue import get_template

    slot = FormSlot.objects.get(certification_type=case.certification_type, code="observation")
    template = get_template("anecdotal_record")
    drafts.keep(case, "observation", template, {"teacher": "草稿"}, base_revision=0, answer_revision=None)

    def fails(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(SlotDraft.objects, "filter", fails)
    with pytest.raises(RuntimeError):
        drafts.save_form(case, slot, template, data={"teacher": "儲存"}, is_complete=False, expected_revision=0)
    monkeypatch.undo()

    # The save rolled back with the failed delete: nothing half done.
    assert not SlotAnswer.objects.filter(case=case).exists()
    assert draft_of(case).data["teacher"] == "草稿"


# --- Two tabs ---------------------------------------------------------------------------------------


def test_a_stale_tab_is_told_and_nothing_overwrites_the_saved_answer(client, teacher, case):
    client.force_login(teacher)
    save(client, case, {"teacher": "第一個視窗"})  # the answer is at revision 1 now

    response = autosave(client, case, {"teacher": "第二個視窗"}, revision="0")

    answer = response.json()
    assert response.status_code == 200 and answer["status"] == "stale"
    assert answer["message"].startswith(answers.STALE)
    assert SlotAnswer.objects.get(case=case).data["teacher"] == "第一個視窗"
    assert draft_of(case).base_revision == 0


def test_a_stale_draft_is_offered_not_applied(client, teacher, case):
    client.force_login(teacher)
    autosave(client, case, {"teacher": "草稿"}, revision="0")
    save(client, case, {"teacher": "另一個視窗"}, revision="0")  # deletes that draft
    saved_at = autosave(client, case, {"teacher": "舊視窗的草稿"}, revision="0").json()["saved_at"]

    page = client.get(form_url(case)).content.decode()

    assert 'value="另一個視窗"' in page and "舊視窗的草稿" not in page
    assert f"此表單有一份 {saved_at} 自動儲存的草稿，但之後已在其他視窗儲存過較新的內容" in page
    assert ">載入草稿</a>" in page

    loaded = client.get(form_url(case) + "&draft=load").content.decode()
    assert 'value="舊視窗的草稿"' in loaded
    assert f"已載入 {saved_at} 自動儲存的草稿。此表單之後曾在其他視窗儲存過" in loaded
    # Saving what was loaded is a choice made with the newer answer in view: it posts that revision.
    assert 'name="revision" value="1"' in loaded


def test_a_stale_tab_never_replaces_the_draft_of_the_tab_that_is_up_to_date(client, teacher, case):
    client.force_login(teacher)
    save(client, case, {"teacher": "已儲存"})
    autosave(client, case, {"teacher": "新的視窗"}, revision="1")

    answer = autosave(client, case, {"teacher": "舊的視窗"}, revision="0").json()

    assert answer["status"] == "stale" and answer["stored"] is False
    assert draft_of(case).data["teacher"] == "新的視窗"


def test_a_draft_that_only_repeats_the_saved_answer_is_not_offered(client, teacher, case):
    client.force_login(teacher)
    save(client, case, {"teacher": "一樣"})
    # A draft on its way when 儲存 was pressed arrives after the save.
    autosave(client, case, {"teacher": "一樣"}, revision="0")

    page = client.get(form_url(case)).content.decode()

    assert "data-draft-notice" not in page and "data-draft-offer" not in page
