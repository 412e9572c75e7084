"""Every change a teacher makes to a form is in the audit log, in the transaction of the change:
儲存, 自動儲存, an upload and its removal, 改用 and 刪除. A refused change writes nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from proteacher.audit.models import AuditEntry
from proteacher.certification import workflow
from proteacher.certification.models import CertificationType, SlotAnswer
from proteacher.testing import factories
from proteacher.testing.audit import entries, the_entry, who_whose_what
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db

HEADER = {"teacher": "王大明", "grade": "五年級", "subject": "數學", "unit": "分數的加減"}


@pytest.fixture
def case(teacher):
    return workflow.open_case(teacher, CertificationType.objects.get(code="basic"), 113, {})


@pytest.fixture
def advanced(teacher):
    return factories.case(teacher)


@pytest.fixture
def signed_in(client, teacher):
    client.force_login(teacher)
    return client


def form_url(case, slot="observation", template="anecdotal_record"):
    return reverse("certification:slot_edit", args=[case.pk, slot]) + f"?template={template}"


def save(client, case, data, revision="0", template="anecdotal_record"):
    payload = {"template": template, "revision": revision, "action": "save", **data}
    return client.post(form_url(case, template=template), payload)


def upload(client, case, name="SA1.pdf", revision="0"):
    pdf = SimpleUploadedFile(name, factories.pdf_bytes(), content_type="application/pdf")
    url = form_url(case, "implementation", "implementation_proof")
    return client.post(url, {"action": "save", "revision": revision, "file": pdf})


def test_a_save_records_the_teacher_the_case_and_the_forms_title(signed_in, teacher, case):
    save(signed_in, case, HEADER)

    entry = the_entry("slot.save")
    assert who_whose_what(entry) == (teacher.pk, teacher.pk, case.pk, "軼事紀錄表")
    assert (entry.actor_role, entry.actor_name, entry.ip) == ("teacher", "黃測試", "127.0.0.1")
    assert entry.data == {"slot": "observation", "template": "anecdotal_record", "revision": 1, "complete": False}


def test_each_save_of_the_form_in_use_is_one_more_entry(signed_in, case):
    save(signed_in, case, HEADER)
    save(signed_in, case, {**HEADER, "teacher": "李小華"}, revision="1")

    assert [entry.data["revision"] for entry in entries("slot.save")] == [1, 2]


def test_a_stale_save_is_refused_and_records_nothing(signed_in, case):
    save(signed_in, case, HEADER)

    response = save(signed_in, case, {**HEADER, "teacher": "舊視窗"}, revision="0")

    assert response.status_code == 409
    assert len(entries("slot.save")) == 1


def test_a_save_on_a_sent_case_records_nothing(signed_in, teacher, taipei_officer, advanced):
    advance(advanced, workflow.State.FORMAL_REVIEW, taipei_officer)
    before = AuditEntry.objects.count()

    save(signed_in, advanced, HEADER, template="pre_conference_a")

    assert AuditEntry.objects.count() == before


def test_an_autosave_records_the_draft(signed_in, teacher, case):
    url = reverse("certification:slot_draft", args=[case.pk, "observation"])

    signed_in.post(url, {"template": "anecdotal_record", "revision": "0", **HEADER})

    entry = the_entry("slot.autosave")
    assert who_whose_what(entry) == (teacher.pk, teacher.pk, case.pk, "軼事紀錄表")
    assert entry.data == {"slot": "observation", "template": "anecdotal_record", "base_revision": 0, "stale": False}


def test_an_autosave_refused_on_a_sent_case_records_nothing(signed_in, taipei_officer, advanced):
    advance(advanced, workflow.State.FORMAL_REVIEW, taipei_officer)
    before = AuditEntry.objects.count()
    url = reverse("certification:slot_draft", args=[advanced.pk, "pre_conference"])

    response = signed_in.post(url, {"template": "pre_conference_a", "revision": "0", **HEADER})

    assert response.status_code == 409
    assert AuditEntry.objects.count() == before


def test_an_upload_and_its_removal_are_recorded_with_the_file(signed_in, teacher, advanced):
    upload(signed_in, advanced)
    stored = SlotAnswer.objects.get(case=advanced, slot_code="implementation")

    signed_in.post(form_url(advanced, "implementation", "implementation_proof"), {"action": "remove", "revision": "1"})

    uploaded, removed = entries("slot.upload", "slot.remove_upload")
    assert who_whose_what(uploaded) == (teacher.pk, teacher.pk, advanced.pk, "公開授課實施證明")
    assert uploaded.data["file_name"] == "SA1.pdf" and uploaded.data["sha256"] == stored.file_sha256
    assert (removed.action, removed.target, removed.data["file_name"]) == (
        "slot.remove_upload",
        "公開授課實施證明",
        "SA1.pdf",
    )


def test_a_refused_file_records_nothing(signed_in, advanced):
    url = form_url(advanced, "implementation", "implementation_proof")
    fake = SimpleUploadedFile("fake.pdf", b"not a pdf", content_type="application/pdf")

    response = signed_in.post(url, {"action": "save", "revision": "0", "file": fake})

    assert response.status_code == 400
    assert not entries("slot.upload")


def test_switching_back_and_discarding_are_recorded(signed_in, teacher, case):
    save(signed_in, case, HEADER)
    save(signed_in, case, HEADER, template="selective_verbatim")
    use_url = reverse("certification:slot_use", args=[case.pk, "observation"])
    discard_url = reverse("certification:slot_discard", args=[case.pk, "observation"])

    signed_in.post(use_url, {"template": "anecdotal_record"})
    kept = SlotAnswer.objects.get(case=case, template_code="selective_verbatim")
    signed_in.post(discard_url, {"template": "selective_verbatim", "confirm": "1", "answer_revision": kept.revision})

    used, discarded = entries("slot.use", "slot.discard")
    assert who_whose_what(used) == (teacher.pk, teacher.pk, case.pk, "軼事紀錄表")
    assert who_whose_what(discarded) == (teacher.pk, teacher.pk, case.pk, "選擇性逐字紀錄表")
    assert not SlotAnswer.objects.filter(case=case, template_code="selective_verbatim").exists()


def test_a_discard_refused_as_stale_records_nothing(signed_in, case):
    save(signed_in, case, HEADER)
    save(signed_in, case, HEADER, template="selective_verbatim")
    discard_url = reverse("certification:slot_discard", args=[case.pk, "observation"])

    signed_in.post(discard_url, {"template": "selective_verbatim", "confirm": "1", "answer_revision": "99"})

    assert not entries("slot.discard")


def writes_of(captured) -> list[str]:
    """The statements a request wrote, but the session's."""
    return [
        query["sql"].split(" (")[0]
        for query in captured
        if query["sql"].startswith(("INSERT", "UPDATE", "DELETE")) and "django_session" not in query["sql"]
    ]


def test_an_autosave_is_the_draft_and_its_entry_two_inserts_and_no_more(signed_in, case):
    url = reverse("certification:slot_draft", args=[case.pk, "observation"])
    signed_in.post(url, {"template": "anecdotal_record", "revision": "0", **HEADER})

    with CaptureQueriesContext(connection) as captured:
        signed_in.post(url, {"template": "anecdotal_record", "revision": "0", **HEADER, "teacher": "李小華"})

    assert writes_of(captured) == ['INSERT INTO "certification_slotdraft"', 'INSERT INTO "audit_auditentry"']


def test_a_save_of_the_form_in_use_adds_one_insert_for_its_entry(signed_in, case):
    save(signed_in, case, HEADER)

    with CaptureQueriesContext(connection) as captured:
        save(signed_in, case, {**HEADER, "teacher": "李小華"}, revision="1")

    assert [sql for sql in writes_of(captured) if "audit" in sql] == ['INSERT INTO "audit_auditentry"']
    assert len(writes_of(captured)) == 4  # the case's 最後更新時間, the answer, its entry, the draft's removal
