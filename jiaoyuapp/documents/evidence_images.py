"""Images that prove a record (visit photos, a parent's signature, scans of a 承诺书 or 就读证明),
placed beside the record in a PDF: the downscaled printing copy, embedded, fitted into a box.

Every part of the folder that shows evidence goes through here, so a photo prints the same way
under a visit, a 劝返 attempt, a 送教上门 session or a 销号.
"""

from __future__ import annotations

import io

from reportlab.lib.units import mm
from reportlab.platypus import Image, Table, TableStyle

from jiaoyuapp.documents.pdf_style import base_table_style, p
from jiaoyuapp.ledgers.attachments import blob
from jiaoyuapp.store import Store

PHOTO_W, PHOTO_H = 56 * mm, 42 * mm
SIGNATURE_W, SIGNATURE_H = 50 * mm, 18 * mm


def image(store: Store, attachment: dict, max_w: float, max_h: float) -> Image:
    """One attachment row (with sha256 and print_sha256) as an embedded image fitted into max_w × max_h."""
    data = blob(store, attachment["print_sha256"] or attachment["sha256"])
    img = Image(io.BytesIO(data))
    scale = min(max_w / img.imageWidth, max_h / img.imageHeight)
    img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
    return img


def labelled(store: Store, attachment: dict, label: str, st: dict, max_w: float = SIGNATURE_W,
             max_h: float = SIGNATURE_H) -> Table:
    """An image under a caption, e.g. "家长签字：" above the signature."""
    box = Table([[p(label, st["cell"])], [image(store, attachment, max_w, max_h)]])
    box.setStyle(TableStyle(base_table_style()))
    return box


def picture_row(pictures: list, width: float, per_row: int = 3) -> list[Table]:
    """Flowables laid out per_row to a line across width (several lines when there are more)."""
    rows = []
    for start in range(0, len(pictures), per_row):
        line = pictures[start:start + per_row]
        row = Table([line], colWidths=[width / per_row] * len(line), hAlign="LEFT")
        row.setStyle(TableStyle(base_table_style() + [("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
        rows.append(row)
    return rows
