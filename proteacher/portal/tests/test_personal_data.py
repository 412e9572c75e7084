"""下載個人資料: a teacher downloads everything the platform holds about them as one ZIP, with a
readable index and data.json; their files byte-identical, nobody else's data, reviewers unnamed."""

import hashlib
import io
import json
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from proteacher.audit.log import record
from proteacher.audit.models import AuditEntry
from proteacher.certification import drafts
from proteacher.certification.models import SlotAnswer, SubmittedAnswer
from proteacher.documents import engine
from proteacher.documents.catalogue import get_template
from proteacher.notifications import services as notifications
from proteacher.review.models import Appeal, Assignment, FormalReview, ReviewRound
from proteacher.testing import factories
from proteacher.testing.workflow import walk

pytestmark = pytest.mark.django_db

URL = reverse("portal:personal_data")
TO_FIRST_DECISION = ["submit", "formal_pass", "assign_first", "first_reviews_done"]


def distinct_uploads(case, first_pages: int) -> None:
    """Every slot answered; each upload a PDF of its own (a different page count), so that a file
    found in the ZIP can only be that one."""
    for pages, answer in enumerate(factories.fill_every_slot(case), start=first_pages):
        if answer.file:
            answer.file.save(f"{answer.slot_code}.pdf", ContentFile(factories.pdf_bytes(pages=pages)), save=True)


def reviewed(case, officer, reviewers, comments) -> None:
    """Sent, 形式審查 passed, reviewed by two named 委員, decided 未通過 (the round is shown)."""
    walk(case, ["submit"], officer)
    FormalReview.objects.create(
        case=case, officer=officer, passed=True, slots={"implementation": {"ok": True, "reason": ""}}
    )
    walk(case, TO_FIRST_DECISION[1:], officer)
    template = get_template(f"review_{case.certification_type.code}")
    comment_key = next(field.key for field in engine.form_for(template).fields if field.kind == "textarea")
    for minutes, (reviewer, comment) in enumerate(zip(reviewers, comments, strict=True)):
        Assignment.objects.create(
            case=case,
            round=ReviewRound.FIRST,
            reviewer=reviewer,
            assigned_by=officer,
            assigned_at=timezone.now() + timezone.timedelta(minutes=minutes),
            template_code=template.code,
            template_version=template.version,
            data={comment_key: comment},
            recommendation="未通過",
            submitted_at=timezone.now(),
        )
    walk(case, ["first_fail"], officer)


@pytest.fixture
def reviewers(db):
    return [
        factories.staff("reviewer-wang", "reviewer", name="王委員"),
        factories.staff("reviewer-li", "reviewer", name="李委員"),
    ]


@pytest.fixture
def sent_case(teacher, taipei_officer, reviewers):
    """黃測試's 進階 case: sent, failed at 初審, appealed with a PDF, accepted, an upload replaced
    and sent again with a draft left unsaved; a message, and a 縣市 and two 委員 who opened files."""
    case = factories.case(teacher, "advanced")
    distinct_uploads(case, first_pages=2)
    reviewed(case, taipei_officer, reviewers, ["觀察紀錄與焦點連結不足。", "回饋會談宜具體。"])
    walk(case, ["appeal"], taipei_officer)
    appeal = Appeal.objects.get(case=case)
    appeal.file.save("申復佐證.pdf", ContentFile(factories.pdf_bytes(pages=9)), save=False)
    appeal.file_name = "申復佐證.pdf"
    appeal.save()
    walk(case, ["appeal_accept"], taipei_officer)
    replaced = SlotAnswer.objects.get(case=case, slot_code="implementation", in_use=True)
    replaced.file.save("實施證明-修正.pdf", ContentFile(factories.pdf_bytes(pages=12)), save=True)
    observation = SlotAnswer.objects.get(case=case, slot_code="observation", in_use=True)
    drafts.keep(
        case,
        "observation",
        get_template(observation.template_code),
        {**observation.data, "unit": "草稿中的教學單元"},
        base_revision=observation.revision,
        answer_revision=observation.revision,
    )
    walk(case, ["appeal_resubmit"], taipei_officer)
    notifications.notify(teacher, "進階專業回饋人才認證通知", "黃測試老師您好，這是給您的訊息。", case)
    record("file.view", actor=taipei_officer, subject=teacher, case=case, target="公開授課實施證明")
    record("file.view", actor=reviewers[1], subject=teacher, case=case, target="公開授課實施證明")
    record("form.view", actor=reviewers[0], subject=teacher, case=case, target="觀察紀錄表")
    return case


@pytest.fixture
def other_case(taichung_teacher, taichung_officer, reviewers):
    """林老師 (臺中市), with a sent case of their own, files and a message."""
    case = factories.case(taichung_teacher, "advanced")
    distinct_uploads(case, first_pages=20)
    reviewed(case, taichung_officer, reviewers, ["另一位老師的審查意見。", "另一位老師的第二份意見。"])
    notifications.notify(taichung_teacher, "林老師的訊息", "林老師您好。", case)
    record("file.view", actor=taichung_officer, subject=taichung_teacher, case=case, target="林老師的檔案")
    return case


