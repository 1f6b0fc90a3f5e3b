"""What the roster reader accepts of an .xlsx/.xlsm: its package, checked before calamine reads a cell.

On top of the zip checks (zip_package.py): the workbook's structure — content types, relationships,
the sheet list with hidden and chart sheets — and, before a sheet is read, how far its cells reach.
calamine builds a sheet as one dense block from its first to its last used cell, so a file with a
cell at A1 and another at row 99,999,999 would ask for gigabytes and end the process. The sheet's
XML is scanned in one streaming pass (byte searches, no parsing) for the largest row and column any
cell names; a file whose cells are written in an unusual way (no cell references, other prefixes)
is scanned exactly with a streaming parser instead.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree as ET

from jiaoyuapp.roster.workbook_files import COPY_AGAIN, Package, Sheet
from jiaoyuapp.roster.zip_package import check_prologs, local, open_zip, parse_part

MAX_ROWS = 1_048_576            # Excel's limits: a row or column beyond them means a damaged file
MAX_COLUMNS = 16_384
CHUNK = 1 << 20
KINDS = {"worksheet": "worksheet", "chartsheet": "chartsheet", "dialogsheet": "dialogsheet",
         "xlMacrosheet": "macrosheet", "xlIntlMacrosheet": "macrosheet"}
WORKBOOK_TYPES = ("spreadsheetml.sheet.main+xml", "sheet.macroEnabled.main+xml", "spreadsheetml.template.main+xml",
                  "template.macroEnabled.main+xml")


def inspect(package: Package) -> Package:
    """Check the zip and the workbook's structure and list its sheets, or raise UnreadableFileError."""
    with open_zip(package) as zf:
        _structure(package, zf)
        roots = check_prologs(package, zf)
        for s in package.sheets:
            if s.is_table and s.part and roots.get(s.part) != "worksheet":
                raise package.fail(f"文件中{package.describe(s.part)}的内容不对（不是工作表），文件已损坏")
    return package


def broken_part(package: Package) -> str | None:
    from jiaoyuapp.roster.zip_package import find_broken_xml
    return find_broken_xml(package, [s.part for s in package.sheets if s.part]
                           + ["xl/sharedStrings.xml", "xl/styles.xml", "xl/workbook.xml"])


def _relationships(package: Package, zf: zipfile.ZipFile, name: str) -> dict[str, tuple[str, str]]:
    """{Id: (type, part)} of a .rels part; targets resolved against the part's folder."""
    root = parse_part(package, zf, name)
    if local(root.tag) != "Relationships":
        raise package.fail(f"文件中{package.describe(name)}的内容不对（不是关系表），文件已损坏")
    base = posixpath.dirname(posixpath.dirname(name))
    found = {}
    for rel in root:
        target = rel.get("Target") or ""
        if rel.get("TargetMode") == "External":
            part = ""
        elif target.startswith("/"):
            part = posixpath.normpath(target.lstrip("/"))
        else:
            part = posixpath.normpath(posixpath.join(base, target))
        found[rel.get("Id") or ""] = (rel.get("Type") or "", part)
    return found


def _workbook_part(package: Package, zf: zipfile.ZipFile) -> str:
    types = parse_part(package, zf, "[Content_Types].xml")
    if local(types.tag) != "Types":
        raise package.fail("文件中部件目录（[Content_Types].xml）的内容不对，文件已损坏")
    if "_rels/.rels" in package.parts:
        for rel_type, part in _relationships(package, zf, "_rels/.rels").values():
            if rel_type.endswith("/officeDocument") and part in package.parts:
                return part
    for item in types:
        if local(item.tag) == "Override" and (item.get("ContentType") or "").endswith(WORKBOOK_TYPES):
            part = (item.get("PartName") or "").lstrip("/")
            if part in package.parts:
                return part
    if "xl/workbook.xml" in package.parts:
        return "xl/workbook.xml"
    raise package.fail("文件缺少工作表目录（xl/workbook.xml），不是完整的Excel工作簿")


