"""Corrupted variants of a valid roster workbook, derived deterministically, for the fuzz test.

The base is laid out the way Excel saves a file (shared strings, an XML declaration in each part,
two sheets); each variant damages it in one way a real file gets damaged — or a hostile one is
built. Synthetic people only."""

from __future__ import annotations

import io
import random
import re
import struct
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

import openpyxl

from tests.workbooks import make_id

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DECL = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
STUDENTS = [("张三", make_id("20180305", 11)), ("李丽", make_id("20180712", 22)), ("王五", make_id("20190101", 33)),
            ("赵六", make_id("20190408", 44)), ("钱七", make_id("20180909", 55)), ("孙八", make_id("20181111", 66))]
INLINE = re.compile(rb'<c r="([A-Z]+\d+)"((?: s="\d+")?) t="inlineStr"><is><t[^>]*>(.*?)</t></is></c>', re.S)


@dataclass
class Variant:
    kind: str        # the class of damage, for messages and sampling
    name: str
    data: bytes


def base_workbook() -> bytes:
    """A roster sheet 一年级 (six students) and a notes sheet 说明, with a shared-string table."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一年级"
    ws.append(["青石镇红岩村小学一年级学生名单"])
    ws.append(["姓名", "身份证件号", "年级", "班级", "家庭地址"])
    for name, idn in STUDENTS:
        ws.append([name, idn, "一年级", "1班", "红岩村3组"])
    ws.merge_cells("A1:E1")
    notes = wb.create_sheet("说明")
    notes.append(["本表由班主任填写"])
    notes.append(["联系人：教务处"])
    raw = io.BytesIO()
    wb.save(raw)
    return _with_shared_strings(raw.getvalue())


def _with_shared_strings(data: bytes) -> bytes:
    parts = read_parts(data)
    strings: list[bytes] = []
    index: dict[bytes, int] = {}

    def shared(m):
        text = m.group(3)
        if text not in index:
            index[text] = len(strings)
            strings.append(text)
        return b'<c r="%s"%s t="s"><v>%d</v></c>' % (m.group(1), m.group(2), index[text])

    for name in list(parts):
        if name.startswith("xl/worksheets/"):
            parts[name] = INLINE.sub(shared, parts[name])
    parts["xl/sharedStrings.xml"] = (b'<sst xmlns="%s" count="%d" uniqueCount="%d">' % (MAIN.encode(), len(strings), len(strings))
                                     + b"".join(b"<si><t>%s</t></si>" % s for s in strings) + b"</sst>")
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Type="%s/sharedStrings" Target="sharedStrings.xml" Id="rId99"/>'
        b"</Relationships>" % RELS.encode())
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    for name in parts:
        if name.endswith((".xml", ".rels")) and not parts[name].startswith(b"<?xml"):
            parts[name] = DECL + parts[name]
    return write_parts(parts)


def read_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def write_parts(parts: dict[str, bytes], order: list[str] | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in order or parts:
            zf.writestr(name, parts[name])
    return out.getvalue()


def changed(base: bytes, **edits) -> bytes:
    """The base with parts replaced (name → bytes) or removed (name → None); names use / for sep."""
    parts = read_parts(base)
    for key, value in edits.items():
        if value is None:
            parts.pop(key, None)
        else:
            parts[key] = value
    return write_parts(parts)


def patched_entry(data: bytes, name: str, **fields) -> bytes:
    """Rewrite header fields of one member in both its local and central headers: flag, method, usize."""
    buf = bytearray(data)
    raw = name.encode()
    local = {"flag": 6, "method": 8, "usize": 22}
    central = {"flag": 8, "method": 10, "usize": 24}
    for sig, offsets, name_at in ((b"PK\x03\x04", local, 30), (b"PK\x01\x02", central, 46)):
        pos = buf.find(sig)
        while pos != -1:
            if buf[pos + name_at:pos + name_at + len(raw)] == raw:
                for key, value in fields.items():
                    fmt = "<I" if key == "usize" else "<H"
                    struct.pack_into(fmt, buf, pos + offsets[key], value)
            pos = buf.find(sig, pos + 4)
    return bytes(buf)


def member_span(data: bytes, name: str) -> tuple[int, int]:
    """Where a member's compressed bytes lie in the file."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo(name)
    nlen, elen = struct.unpack_from("<HH", data, info.header_offset + 26)
    start = info.header_offset + 30 + nlen + elen
    return start, start + info.compress_size


