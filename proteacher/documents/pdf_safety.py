"""An uploaded PDF made safe to store and to hand to reviewers: opened with qpdf (pikepdf), held to
the caps of documents.pdf_caps, stripped of what identifies the uploader and of anything a viewer would run, and
written anew. Pure bytes in, bytes out: it runs inside documents.pdf_sandbox's child process and
touches neither Django nor the database.

What is removed (the page content itself, what a reviewer sees, is written back byte for byte):
- the document information dictionary (/Author, /Title, /Producer, /Creator, dates ...) and every
  other trailer entry but /Root, and all XMP (/Metadata on the catalog, pages, images, fonts ...)
  and application data (/PieceInfo); the file identifier is recomputed from the content;
- active content: /OpenAction, every /AA (additional actions), the /JavaScript, /EmbeddedFiles,
  /AlternatePresentations and /Renditions name trees, embedded file streams (/EF, /RF), the
  AcroForm's /XFA, annotations that carry media or files (/FileAttachment, /RichMedia, /Screen,
  /Movie, /Sound, /3D), and every action (/A) except going to a page, a named page move, or a web
  or mail link (/URI with http, https or mailto), whose chained /Next actions are dropped too.

What is refused instead, because removing it would leave the reviewers nothing to read: a PDF
portfolio (/Collection, its documents are attachments) and a dynamic XFA form (/NeedsRendering).

The caps: at most MAX_PAGES pages, MAX_CONTENT_STREAMS content-stream references over all pages,
and MAX_CONTENT_BYTES of decoded page content counting each reference (a stream drawn 500 times
costs a viewer 500 times). Each distinct content stream is decoded once, which is what finds damage
the cross-reference table hides. The time and memory any file may take are bounded by the child
process that runs this (documents.pdf_sandbox).
"""

import io

import pikepdf
from pikepdf import Array, Dictionary, Stream

from proteacher.documents.pdf_caps import (
    BROKEN,
    ENCRYPTED,
    MAX_CONTENT_BYTES,
    MAX_CONTENT_STREAMS,
    MAX_PAGES,
    NOT_VIEWABLE,
    TOO_COMPLEX,
    TOO_MANY_PAGES,
    Refused,
)

KEPT_TRAILER_KEYS = {"/Root"}
REMOVED_KEYS = ("/AA", "/Metadata", "/PieceInfo", "/EF", "/RF", "/XFA", "/OpenAction")
REMOVED_NAME_TREES = ("/JavaScript", "/EmbeddedFiles", "/AlternatePresentations", "/Renditions")
REMOVED_ANNOTATIONS = {"/FileAttachment", "/RichMedia", "/Screen", "/Movie", "/Sound", "/3D"}
KEPT_ACTIONS = {"/GoTo", "/Named", "/URI"}
KEPT_NAMED_ACTIONS = {"/NextPage", "/PrevPage", "/FirstPage", "/LastPage"}
KEPT_URI_SCHEMES = ("http://", "https://", "mailto:")


def clean(data: bytes) -> bytes:
    """The PDF in `data` rewritten without metadata or active content; Refused(reason) otherwise."""
    try:
        # Inherited page attributes stay where they are: pushing them down walks every page before
        # the page cap is looked at.
        pdf = pikepdf.open(io.BytesIO(data), inherit_page_attributes=False)
    except pikepdf.PasswordError as error:
        raise Refused(ENCRYPTED) from error
    except (pikepdf.PdfError, ValueError, RuntimeError) as error:
        raise Refused(TOO_COMPLEX if _out_of_memory(error) else BROKEN) from error
    with pdf:
        try:
            if pdf.is_encrypted:
                # Even an empty user password counts: the reviewers' viewer must open it as is.
                raise Refused(ENCRYPTED)
            _check_viewable(pdf)
            _check_pages(pdf)
            _check_contents(pdf)
            _strip(pdf)
            out = io.BytesIO()
            pdf.save(
                out,
                deterministic_id=True,
                preserve_pdfa=False,
                fix_metadata_version=False,
                stream_decode_level=pikepdf.StreamDecodeLevel.none,
            )
        except Refused:
            raise
        except (pikepdf.PdfError, ValueError, RuntimeError, KeyError, TypeError, AttributeError) as error:
            raise Refused(TOO_COMPLEX if _out_of_memory(error) else BROKEN) from error
    return out.getvalue()


