"""The certificate as a PDF: A4, Traditional Chinese, the holder's name, the type's full name, the
number, the date of issue in ROC form, 教育部 as issuer and a QR code to the public verification page.

Drawn by WeasyPrint from templates/certification/certificate_pdf.html with Noto Serif CJK TC
(Debian's fonts-noto-cjk), whose glyphs it embeds as subsets, so the paper prints the same
everywhere. The same certificate always gives the same bytes (no dates or random ids in the file),
so a PDF made again on demand matches the SHA-256 kept with the first one.

`ensure(certificate)` makes the PDF once and keeps it (Django storage) with its SHA-256. The worker
makes those of newly issued certificates (`make_missing`, a job of proteacher.worker) a few seconds
at a time, so 發證 of thousands never waits on drawing them; a download that comes first makes its
own at once.
"""

import hashlib
import io
import logging
import time

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header

from proteacher.certification.models import Certificate
from proteacher.dates import roc_date
from proteacher.errors import DomainError

logger = logging.getLogger(__name__)

FONT_MISSING = "目前無法產生證書 PDF：伺服器缺少中文字型 (Noto CJK)，請聯繫教師專業發展支持作業平臺工作小組。"
NO_RENDERER = "目前無法產生證書 PDF：伺服器缺少排版元件 (Pango)，請聯繫教師專業發展支持作業平臺工作小組。"
ISSUER = "教育部"
STYLESHEET = "css/certificate_pdf.css"
# Fixed, so the bytes depend on the certificate alone.
PDF_IDENTIFIER = b"proteacher-certificate"


def verification_url(certificate: Certificate) -> str:
    """The absolute address of the certificate's public verification page (the QR code's content)."""
    return settings.SITE_URL + reverse("verify:code", args=[certificate.verify_code])


def _qr_data_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=4)


def _context(certificate: Certificate) -> dict:
    url = verification_url(certificate)
    return {
        "certificate": certificate,
        "holder": certificate.teacher.name,
        "type_name": certificate.certification_type.name,
        "issued_on": roc_date(certificate.issued_at) if certificate.issued_at else "",
        "expires_on": roc_date(certificate.expires_on) if certificate.expires_on else "",
        "issuer": ISSUER,
        "url": url,
        "qr": _qr_data_uri(url),
    }


def _embeds(pdf: bytes, family: str) -> bool:
    """Whether the PDF embeds the font family asked for (its /BaseFont: ABCDEF+Noto-Serif-CJK-TC-Bold),
    not a fallback fontconfig chose because the family is not installed."""
    from pypdf import PdfReader

    wanted = "".join(family.split()).lower()
    fonts = PdfReader(io.BytesIO(pdf)).pages[0].get("/Resources", {}).get("/Font", {})
    names = [str(font.get_object().get("/BaseFont", "")) for font in fonts.values()]
    return any(wanted in name.replace("-", "").lower() for name in names)


def render(certificate: Certificate) -> bytes:
    """The PDF's bytes, the same each time for the same certificate. DomainError (a message for the
    user) when the machine lacks the CJK font or Pango."""
    try:
        import weasyprint
    except (ImportError, OSError):  # WeasyPrint loads Pango when imported
        logger.exception("certificate PDF: WeasyPrint cannot load Pango; install libpango-1.0-0 libpangoft2-1.0-0")
        raise DomainError(NO_RENDERER) from None

    html = render_to_string("certification/certificate_pdf.html", _context(certificate))
    font = settings.CERTIFICATE_FONT_FAMILY.replace('"', "")
    stylesheets = [
        weasyprint.CSS(filename=finders.find(STYLESHEET)),
        weasyprint.CSS(string=f'body {{ font-family: "{font}"; }}'),
    ]
    pdf = weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        stylesheets=stylesheets, pdf_identifier=PDF_IDENTIFIER
    )
    if not _embeds(pdf, settings.CERTIFICATE_FONT_FAMILY):
        family = settings.CERTIFICATE_FONT_FAMILY
        logger.error("certificate PDF: font %r not installed; install fonts-noto-cjk", family)
        raise DomainError(FONT_MISSING)
    return pdf


def ensure(certificate: Certificate) -> Certificate:
    """The certificate with its PDF stored and its SHA-256 set, made now if it has none yet."""
    if certificate.pdf and certificate.pdf_sha256:
        return certificate
    pdf = render(certificate)
    digest = hashlib.sha256(pdf).hexdigest()
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if not (locked.pdf and locked.pdf_sha256):
            locked.pdf.save(f"certificate-{locked.pk}.pdf", ContentFile(pdf), save=False)
            locked.pdf_sha256 = digest
            locked.save(update_fields=["pdf", "pdf_sha256"])
    certificate.pdf, certificate.pdf_sha256 = locked.pdf, locked.pdf_sha256
    return certificate


# Seconds of one pass of make_missing: the worker's other jobs wait for it.
BUDGET_SECONDS = 5.0


def make_missing(budget_seconds: float = BUDGET_SECONDS) -> int:
    """Make the PDFs of issued certificates that have none, oldest first, until the budget is spent;
    returns how many were made. Each is locked while it is drawn (SKIP LOCKED: several workers share
    the work, and a download drawing one meanwhile waits for it instead of drawing it again)."""
    deadline = time.monotonic() + budget_seconds
    made = 0
    while time.monotonic() < deadline:
        with transaction.atomic():
            certificate = (
                Certificate.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("teacher", "certification_type")
                .filter(source=Certificate.Source.ISSUED, revoked_at__isnull=True, pdf_sha256="")
                .order_by("pk")
                .first()
            )
            if certificate is None:
                return made
            try:
                pdf = render(certificate)
            except DomainError:
                # No font or no Pango on this machine: logged by render(); the downloads say so.
                return made
            certificate.pdf.save(f"certificate-{certificate.pk}.pdf", ContentFile(pdf), save=False)
            certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
            certificate.save(update_fields=["pdf", "pdf_sha256"])
        made += 1
    return made


def read(certificate: Certificate) -> bytes:
    """The stored PDF's bytes (made first when missing, and made again when its file was lost)."""
    ensure(certificate)
    try:
        with certificate.pdf.open("rb") as stored:
            return stored.read()
    except FileNotFoundError:
        logger.warning("certificate %s: its PDF file %s is gone; made again", certificate.pk, certificate.pdf.name)
    pdf = render(certificate)
    certificate.pdf.save(f"certificate-{certificate.pk}.pdf", ContentFile(pdf), save=False)
    certificate.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    certificate.save(update_fields=["pdf", "pdf_sha256"])
    return pdf


def download(certificate: Certificate):
    """The stored PDF as an attachment (證書-臺北證號第B115000001號.pdf), never kept by a cache."""
    response = HttpResponse(read(certificate), content_type="application/pdf")
    filename = f"證書-{certificate.number or certificate.pk}.pdf"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response