ENTITY_ATTACKS = {
    "billion_laughs": b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                      b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
                      b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">'
                      b'<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">'
                      b'<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>',
    "external": b'<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    "parameter": b'<!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:9/evil.dtd"> %p;]>',
    "doctype_only": b'<!DOCTYPE worksheet SYSTEM "http://127.0.0.1:9/sheet.dtd">',
}
ENTITY_REF = {"billion_laughs": b"&lol5;", "external": b"&xxe;", "parameter": b"", "doctype_only": b""}


def with_entities(xml: bytes, attack: str) -> bytes:
    """The part with a DTD after its declaration and the entity used in its first text."""
    body = xml[len(DECL):] if xml.startswith(DECL) else xml
    ref = ENTITY_REF[attack]
    if ref:
        body = re.sub(rb"<t>", b"<t>" + ref, body, count=1) if b"<t>" in body else re.sub(
            rb'(<[A-Za-z][^>]*?)(/?>)', lambda m: m.group(1) + b' a="' + ref + b'"' + m.group(2), body, count=1)
    return DECL + ENTITY_ATTACKS[attack] + body


def _sheet_rels(parts, first_target: str, rel_type: str, sheet_name: str, part: str, xml: bytes) -> dict:
    """Insert a sheet of another kind before the others."""
    parts = dict(parts)
    parts[part] = xml
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Type="%s/%s" Target="%s" Id="rId77"/></Relationships>'
        % (RELS.encode(), rel_type.encode(), first_target.encode()))
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"<sheets>", b'<sheets><sheet xmlns:r="%s" name="%s" sheetId="77" state="visible" r:id="rId77"/>'
        % (RELS.encode(), sheet_name.encode()))
    return parts


