"""Fonts, paragraph styles and small table helpers for the PDF folder (the CJK font is embedded)."""

from __future__ import annotations

from functools import lru_cache
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, Table, TableStyle

from jiaoyuapp.resources import cjk_font

FONT = "WenQuanYiMicroHei"


@lru_cache(maxsize=None)
def register_font() -> str:
    """Register the shipped CJK font, and make it the default of charts and drawings too: their
    default (Helvetica) would otherwise enter the PDF unembedded."""
    from reportlab.graphics import shapes
    pdfmetrics.registerFont(TTFont(FONT, str(cjk_font()), subfontIndex=0))
    shapes.STATE_DEFAULTS["fontName"] = FONT
    return FONT


def base_table_style() -> list:
    return [("FONTNAME", (0, 0), (-1, -1), FONT)]


def styles() -> dict[str, ParagraphStyle]:
    register_font()
    base = dict(fontName=FONT, wordWrap="CJK", leading=14, fontSize=10)
    return {
        "title": ParagraphStyle("title", **dict(base, fontSize=26, leading=36, alignment=1)),
        "subtitle": ParagraphStyle("subtitle", **dict(base, fontSize=14, leading=22, alignment=1)),
        "h1": ParagraphStyle("h1", **dict(base, fontSize=16, leading=24, spaceBefore=6, spaceAfter=8)),
        "h2": ParagraphStyle("h2", **dict(base, fontSize=12.5, leading=18, spaceBefore=8, spaceAfter=4,
                                          textColor=colors.HexColor("#1f3b6e"))),
        "student": ParagraphStyle("student", **dict(base, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4,
                                                    textColor=colors.HexColor("#1f3b6e"))),
        "h3": ParagraphStyle("h3", **dict(base, fontSize=10.5, leading=15, spaceBefore=4, spaceAfter=2)),
        "body": ParagraphStyle("body", **base),
        "small": ParagraphStyle("small", **dict(base, fontSize=8, leading=10)),
        "cell": ParagraphStyle("cell", **dict(base, fontSize=7.5, leading=9.5)),
        "toc1": ParagraphStyle("toc1", **dict(base, fontSize=11, leading=18)),
        "toc2": ParagraphStyle("toc2", **dict(base, fontSize=9.5, leading=14, leftIndent=14 * mm / 3)),
    }


def p(text, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape("" if text is None else str(text)).replace("\n", "<br/>"), style)


def _cell(value, style: ParagraphStyle, width: float):
    """Short text as a plain string (cheap to lay out); anything that may need wrapping as a Paragraph."""
    text = "" if value is None else str(value)
    if "\n" not in text and pdfmetrics.stringWidth(text, style.fontName, style.fontSize) < width - 5:
        return text
    return p(text, style)


def grid(rows: list[list], widths: list[float], style: ParagraphStyle, header: bool = True) -> Table:
    """A ruled table whose cells wrap; the header row repeats on every page."""
    data = [[_cell(v, style, w) for v, w in zip(row, widths)] for row in rows]
    table = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    commands = base_table_style() + [("FONTSIZE", (0, 0), (-1, -1), style.fontSize),
                                     ("LEADING", (0, 0), (-1, -1), style.leading),
                                     ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2)]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf5")))
    table.setStyle(TableStyle(commands))
    return table


def pairs(items: list[tuple[str, object]], widths: tuple[float, float, float, float], style: ParagraphStyle) -> Table:
    """Label/value pairs laid out two per row."""
    rows = []
    for i in range(0, len(items), 2):
        chunk = items[i:i + 2] + [("", "")] * (2 - len(items[i:i + 2]))
        rows.append([chunk[0][0], chunk[0][1], chunk[1][0], chunk[1][1]])
    table = grid(rows, list(widths), style, header=False)
    table.setStyle(TableStyle([("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f3f3f3")),
                               ("BACKGROUND", (2, 0), (2, -1), colors.HexColor("#f3f3f3"))]))
    return table
