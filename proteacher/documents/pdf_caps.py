"""What an uploaded PDF may hold, and the reasons one is refused: shared by the child process that
reads the file (documents.pdf_safety, with pikepdf) and the web process that words the refusal
(documents.pdf_rules), which never loads a PDF library itself.

Teachers upload 1 to 30 scanned pages; the caps are far above that and far below what a file built
to stall a reader needs.
"""

# 500 pages: room for a long 教學檔案 at a fraction of a second, far from files built to be huge.
MAX_PAGES = 500
# Ten content streams a page at the page cap; scanners and office software write one to three.
MAX_CONTENT_STREAMS = 5_000
# Decoded page content, counted each time a page names it: a scanned page draws a few dozen bytes
# (its image), an office page tens of kilobytes.
MAX_CONTENT_BYTES = 64 * 1024 * 1024

BROKEN = "broken"
ENCRYPTED = "encrypted"
TOO_MANY_PAGES = "too_many_pages"
# Over a content cap, or past the child's bound of time or memory.
TOO_COMPLEX = "too_complex"
# A PDF portfolio or a dynamic XFA form: nothing a reviewer could read once cleaned.
NOT_VIEWABLE = "not_viewable"


class Refused(Exception):  # noqa: N818 — a verdict on the file, not a failure of the code
    """The file cannot be stored; `reason` is one of the codes above."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
