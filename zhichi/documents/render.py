"""Two thin renderers of one context: DOCX through docxtpl, PDF through WeasyPrint.

The built-in DOCX template of a kind is made from its layout (``layouts.py``) with python-docx:
A4, the body in 仿宋 三号 (16 pt) with the East-Asian language set to zh-CN so WPS and Word lay it
out as Chinese, titles in 宋体. The PDF is the same layout as HTML in Noto Serif CJK, the fonts
embedded (subset) by WeasyPrint.
"""

from __future__ import annotations

import io
from functools import lru_cache

import docx
import jinja2
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docxtpl import DocxTemplate

from zhichi.documents.context import sample_context
from zhichi.documents.layouts import LAYOUTS
from zhichi.documents.sandbox import DocumentEnvironment

BODY_FONT = "仿宋"
# blocks that stay on the page of what follows them (titles, the number, headings, the addressee)
KEEP_WITH_NEXT = frozenset({"title", "number", "h", "to"})
TITLE_FONT = "宋体"
HEAD_FONT = "黑体"


def _east_asian(run_or_style, font: str, size: int | None = None, bold: bool = False) -> None:
    run_or_style.font.name = font
    if size:
        run_or_style.font.size = Pt(size)
    run_or_style.font.bold = bold
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        fonts.set(qn(attr), font)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = rpr.makeelement(qn("w:lang"), {})
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    lang.set(qn("w:val"), "zh-CN")


def _lines(paragraph, text: str, font: str, size: int, bold: bool = False) -> None:
    for i, line in enumerate(text.split("\n")):
        run = paragraph.add_run(line)
        _east_asian(run, font, size, bold)
        if i < len(text.split("\n")) - 1:
            run.add_break()


@lru_cache(maxsize=16)
def builtin_docx(kind: str) -> bytes:
    """The built-in DOCX template of ``kind``, made from its layout (docxtpl tags inside)."""
    document = docx.Document()
    section = document.sections[0]
    # GB/T 9704 official document margins on A4
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _east_asian(document.styles["Normal"], BODY_FONT, 16)
    for block in LAYOUTS[kind]:
        what = block[0]
        if what == "each":
            _, name, text = block
            document.add_paragraph(f"{{%p for item in {name} %}}")
            p = document.add_paragraph()
            p.paragraph_format.first_line_indent = Pt(32)
            _lines(p, text, BODY_FONT, 16)
            document.add_paragraph("{%p endfor %}")
            continue
        text = block[1]
        p = document.add_paragraph()
        if what in KEEP_WITH_NEXT:
            # a heading never ends a page: it goes over with the text it heads
            p.paragraph_format.keep_with_next = True
        if what == "title":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _lines(p, text, TITLE_FONT, 22, bold=True)
        elif what == "number":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _lines(p, text, BODY_FONT, 16)
        elif what == "h":
            _lines(p, text, HEAD_FONT, 16)
        elif what == "sign":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            _lines(p, text, BODY_FONT, 16)
        elif what == "small":
            _lines(p, text, BODY_FONT, 12)
        elif what == "to":
            _lines(p, text, BODY_FONT, 16)
        else:
            p.paragraph_format.first_line_indent = Pt(32)
            _lines(p, text, BODY_FONT, 16)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def render_docx(template: bytes, context: dict, *, kind: str) -> bytes:
    """``template`` (a built-in or an administrator's DOCX) filled with ``context`` in the
    document sandbox of ``kind``: a template using anything the kind does not offer raises
    ``sandbox.TemplateRefused`` before any of it runs."""
    tpl = DocxTemplate(io.BytesIO(template))
    tpl.render(context, jinja_env=environment(kind), autoescape=True)
    out = io.BytesIO()
    tpl.save(out)
    return out.getvalue()


@lru_cache(maxsize=32)
def environment(kind: str) -> DocumentEnvironment:
    """The sandbox of ``kind``: the names its sample context offers, and nothing else."""
    return DocumentEnvironment(frozenset(sample_context(kind)))


BASE_CSS = """
@page { size: A4; margin: 37mm 26mm 35mm 28mm;
        @bottom-center { content: "— " counter(page) " —"; font-size: 12pt; } }
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; font-size: 16pt;
       line-height: 1.6; color: #000; }
h1 { font-size: 22pt; text-align: center; font-weight: bold; margin: 0 0 12pt; line-height: 1.4;
     white-space: pre-line; }
p { margin: 0; white-space: pre-wrap; }
.number { text-align: center; margin-bottom: 18pt; }
.p { text-indent: 2em; }
.h { font-family: "Noto Sans CJK SC", sans-serif; margin-top: 8pt; break-after: avoid; }
h1, .number, .to { break-after: avoid; }
p { orphans: 2; widows: 2; }
.sign { text-align: right; margin-top: 28pt; }
.small { font-size: 12pt; margin-top: 12pt; }
"""


@lru_cache(maxsize=16)
def _html_template(kind: str) -> jinja2.Template:
    parts = ['<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><style>', BASE_CSS]
    parts.append("</style></head><body>")
    for block in LAYOUTS[kind]:
        what = block[0]
        if what == "each":
            _, name, text = block
            parts.append(f'{{% for item in {name} %}}<p class="p">{text}</p>{{% endfor %}}')
        elif what == "title":
            parts.append(f"<h1>{block[1]}</h1>")
        else:
            parts.append(f'<p class="{what}">{block[1]}</p>')
    parts.append("</body></html>")
    return environment(kind).from_string("".join(parts))


def render_html(kind: str, context: dict) -> str:
    return _html_template(kind).render(**context)


def render_pdf(kind: str, context: dict) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=render_html(kind, context)).write_pdf()
