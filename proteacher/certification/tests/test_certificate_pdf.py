"""The certificate PDF: what it says, the QR code on it, the same bytes every time, where it is kept,
who downloads it, and a clear message when the machine lacks the font."""

import hashlib

import pytest
from django.urls import reverse

from proteacher.certification import certificate_pdf
from proteacher.testing import factories
from proteacher.testing.certificates import pdf_text, qr_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate(teacher):
    return factories.issued_certificate(teacher)


def test_the_pdf_says_who_what_which_number_when_and_by_whom(certificate, settings):
    settings.SITE_URL = "https://proteacher.example.tw"

    pdf = certificate_pdf.render(certificate)

    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf).replace("\n", "")
    assert "黃測試" in text
    assert certificate.certification_type.name in text
    assert "臺北證號第B115000001號" in text
    assert "中華民國115年12月5日" in text
    assert "教育部" in text
    assert qr_in(pdf) == f"https://proteacher.example.tw/verify/{certificate.verify_code}/"


def test_the_page_is_a4_with_the_chinese_font_embedded(certificate):
    from io import BytesIO

    from pypdf import PdfReader

    page = PdfReader(BytesIO(certificate_pdf.render(certificate))).pages[0]

    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    fonts = [str(font.get_object()["/BaseFont"]) for font in page["/Resources"]["/Font"].values()]
    assert any("Noto-Serif-CJK-TC" in name for name in fonts)


def test_the_same_certificate_renders_to_the_same_bytes(certificate, time_machine):
    time_machine.move_to("2026-12-05 10:00:00+08:00")
    first = certificate_pdf.render(certificate)
    time_machine.move_to("2027-03-01 09:30:00+08:00")
    second = certificate_pdf.render(certificate)

    assert hashlib.sha256(first).hexdigest() == hashlib.sha256(second).hexdigest()


def test_an_expiry_date_is_printed_when_the_certificate_has_one(teacher):
    import datetime

    certificate = factories.issued_certificate(teacher, expires_on=datetime.date(2036, 12, 4))

    assert "中華民國125年12月4日" in pdf_text(certificate_pdf.render(certificate)).replace("\n", "")


def test_ensure_stores_the_pdf_once_with_its_sha256(certificate, monkeypatch):
    certificate_pdf.ensure(certificate)
    certificate.refresh_from_db()

    stored = certificate.pdf.read()
    assert certificate.pdf_sha256 == hashlib.sha256(stored).hexdigest()
    assert certificate.pdf.name.startswith("certificates/")

    monkeypatch.setattr(certificate_pdf, "render", lambda _: pytest.fail("rendered again"))
    certificate_pdf.ensure(certificate)
    # Made again on demand, it is the same file.
    monkeypatch.undo()
    assert hashlib.sha256(certificate_pdf.render(certificate)).hexdigest() == certificate.pdf_sha256


def test_the_teacher_downloads_their_certificate_as_an_attachment(client, teacher, certificate):
    client.force_login(teacher)

    page = client.get(reverse("certification:held"))
    response = client.get(reverse("certification:held_pdf", args=[certificate.pk]))

    assert reverse("certification:held_pdf", args=[certificate.pk]) in page.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    certificate.refresh_from_db()
    assert hashlib.sha256(response.content).hexdigest() == certificate.pdf_sha256


def test_an_imported_certificate_has_no_pdf_to_download(client, teacher):
    old = factories.certificate(teacher)
    client.force_login(teacher)

    assert client.get(reverse("certification:held_pdf", args=[old.pk])).status_code == 404
    held = client.get(reverse("certification:held")).content.decode()
    assert reverse("certification:held_pdf", args=[old.pk]) not in held
    # It verifies all the same.
    assert reverse("verify:code", args=[old.verify_code]) in held


def test_another_teachers_certificate_is_not_found(client, certificate, taichung_teacher):
    client.force_login(taichung_teacher)

    assert client.get(reverse("certification:held_pdf", args=[certificate.pk])).status_code == 404


def test_without_the_font_the_teacher_reads_why_and_nothing_is_stored(client, teacher, certificate, settings):
    settings.CERTIFICATE_FONT_FAMILY = "No Such Font TC"
    client.force_login(teacher)

    response = client.get(reverse("certification:held_pdf", args=[certificate.pk]), follow=True)

    assert response.status_code == 200
    assert certificate_pdf.FONT_MISSING in response.content.decode()
    certificate.refresh_from_db()
    assert not certificate.pdf and not certificate.pdf_sha256


def test_a_lost_file_is_made_again_the_same(certificate):
    certificate_pdf.ensure(certificate)
    certificate.refresh_from_db()
    digest = certificate.pdf_sha256
    certificate.pdf.storage.delete(certificate.pdf.name)

    pdf = certificate_pdf.read(certificate)

    certificate.refresh_from_db()
    assert hashlib.sha256(pdf).hexdigest() == digest == certificate.pdf_sha256
    assert certificate.pdf.storage.exists(certificate.pdf.name)


def test_without_pango_the_teacher_reads_why(client, teacher, certificate, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as when Pango's library cannot be loaded
    client.force_login(teacher)

    response = client.get(reverse("certification:held_pdf", args=[certificate.pk]), follow=True)

    assert certificate_pdf.NO_RENDERER in response.content.decode()


def test_the_worker_makes_the_pdfs_of_new_certificates_once(teacher, taichung_teacher):
    from proteacher.certification.models import Certificate

    first = factories.issued_certificate(teacher)
    second = factories.issued_certificate(taichung_teacher, serial=2)
    revoked = factories.issued_certificate(taichung_teacher, kind="basic", revoked_at=first.issued_at)
    old = factories.certificate(teacher)

    # A budget no machine runs out of: the point is which ones, not how fast.
    assert certificate_pdf.make_missing(budget_seconds=600) == 2
    assert certificate_pdf.make_missing(budget_seconds=600) == 0

    for made in (first, second):
        made.refresh_from_db()
        assert made.pdf_sha256 == hashlib.sha256(made.pdf.read()).hexdigest()
        # The file the download serves, not a new one.
        assert certificate_pdf.read(made) == made.pdf.open("rb").read()
    assert not Certificate.objects.get(pk=revoked.pk).pdf_sha256
    assert not Certificate.objects.get(pk=old.pk).pdf_sha256


def test_the_worker_stops_at_its_budget_and_goes_on_next_time(teacher, taichung_teacher):
    factories.issued_certificate(teacher)
    factories.issued_certificate(taichung_teacher, serial=2)

    assert certificate_pdf.make_missing(budget_seconds=0.001) == 1
    assert certificate_pdf.make_missing(budget_seconds=600) == 1


def test_without_the_font_the_worker_makes_nothing_and_keeps_them_waiting(certificate, settings):
    settings.CERTIFICATE_FONT_FAMILY = "No Such Font TC"

    assert certificate_pdf.make_missing() == 0

    certificate.refresh_from_db()
    assert not certificate.pdf and not certificate.pdf_sha256
