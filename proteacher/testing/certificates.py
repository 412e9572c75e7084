"""Reading a certificate PDF back as a person would: its text, and the QR code printed on it."""

import io


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def qr_in(pdf: bytes) -> str:
    """The text of the QR code on the first page, found on the page as drawn (pdfium at 200 dpi)
    and decoded by OpenCV: what a phone's camera would read."""
    import cv2
    import numpy
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=200 / 72).to_pil().convert("L")
    finally:
        document.close()
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(numpy.array(image))
    return text
