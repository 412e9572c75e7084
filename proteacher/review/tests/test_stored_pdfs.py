"""The PDFs the 委員 and the 縣市 open are what the teacher uploaded, rewritten: the uploader's
document info and XMP never reach them, and the file is served sandboxed."""

import io

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proteacher.certification.tests.test_slot_upload import edit_url
from proteacher.certification.workflow import State
from proteacher.review.assignment import assign_reviewers
from proteacher.review.models import Appeal
from proteacher.review.tests.test_assignment import make_reviewer
from proteacher.review.tests.test_teacher_appeal import TO_FIRST_FAILED, appeal, walk
from proteacher.testing import factories, pdfs
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db


def signed_pdf(name: str = "公開授課實施證明.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdfs.with_metadata(), content_type="application/pdf")


@pytest.fixture
def committee_member(db):
    return make_reviewer("reviewer-b", "李委員")


@pytest.fixture
def in_review(client, teacher, taipei_officer, committee_member):
    """The teacher uploads 公開授課實施證明 through the page; the case is sent, passes 形式審查 and
    goes to the 委員."""
    case = factories.case(teacher)
    client.force_login(teacher)
    assert client.post(edit_url(case), {"action": "save", "file": signed_pdf()}).status_code == 302
    advance(case, State.FIRST_ASSIGN, taipei_officer)
    assign_reviewers(
        case, "first", [committee_member], taipei_officer, expected_revision=case.revision, short_confirmed=True
    )
    case.refresh_from_db()
    assert case.state == State.FIRST_REVIEW
    return case


def downloaded(client, user, url: str) -> bytes:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Security-Policy"] == "sandbox"
    return b"".join(response.streaming_content)


def assert_no_uploader_metadata(data: bytes) -> None:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/Info" not in pdf.trailer
        assert not {"/Author", "/Title", "/Producer", "/Creator"} & set(pdf.docinfo.keys())
        assert "/Metadata" not in pdf.Root
        assert all("/Metadata" not in page for page in pdf.pages)
    for word in (b"Author", b"Producer", b"Uploader", b"xmpmeta", pdfs.UPLOADER.encode("utf-16-be")):
        assert word not in data
    assert pdfs.page_contents(data) == [pdfs.PAGE_CONTENT]


@pytest.mark.parametrize("who", ["committee_member", "taipei_officer"])
def test_the_downloaded_pdf_carries_no_metadata_of_the_uploader(client, in_review, who, request):
    # The page lists the file as sent (the round's submission); the slot's address serves the same bytes.
    for url in (
        reverse("review:submission_file", args=[in_review.pk, 1, "implementation"]),
        reverse("review:slot_file", args=[in_review.pk, "implementation"]),
    ):
        assert_no_uploader_metadata(downloaded(client, request.getfixturevalue(who), url))


def test_an_appeals_pdf_reaches_the_office_without_metadata(client, teacher, taipei_officer):
    case = factories.case(teacher, "advanced")
    factories.fill_every_slot(case)
    case = walk(case, TO_FIRST_FAILED, teacher, taipei_officer)
    client.force_login(teacher)
    appeal(client, case, file=signed_pdf("補充.pdf"))

    filed = Appeal.objects.get(case=case)
    served = downloaded(client, taipei_officer, f"{reverse('review:case', args=[case.pk])}?appeal_file={filed.pk}")

    assert_no_uploader_metadata(served)
    assert len(filed.file_sha256) == 64
