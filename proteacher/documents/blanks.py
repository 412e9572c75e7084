"""The blank paper form of an upload template, as Word (.docx) and OpenDocument (.odt) files.

Both files are drawn from the definition's "blank" section, so the working group corrects a
form by editing its JSON, never code. The section reads like a small HTML table model:

    "blank": {
      "heading": "○○○學年度教師專業發展實踐方案",
      "title": "公開授課實施證明",
      "body": [                                   # blocks, top to bottom
        {"p": "備註：…", "size": 10, "bold": false, "align": "left"},   # a paragraph
        {"table": {
          "columns": [2.6, 5.9, ...],              # column widths in cm (A4 leaves 17 cm)
          "rows": [
            {"height": 1.2,                         # minimum row height in cm (optional)
             "cells": [                             # only cells that start here, as in HTML
               {"text": "學校", "label": true},     # "\n" starts a new paragraph
               {"text": "…", "colspan": 3, "rowspan": 1, "valign": "top"},
               {"content": ["a paragraph", {"p": "small", "size": 10}, {"table": {...}}]},
               {"text": "第　次公開授課", "stacked": true}   # one character per line
             ]}
          ]}}
      ]
    }

A "label" cell is centred both ways (the printed forms centre their field names and check boxes).
"""

import io
from dataclasses import dataclass
from functools import lru_cache

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from lxml import etree
from odf import style as odf_style
from odf import table as odf_table
from odf import text as odf_text
from odf.opendocument import OpenDocumentText

from proteacher.documents.catalogue import FormTemplate, get_template

# 標楷體 is what the printed forms use; Word knows it as DFKai-SB too, and machines without it
# (LibreOffice on Linux) substitute another Traditional Chinese serif face.
CJK_FONT = "標楷體"
CJK_FONT_ALTERNATES = ("DFKai-SB", "BiauKai", "Noto Serif CJK TC")
LATIN_FONT = "Times New Roman"
BODY_SIZE = 12
HEADING_SIZE = 14
TITLE_SIZE = 18
PAGE_WIDTH_CM, PAGE_HEIGHT_CM, MARGIN_CM = 21.0, 29.7, 2.0
PRODUCER = "教師專業發展支持作業平臺"

DOCX = "docx"
ODT = "odt"
CONTENT_TYPES = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ODT: "application/vnd.oasis.opendocument.text",
}
FORMAT_NAMES = {DOCX: "Word", ODT: "ODF"}


def has_blank(template: FormTemplate) -> bool:
    return template.is_upload and bool(template.definition.get("blank"))


def render(template: FormTemplate, fmt: str) -> bytes:
    """The blank form of `template` as `fmt` (docx or odt); definitions never change in place, so
    the bytes are cached per code and version."""
    if fmt not in CONTENT_TYPES:
        raise ValueError(f"unknown format {fmt}")
    if not has_blank(template):
        raise ValueError(f"{template.code} has no blank form")
    return _render_cached(template.code, template.version, fmt)


@lru_cache(maxsize=64)
def _render_cached(code: str, version: int, fmt: str) -> bytes:
    template = get_template(code, version)
    return render_docx(template) if fmt == DOCX else render_odt(template)


# --- layout shared by both formats ---------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    text: str
    size: int = BODY_SIZE
    bold: bool = False
    align: str = "left"


@dataclass
class PlacedCell:
    row: int
    col: int
    rowspan: int
    colspan: int
    spec: dict

    @property
    def is_label(self) -> bool:
        return bool(self.spec.get("label"))

    @property
    def valign(self) -> str:
        return self.spec.get("valign", "center")


def place_cells(table_spec: dict) -> tuple[list[list[PlacedCell | None]], list[PlacedCell]]:
    """Put each declared cell on the column grid the way an HTML table does: a cell takes the
    first free column of its row, and spans claim the positions to the right and below.

    Returns the grid (each position → the cell covering it) and the cells in reading order.
    """
    columns = len(table_spec["columns"])
    rows = table_spec["rows"]
    grid: list[list[PlacedCell | None]] = [[None] * columns for _ in rows]
    placed: list[PlacedCell] = []
    for r, row in enumerate(rows):
        c = 0
        for spec in row["cells"]:
            while c < columns and grid[r][c] is not None:
                c += 1
            rowspan, colspan = int(spec.get("rowspan", 1)), int(spec.get("colspan", 1))
            if c + colspan > columns or r + rowspan > len(rows):
                raise ValueError(f"cell {spec!r} does not fit row {r + 1} of a {columns}-column table")
            cell = PlacedCell(r, c, rowspan, colspan, spec)
            for rr in range(r, r + rowspan):
                for cc in range(c, c + colspan):
                    if grid[rr][cc] is not None:
                        raise ValueError(f"cell {spec!r} overlaps another in row {rr + 1}")
                    grid[rr][cc] = cell
            placed.append(cell)
            c += colspan
        if any(position is None for position in grid[r]):
            raise ValueError(f"row {r + 1} leaves columns empty")
    return grid, placed


