"""Hostile and damaged .xls and .ods roster files, built from real ones LibreOffice saved.

An .xls is rebuilt from its BIFF records inside a compound file written here (no OLE library
needed), so one record can be changed the way a hostile or damaged file would have it; an .ods is
rebuilt from its parts. Synthetic people only."""

from __future__ import annotations

import io
import struct
import subprocess
import zipfile
from pathlib import Path

import openpyxl

from tests.workbooks import make_id

STUDENTS = [("张三", make_id("20180305", 11)), ("李丽", make_id("20180712", 22)), ("王五", make_id("20190101", 33))]
SECTOR = 512
FREE, END, FAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
BOF, EOF, BOUNDSHEET, SST, DIMENSIONS, NUMBER, FILEPASS = 0x0809, 0x000A, 0x0085, 0x00FC, 0x0200, 0x0203, 0x002F


BAD_ID = make_id("20180101", 77)[:-1] + ("0" if make_id("20180101", 77)[-1] != "0" else "1")   # checksum wrong


def write_roster_xlsx(path: Path, at: str = "A1", bad_row: bool = False) -> Path:
    """A roster of three students whose header starts at `at` (C3: two empty rows and columns first),
    with a fourth whose ID number's check digit is wrong when `bad_row`."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "一年级"
    top = ws[at]
    rows = [["姓名", "身份证件号", "年级", "班级"]] + [[n, i, "一年级", "1班"] for n, i in STUDENTS]
    if bad_row:
        rows.append(["赵六", BAD_ID, "一年级", "1班"])
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            ws.cell(top.row + r, top.column + c, value)
    wb.save(path)
    return path


def convert(source: Path, fmt: str, folder: Path) -> Path:
    """The file saved by LibreOffice as `fmt` (xls, ods), as a school's older office suite would."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder / 'lo-profile'}", "--headless", "--convert-to",
                    fmt, "--outdir", str(folder), str(source)], check=True, capture_output=True, timeout=180)
    out = folder / f"{source.stem}.{fmt}"
    assert out.exists()
    return out


# --- .xls: the compound file and its BIFF records -------------------------------------------------

def workbook_stream(xls: bytes) -> bytes:
    """The Workbook stream of a real .xls (read with the reader's own container walk)."""
    from jiaoyuapp.roster.workbook_files import Package
    from jiaoyuapp.roster.xls_package import _Compound
    return _Compound(Package(Path("x.xls"), "xls"), xls).streams()["Workbook"]


def records(stream: bytes) -> list[tuple[int, bytes]]:
    out, pos = [], 0
    while pos + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, pos)
        out.append((kind, stream[pos + 4:pos + 4 + length]))
        pos += 4 + length
    return out


def join_records(recs: list[tuple[int, bytes]]) -> bytes:
    """The records as a stream, BOUNDSHEET offsets pointing at the sheets' BOFs again."""
    positions, pos, depth = [], 0, 0
    for kind, body in recs:
        if kind == BOF:
            if depth == 0 and pos:
                positions.append(pos)
            depth += 1
        elif kind == EOF:
            depth -= 1
        pos += 4 + len(body)
    out, sheet = bytearray(), 0
    for kind, body in recs:
        if kind == BOUNDSHEET:
            body = struct.pack("<I", positions[sheet]) + body[4:]
            sheet += 1
        out += struct.pack("<HH", kind, len(body)) + body
    # stored in normal sectors (a stream under 4,096 bytes would go to the mini stream): pad after the last EOF
    while len(out) < 4096:
        out += struct.pack("<HH", 0x0000, 0)
    return bytes(out)


