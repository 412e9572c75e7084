"""Every send freezes the case: what each round reviewed stays as it was sent, with its hashes."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from proteacher.certification import answers, submissions
from proteacher.certification.models import FormSlot, FrozenError, SlotAnswer, Submission
from proteacher.documents.catalogue import get_template
from proteacher.testing import factories
from proteacher.testing.workflow import advance, take

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(teacher):
    return factories.case(teacher, "advanced")


def slot(case, code):
    return FormSlot.objects.get(certification_type=case.certification_type, code=code)


def in_use(case, code):
    return SlotAnswer.objects.in_use().get(case=case, slot_code=code)


def stored_bytes(record) -> bytes:
    with record.file.open("rb") as handle:
        return handle.read()


def test_sending_freezes_every_answer_and_file_with_their_hashes(case, taipei_officer):
    advance(case, "formal_review", taipei_officer)

    sent = Submission.objects.get(case=case)
    frozen = {answer.slot_code: answer for answer in sent.answers.all()}
    assert (sent.number, sent.action, sent.round) == (1, "submit", "first")
    assert set(frozen) == set(
        FormSlot.objects.filter(certification_type=case.certification_type).values_list("code", flat=True)
    )
    for code, answer in frozen.items():
        live = in_use(case, code)
        assert answer.data == live.data
        assert answer.data_sha256 == submissions.data_sha256(live.data)
        if live.file:
            assert answer.file.name == live.file.name
            assert answer.file_sha256 == hashlib.sha256(stored_bytes(live)).hexdigest()


def test_edits_after_a_round_never_change_what_it_reviewed(
    case, teacher, taipei_officer, django_capture_on_commit_callbacks
):
    advance(case, "first_revision", taipei_officer)
    first = Submission.objects.get(case=case)
    upload_before = first.answers.get(slot_code="implementation")
    data_before = dict(first.answers.get(slot_code="observation").data)
    pdf_before = stored_bytes(upload_before)

    observation = in_use(case, "observation")
    answers.save_answer(
        case,
        slot(case, "observation"),
        get_template(observation.template_code),
        data={**observation.data, "unit": "依委員意見補充的教學單元"},
        is_complete=True,
        expected_revision=observation.revision,
    )
    upload = in_use(case, "implementation")
    with django_capture_on_commit_callbacks(execute=True):
        answers.save_answer(
            case,
            slot(case, "implementation"),
            get_template(upload.template_code),
            is_complete=True,
            expected_revision=upload.revision,
            file=ContentFile(factories.pdf_bytes(pages=2), name="new.pdf"),
            file_name="new.pdf",
        )
        answers._delete_after_commit(upload.file)
    take(case, "resubmit", taipei_officer, expected_revision=case.revision)

    first.refresh_from_db()
    kept = first.answers.get(slot_code="implementation")
    assert first.answers.get(slot_code="observation").data == data_before
    assert default_storage.exists(kept.file.name) and stored_bytes(kept) == pdf_before
    second = Submission.objects.get(case=case, number=2)
    assert second.round == "second"
    changed = {change.slot_code: change for change in submissions.changes(first, second)}
    assert changed["observation"].status == "已修改"
    marked = [row for row in changed["observation"].fields if row["changed"]]
    assert [(row["label"], row["before"], row["after"]) for row in marked] == [
        ("教學單元", "", "依委員意見補充的教學單元")
    ]
    assert changed["implementation"].status == "已更換檔案"
    assert changed["post_conference"].status == "未修改"


def test_a_submission_cannot_be_changed_or_deleted(case, taipei_officer):
    advance(case, "formal_review", taipei_officer)
    sent = Submission.objects.get(case=case)
    answer = sent.answers.first()

    answer.data = {"forged": True}
    with pytest.raises(FrozenError):
        answer.save()
    with pytest.raises(FrozenError):
        sent.delete()
    assert Submission.objects.get(pk=sent.pk).answers.get(pk=answer.pk).data != {"forged": True}


def test_a_returned_case_sent_again_is_a_new_submission_for_the_same_round(case, taipei_officer):
    advance(case, "formal_review", taipei_officer)
    take(case, "formal_return", taipei_officer, expected_revision=case.revision)
    take(case, "submit", taipei_officer, expected_revision=case.revision)

    assert list(Submission.objects.filter(case=case).values_list("number", "round")) == [(1, "first"), (2, "first")]
    assert submissions.latest_for_round(case, "first").number == 2