def cell_blocks(spec: dict, base_size: int = BODY_SIZE) -> list:
    """A cell's contents as a list of Paragraph and nested table specs."""
    size = int(spec.get("size", base_size))
    bold = bool(spec.get("bold", False))
    align = spec.get("align", "center" if spec.get("label") else "left")
    if spec.get("stacked"):
        return [Paragraph(ch, size, bold, "center") for ch in spec.get("text", "")]
    items = spec["content"] if "content" in spec else spec.get("text", "").split("\n")
    blocks = []
    for item in items:
        if isinstance(item, str):
            blocks.append(Paragraph(item, size, bold, align))
        elif "table" in item:
            blocks.append(item["table"])
        else:
            blocks.append(_paragraph(item, size, bold, align))
    return blocks


def _paragraph(item: dict, size: int = BODY_SIZE, bold: bool = False, align: str = "left") -> Paragraph:
    return Paragraph(item["p"], int(item.get("size", size)), bool(item.get("bold", bold)), item.get("align", align))


def base_size(blank: dict) -> int:
    """The text size of the form's body (a long form may ask for a smaller one to fit one page)."""
    return int(blank.get("size", BODY_SIZE))


def document_blocks(blank: dict) -> list:
    """Heading, title and body of the form as Paragraph and table specs."""
    blocks: list = [
        Paragraph(blank["heading"], HEADING_SIZE, False, "center"),
        Paragraph(blank["title"], TITLE_SIZE, True, "center"),
    ]
    for item in blank.get("body", []):
        blocks.append(item["table"] if "table" in item else _paragraph(item, base_size(blank)))
    return blocks


# --- Word ----------------------------------------------------------------------------------

_DOCX_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}
_DOCX_VALIGN = {
    "top": WD_CELL_VERTICAL_ALIGNMENT.TOP,
    "center": WD_CELL_VERTICAL_ALIGNMENT.CENTER,
    "bottom": WD_CELL_VERTICAL_ALIGNMENT.BOTTOM,
}


def render_docx(template: FormTemplate) -> bytes:
    blank = template.definition["blank"]
    document = Document()
    _docx_setup(document, template)
    for block in document_blocks(blank):
        if isinstance(block, Paragraph):
            _docx_write(document.add_paragraph(), block)
        else:
            _docx_table(document, block, base_size(blank))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_setup(document, template: FormTemplate) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Cm(PAGE_WIDTH_CM), Cm(PAGE_HEIGHT_CM)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(MARGIN_CM))

    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(BODY_SIZE)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), CJK_FONT)
    fonts.set(qn("w:hint"), "eastAsia")
    language = normal.element.get_or_add_rPr().find(qn("w:lang"))
    if language is None:
        language = normal.element.get_or_add_rPr().makeelement(qn("w:lang"), {})
        normal.element.get_or_add_rPr().append(language)
    language.set(qn("w:eastAsia"), "zh-TW")
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.15

    _docx_declare_font(document)
    # The stock template's thumbnail shows another document; Word draws its own preview.
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
            package.rels.pop(rel_id)

    properties = document.core_properties
    properties.title = template.title
    properties.author = properties.last_modified_by = PRODUCER
    properties.comments = "○○○學年度教師專業發展實踐方案"
    properties.subject = properties.keywords = ""


def _docx_declare_font(document) -> None:
    """List 標楷體 in the font table with its alternate name, so Word finds DFKai-SB by either."""
    font_table = next(p for p in document.part.package.iter_parts() if p.partname.endswith("/fontTable.xml"))
    root = parse_xml(font_table.blob)
    entry = parse_xml(
        f'<w:font xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:name="{CJK_FONT}">'
        f'<w:altName w:val="{CJK_FONT_ALTERNATES[0]}"/><w:charset w:val="88"/>'
        '<w:family w:val="script"/><w:pitch w:val="fixed"/></w:font>'
    )
    root.insert(0, entry)
    font_table._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _docx_write(paragraph, block: Paragraph) -> None:
    paragraph.alignment = _DOCX_ALIGN.get(block.align, WD_ALIGN_PARAGRAPH.LEFT)
    if block.text:
        run = paragraph.add_run(block.text)
        run.bold = block.bold or None
        if block.size != BODY_SIZE:
            run.font.size = Pt(block.size)
    if block.size in (HEADING_SIZE, TITLE_SIZE):
        paragraph.paragraph_format.space_after = Pt(6)