def _structure(package: Package, zf: zipfile.ZipFile) -> None:
    """The sheets in tab order, from workbook.xml and its relationships."""
    part = _workbook_part(package, zf)
    root = parse_part(package, zf, part)
    if local(root.tag) != "workbook":
        raise package.fail(f"文件中{package.describe(part)}的内容不对，文件已损坏")
    rels_name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    if rels_name not in package.parts:
        raise package.fail(f"文件缺少工作表的关系表（{rels_name}），不是完整的Excel工作簿")
    rels = _relationships(package, zf, rels_name)
    for rel_type, target in rels.values():
        if rel_type.endswith(("/sharedStrings", "/styles")) and target not in package.parts:
            raise package.fail(f"文件缺少{package.describe(target)}，不是完整的Excel工作簿")
    seen: set[str] = set()
    for sheets in (e for e in root if local(e.tag) == "sheets"):
        for e in sheets:
            if local(e.tag) != "sheet":
                continue
            name = e.get("name")
            if not name:
                raise package.fail("工作表目录中有一个没有名字的工作表，文件已损坏")
            if name.casefold() in seen:
                raise package.fail(f"有两个工作表都叫“{name}”，文件已损坏或被改动过")
            seen.add(name.casefold())
            rid = next((v for k, v in e.attrib.items() if local(k) == "id" and "relationships" in k), "")
            rel_type, target = rels.get(rid, ("", ""))
            kind = KINDS.get(rel_type.rsplit("/", 1)[-1], "other" if rel_type else "worksheet")
            state = e.get("state") or "visible"
            package.sheets.append(Sheet(name, state if state in ("hidden", "veryHidden") else "visible", kind,
                                        target if target in package.parts else None))


# --- how far a sheet's cells reach -------------------------------------------------------------

@dataclass
class Extent:
    rows: int       # the largest row number any cell names (1-based; 0 for no cells)
    columns: int    # the largest column number
    bound: int = 0  # rows no cell can lie beyond (≥ rows): what a reader may have to build


def column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _column_letters(n: int) -> str:
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def _at_most(limit: str, first: str, low: str, high: str) -> str:
    """A regex for the strings of [low-high] (first character from [first-high]) that name at most
    `limit` in positional order: shorter ones, then same-length ones not above it."""
    n = len(limit)
    alts = [f"[{first}-{high}][{low}-{high}]{{0,{n - 2}}}"] if n > 1 else []
    for i, ch in enumerate(limit):
        lo = first if i == 0 else low
        if ch > lo:
            rest = f"[{low}-{high}]{{{n - i - 1}}}" if n - i - 1 else ""
            alts.append(re.escape(limit[:i]) + f"[{lo}-{chr(ord(ch) - 1)}]" + rest)
    alts.append(re.escape(limit))
    return "|".join(alts)


# A row tag: its r and whether it is empty (<row …/>); group 3 set: written otherwise than `<row r="…"`.
_ROW = re.compile(rb'<row(?: r="([^"]{0,40})"[^>]*?(/?)>|(?! r=")([\s/>]))')
_REF = re.compile(rb"([A-Z]{1,3})([1-9][0-9]{0,6})")
# Prefixed cell or row tags: calamine reads those too (it matches local names), so the exact scan decides.
_PREFIXED = re.compile(rb':(?:c|row)[\s/>]')
_BAD_INDEX = re.compile(rb't="s"[^>]*><v>(?![0-9]{1,9}</v>)')    # a shared-string index that is not a number


def _beyond(rows: int, columns: int) -> re.Pattern:
    """Cell tags whose reference is not within (rows, columns) or not written as Excel writes it
    (group 1), and cell tags written otherwise than `<c r="…"` — r elsewhere, other spacing or
    quotes, no r (group 2): one pass over the cells finds both, and a well-made sheet gives no match."""
    cols = _at_most(_column_letters(max(columns, 1)), "A", "A", "Z")
    digits = _at_most(str(max(rows, 1)), "1", "0", "9")
    return re.compile(('<c(?: r="(?!(?:%s)(?:%s)")([^"]{0,40})|(?! r="[A-Z])([\\s/>]))' % (cols, digits)).encode())


def sheet_extent(package: Package, sheet: Sheet) -> Extent:
    """How far the sheet's cells reach, from a streaming pass over its XML (see the module docstring)."""
    try:
        with zipfile.ZipFile(package.path) as zf, zf.open(package.parts[sheet.part]) as fh:
            found = _fast_extent(package, sheet, fh)
        if found is None:
            with zipfile.ZipFile(package.path) as zf, zf.open(package.parts[sheet.part]) as fh:
                found = _exact_extent(package, sheet, fh)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError):
        raise package.fail(f"工作表“{sheet.name}”的压缩数据已损坏（校验不符，常见于没有复制完整或磁盘、U盘出错）",
                           COPY_AGAIN) from None
    return found


