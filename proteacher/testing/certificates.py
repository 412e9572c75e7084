"""Reading a certificate PDF back as a person would: its text, and the QR code printed on it."""

import io


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def qr_in(pdf: bytes) -> str:
    """The text of the QR code on the first page, found on the page as drawn (pdfium at 200 dpi)
    and decoded by ZXing, the reader behind many phones' scanners: what a camera would read."""
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=200 / 72).to_pil().convert("L")
    finally:
        document.close()
    found = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return found[0].text if found else ""
