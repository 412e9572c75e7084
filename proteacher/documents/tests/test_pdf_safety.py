"""What an uploaded PDF becomes before it is stored: no metadata of the uploader, nothing a viewer
would run, the same pages; and the files a reader cannot finish in bounded time are refused."""

import io
import zlib

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, Pdf

from proteacher.documents import pdf_caps, pdf_safety, pdf_sandbox
from proteacher.testing import pdfs


def cleaned(data: bytes) -> pikepdf.Pdf:
    return pikepdf.open(io.BytesIO(pdf_safety.clean(data)))


def every_object(pdf: pikepdf.Pdf):
    """Each indirect object, and the dictionaries and arrays directly inside it."""
    pending = list(pdf.objects)
    while pending:
        item = pending.pop()
        yield item
        if isinstance(item, pikepdf.Stream):
            children = item.stream_dict.values()
        elif isinstance(item, Dictionary):
            children = item.values()
        elif isinstance(item, Array):
            children = list(item)
        else:
            continue
        pending.extend(v for v in children if isinstance(v, Dictionary | Array) and not v.is_indirect)


def keys_anywhere(pdf: pikepdf.Pdf) -> set[str]:
    found = set(pdf.trailer.keys())
    for item in every_object(pdf):
        if isinstance(item, Dictionary | pikepdf.Stream):
            found.update(item.keys())
    return found


def refusal(data: bytes) -> str:
    with pytest.raises(pdf_caps.Refused) as caught:
        pdf_safety.clean(data)
    return caught.value.reason


def pages_pdf(count: int, declared: int | None = None) -> bytes:
    pdf = Pdf.new()
    for _ in range(count):
        pdf.add_blank_page(page_size=(595, 842))
    if declared is not None:
        pdf.Root.Pages.Count = declared
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


# --- metadata ---


def test_the_uploaders_document_info_and_xmp_are_gone():
    data = pdfs.with_metadata()
    with pikepdf.open(io.BytesIO(data)) as sample:
        assert str(sample.docinfo.Author) == pdfs.UPLOADER and "/Metadata" in sample.Root

    with cleaned(data) as pdf:
        assert "/Info" not in pdf.trailer
        assert "/Metadata" not in keys_anywhere(pdf)
        assert not [o for o in every_object(pdf) if isinstance(o, pikepdf.Stream) and o.get("/Type") == Name.Metadata]
        assert pdf.docinfo.keys() == set()
        assert pdf.open_metadata(set_pikepdf_as_editor=False).keys() == set()


def test_the_rewritten_file_names_no_producer_at_all():
    stored = pdf_safety.clean(pdfs.with_metadata())
    for word in (b"Producer", b"Creator", b"Uploader", b"pikepdf", b"qpdf", b"xmpmeta"):
        assert word not in stored


def test_the_pages_draw_exactly_what_they_drew():
    data = pdfs.with_metadata()
    assert pdfs.page_contents(pdf_safety.clean(data)) == pdfs.page_contents(data) == [pdfs.PAGE_CONTENT]


# --- active content ---


def test_script_open_action_and_page_actions_are_removed():
    with cleaned(pdfs.with_script()) as pdf:
        keys = keys_anywhere(pdf)
        assert {"/OpenAction", "/AA", "/JS", "/JavaScript"}.isdisjoint(keys)
        assert pdfs.page_contents(pdf_safety.clean(pdfs.with_script())) == [pdfs.PAGE_CONTENT]


def test_a_launch_link_loses_its_action_and_a_web_link_keeps_it():
    with cleaned(pdfs.with_launch()) as pdf:
        launch, web = pdf.pages[0].Annots
        assert "/A" not in launch
        assert web.A.S == Name.URI and str(web.A.URI) == "https://www.edu.tw/"
        assert not [o for o in every_object(pdf) if isinstance(o, Dictionary) and o.get("/S") == Name.Launch]


def test_embedded_files_and_attachment_icons_are_removed():
    stored = pdf_safety.clean(pdfs.with_attachment())
    assert b"MZ attached program" not in stored
    with pikepdf.open(io.BytesIO(stored)) as pdf:
        assert {"/EmbeddedFiles", "/EF", "/FS"}.isdisjoint(keys_anywhere(pdf))
        assert len(pdf.pages[0].get("/Annots", [])) == 0
        assert not pdf.attachments