def _out_of_memory(error: Exception) -> bool:
    # qpdf reports an allocation that failed while decoding a stream as a decoding error.
    return "bad_alloc" in str(error)


def _check_viewable(pdf: pikepdf.Pdf) -> None:
    root = pdf.Root
    if "/Collection" in root or bool(root.get("/NeedsRendering", False)):
        raise Refused(NOT_VIEWABLE)


def _check_pages(pdf: pikepdf.Pdf) -> None:
    tree = pdf.Root.get("/Pages")
    if not isinstance(tree, Dictionary):
        raise Refused(BROKEN)
    # The declared count first: refusing a 100,000-page file costs nothing. The tree is walked
    # after, since a count can lie.
    declared = tree.get("/Count", 0)
    if isinstance(declared, int) and declared > MAX_PAGES:
        raise Refused(TOO_MANY_PAGES)
    count = len(pdf.pages)
    if count > MAX_PAGES:
        raise Refused(TOO_MANY_PAGES)
    if count == 0:
        raise Refused(BROKEN)


def _check_contents(pdf: pikepdf.Pdf) -> None:
    references = 0
    drawn = 0
    decoded: dict[tuple[int, int], int] = {}
    for page in pdf.pages:
        contents = page.obj.get("/Contents")
        if contents is None:
            continue
        if isinstance(contents, Stream):
            contents = [contents]
        elif isinstance(contents, Array):
            if references + len(contents) > MAX_CONTENT_STREAMS:
                raise Refused(TOO_COMPLEX)
        else:
            raise Refused(BROKEN)
        for stream in contents:
            references += 1
            if references > MAX_CONTENT_STREAMS:
                raise Refused(TOO_COMPLEX)
            if not isinstance(stream, Stream):
                raise Refused(BROKEN)
            key = stream.objgen
            if key not in decoded:
                decoded[key] = len(stream.read_bytes())
            drawn += decoded[key]
            if drawn > MAX_CONTENT_BYTES:
                raise Refused(TOO_COMPLEX)


def _strip(pdf: pikepdf.Pdf) -> None:
    for key in list(pdf.trailer.keys()):
        if key not in KEPT_TRAILER_KEYS:
            del pdf.trailer[key]
    names = pdf.Root.get("/Names")
    if isinstance(names, Dictionary):
        for tree in REMOVED_NAME_TREES:
            if tree in names:
                del names[tree]
    seen: set[tuple[int, int]] = set()
    for obj in pdf.objects:
        _strip_object(obj, seen)


def _strip_object(obj, seen: set) -> None:
    """Clean one indirect object and the direct objects inside it (each indirect one is reached
    through pdf.objects on its own)."""
    pending = [obj]
    while pending:
        current = pending.pop()
        if current.is_indirect:
            if current.objgen in seen:
                continue
            seen.add(current.objgen)
        if isinstance(current, Stream | Dictionary):
            _strip_dictionary(current)
            values = current.stream_dict.values() if isinstance(current, Stream) else current.values()
        elif isinstance(current, Array):
            values = list(current)
        else:
            continue
        pending.extend(v for v in values if isinstance(v, Dictionary | Array) and not v.is_indirect)


def _strip_dictionary(item) -> None:
    for key in REMOVED_KEYS:
        if key in item:
            del item[key]
    action = item.get("/A")
    if isinstance(action, Dictionary) and ("/S" in action or "/JS" in action) and not _harmless_action(action):
        # (An /A that is no action dictionary, such as a measure's area formats, is left alone.)
        del item["/A"]
    annotations = item.get("/Annots")
    if isinstance(annotations, Array):
        kept = [a for a in annotations if not _removed_annotation(a)]
        if len(kept) != len(annotations):
            item["/Annots"] = Array(kept)


def _removed_annotation(annotation) -> bool:
    return isinstance(annotation, Dictionary) and str(annotation.get("/Subtype")) in REMOVED_ANNOTATIONS


def _harmless_action(action: Dictionary) -> bool:
    kind = str(action.get("/S", ""))
    if kind not in KEPT_ACTIONS:
        return False
    if "/Next" in action:
        del action["/Next"]
    if kind == "/Named":
        return str(action.get("/N", "")) in KEPT_NAMED_ACTIONS
    if kind == "/URI":
        return str(action.get("/URI", "")).strip().lower().startswith(KEPT_URI_SCHEMES)
    return True