def compound(streams: dict[str, bytes]) -> bytes:
    """A version-3 compound file holding the streams (each at least 4,096 bytes) under its root."""
    names = list(streams)
    chains, next_sector = {}, 0
    data_sectors = 0
    for name in names:
        assert len(streams[name]) >= 4096
        data_sectors += -(-len(streams[name]) // SECTOR)
    dir_sectors = -(-(len(names) + 1) * 128 // SECTOR)
    fat_count = 1
    while fat_count * (SECTOR // 4) < fat_count + dir_sectors + data_sectors:
        fat_count += 1
    fat = [FAT_SECTOR] * fat_count
    first_dir = len(fat)
    fat += [len(fat) + i + 1 for i in range(dir_sectors - 1)] + [END]
    next_sector = len(fat)
    for name in names:
        n = -(-len(streams[name]) // SECTOR)
        chains[name] = next_sector
        fat += [next_sector + i + 1 for i in range(n - 1)] + [END]
        next_sector += n
    fat += [FREE] * (fat_count * (SECTOR // 4) - len(fat))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        return (raw.ljust(64, b"\0") + struct.pack("<HBBIII", len(raw), kind, 1, FREE, right, child) + bytes(16)
                + struct.pack("<I", 0) + bytes(16) + struct.pack("<IQ", start, size))

    directory = entry("Root Entry", 5, 1 if names else FREE, FREE, END, 0)
    for i, name in enumerate(names):
        directory += entry(name, 2, FREE, i + 2 if i + 1 < len(names) else FREE, chains[name], len(streams[name]))
    directory = directory.ljust(dir_sectors * SECTOR, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, fat_count, first_dir, 0, 4096, END, 0, END, 0)
              + struct.pack("<109I", *(list(range(fat_count)) + [FREE] * (109 - fat_count))))
    body = struct.pack(f"<{len(fat)}I", *fat) + directory
    for name in names:
        body += streams[name].ljust(-(-len(streams[name]) // SECTOR) * SECTOR, b"\0")
    return header + body


def rebuilt_xls(xls: bytes, change=lambda recs: recs) -> bytes:
    """The .xls with its records passed through `change` (a list of (type, body) in, one out)."""
    return compound({"Workbook": join_records(change(records(workbook_stream(xls))))})


def _in_first_sheet(recs, new: tuple[int, bytes]) -> list:
    """`new` placed in the first sheet, just before the sheet's EOF."""
    depth, sheets = 0, 0
    for i, (kind, _) in enumerate(recs):
        if kind == BOF:
            depth += 1
            sheets += depth == 1
        elif kind == EOF:
            if depth == 1 and sheets == 2:      # the globals are the first BOF…EOF
                return recs[:i] + [new] + recs[i:]
            depth -= 1
    raise AssertionError("no sheet")


def with_sheet_offset(xls: bytes, offset: int) -> bytes:
    """The .xls with its first sheet's BOUNDSHEET pointing at `offset` in the stream instead of at the sheet."""
    stream = bytearray(join_records(records(workbook_stream(xls))))
    at = next(pos for pos, (kind, _) in zip(_positions(stream), records(bytes(stream))) if kind == BOUNDSHEET)
    struct.pack_into("<I", stream, at + 4, offset)
    return compound({"Workbook": bytes(stream)})


def _positions(stream: bytes):
    pos = 0
    while pos + 4 <= len(stream):
        yield pos
        pos += 4 + struct.unpack_from("<H", stream, pos + 2)[0]


def far_cell(row: int, col: int, times: int = 1):
    """A number cell at (row, col), 0-based, in the roster sheet (written `times` times): the sheet then reaches that far."""
    def change(recs):
        for _ in range(times):
            recs = _in_first_sheet(recs, (NUMBER, struct.pack("<HHHd", row, col, 15, 1.0)))
        return recs
    return change


def sst_claiming(count: int):
    """The shared-string table saying it holds `count` strings (it holds a few)."""
    def change(recs):
        return [(k, struct.pack("<II", count, count) + b[8:]) if k == SST else (k, b) for k, b in recs]
    return change


def dimensions_claiming(rows: int, cols: int):
    """The roster sheet's DIMENSIONS record saying its cells reach rows × cols."""
    def change(recs):
        assert any(k == DIMENSIONS for k, _ in recs)
        return [(k, struct.pack("<IIHHH", 0, rows, 0, cols, 0)) if k == DIMENSIONS else (k, b) for k, b in recs]
    return change


def with_filepass(recs):
    """A FILEPASS record (the workbook is encrypted with a password) right after the globals' BOF."""
    return recs[:1] + [(FILEPASS, struct.pack("<HHH", 1, 1, 1) + bytes(48))] + recs[1:]


def encrypted_xlsx() -> bytes:
    """What Excel saves for a password-protected .xlsx: a compound file with EncryptionInfo and EncryptedPackage."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"<?xml version=\"1.0\"?><encryption/>"
    return compound({"EncryptionInfo": info.ljust(4096, b"\0"), "EncryptedPackage": struct.pack("<Q", 5000) + bytes(5000)})


HTML_XLS = ("<html xmlns:o=\"urn:schemas-microsoft-com:office:office\"><head><meta charset=\"utf-8\"></head><body>"
            "<table><tr><td>姓名</td><td>身份证件号</td></tr>"
            + "".join(f"<tr><td>{n}</td><td>{i}</td></tr>" for n, i in STUDENTS) + "</table></body></html>").encode()
MHTML_XLS = (b"MIME-Version: 1.0\r\nX-Document-Type: Workbook\r\nContent-Type: multipart/related; boundary=\"----=_NextPart\"\r\n\r\n"
             b"------=_NextPart\r\nContent-Type: text/html; charset=\"utf-8\"\r\n\r\n" + HTML_XLS + b"\r\n------=_NextPart--\r\n")
SPREADSHEET_2003 = ("<?xml version=\"1.0\"?>\r\n<?mso-application progid=\"Excel.Sheet\"?>\r\n"
                    "<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\" "
                    "xmlns:ss=\"urn:schemas-microsoft-com:office:spreadsheet\"><Worksheet ss:Name=\"一年级\"><Table>"
                    "<Row><Cell><Data ss:Type=\"String\">姓名</Data></Cell></Row></Table></Worksheet></Workbook>").encode()


# --- .ods: the package and its content.xml ----------------------------------------------------------

def ods_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def ods_with(data: bytes, edits: dict[str, bytes]) -> bytes:
    """The .ods with parts replaced (mimetype first and stored, as OpenDocument requires)."""
    parts = ods_parts(data)
    parts.update(edits)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), parts.pop("mimetype"), compress_type=zipfile.ZIP_STORED)
        for name, value in parts.items():
            zf.writestr(name, value)
    return out.getvalue()


def repeated_cell(content: bytes, columns: int, rows: int) -> bytes:
    """content.xml with a first row, repeated `rows` times, holding a value repeated `columns` times."""
    row = (b'<table:table-row table:number-rows-repeated="%d"><table:table-cell table:number-columns-repeated="%d" '
           b'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>'
           % (rows, columns))
    cut = content.index(b"<table:table-row ")
    return content[:cut] + row + content[cut:]


def ods_bomb(data: bytes) -> bytes:
    """content.xml padded with a gigabyte-scale run of spaces that deflates a thousandfold (written streamed)."""
    parts = ods_parts(data)
    content = parts.pop("content.xml")
    cut = content.index(b"<office:body>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), parts.pop("mimetype"), compress_type=zipfile.ZIP_STORED)
        info = zipfile.ZipInfo("content.xml", date_time=(2026, 12, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        with zf.open(info, "w", force_zip64=True) as fh:
            fh.write(content[:cut])
            chunk = b" " * (16 << 20)
            for _ in range(64):       # 1 GiB of spaces
                fh.write(chunk)
            fh.write(content[cut:])
        for name, value in parts.items():
            zf.writestr(name, value)
    return out.getvalue()