def _docx_table(container, spec: dict, size: int) -> None:
    widths = [Cm(w) for w in spec["columns"]]
    grid, placed = place_cells(spec)
    # The document body and a table cell (a nested table) both take tables the same way.
    table = container.add_table(rows=len(grid), cols=len(widths))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for index, width in enumerate(widths):
        table.columns[index].width = width
        for cell in table.columns[index].cells:
            cell.width = width
    for r, row_spec in enumerate(spec["rows"]):
        if row_spec.get("height"):
            table.rows[r].height = Cm(row_spec["height"])
            table.rows[r].height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST
        # Rows never break across pages: a half row of a signature box on the next page is useless.
        tr_pr = table.rows[r]._tr.get_or_add_trPr()
        tr_pr.append(tr_pr.makeelement(qn("w:cantSplit"), {}))
    for cell in placed:
        target = table.cell(cell.row, cell.col)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(table.cell(cell.row + cell.rowspan - 1, cell.col + cell.colspan - 1))
        target.vertical_alignment = _DOCX_VALIGN.get(cell.valign, WD_CELL_VERTICAL_ALIGNMENT.CENTER)
        first = True
        for block in cell_blocks(cell.spec, size):
            if isinstance(block, Paragraph):
                paragraph = target.paragraphs[0] if first else target.add_paragraph()
                _docx_write(paragraph, block)
            else:
                _docx_table(target, block, size)
            first = False


# --- OpenDocument --------------------------------------------------------------------------


class _OdtStyles:
    """Automatic styles made on first use and shared by every element that needs the same look."""

    def __init__(self, document: OpenDocumentText):
        self.document = document
        self._made: dict[tuple, odf_style.Style] = {}
        self._tables = 0

    def _style(self, key: tuple, build) -> odf_style.Style:
        if key not in self._made:
            made = build(f"{key[0]}{len(self._made) + 1}")
            self.document.automaticstyles.addElement(made)
            self._made[key] = made
        return self._made[key]

    def paragraph(self, block: Paragraph) -> odf_style.Style:
        def build(name):
            made = odf_style.Style(name=name, family="paragraph", parentstylename="Standard")
            made.addElement(
                odf_style.ParagraphProperties(textalign="center" if block.align == "center" else block.align)
            )
            weight = "bold" if block.bold else "normal"
            made.addElement(
                odf_style.TextProperties(
                    fontsize=f"{block.size}pt",
                    fontsizeasian=f"{block.size}pt",
                    fontweight=weight,
                    fontweightasian=weight,
                )
            )
            return made

        return self._style(("P", block.size, block.bold, block.align), build)

    def table(self, width_cm: float) -> odf_style.Style:
        def build(name):
            made = odf_style.Style(name=name, family="table")
            made.addElement(odf_style.TableProperties(width=f"{width_cm:.2f}cm", align="center"))
            return made

        return self._style(("Table", round(width_cm, 2)), build)

    def column(self, width_cm: float) -> odf_style.Style:
        def build(name):
            made = odf_style.Style(name=name, family="table-column")
            made.addElement(odf_style.TableColumnProperties(columnwidth=f"{width_cm:.2f}cm"))
            return made

        return self._style(("Column", round(width_cm, 2)), build)

    def row(self, height_cm: float | None) -> odf_style.Style:
        def build(name):
            made = odf_style.Style(name=name, family="table-row")
            properties = {"keeptogether": "always"}
            if height_cm:
                properties["minrowheight"] = f"{height_cm:.2f}cm"
            made.addElement(odf_style.TableRowProperties(**properties))
            return made

        return self._style(("Row", height_cm), build)

    def cell(self, valign: str) -> odf_style.Style:
        def build(name):
            made = odf_style.Style(name=name, family="table-cell")
            made.addElement(
                odf_style.TableCellProperties(
                    border="0.5pt solid #000000",
                    padding="0.1cm",
                    verticalalign="middle" if valign == "center" else valign,
                )
            )
            return made

        return self._style(("Cell", valign), build)

    def next_table_name(self) -> str:
        self._tables += 1
        return f"表格{self._tables}"


def render_odt(template: FormTemplate) -> bytes:
    blank = template.definition["blank"]
    document = OpenDocumentText()
    _odt_setup(document, template)
    styles = _OdtStyles(document)
    for block in document_blocks(blank):
        if isinstance(block, Paragraph):
            document.text.addElement(_odt_paragraph(styles, block))
        else:
            document.text.addElement(_odt_table(styles, block, base_size(blank)))
    out = io.BytesIO()
    document.write(out)
    return out.getvalue()


