"""What a teacher's upload becomes on the way in: rewritten without metadata and active content,
stored with its SHA-256; a file built to stall the reader is refused in seconds, and the site
goes on serving."""

import hashlib
import io
import time

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from proteacher.certification.tests.test_slot_upload import answer_of, edit_url, text_of
from proteacher.documents.tests.test_pdf_rules import pdf_bytes, pdf_of_size
from proteacher.testing import factories, pdfs


@pytest.fixture
def case(teacher):
    return factories.case(teacher)


@pytest.fixture
def signed_in(client, teacher):
    client.force_login(teacher)
    return client


def upload(client, case, name: str, data: bytes):
    file = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post(edit_url(case), {"action": "save", "file": file})


def stored_bytes(case) -> bytes:
    with answer_of(case).file.open("rb") as stored:
        return stored.read()


def test_the_stored_file_carries_the_sha256_of_its_bytes(signed_in, case):
    assert upload(signed_in, case, "SA1.pdf", pdf_bytes()).status_code == 302
    answer = answer_of(case)
    assert answer.file_sha256 == hashlib.sha256(stored_bytes(case)).hexdigest()
    assert len(answer.file_sha256) == 64


def test_the_stored_file_has_no_metadata_and_draws_the_same_page(signed_in, case):
    upload(signed_in, case, "SA1.pdf", pdfs.with_metadata())
    stored = stored_bytes(case)
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert "/Info" not in pdf.trailer and "/Metadata" not in pdf.Root and "/Metadata" not in pdf.pages[0]
    assert pdfs.page_contents(stored) == [pdfs.PAGE_CONTENT]
    assert pdfs.UPLOADER.encode("utf-16-be") not in stored


ACTIVE = {
    "script and open action": (pdfs.with_script, ("/OpenAction", "/JavaScript", "/AA")),
    "launch link": (pdfs.with_launch, ("/Launch",)),
    "embedded file": (pdfs.with_attachment, ("/EmbeddedFiles", "/EF", "/FileAttachment")),
}


@pytest.mark.parametrize("build, names", ACTIVE.values(), ids=ACTIVE.keys())
def test_active_content_is_stripped_from_the_stored_file(signed_in, case, build, names):
    assert upload(signed_in, case, "SA1.pdf", build()).status_code == 302
    stored = stored_bytes(case)
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.pages[0]
        assert "/JavaScript" not in pdf.Root.get("/Names", {}) and "/EmbeddedFiles" not in pdf.Root.get("/Names", {})
        for annotation in pdf.pages[0].get("/Annots", []):
            assert annotation.get("/Subtype") != pikepdf.Name.FileAttachment
            assert annotation.get("/A", {}).get("/S") in (None, pikepdf.Name.URI)
        assert not pdf.attachments
    assert pdfs.page_contents(stored) == [pdfs.PAGE_CONTENT]
    for name in names:
        assert name.encode() not in stored


HOSTILE = {
    # 300 pages whose /Contents each name one compressed stream 500 times (about 7 KB).
    "content amplification": (
        lambda: pdfs.amplified(pages=300, repeats=500),
        "「hostile.pdf」的內容結構過於複雜，系統無法在時限內完成檢查，"
        "請用「列印」選擇「另存為PDF」重新產生檔案，或重新掃描成PDF後再上傳。",
    ),
    "100,000 pages": (
        lambda: pdfs.many_pages(100_000),
        "「hostile.pdf」超過頁數限制（最多 500 頁），請只保留需要審查的頁面，重新轉存PDF後再上傳。",
    ),
}


@pytest.mark.parametrize("build, message", HOSTILE.values(), ids=HOSTILE.keys())
def test_a_file_built_to_stall_the_reader_is_refused_within_seconds(signed_in, case, build, message):
    data = build()
    assert len(data) < 2_097_152

    started = time.monotonic()
    response = upload(signed_in, case, "hostile.pdf", data)
    elapsed = time.monotonic() - started

    assert response.status_code == 400
    assert message in text_of(response)
    assert elapsed < 5, f"refused after {elapsed:.1f} s"
    assert answer_of(case) is None
    # The same process goes on serving: the page, then an ordinary upload.
    assert signed_in.get(edit_url(case)).status_code == 200
    assert upload(signed_in, case, "SA1.pdf", pdf_bytes()).status_code == 302
    assert answer_of(case).file_name == "SA1.pdf"


def test_one_byte_over_the_limit_shows_the_real_size(signed_in, case):
    response = upload(signed_in, case, "big.pdf", pdf_of_size(2_097_153))
    text = text_of(response)
    assert response.status_code == 400
    assert "此檔案為 2,097,153 位元組（2.01 MB）" in text
    assert "2.00MB" not in text and "2.00 MB" not in text
