"""The upload rules (限制PDF,檔案限制 2MB · 附件總數為一個檔案), checked on the file's content."""

import hashlib
import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from proteacher.documents import pdf_rules
from proteacher.errors import DomainError

# --- sample files, shared with the view tests ---


def pdf_bytes(pages: int = 1, padding: int = 0) -> bytes:
    """A real, readable PDF; `padding` characters of metadata make it larger."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    if padding:
        writer.add_metadata({"/Padding": "x" * padding})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_of_size(size: int) -> bytes:
    """A valid PDF of exactly `size` bytes (the padding grows the file one byte per character)."""
    padding = size - len(pdf_bytes())
    for _ in range(5):
        data = pdf_bytes(padding=padding)
        if len(data) == size:
            return data
        padding += size - len(data)
    raise AssertionError(f"could not build a PDF of {size} bytes")


def encrypted_pdf(user_password: str = "") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password=user_password, owner_password="owner-secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def truncated_pdf() -> bytes:
    """The first half of a three-page PDF, as an interrupted transfer leaves it."""
    data = pdf_bytes(pages=3)
    return data[: len(data) // 2]


def png_bytes() -> bytes:
    """A real 1×1 PNG image."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def refusal(files) -> str:
    with pytest.raises(DomainError) as caught:
        pdf_rules.check_pdf(files)
    return caught.value.message


# --- the rules ---


def test_a_real_pdf_passes_and_is_returned_rewritten_rewound_and_hashed():
    checked = pdf_rules.check_pdf([upload("SA1.pdf", pdf_bytes())])
    assert checked.name == "SA1.pdf"
    data = checked.read()
    assert data.startswith(b"%PDF-") and checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


def test_no_file_asks_for_one():
    assert refusal([]) == "請選擇要上傳的PDF檔案。"


def test_two_files_are_refused_as_more_than_one():
    message = refusal([upload("a.pdf", pdf_bytes()), upload("b.pdf", pdf_bytes())])
    assert "附件總數為一個檔案" in message


def test_an_empty_file_is_refused_as_empty():
    message = refusal([upload("scan.pdf", b"")])
    assert "「scan.pdf」是空的檔案" in message


def test_exactly_2_mb_passes():
    data = pdf_of_size(2_097_152)
    assert len(data) == 2_097_152
    # Stored without its metadata (here the padding): smaller than the upload.
    assert 0 < pdf_rules.check_pdf([upload("big.pdf", data)]).size < 2_097_152


def test_one_byte_over_2_mb_is_refused_with_the_size_rule():
    data = pdf_of_size(2_097_153)
    assert len(data) == 2_097_153
    message = refusal([upload("big.pdf", data)])
    assert "超過檔案大小限制" in message and "限制PDF,檔案限制 2MB" in message
    assert "此檔案為 2,097,153 位元組（2.01 MB）" in message
    assert "2.00" not in message


@pytest.mark.parametrize(
    "size, label",
    [
        (2_097_153, "2,097,153 位元組（2.01 MB）"),
        (52_428_800, "52,428,800 位元組（50.00 MB）"),
        (512_001, "512,001 位元組（501 KB）"),
    ],
)
def test_a_size_reads_as_its_bytes_and_a_figure_rounded_up(size, label):
    assert pdf_rules.size_label(size) == label


def test_size_is_judged_before_reading_any_content():
    class Unreadable(SimpleUploadedFile):
        def read(self, *args):
            raise AssertionError("an oversized upload must not be read")

    huge = Unreadable("huge.pdf", b"", content_type="application/pdf")
    huge.size = 50 * 1024 * 1024
    assert "超過檔案大小限制" in refusal([huge])


def test_a_png_renamed_pdf_is_refused_as_not_a_pdf():
    message = refusal([upload("photo.pdf", png_bytes())])
    assert "「photo.pdf」不是PDF檔案" in message


def test_a_truncated_pdf_is_refused_as_broken():
    message = refusal([upload("cut.pdf", truncated_pdf())])
    assert "「cut.pdf」已損毀或不完整" in message


def test_a_pdf_header_on_garbage_is_refused_as_broken():
    message = refusal([upload("fake.pdf", b"%PDF-1.7\nthis is not a document\n%%EOF\n")])
    assert "已損毀或不完整" in message


def test_an_encrypted_pdf_with_an_empty_user_password_is_refused():
    # Viewers open it without asking, yet it is still encrypted: reviewers' tools may not.
    message = refusal([upload("locked.pdf", encrypted_pdf(user_password=""))])
    assert "「locked.pdf」設有密碼或加密保護" in message


def test_a_password_protected_pdf_is_refused():
    assert "設有密碼或加密保護" in refusal([upload("locked.pdf", encrypted_pdf(user_password="1234"))])


def test_too_many_pages_are_refused_with_the_cap():
    assert refusal([upload("掃描.pdf", pdf_bytes(pages=501))]) == (
        "「掃描.pdf」超過頁數限制（最多 500 頁），請只保留需要審查的頁面，重新轉存PDF後再上傳。"
    )


def test_limit_label_reads_2mb():
    assert pdf_rules.rules_label() == "限制PDF,檔案限制 2MB"


# --- names ---


def test_display_name_keeps_only_the_file_name():
    assert pdf_rules.display_name("C:\\Users\\teacher\\Desktop\\SA1.pdf") == "SA1.pdf"
    assert pdf_rules.display_name("../../etc/公開授課.pdf") == "公開授課.pdf"


def test_display_name_drops_control_characters_and_ends_in_pdf():
    assert pdf_rules.display_name("證明\u202e\x00fdp.exe") == "證明fdp.exe.pdf"
    assert pdf_rules.display_name("") == "文件.pdf"


def test_display_name_fits_the_column():
    name = pdf_rules.display_name("長" * 300 + ".pdf")
    assert len(name) == 200 and name.endswith(".pdf")


def test_stored_file_name_is_made_up_not_the_clients():
    stored = pdf_rules.stored_file(upload("../../evil name.pdf", pdf_bytes()))
    assert stored.name.endswith(".pdf") and "evil" not in stored.name and "/" not in stored.name
    assert len(stored.name) == len("0123456789abcdef0123456789abcdef.pdf")