def variants(seed: int = 20261122) -> list[Variant]:
    rng = random.Random(seed)
    base = base_workbook()
    parts = read_parts(base)
    sheet1 = parts["xl/worksheets/sheet1.xml"]
    out: list[Variant] = []

    def add(kind, name, data):
        out.append(Variant(kind, name, data))

    # not a workbook at all
    add("not_zip", "empty", b"")
    add("not_zip", "csv", "姓名,身份证件号\n张三,1\n".encode("utf-8"))
    add("not_zip", "html", "<html><body><table><tr><td>姓名</td></tr></table></body></html>".encode())
    add("not_zip", "spreadsheetml2003", b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>')
    add("not_zip", "ole", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1016))
    add("not_zip", "pdf", b"%PDF-1.7\n" + bytes(200))
    add("not_zip", "random", bytes(rng.randrange(256) for _ in range(2048)))
    # cut short (a copy that did not finish)
    for frac in (0.02, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 0.97):
        add("truncated", f"cut_{frac}", base[:int(len(base) * frac)])
    add("truncated", "cut_last_byte", base[:-1])
    add("truncated", "no_end_record", base[:-22])
    # random byte flips anywhere, and inside the sheet's compressed data (bad zlib data, bad CRC)
    for i in range(30):
        buf = bytearray(base)
        for _ in range(rng.randint(1, 4)):
            buf[rng.randrange(len(buf))] ^= 1 << rng.randrange(8)
        add("byte_flip", f"anywhere_{i}", bytes(buf))
    start, end = member_span(base, "xl/worksheets/sheet1.xml")
    for i in range(12):
        buf = bytearray(base)
        for _ in range(rng.randint(1, 3)):
            buf[rng.randrange(start, end)] ^= 1 << rng.randrange(8)
        add("byte_flip", f"sheet_data_{i}", bytes(buf))
    sst_start, sst_end = member_span(base, "xl/sharedStrings.xml")
    for i in range(4):
        buf = bytearray(base)
        buf[rng.randrange(sst_start, sst_end)] ^= 0xFF
        add("byte_flip", f"shared_strings_{i}", bytes(buf))
    # each XML part broken
    xml_parts = [n for n in parts if n.endswith((".xml", ".rels"))]
    for name in xml_parts:
        xml = parts[name]
        add("bad_xml", f"{name}:half", changed(base, **{name: xml[:len(xml) // 2]}))
        add("bad_xml", f"{name}:garbage", changed(base, **{name: bytes(rng.randrange(256) for _ in range(300))}))
        add("bad_xml", f"{name}:wrong_root", changed(base, **{name: DECL + b"<foo><bar/></foo>"}))
    # entity tricks in the parts every reader parses
    for name in ("xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "[Content_Types].xml",
                 "xl/_rels/workbook.xml.rels", "xl/styles.xml", "_rels/.rels"):
        for attack in ENTITY_ATTACKS:
            add("entities", f"{name}:{attack}", changed(base, **{name: with_entities(parts[name], attack)}))
    # shared-string indexes that point nowhere
    first_index = re.search(rb't="s"><v>(\d+)</v>', sheet1)
    for bad in (b"9999", b"1000000000", b"-1", b"x", b"1.5", b""):
        broken = sheet1[:first_index.start(1)] + bad + sheet1[first_index.end(1):]
        add("shared_strings", f"index_{bad.decode() or 'empty'}", changed(base, **{"xl/worksheets/sheet1.xml": broken}))
    # parts removed
    for name in parts:
        add("removed", name, changed(base, **{name: None}))
    # other kinds of sheet first
    chart = (DECL + b'<chartsheet xmlns="%s"><sheetViews><sheetView workbookViewId="0"/></sheetViews></chartsheet>'
             % MAIN.encode())
    add("sheet_kinds", "chartsheet_first", write_parts(_sheet_rels(parts, "chartsheets/sheet1.xml", "chartsheet", "图表1",
                                                                   "xl/chartsheets/sheet1.xml", chart)))
    dialog = DECL + b'<dialogsheet xmlns="%s"><sheetData/></dialogsheet>' % MAIN.encode()
    add("sheet_kinds", "dialogsheet_first", write_parts(_sheet_rels(parts, "dialogsheets/sheet1.xml", "dialogsheet", "对话框1",
                                                                    "xl/dialogsheets/sheet1.xml", dialog)))
    macro = DECL + b'<worksheet xmlns="%s"><sheetData/></worksheet>' % MAIN.encode()
    add("sheet_kinds", "macrosheet_first", write_parts(_sheet_rels(parts, "macrosheets/sheet1.xml", "xlMacrosheet", "宏1",
                                                                   "xl/macrosheets/sheet1.xml", macro)))
    only_chart = _sheet_rels(parts, "chartsheets/sheet1.xml", "chartsheet", "图表1", "xl/chartsheets/sheet1.xml", chart)
    only_chart["xl/workbook.xml"] = re.sub(rb'<sheet [^>]*r:id="rId[12]"/>', b"", only_chart["xl/workbook.xml"])
    add("sheet_kinds", "only_chartsheet", write_parts(only_chart))
    # hidden sheets
    wbxml = parts["xl/workbook.xml"]
    roster_sheet = re.search(rb'<sheet [^>]*name="%s"[^>]*/>' % "一年级".encode(), wbxml).group(0)
    for state in ("hidden", "veryHidden"):
        add("hidden", f"roster_{state}", changed(base, **{"xl/workbook.xml": wbxml.replace(
            roster_sheet, roster_sheet.replace(b'state="visible"', b'state="%s"' % state.encode()))}))
    add("hidden", "all_hidden", changed(base, **{"xl/workbook.xml": wbxml.replace(b'state="visible"', b'state="hidden"')}))
    # zip bombs: a member claiming gigabytes, one that really inflates a thousandfold, thousands of members
    add("bomb", "declared_size", patched_entry(base, "xl/worksheets/sheet1.xml", usize=0xF0000000))
    padding = sheet1.replace(b"<sheetData>", b"<sheetData>" + b" " * (64 << 20))
    add("bomb", "inflates", changed(base, **{"xl/worksheets/sheet1.xml": padding}))
    many = dict(parts)
    many.update({f"xl/media/pad{i}.bin": b"" for i in range(20_000)})
    add("bomb", "many_members", write_parts(many))
    # sizes beyond what a sheet can have
    last_row = sheet1.rindex(b"</row>") + len(b"</row>")
    huge = {
        "dimension": sheet1.replace(b"<sheetData>", b"<dimension ref=\"A1:XFD1048576\"/><sheetData>", 1),
        "far_column": sheet1[:last_row] + b'<row r="9"><c r="XFD9" t="n"><v>1</v></c></row>' + sheet1[last_row:],
        "row_beyond_excel": sheet1[:last_row] + b'<row r="99999999"><c r="A99999999" t="n"><v>1</v></c></row>'
                            + sheet1[last_row:],
        "column_beyond_excel": sheet1[:last_row] + b'<row r="9"><c r="ZZZZ9" t="n"><v>1</v></c></row>' + sheet1[last_row:],
        "giant_merge": sheet1.replace(b'<mergeCell ref="A1:E1"/>', b'<mergeCell ref="A1:XFD1048576"/>'),
        "many_merges": sheet1.replace(b"</mergeCells>", b"".join(
            b'<mergeCell ref="F%d:XFD%d"/>' % (r, r + 50) for r in range(1, 120_000, 2)) + b"</mergeCells>"),
    }
    for name, xml in huge.items():
        add("huge", name, changed(base, **{"xl/worksheets/sheet1.xml": xml}))
    # text encodings
    text_sheet = sheet1.replace(b'<c r="E3" t="s">', b'<c r="E3" t="inlineStr">', 1)
    text_sheet = re.sub(rb'(<c r="E3" t="inlineStr">)<v>\d+</v>', "\\1<is><t>红岩村4组</t></is>".encode(), text_sheet)
    add("encoding", "gbk_declared", changed(base, **{"xl/worksheets/sheet1.xml": text_sheet.replace(
        b'encoding="UTF-8"', b'encoding="GBK"').decode("utf-8").encode("gbk")}))
    add("encoding", "invalid_utf8", changed(base, **{"xl/worksheets/sheet1.xml": text_sheet.replace(
        "红岩村4组".encode(), b"\xba\xec\xd1\xd2")}))
    utf16 = text_sheet.replace(b'encoding="UTF-8"', b'encoding="UTF-16"').decode("utf-8").encode("utf-16")
    add("encoding", "utf16_valid", changed(base, **{"xl/worksheets/sheet1.xml": utf16}))
    add("encoding", "utf16_doctype", changed(base, **{"xl/worksheets/sheet1.xml": with_entities(
        text_sheet.replace(b'encoding="UTF-8"', b'encoding="UTF-16"'), "external").decode("utf-8").encode("utf-16")}))
    # zip features no workbook uses
    add("zip_features", "encrypted_member", patched_entry(base, "xl/worksheets/sheet1.xml", flag=1))
    add("zip_features", "unknown_method", patched_entry(base, "xl/worksheets/sheet1.xml", method=99))
    add("zip_features", "lzma_method", patched_entry(base, "xl/workbook.xml", method=14))
    dup = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(dup, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")
        for name, data in parts.items():
            zf.writestr(name, data)
        zf.writestr("xl/worksheets/sheet1.xml", DECL + b'<worksheet xmlns="%s"><sheetData/></worksheet>' % MAIN.encode())
    add("zip_features", "duplicate_member", dup.getvalue())
    # sheets with nothing in them
    empty = DECL + b'<worksheet xmlns="%s"><sheetData/></worksheet>' % MAIN.encode()
    add("empty", "no_cells", changed(base, **{"xl/worksheets/sheet1.xml": empty}))
    add("empty", "no_sheet_data", changed(base, **{"xl/worksheets/sheet1.xml": DECL + b'<worksheet xmlns="%s"/>'
                                                   % MAIN.encode()}))
    add("empty", "no_sheets", changed(base, **{"xl/workbook.xml": re.sub(rb"<sheets>.*</sheets>", b"<sheets/>", wbxml)}))
    return out


def write(variant: Variant, folder: Path) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", variant.name)
    path = folder / f"{variant.kind}-{safe}.xlsx"
    path.write_bytes(variant.data)
    return path

