"""The upload rules of SPEC §5.3, checked on what the file is, never on what its name says.

限制PDF,檔案限制 2MB · 附件總數為一個檔案 — and the file must open for the reviewers: a real PDF,
not empty, not broken, not encrypted, within the caps of documents.pdf_caps (pages, content).
Each refusal says which rule failed, in the teacher's words.

What is stored is not the upload itself but the PDF rewritten without the uploader's metadata and
without anything a viewer would run (documents.pdf_safety), in a bounded child process
(documents.pdf_sandbox); check_pdf returns it as a CheckedPdf carrying the SHA-256 of its bytes.
"""

import hashlib
import io
import math
import re
import unicodedata
import uuid

from django.core.files import File
from django.core.files.uploadedfile import UploadedFile

from proteacher.documents import pdf_caps, pdf_sandbox
from proteacher.errors import DomainError

MAX_BYTES = 2 * 1024 * 1024  # 2 MB: 2,097,152 bytes pass, one byte more does not
MAX_FILES = 1
# Readers accept the header anywhere in the first 1,024 bytes (scanners sometimes prefix junk),
# and require the end-of-file marker within the last 1,024 bytes; a cut-off upload lacks it.
HEADER = b"%PDF-"
TRAILER = b"%%EOF"
WINDOW = 1024

# Microsoft's own guide to 另存為 PDF in Word, Excel and PowerPoint (前往 Microsoft Office 轉存 PDF 教學).
OFFICE_PDF_GUIDE_URL = (
    "https://support.microsoft.com/zh-tw/office/"
    "save-or-convert-to-pdf-or-xps-in-office-desktop-apps-d85416c5-7d77-4fd6-a216-6f4bf7c7c110"
)

NO_FILE = "請選擇要上傳的PDF檔案。"
TOO_MANY = "附件總數為一個檔案，請只選擇一個PDF檔案上傳。"
EMPTY = "「{name}」是空的檔案（0 位元組），請重新掃描或轉存PDF後再上傳。"
TOO_LARGE = "「{name}」超過檔案大小限制（限制PDF,檔案限制 {limit}，此檔案為 {size}），請降低掃描解析度或壓縮後再上傳。"
NOT_PDF = (
    "「{name}」不是PDF檔案（限制PDF）：檔案內容不是PDF，更改副檔名無法轉換格式，請用「另存為PDF」或掃描成PDF後再上傳。"
)
BROKEN = "「{name}」已損毀或不完整，無法開啟，請重新轉存PDF後再上傳。"
ENCRYPTED = "「{name}」設有密碼或加密保護，審查委員將無法開啟，請移除密碼保護後再上傳。"
TOO_MANY_PAGES = "「{name}」超過頁數限制（最多 {pages} 頁），請只保留需要審查的頁面，重新轉存PDF後再上傳。"
TOO_COMPLEX = (
    "「{name}」的內容結構過於複雜，系統無法在時限內完成檢查，"
    "請用「列印」選擇「另存為PDF」重新產生檔案，或重新掃描成PDF後再上傳。"
)
NOT_VIEWABLE = "「{name}」是PDF包或動態表單（XFA），審查委員無法直接檢視其內容，請將文件列印成PDF或掃描成PDF後再上傳。"
REFUSALS = {
    pdf_caps.BROKEN: BROKEN,
    pdf_caps.ENCRYPTED: ENCRYPTED,
    pdf_caps.TOO_MANY_PAGES: TOO_MANY_PAGES,
    pdf_caps.TOO_COMPLEX: TOO_COMPLEX,
    pdf_caps.NOT_VIEWABLE: NOT_VIEWABLE,
}


def file_rules(template) -> tuple[int, int]:
    """(largest size in bytes, how many files) an upload template allows: its "file_rules", or
    the platform's 2 MB and one file."""
    rules = template.definition.get("file_rules", {})
    return int(rules.get("max_bytes", MAX_BYTES)), int(rules.get("max_files", MAX_FILES))


def limit_label(max_bytes: int = MAX_BYTES) -> str:
    """ "2MB" for 2,097,152 bytes: the figure the rule line shows."""
    megabytes = max_bytes / (1024 * 1024)
    return f"{megabytes:g}MB"


def rules_label(max_bytes: int = MAX_BYTES) -> str:
    return f"限制PDF,檔案限制 {limit_label(max_bytes)}"


def size_label(size: int) -> str:
    """ "2,097,153 位元組（2.01 MB）": the exact count, and a rounded figure that is rounded up, so a
    file one byte over a limit never reads as the limit itself."""
    if size >= 1024 * 1024:
        rounded = f"{math.ceil(size * 100 / (1024 * 1024)) / 100:.2f} MB"
    else:
        rounded = f"{math.ceil(size / 1024)} KB"
    return f"{size:,} 位元組（{rounded}）"


def display_name(client_name: str | None) -> str:
    """The name shown as 文件名稱: the client's file name without any folder, control or
    formatting characters, at most 200 characters, ending in .pdf (the content is a PDF)."""
    name = re.split(r"[\\/]", client_name or "")[-1]
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if not name.lower().endswith(".pdf"):
        name = f"{name}.pdf" if name else "文件.pdf"
    stem = name[:-4]
    return stem[: 200 - 4] + ".pdf"


class CheckedPdf(UploadedFile):
    """The upload as it is stored: the rewritten PDF in memory, under the client's file name (for
    display_name), with `sha256`, the hex SHA-256 of exactly these bytes."""

    def __init__(self, data: bytes, name: str | None):
        super().__init__(io.BytesIO(data), name=name, content_type="application/pdf", size=len(data))
        self.sha256 = hashlib.sha256(data).hexdigest()


def check_pdf(uploaded_files: list[UploadedFile], max_bytes: int = MAX_BYTES, max_files: int = MAX_FILES) -> CheckedPdf:
    """The one uploaded file, checked and rewritten, when it satisfies every rule; otherwise
    DomainError with the reason.

    The size comes from the upload handler's count, so an oversized file is refused before any
    of it is read (larger uploads are already on disk, streamed there by Django's handlers). The
    cheap checks come first; the file is then opened, held to the caps and rewritten by
    documents.pdf_safety in documents.pdf_sandbox's bounded child process.
    """
    files = [f for f in uploaded_files if f is not None]
    if not files:
        raise DomainError(NO_FILE)
    if len(files) > max_files:
        raise DomainError(TOO_MANY)
    upload = files[0]
    name = display_name(upload.name)
    size = upload.size or 0
    if size == 0:
        raise DomainError(EMPTY.format(name=name))
    if size > max_bytes:
        raise DomainError(TOO_LARGE.format(name=name, limit=limit_label(max_bytes), size=size_label(size)))

    upload.seek(0)
    head = upload.read(WINDOW)
    if HEADER not in head:
        raise DomainError(NOT_PDF.format(name=name))
    upload.seek(max(0, size - WINDOW))
    if TRAILER not in upload.read(WINDOW):
        raise DomainError(BROKEN.format(name=name))

    upload.seek(0)
    data = upload.read(max_bytes + 1)
    upload.seek(0)
    try:
        cleaned = pdf_sandbox.clean(data)
    except pdf_caps.Refused as refusal:
        message = REFUSALS.get(refusal.reason, BROKEN)
        raise DomainError(message.format(name=name, pages=pdf_caps.MAX_PAGES)) from refusal
    return CheckedPdf(cleaned, upload.name)


def stored_file(upload: UploadedFile) -> File:
    """The upload under a name the platform makes up: the client's name never reaches a path."""
    upload.seek(0)
    return File(upload, name=f"{uuid.uuid4().hex}.pdf")
