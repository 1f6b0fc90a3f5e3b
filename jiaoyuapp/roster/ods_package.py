"""What the roster reader accepts of an .ods: the OpenDocument package, checked before calamine reads it.

On top of the zip checks (zip_package.py: bombs, DTDs): the mimetype, a password (an encrypted
ODS says so in its manifest), and one streaming pass over content.xml for what a reader must know
before it allocates. ODS writes a run of equal cells as one cell with a repeat count, so a 10 KB
file can say "this value, 16,384 columns by a million rows"; calamine would build all of it.
The pass computes how far each table's cells with content reach, counting repeats as a reader
does, and its merged ranges (ODS spans), which calamine does not report for ODS. calamine builds
every table when it opens the file, so the tables are bounded here, together, before it does.
"""

from __future__ import annotations

import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree import ElementTree as ET

from jiaoyuapp.roster.workbook_files import ASK_AGAIN, COPY_AGAIN, UNLOCK, Package
from jiaoyuapp.roster.zip_package import check_prologs, open_zip, read_part

MIMETYPES = (b"application/vnd.oasis.opendocument.spreadsheet", b"application/vnd.oasis.opendocument.spreadsheet-template")
TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
MAX_REPEAT = 1 << 24        # LibreOffice writes up to 1,048,576 rows × 16,384 columns of emptiness
MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384   # what LibreOffice and Excel can hold
MAX_CELLS = 8_000_000       # all tables together (workbook_reader's bound for one sheet of any format)


@dataclass
class TableFacts:
    rows: int = 0           # the last row with content (1-based)
    columns: int = 0
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)   # 0-based (row0, col0, row1, col1)


def inspect(package: Package) -> dict[str, TableFacts]:
    """Check the package; {table name: its reach and merges}."""
    with open_zip(package) as zf:
        if "mimetype" in package.parts:
            kind = read_part(package, zf, "mimetype", 200).strip()
            if kind not in MIMETYPES:
                what = "文本文档" if b"text" in kind else "演示文稿" if b"presentation" in kind else "其他文档"
                raise package.fail(f"这是OpenDocument{what}，不是电子表格")
        for name in ("content.xml", "META-INF/manifest.xml"):
            if name not in package.parts:
                raise package.fail(f"文件缺少{package.describe(name)}，不是完整的电子表格", COPY_AGAIN)
        manifest = read_part(package, zf, "META-INF/manifest.xml", 1 << 20)
        if b"encryption-data" in manifest:
            raise package.fail("这个电子表格设置了打开密码（已加密），本软件不能读取加密的文件", UNLOCK)
        check_prologs(package, zf)
    try:
        with zipfile.ZipFile(package.path) as zf, zf.open(package.parts["content.xml"]) as fh:
            return _bounded(package, _tables(package, fh))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError):
        raise package.fail("文件中表格内容（content.xml）的压缩数据已损坏（常见于没有复制完整或磁盘、U盘出错）",
                           COPY_AGAIN) from None


def _bounded(package: Package, tables: dict[str, TableFacts]) -> dict[str, TableFacts]:
    """Refuse tables whose content reaches beyond a spreadsheet's limits, or too far to build together."""
    for name, t in tables.items():
        if t.rows > MAX_ROWS or t.columns > MAX_COLUMNS:
            limit = f"{MAX_ROWS}行" if t.rows > MAX_ROWS else f"{MAX_COLUMNS}列"
            raise package.fail(f"工作表“{name}”的内容超出了电子表格的上限（{limit}），可能已损坏或是恶意构造的文件", ASK_AGAIN)
    if sum(t.rows * t.columns for t in tables.values()) > MAX_CELLS:
        raise package.fail(f"工作簿的各工作表合起来大得异常（超过{MAX_CELLS // 10_000}万个单元格），"
                           "请只保留学生名单的行和列，另存为新文件后再导入")
    return tables


def _count(package: Package, elem, attr: str) -> int:
    raw = elem.get(TABLE + attr)
    if raw is None:
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_REPEAT:
        raise package.fail(f"表格内容中有异常的重复次数（{raw[:12]}），可能已损坏或是恶意构造的文件", ASK_AGAIN)
    return int(raw)


def _tables(package: Package, fh) -> dict[str, TableFacts]:
    tables: dict[str, TableFacts] = {}
    current: TableFacts | None = None
    depth = 0                       # tables inside tables (in a cell) belong to their outer table
    row = col = 0
    row_repeat = 1
    row_has = False
    t_table, t_row = TABLE + "table", TABLE + "table-row"
    t_cell, t_covered = TABLE + "table-cell", TABLE + "covered-table-cell"
    value_type = OFFICE + "value-type"
    try:
        for event, elem in ET.iterparse(fh, events=("start", "end")):
            tag = elem.tag
            if event == "start":
                if tag == t_table:
                    depth += 1
                    if depth == 1:
                        current = tables.setdefault(elem.get(TABLE + "name") or "", TableFacts())
                        row = 0
                elif tag == t_row and depth == 1:
                    row_repeat = _count(package, elem, "number-rows-repeated")
                    col, row_has = 0, False
                continue
            if depth == 1 and tag in (t_cell, t_covered):
                repeat = _count(package, elem, "number-columns-repeated")
                if tag == t_cell and (elem.get(value_type) is not None or len(elem)):
                    row_has = True
                    current.columns = max(current.columns, col + repeat)
                    spans = (_count(package, elem, "number-rows-spanned"), _count(package, elem, "number-columns-spanned"))
                    if spans != (1, 1):
                        current.merges.append((row, col, row + spans[0] - 1, col + spans[1] - 1))
                col += repeat
                elem.clear()
            elif tag == t_row and depth == 1:
                if row_has:
                    current.rows = row + row_repeat
                row += row_repeat
                elem.clear()
            elif tag == t_table:
                depth -= 1
                elem.clear()
    except ET.ParseError as exc:
        line = getattr(exc, "position", (0, 0))[0]
        raise package.fail(f"文件中表格内容（content.xml）已损坏（不是有效的XML，约第{line}行）", COPY_AGAIN) from None
    return tables
