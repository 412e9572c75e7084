"""The platform's stored files on an S3-protocol object store (moto's server on loopback, reached by
django-storages' S3Storage over HTTP): a teacher's upload and its download, the round frozen at
送出, the certificate PDF, the 資料匯入 file, the personal data export, and an object gone from
the bucket, each through the platform's own code."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proteacher.certification import certificate_pdf
from proteacher.certification.models import Certificate, SlotAnswer, SubmittedAnswer
from proteacher.certification.tests.test_slot_upload import answer_of, edit_url, file_url, pdf_upload
from proteacher.certification.workflow import State
from proteacher.review import imports
from proteacher.review.models import ImportRun
from proteacher.testing import factories
from proteacher.testing.s3 import s3_storage  # noqa: F401
from proteacher.testing.workflow import advance

pytestmark = pytest.mark.django_db

NOT_FOUND = "找不到此頁面，或此頁面不在您的權限範圍內。"
SCHOOLS = "學校代碼,學校名稱,縣市\n900001,臺北市立測試一國中,臺北市\n"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def uploaded(client, teacher, s3_storage):  # noqa: F811
    """公開授課實施證明 uploaded by the teacher through the slot's page."""
    case = factories.case(teacher)
    client.force_login(teacher)
    response = client.post(edit_url(case), {"action": "save", "file": pdf_upload("SA1.pdf")})
    assert response.status_code == 302
    return answer_of(case)


def test_an_upload_is_an_object_in_the_bucket_and_downloads_byte_identical(client, uploaded, s3_storage):  # noqa: F811
    assert uploaded.file.name.startswith("answers/")
    assert s3_storage.keys() == [uploaded.file.name]
    stored = s3_storage.read(uploaded.file.name)
    assert sha256(stored) == uploaded.file_sha256

    response = client.get(file_url(uploaded.case))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert body(response) == stored


def test_sending_freezes_the_round_on_the_same_object(client, uploaded, taipei_officer, s3_storage):  # noqa: F811
    # A file stored before hashes were kept: the freeze at 送出 reads it from the bucket.
    SlotAnswer.objects.filter(pk=uploaded.pk).update(file_sha256="")
    stored = s3_storage.read(uploaded.file.name)
    case = advance(uploaded.case, State.FIRST_ASSIGN, taipei_officer)

    sent = SubmittedAnswer.objects.get(submission__case=case, slot_code="implementation")
    assert sent.file.name == uploaded.file.name
    assert sent.file_sha256 == sha256(stored)
    # The round names the answers' objects: nothing is copied at 送出.
    answers = set(SlotAnswer.objects.filter(case=case).exclude(file="").values_list("file", flat=True))
    assert set(s3_storage.keys()) == answers

    client.force_login(taipei_officer)
    response = client.get(reverse("review:submission_file", args=[case.pk, 1, "implementation"]))
    assert response.status_code == 200
    assert body(response) == stored


def test_the_certificate_pdf_is_kept_in_the_bucket_and_made_again_when_lost(teacher, s3_storage):  # noqa: F811
    certificate = certificate_pdf.ensure(factories.issued_certificate(teacher))
    key = certificate.pdf.name
    assert key.startswith("certificates/") and s3_storage.keys() == [key]
    assert sha256(s3_storage.read(key)) == certificate.pdf_sha256
    assert certificate_pdf.read(certificate) == s3_storage.read(key)

    s3_storage.delete(key)
    assert s3_storage.keys() == []

    # As the next download finds it: the row read anew, its object gone.
    certificate = Certificate.objects.get(pk=certificate.pk)
    again = certificate_pdf.read(certificate)
    assert sha256(again) == certificate.pdf_sha256
    assert s3_storage.keys() == [certificate.pdf.name]


def test_an_import_file_is_kept_in_the_bucket_checked_from_it_and_downloaded(client, admin_user, taipei, s3_storage):  # noqa: F811
    data = SCHOOLS.encode()
    run = imports.submit(
        "schools", SimpleUploadedFile("學校.csv", data, content_type="text/csv"), actor=admin_user, by=admin_user.name
    )
    assert s3_storage.keys() == [run.file.name]
    assert s3_storage.read(run.file.name) == data

    imports.load_imports()  # the worker's check reads the file back from the bucket
    run.refresh_from_db()
    assert run.status == ImportRun.Status.READY and run.rows_total == 1

    client.force_login(admin_user)
    response = client.get(reverse("review:import_file", args=[run.pk]))
    assert response.status_code == 200 and body(response) == data

    s3_storage.delete(run.file.name)
    response = client.get(reverse("review:import_file", args=[run.pk]))
    assert response.status_code == 404
    assert NOT_FOUND in response.content.decode()


def test_the_personal_data_export_copies_the_object_byte_identical(client, teacher, uploaded, s3_storage):  # noqa: F811
    stored = s3_storage.read(uploaded.file.name)

    response = client.post(reverse("portal:personal_data"))

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    assert sha256(stored) in {sha256(archive.read(name)) for name in archive.namelist() if name.endswith(".pdf")}


def test_an_object_gone_from_the_bucket_is_the_platforms_not_found_page(client, uploaded, s3_storage):  # noqa: F811
    s3_storage.delete(uploaded.file.name)

    response = client.get(file_url(uploaded.case))

    assert response.status_code == 404
    assert NOT_FOUND in response.content.decode()
