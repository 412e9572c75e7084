"""PDFs that an upload must not pass on as they are: the uploader's metadata, script and other
active content, and two shapes built to stall a reader. Each returns the file's bytes."""

import io

import pikepdf
from pikepdf import Array, Dictionary, Name, Pdf, String

# What the one page draws; a stored file must draw exactly this.
PAGE_CONTENT = b"BT /F1 24 Tf 72 720 Td (Gong Kai Shou Ke) Tj ET\n0 0 1 rg 72 600 200 50 re f\n"
UPLOADER = "王小明"


def _one_page() -> Pdf:
    pdf = Pdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0].obj
    font = Dictionary(Type=Name.Font, Subtype=Name.Type1, BaseFont=Name.Helvetica)
    page.Resources = Dictionary(Font=Dictionary(F1=font))
    page.Contents = pdf.make_stream(PAGE_CONTENT)
    return pdf


def _saved(pdf: Pdf) -> bytes:
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def with_metadata() -> bytes:
    """Document info naming the uploader, and XMP on the catalog and on the page."""
    pdf = _one_page()
    pdf.docinfo["/Author"] = UPLOADER
    pdf.docinfo["/Title"] = f"{UPLOADER}的公開授課"
    pdf.docinfo["/Producer"] = "Uploader Scan Studio 9"
    pdf.docinfo["/Creator"] = "Uploader Office 2019"
    with pdf.open_metadata(set_pikepdf_as_editor=False) as xmp:
        xmp["dc:creator"] = [UPLOADER]
        xmp["dc:title"] = f"{UPLOADER}的公開授課"
        xmp["pdf:Producer"] = "Uploader Scan Studio 9"
    page_xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + UPLOADER.encode() + b"</x:xmpmeta>"
    pdf.pages[0].obj.Metadata = pdf.make_stream(page_xmp, Type=Name.Metadata, Subtype=Name.XML)
    return _saved(pdf)


def with_script() -> bytes:
    """A document-level script (/JavaScript name tree) that /OpenAction and the page's /AA also run."""
    pdf = _one_page()
    script = pdf.make_indirect(Dictionary(S=Name.JavaScript, JS=String("app.alert('x');")))
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("init"), script])))
    pdf.Root.OpenAction = script
    pdf.pages[0].obj.AA = Dictionary(O=script)
    return _saved(pdf)


def with_launch() -> bytes:
    """A link whose action launches a program, beside an ordinary web link."""
    pdf = _one_page()
    launch = Dictionary(S=Name.Launch, F=String("calc.exe"), Win=Dictionary(F=String("cmd.exe")))
    web = Dictionary(S=Name.URI, URI=String("https://www.edu.tw/"))
    pdf.pages[0].obj.Annots = Array(
        [
            pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[72, 700, 300, 740], A=launch)),
            pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=[72, 600, 300, 650], A=web)),
        ]
    )
    return _saved(pdf)


def with_attachment() -> bytes:
    """An embedded file (/EmbeddedFiles name tree), and the same file on a page's attachment icon."""
    pdf = _one_page()
    payload = pdf.make_stream(b"MZ attached program", Type=Name.EmbeddedFile)
    spec = pdf.make_indirect(Dictionary(Type=Name.Filespec, F=String("setup.exe"), EF=Dictionary(F=payload)))
    pdf.Root.Names = Dictionary(EmbeddedFiles=Dictionary(Names=Array([String("setup.exe"), spec])))
    icon = Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment, Rect=[10, 10, 30, 30], FS=spec)
    pdf.pages[0].obj.Annots = Array([pdf.make_indirect(icon)])
    return _saved(pdf)


def amplified(pages: int = 300, repeats: int = 500) -> bytes:
    """`pages` pages whose /Contents each name the same compressed stream `repeats` times: a few
    kilobytes that cost a reader who decodes every reference minutes."""
    pdf = Pdf.new()
    stroke = pdf.make_stream(b"0 0 m 595 842 l S\n" * 500)
    for _ in range(pages):
        pdf.add_blank_page(page_size=(595, 842))
    for page in pdf.pages:
        page.obj.Contents = Array([stroke] * repeats)
    buffer = io.BytesIO()
    pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def many_pages(count: int = 100_000) -> bytes:
    """`count` empty pages (about 0.9 MB for 100,000): far under the size limit."""
    pdf = Pdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    tree = pdf.Root.Pages
    tree.MediaBox = Array([0, 0, 595, 842])
    kids = [tree.Kids[0]]
    kids.extend(pdf.make_indirect(Dictionary(Type=Name.Page, Parent=tree)) for _ in range(count - 1))
    tree.Kids = Array(kids)
    tree.Count = count
    buffer = io.BytesIO()
    pdf.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


def page_contents(data: bytes) -> list[bytes]:
    """What each page of the PDF in `data` draws (its content streams, decoded and joined)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        drawn = []
        for page in pdf.pages:
            contents = page.obj.get("/Contents")
            streams = contents if isinstance(contents, Array) else [contents]
            drawn.append(b"".join(s.read_bytes() for s in streams if s is not None))
        return drawn