def _odt_setup(document: OpenDocumentText, template: FormTemplate) -> None:
    from odf import dc, meta

    document.fontfacedecls.addElement(
        odf_style.FontFace(
            name=CJK_FONT,
            fontfamily=";".join((CJK_FONT, *CJK_FONT_ALTERNATES)),
            fontfamilygeneric="roman",
            fontpitch="variable",
        )
    )
    document.fontfacedecls.addElement(
        odf_style.FontFace(
            name=LATIN_FONT, fontfamily=f"'{LATIN_FONT}'", fontfamilygeneric="roman", fontpitch="variable"
        )
    )
    standard = odf_style.Style(name="Standard", family="paragraph", attributes={"class": "text"})
    standard.addElement(odf_style.ParagraphProperties(margintop="0cm", marginbottom="0cm", lineheight="115%"))
    standard.addElement(
        odf_style.TextProperties(
            fontname=LATIN_FONT,
            fontnameasian=CJK_FONT,
            fontsize=f"{BODY_SIZE}pt",
            fontsizeasian=f"{BODY_SIZE}pt",
            language="zh",
            country="TW",
            languageasian="zh",
            countryasian="TW",
        )
    )
    document.styles.addElement(standard)

    page = odf_style.PageLayout(name="A4")
    page.addElement(
        odf_style.PageLayoutProperties(
            pagewidth=f"{PAGE_WIDTH_CM}cm",
            pageheight=f"{PAGE_HEIGHT_CM}cm",
            printorientation="portrait",
            margintop=f"{MARGIN_CM}cm",
            marginbottom=f"{MARGIN_CM}cm",
            marginleft=f"{MARGIN_CM}cm",
            marginright=f"{MARGIN_CM}cm",
        )
    )
    document.automaticstyles.addElement(page)
    document.masterstyles.addElement(odf_style.MasterPage(name="Standard", pagelayoutname=page))

    document.meta.addElement(dc.Title(text=template.title))
    document.meta.addElement(meta.InitialCreator(text=PRODUCER))


def _odt_paragraph(styles: _OdtStyles, block: Paragraph):
    return odf_text.P(stylename=styles.paragraph(block), text=block.text)


def _odt_table(styles: _OdtStyles, spec: dict, size: int):
    grid, _ = place_cells(spec)
    widths = spec["columns"]
    table = odf_table.Table(name=styles.next_table_name(), stylename=styles.table(sum(widths)))
    for width in widths:
        table.addElement(odf_table.TableColumn(stylename=styles.column(width)))
    for r, row_spec in enumerate(spec["rows"]):
        row = odf_table.TableRow(stylename=styles.row(row_spec.get("height")))
        for c, cell in enumerate(grid[r]):
            if cell.row != r or cell.col != c:
                # A position under another cell's span: ODF lists it as a covered cell.
                row.addElement(odf_table.CoveredTableCell())
                continue
            attributes = {"stylename": styles.cell(cell.valign), "valuetype": "string"}
            if cell.colspan > 1:
                attributes["numbercolumnsspanned"] = cell.colspan
            if cell.rowspan > 1:
                attributes["numberrowsspanned"] = cell.rowspan
            element = odf_table.TableCell(**attributes)
            for block in cell_blocks(cell.spec, size):
                if isinstance(block, Paragraph):
                    element.addElement(_odt_paragraph(styles, block))
                else:
                    element.addElement(_odt_table(styles, block, size))
            row.addElement(element)
        table.addElement(row)
    return table


# --- 檔案下載 ------------------------------------------------------------------------------


@dataclass
class BlankEntry:
    template: FormTemplate
    slot_labels: list[str]


def blanks_by_type(certification_types) -> tuple[list[tuple[object, list[BlankEntry]]], list[BlankEntry]]:
    """Every blank form, grouped by the certification types whose slots use it (in slot order),
    and the ones no slot uses yet. `certification_types` should have their slots prefetched."""
    from proteacher.documents.catalogue import UnknownTemplate, all_templates

    used: set[str] = set()
    groups = []
    for kind in certification_types:
        entries: dict[str, BlankEntry] = {}
        for slot in kind.slots.all():
            for code in slot.template_codes:
                try:
                    template = get_template(code)
                except UnknownTemplate:
                    continue
                if not has_blank(template):
                    continue
                entries.setdefault(code, BlankEntry(template, [])).slot_labels.append(slot.label)
                used.add(code)
        if entries:
            groups.append((kind, list(entries.values())))
    others = [BlankEntry(t, []) for t in all_templates() if has_blank(t) and t.code not in used]
    return groups, others