def download(client, user) -> zipfile.ZipFile:
    client.force_login(user)
    response = client.post(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def stored_sha256(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def files_of(case) -> set[str]:
    """Every stored file the platform keeps for a case: its answers, frozen rounds and 申復表."""
    names = set(SlotAnswer.objects.filter(case=case).exclude(file="").values_list("file", flat=True))
    names |= set(SubmittedAnswer.objects.filter(submission__case=case).exclude(file="").values_list("file", flat=True))
    names |= set(Appeal.objects.filter(case=case).exclude(file="").values_list("file", flat=True))
    return names


def member_hashes(archive: zipfile.ZipFile) -> dict[str, str]:
    return {
        name: hashlib.sha256(archive.read(name)).hexdigest() for name in archive.namelist() if name.startswith("cases/")
    }


def test_the_zip_holds_every_file_of_the_teacher_byte_identical(client, teacher, sent_case, other_case):
    archive = download(client, teacher)

    in_zip = set(member_hashes(archive).values())
    expected = {stored_sha256(name) for name in files_of(sent_case)}
    # The first upload, the replacement, every slot's PDF and the 申復表's: each byte for byte.
    assert len(expected) == len(files_of(sent_case)) >= 4
    assert in_zip == expected
    data = json.loads(archive.read("data.json"))
    assert all(entry["copied"] for entry in data["files"])
    assert {entry["sha256"] for entry in data["files"]} == expected
    assert {entry["path"] for entry in data["files"]} == set(member_hashes(archive))


def test_the_zip_holds_no_other_teachers_data(client, teacher, taichung_teacher, sent_case, other_case):
    archive = download(client, teacher)

    everything = b"".join(archive.read(name) for name in archive.namelist())
    text = "".join(archive.read(name).decode() for name in ("index.html", "data.json"))
    for their in (taichung_teacher.name, taichung_teacher.inservice_account, taichung_teacher.email, "林老師的"):
        assert their not in text
    assert "另一位老師" not in text
    assert not {stored_sha256(name) for name in files_of(other_case)} & set(member_hashes(archive).values())
    for name in files_of(other_case):
        with default_storage.open(name, "rb") as handle:
            assert handle.read() not in everything


def test_reviewers_and_officers_are_never_named(client, teacher, reviewers, taipei_officer, sent_case, other_case):
    archive = download(client, teacher)

    text = "".join(archive.read(name).decode() for name in ("index.html", "data.json"))
    for name in [reviewer.name for reviewer in reviewers] + [taipei_officer.name, taipei_officer.username]:
        assert name not in text
    data = json.loads(archive.read("data.json"))
    (case,) = data["cases"]
    (first_round,) = case["review_rounds"]
    assert [form["who"] for form in first_round["forms"]] == ["委員一", "委員二"]
    assert "觀察紀錄與焦點連結不足。" in text
    assert [(view["who"], view["action"]) for view in data["views_of_files"]] == [
        ("縣市承辦人（臺北市）", "檢視檔案"),
        ("委員二", "檢視檔案"),
        ("委員一", "檢視表單"),
    ]


def test_the_zip_holds_the_profile_cases_rounds_drafts_and_messages(client, teacher, sent_case):
    archive = download(client, teacher)

    data = json.loads(archive.read("data.json"))
    assert data["profile"]["name"] == "黃測試"
    assert data["profile"]["inservice_account"] == "t-huang"
    (case,) = data["cases"]
    assert case["type"] == "進階專業回饋人才認證"
    assert [sent["number"] for sent in case["submissions"]] == [1, 2]
    assert {answer["slot"] for answer in case["submissions"][0]["answers"]} >= {"實施證明", "觀察紀錄表"}
    assert [draft["data"]["unit"] for draft in case["drafts"]] == ["草稿中的教學單元"]
    assert case["appeals"][0]["file"]["name"] == "申復佐證.pdf"
    assert case["formal_review"]["result"] == "通過 (準備分發委員)"
    assert [row["action"] for row in case["history"]][:2] == ["申請", "送出審查文件"]
    assert [message["title"] for message in data["notifications"]][-1] == "進階專業回饋人才認證通知"
    index = archive.read("index.html").decode()
    for heading in ("基本資訊", "認證證號", "研習時數", "歷程紀錄", "送審紀錄：第1次送審", "訊息通知", "檔案檢視紀錄"):
        assert heading in index
    assert 'href="cases/' in index


def test_the_download_is_recorded_in_the_audit_log(client, teacher, sent_case):
    download(client, teacher)

    entry = AuditEntry.objects.get(action="personal_data.export")
    assert (entry.actor_id, entry.subject_id) == (teacher.pk, teacher.pk)
    assert entry.data["cases"] == 1


def test_a_stored_file_gone_missing_is_listed_not_a_broken_download(client, teacher, sent_case):
    lost = SlotAnswer.objects.filter(case=sent_case, in_use=True).exclude(file="").first()
    default_storage.delete(lost.file.name)

    archive = download(client, teacher)

    data = json.loads(archive.read("data.json"))
    missing = [entry for entry in data["files"] if not entry["copied"]]
    assert missing and all(entry["path"] not in archive.namelist() for entry in missing)
    assert "檔案遺失" in archive.read("index.html").decode()


def test_a_teacher_without_a_case_downloads_their_profile(client, teacher):
    archive = download(client, teacher)

    data = json.loads(archive.read("data.json"))
    assert data["cases"] == [] and data["files"] == []
    assert sorted(archive.namelist()) == ["data.json", "index.html"]


def test_the_page_explains_the_download_and_is_a_tab_of_personal_information(client, teacher):
    client.force_login(teacher)

    page = client.get(URL).content.decode()

    assert "下載個人資料（ZIP）" in page and "index.html" in page
    assert f'href="{URL}"' in client.get(reverse("accounts:profile")).content.decode()


def test_the_zip_lists_the_school_officer_grants(client, school_officer):
    archive = download(client, school_officer)

    data = json.loads(archive.read("data.json"))
    assert [grant["school"] for grant in data["school_grants"]] == [school_officer.profile.school.name]
    assert data["school_grants"][0]["revoked_at"] == ""
    assert "<h3>學校承辦人</h3>" in archive.read("index.html").decode()