def _over(package: Package, sheet: Sheet, row: int, column: int) -> None:
    if row > MAX_ROWS:
        raise package.fail(f"工作表“{sheet.name}”的行数超过了Excel的上限（{MAX_ROWS}行），文件已损坏")
    if column > MAX_COLUMNS:
        raise package.fail(f"工作表“{sheet.name}”的列数超过了Excel的上限（{MAX_COLUMNS}列），文件已损坏")


def _bad_index(package: Package, sheet: Sheet):
    return package.fail(f"工作表“{sheet.name}”里有单元格引用了共享文字表中不存在的文字（序号不是数字），文件已损坏")


def _fast_extent(package: Package, sheet: Sheet, fh) -> Extent | None:
    """None when the sheet is written unusually (then _exact_extent decides).

    Rows come from the `<row r=…>` tags (few); cells are only looked at when their reference lies
    beyond the rows and columns seen so far, so a well-made sheet yields no cell matches at all.
    """
    max_row = max_col = 1
    rows_seen = 0
    carry = b""
    pattern, pattern_at = _beyond(max_row, max_col), (max_row, max_col)
    shared = "xl/sharedStrings.xml" in package.parts or any("sharedstrings" in n.lower() for n in package.parts)
    first = True
    block = b""
    while True:
        chunk = fh.read(CHUNK)
        if first:
            first = False
            if chunk.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):    # UTF-16
                return None
        if chunk:
            data = carry + chunk if carry else chunk
            cut = data.rfind(b">") + 1
            block, carry = data[:cut], data[cut:]
            if len(carry) > 64 * CHUNK:     # one tag longer than 64 MB: not a sheet anyone saved
                return None
        else:
            tail = (block[-64:] + carry).rstrip()
            # a part cut short ends before its root is closed (calamine would read what is there)
            if carry.strip() or not tail.endswith(b"</worksheet>"):
                return None
            break
        if _PREFIXED.search(block):
            return None
        if shared and _BAD_INDEX.search(block):
            raise _bad_index(package, sheet)
        found = _ROW.findall(block)
        for ref, empty, odd in found:
            if odd or not ref.isdigit() or ref[:1] == b"0":
                return None
            if not empty:
                n = int(ref)
                if n > max_row:
                    _over(package, sheet, n, 0)
                    max_row = n
        rows_seen += len(found)
        if max_row != pattern_at[0]:     # once a chunk: the rows it holds
            pattern, pattern_at = _beyond(max_row, max_col), (max_row, max_col)
        grew = False
        for ref, odd in pattern.findall(block):
            m = _REF.fullmatch(ref)
            if odd or not m:
                return None
            col, row = column_number(m.group(1).decode()), int(m.group(2))
            _over(package, sheet, row, col)
            if row > max_row or col > max_col:
                max_row, max_col, grew = max(max_row, row), max(max_col, col), True
        if grew:
            pattern, pattern_at = _beyond(max_row, max_col), (max_row, max_col)
    rows = max_row if rows_seen or max_col > 1 else 0
    return Extent(rows, max_col, max(rows, pattern_at[0]))


def _exact_extent(package: Package, sheet: Sheet, fh) -> Extent:
    """Positions as a reader computes them: a cell's r, else the next column of its row."""
    max_row = max_col = 0
    row = col = 0
    try:
        for event, elem in ET.iterparse(fh, events=("start", "end")):
            tag = local(elem.tag)
            if event == "start":
                if tag == "row":
                    r = elem.get("r")
                    row = int(r) if r and r.isdigit() else row + 1
                    col = 0
                    _over(package, sheet, row, 0)
                elif tag == "c":
                    ref = elem.get("r")
                    m = _REF.fullmatch(ref.encode()) if ref else None
                    if ref and not m:
                        raise package.fail(f"工作表“{sheet.name}”里有位置写法不对的单元格（{ref[:20]}），文件已损坏")
                    if m:
                        col, r = column_number(m.group(1).decode()), int(m.group(2))
                    else:
                        col, r = col + 1, row
                    _over(package, sheet, r, col)
                    max_row, max_col = max(max_row, r), max(max_col, col)
            elif tag == "c":
                if elem.get("t") == "s":
                    value = next((e.text for e in elem if local(e.tag) == "v"), None)
                    if value is not None and not (value.isdigit() and len(value) <= 9):
                        raise _bad_index(package, sheet)
                elem.clear()
            elif tag == "row":
                elem.clear()
    except ET.ParseError:
        raise package.fail(f"工作表“{sheet.name}”的内容已损坏（不是有效的XML）") from None
    return Extent(max_row, max_col, max_row)