@pytest.mark.parametrize(
    "action",
    [
        Dictionary(S=Name.JavaScript, JS=pikepdf.String("app.alert(1)")),
        Dictionary(S=Name.URI, URI=pikepdf.String("javascript:alert(1)")),
        Dictionary(S=Name.SubmitForm, F=pikepdf.String("https://example.com/")),
        Dictionary(S=Name.GoToR, F=pikepdf.String("other.pdf"), D=Array([0, Name.Fit])),
    ],
    ids=["javascript", "javascript-uri", "submit-form", "remote-go-to"],
)
def test_any_other_link_action_is_removed(action):
    pdf = Pdf.new()
    pdf.add_blank_page()
    link = Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[0, 0, 10, 10], A=action)
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(link)])
    buffer = io.BytesIO()
    pdf.save(buffer)
    with cleaned(buffer.getvalue()) as out:
        assert "/A" not in out.pages[0].Annots[0]


def test_an_xfa_form_keeps_its_pages_without_the_xfa():
    pdf = Pdf.new()
    pdf.add_blank_page()
    pdf.Root.AcroForm = Dictionary(Fields=Array([]), XFA=pdf.make_stream(b"<xdp:xdp/>"))
    buffer = io.BytesIO()
    pdf.save(buffer)
    with cleaned(buffer.getvalue()) as out:
        assert "/XFA" not in out.Root.AcroForm and len(out.pages) == 1


def test_a_dynamic_xfa_form_or_a_portfolio_is_refused_as_not_viewable():
    for key, value in (("/NeedsRendering", True), ("/Collection", Dictionary(Type=Name.Collection))):
        pdf = Pdf.new()
        pdf.add_blank_page()
        pdf.Root[key] = value
        buffer = io.BytesIO()
        pdf.save(buffer)
        assert refusal(buffer.getvalue()) == pdf_caps.NOT_VIEWABLE


# --- caps ---


def test_content_drawn_again_and_again_is_refused_as_too_complex():
    assert refusal(pdfs.amplified()) == pdf_caps.TOO_COMPLEX


def test_more_than_500_pages_are_refused_and_500_pass():
    assert refusal(pages_pdf(501)) == pdf_caps.TOO_MANY_PAGES
    with cleaned(pages_pdf(500)) as pdf:
        assert len(pdf.pages) == 500


def test_a_page_count_that_lies_is_not_believed():
    assert refusal(pages_pdf(501, declared=1)) == pdf_caps.TOO_MANY_PAGES


def test_decoded_page_content_over_the_cap_is_refused():
    pdf = Pdf.new()
    pdf.add_blank_page()
    stream = pikepdf.Stream(pdf, zlib.compress(b"% filler\n" * 1_000_000), Filter=Name.FlateDecode)
    pdf.pages[0].obj.Contents = Array([stream] * 10)  # 90 MB drawn from 20 KB
    buffer = io.BytesIO()
    pdf.save(buffer)
    assert refusal(buffer.getvalue()) == pdf_caps.TOO_COMPLEX


# --- the bounded child ---


def test_the_child_rewrites_an_ordinary_file():
    data = pdfs.with_metadata()
    assert pdfs.page_contents(pdf_sandbox.clean(data)) == [pdfs.PAGE_CONTENT]


def test_the_child_passes_on_a_refusal():
    with pytest.raises(pdf_caps.Refused) as caught:
        pdf_sandbox.clean(b"%PDF-1.7\nthis is not a document\n%%EOF\n")
    assert caught.value.reason == pdf_caps.BROKEN


def test_a_child_past_its_time_is_stopped_and_the_file_refused(monkeypatch):
    monkeypatch.setattr(pdf_sandbox, "WALL_SECONDS", 0.01)
    with pytest.raises(pdf_caps.Refused) as caught:
        pdf_sandbox.clean(pdfs.with_metadata())
    assert caught.value.reason == pdf_caps.TOO_COMPLEX


def test_a_child_past_its_memory_is_stopped_and_the_file_refused(monkeypatch):
    # 48 MB of page content from 48 KB: under the content cap, over a 16 MB memory bound.
    monkeypatch.setattr(pdf_sandbox, "MEMORY_BYTES", 16 * 1024 * 1024)
    pdf = Pdf.new()
    pdf.add_blank_page()
    pdf.pages[0].obj.Contents = pikepdf.Stream(pdf, zlib.compress(b" " * 48 * 1024 * 1024), Filter=Name.FlateDecode)
    buffer = io.BytesIO()
    pdf.save(buffer)
    with pytest.raises(pdf_caps.Refused) as caught:
        pdf_sandbox.clean(buffer.getvalue())
    assert caught.value.reason == pdf_caps.TOO_COMPLEX


def test_a_child_that_cannot_start_is_an_error_of_the_installation_not_a_refusal(monkeypatch):
    # Telling the teacher the file is at fault would hide a broken installation.
    monkeypatch.setattr(pdf_sandbox.sys, "executable", "/bin/false")
    with pytest.raises(RuntimeError, match="the PDF check failed"):
        pdf_sandbox.clean(pdfs.with_metadata())
