"""What the roster reader accepts: an .xlsx package, checked before any library reads a cell.

A workbook is a zip of XML parts. The files that reach a school have been cut short on a USB
stick, renamed from .xls or .html, damaged on a disk — or built to harm the reader (a "zip bomb"
that inflates a thousandfold, XML entities that expand to gigabytes or fetch other files).
Here the container and the workbook's structure are checked with bounds on sizes and counts,
and every XML part is refused if it declares a DTD (Excel and WPS never write one; without a
DTD no entity can be defined), whichever library then reads the cells. Each problem becomes an
UnreadableFileError saying in Chinese what is wrong with the file and what to do. The list of
sheets — names, hidden or not, worksheet or chart — comes from here too.
"""

from __future__ import annotations

import codecs
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from jiaoyuapp.errors import UnreadableFileError

MAX_MEMBERS = 10_000            # a workbook has tens of parts; thousands of images at most
MAX_PART_BYTES = 256 << 20      # one part inflated (a 200,000-row sheet is well under this)
MAX_TOTAL_BYTES = 512 << 20     # all parts inflated
MAX_RATIO = 300                 # sheets inflate 5–50 times; a bomb about 1,000 times
RATIO_FLOOR = 8 << 20           # small parts may inflate as much as they like
STRUCTURE_BYTES = 16 << 20      # the directory parts we parse whole
PROLOG_BYTES = 64 << 10         # Excel's root element starts within the first hundred bytes
XML_SUFFIXES = (".xml", ".rels", ".vml")
ENCODINGS = {"utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "us-ascii", "ascii"}

SAVE_AS = "请用Excel或WPS打开这个文件，确认内容无误后“另存为”Excel工作簿（.xlsx），再导入新保存的文件。"
ASK_AGAIN = ("请向提供文件的人重新索取，或从学籍系统重新导出；如果它确实是花名册，"
             "请先在Excel或WPS中打开，“另存为”Excel工作簿（.xlsx）后再导入。")
COPY_AGAIN = "请重新复制原文件（等复制完成再拔U盘）；如果原文件也打不开，请从学籍系统重新导出，或在Excel或WPS中打开后另存为.xlsx再导入。"

OLE = b"\xd0\xcf\x11\xe0"
ZIP = (b"PK\x03\x04", b"PK\x05\x06")
KINDS = {"worksheet": "worksheet", "chartsheet": "chartsheet", "dialogsheet": "dialogsheet",
         "xlMacrosheet": "macrosheet", "xlIntlMacrosheet": "macrosheet"}
KIND_LABELS = {"chartsheet": "图表", "dialogsheet": "对话框", "macrosheet": "宏表", "other": "非表格"}
WORKBOOK_TYPES = ("spreadsheetml.sheet.main+xml", "sheet.macroEnabled.main+xml", "spreadsheetml.template.main+xml",
                  "template.macroEnabled.main+xml")


@dataclass(frozen=True)
class Sheet:
    name: str
    state: str          # visible / hidden / veryHidden, as workbook.xml says
    kind: str           # worksheet / chartsheet / dialogsheet / macrosheet / other
    part: str | None    # its XML part in the zip; None when the file lacks it

    @property
    def hidden(self) -> bool:
        return self.state != "visible"

    @property
    def is_table(self) -> bool:
        return self.kind == "worksheet"


@dataclass
class Package:
    path: Path
    sheets: list[Sheet] = field(default_factory=list)
    parts: dict[str, zipfile.ZipInfo] = field(default_factory=dict)

    def fail(self, what: str, todo: str = SAVE_AS) -> UnreadableFileError:
        return refused(self.path, what, todo)

    def describe(self, part: str) -> str:
        """A part as a teacher can place it: the sheet it holds, else its name (for support)."""
        for s in self.sheets:
            if s.part == part:
                return f"工作表“{s.name}”"
        names = {"xl/sharedStrings.xml": "共享文字表", "xl/styles.xml": "格式表", "xl/workbook.xml": "工作表目录",
                 "[Content_Types].xml": "部件目录",
                 "_rels/.rels": "包关系表", "xl/_rels/workbook.xml.rels": "工作表关系表"}
        return f"{names.get(part, '内部部件')}（{part}）"


def refused(path: Path, what: str, todo: str = SAVE_AS) -> UnreadableFileError:
    return UnreadableFileError(f"无法读取“{path.name}”：{what}。{todo}")


def inspect(path: str | Path) -> Package:
    """Check the file and list its sheets, or raise UnreadableFileError."""
    path = Path(path)
    head = _head(path)
    _sniff(path, head)
    try:
        zf = zipfile.ZipFile(path)
    except PermissionError:
        raise _busy(path) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError, NotImplementedError):
        raise refused(path, "文件不完整或已损坏（压缩结构损坏，常见于没有复制完整或复制时拔了U盘）", COPY_AGAIN) from None
    with zf:
        package = Package(path, parts=_members(path, zf))
        _structure(package, zf)
        sheet_parts = {s.part: s for s in package.sheets if s.is_table and s.part}
        for name in package.parts:
            if name.lower().endswith(XML_SUFFIXES):
                root = check_prolog(package, name, read_part(package, zf, name, PROLOG_BYTES))
                if name in sheet_parts and root != "worksheet":
                    raise package.fail(f"文件中{package.describe(name)}的内容不对（不是工作表），文件已损坏")
    return package


def _busy(path: Path) -> UnreadableFileError:
    return UnreadableFileError(f"“{path.name}”正被其他程序占用或没有读取权限。请先在Excel或WPS中关闭这个文件，再重新导入。")


def _head(path: Path) -> bytes:
    if not path.exists():
        raise UnreadableFileError(f"找不到文件“{path}”，请检查文件名和位置。")
    if path.is_dir():
        raise UnreadableFileError(f"“{path.name}”是一个文件夹，不是Excel文件。请选择文件夹里的花名册文件。")
    try:
        with open(path, "rb") as fh:
            return fh.read(512)
    except PermissionError:
        raise _busy(path) from None
    except OSError as exc:
        raise refused(path, f"读取文件时出错（{exc.strerror or type(exc).__name__}），U盘可能已拔出或损坏",
                      COPY_AGAIN) from None


def _sniff(path: Path, head: bytes) -> None:
    """Tell what the file really is when it is not a zip: the name says little."""
    if head.startswith(ZIP):
        return
    if not head:
        raise refused(path, "文件是空的（0字节），可能没有复制完整", COPY_AGAIN)
    if head.startswith(OLE):
        if path.suffix.lower() == ".xls":
            raise UnreadableFileError(f"“{path.name}”是旧版Excel（.xls）文件，本软件读取.xlsx。"
                                      "请用Excel或WPS打开它，“另存为”Excel工作簿（.xlsx）后再导入。")
        raise refused(path, "这是旧版Excel（.xls）文件，或设置了打开密码的工作簿",
                      "请用Excel或WPS打开它（有密码的先取消密码），“另存为”Excel工作簿（.xlsx）后再导入。")
    text = head.lstrip(codecs.BOM_UTF8 + b" \t\r\n").lower()
    if head.startswith(b"%PDF"):
        raise refused(path, "这是PDF文件，不是Excel工作簿", "请找到原来的Excel文件，或从学籍系统重新导出为.xlsx后再导入。")
    if text.startswith(b"<") or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise refused(path, "这是网页（HTML）或XML格式的表格，只是文件名像Excel文件（从网站下载的“Excel”常是这样）")
    raise refused(path, "这不是Excel工作簿（可能是文本、CSV或其他格式的文件，或者已严重损坏）")


def _members(path: Path, zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The zip's members, refusing bombs, encryption, unknown compression and duplicate names."""
    infos = zf.infolist()
    bomb = "可能已损坏，或是恶意构造的文件（“压缩炸弹”），已拒绝读取"
    if len(infos) > MAX_MEMBERS:
        raise refused(path, f"文件里有{len(infos)}个内部部件，正常的工作簿远没有这么多，{bomb}", ASK_AGAIN)
    parts: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if name in parts:
            raise refused(path, f"文件里有两个同名的内部部件（{name}），可能已损坏或被改动过", ASK_AGAIN)
        if info.flag_bits & 0x1:
            raise refused(path, "文件内容被加密（设置了密码）", "请在Excel或WPS中打开并取消密码，“另存为”Excel工作簿（.xlsx）后再导入。")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refused(path, f"文件使用了Excel不会使用的压缩方式（第{info.compress_type}种），可能已损坏或不是Excel保存的")
        size = info.file_size
        ratio = size // max(info.compress_size, 1)
        if size > MAX_PART_BYTES or (size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise refused(path, f"内部部件“{name}”解压后有{size >> 20}MB（压缩了{ratio}倍），大得异常，{bomb}", ASK_AGAIN)
        total += size
        parts[name] = info
    if total > MAX_TOTAL_BYTES:
        raise refused(path, f"文件解压后共有{total >> 20}MB，大得异常，{bomb}", ASK_AGAIN)
    return parts


def read_part(package: Package, zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """Up to `limit` bytes of a part; damaged compressed data becomes a message."""
    try:
        with zf.open(package.parts[name]) as fh:
            return fh.read(limit)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError):
        raise package.fail(f"文件中{package.describe(name)}的压缩数据已损坏（常见于没有复制完整或磁盘、U盘出错）",
                           COPY_AGAIN) from None


def scan_prolog(head: bytes) -> tuple[str | None, str | None]:
    """(why the start of an XML part is refused — "dtd", "encoding:NAME", "prolog" — or None,
    the root element's local name if seen).

    A DTD can only stand before the root element, so reading up to the root is enough.
    """
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = head.decode("utf-16", errors="ignore")
    elif head[:2] == b"<\x00":
        text = head.decode("utf-16-le", errors="ignore")
    elif head[:2] == b"\x00<":
        text = head.decode("utf-16-be", errors="ignore")
    else:
        text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    declared = re.match(r"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']", text)
    if declared and declared.group(1).strip().lower().replace("_", "-") not in ENCODINGS:
        return f"encoding:{declared.group(1)[:20]}", None
    too_long = "prolog" if len(head) >= PROLOG_BYTES else None
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos >= len(text):
            return too_long, None
        if text.startswith("<?", pos):
            end = text.find("?>", pos)
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos)
        elif text.startswith("<!", pos):
            return "dtd", None
        else:             # the root element, or text the parser will refuse
            root = re.match(r"<([A-Za-z_][\w.:-]*)", text[pos:pos + 200])
            return None, root.group(1).rsplit(":", 1)[-1] if root else None
        if end < 0:
            return too_long, None
        pos = end + 2


def check_prolog(package: Package, name: str, head: bytes) -> str | None:
    """Refuse a part whose start is refused (see scan_prolog); returns its root element's name."""
    problem, root = scan_prolog(head)
    if problem is None:
        return root
    where = package.describe(name)
    if problem == "dtd":
        raise package.fail(f"文件中{where}含有DTD或实体声明（<!DOCTYPE …>）。Excel和WPS保存的工作簿里不会有这种内容，"
                           "这是被改动过或恶意构造的文件，已拒绝读取", ASK_AGAIN)
    if problem.startswith("encoding:"):
        raise package.fail(f"文件中{where}使用了“{problem[9:]}”文字编码，Excel工作簿只用UTF-8或UTF-16，"
                           "文件不是Excel或WPS保存的，或已损坏")
    raise package.fail(f"文件中{where}的开头异常（声明部分超过{PROLOG_BYTES >> 10}KB），可能是恶意构造的文件，已拒绝读取",
                       ASK_AGAIN)


def parse_part(package: Package, zf: zipfile.ZipFile, name: str) -> ET.Element:
    """A small part parsed whole: no DTD (so no entity but the five of XML), bounded size."""
    if name not in package.parts:
        raise package.fail(f"文件缺少{package.describe(name)}，不是完整的Excel工作簿")
    if package.parts[name].file_size > STRUCTURE_BYTES:
        raise package.fail(f"文件中{package.describe(name)}大得异常，可能已损坏或是恶意构造的文件", ASK_AGAIN)
    data = read_part(package, zf, name, STRUCTURE_BYTES)
    check_prolog(package, name, data[:PROLOG_BYTES])
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        line = getattr(exc, "position", (0, 0))[0]
        raise package.fail(f"文件中{package.describe(name)}的内容已损坏（不是有效的XML，约第{line}行）") from None


def find_broken_xml(package: Package) -> str | None:
    """The first part of the workbook that is not well-formed XML (to name it when a reader failed)."""
    wanted = [s.part for s in package.sheets if s.part] + ["xl/sharedStrings.xml", "xl/styles.xml"]
    try:
        with zipfile.ZipFile(package.path) as zf:
            for name in wanted:
                if name in package.parts:
                    try:
                        with zf.open(package.parts[name]) as fh:
                            for _ in ET.iterparse(fh):
                                pass
                    except ET.ParseError:
                        return name
    except Exception:  # noqa: BLE001 - only a better message is at stake
        return None
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _relationships(package: Package, zf: zipfile.ZipFile, name: str) -> dict[str, tuple[str, str]]:
    """{Id: (type, part)} of a .rels part; targets resolved against the part's folder."""
    root = parse_part(package, zf, name)
    if _local(root.tag) != "Relationships":
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
    if _local(types.tag) != "Types":
        raise package.fail("文件中部件目录（[Content_Types].xml）的内容不对，文件已损坏")
    if "_rels/.rels" in package.parts:
        for rel_type, part in _relationships(package, zf, "_rels/.rels").values():
            if rel_type.endswith("/officeDocument") and part in package.parts:
                return part
    for item in types:
        if _local(item.tag) == "Override" and (item.get("ContentType") or "").endswith(WORKBOOK_TYPES):
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
    if _local(root.tag) != "workbook":
        raise package.fail(f"文件中{package.describe(part)}的内容不对，文件已损坏")
    rels_name = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    if rels_name not in package.parts:
        raise package.fail(f"文件缺少工作表的关系表（{rels_name}），不是完整的Excel工作簿")
    rels = _relationships(package, zf, rels_name)
    for rel_type, target in rels.values():
        if rel_type.endswith(("/sharedStrings", "/styles")) and target not in package.parts:
            raise package.fail(f"文件缺少{package.describe(target)}，不是完整的Excel工作簿")
    seen: set[str] = set()
    for sheets in (e for e in root if _local(e.tag) == "sheets"):
        for e in sheets:
            if _local(e.tag) != "sheet":
                continue
            name = e.get("name")
            if not name:
                raise package.fail("工作表目录中有一个没有名字的工作表，文件已损坏")
            if name.casefold() in seen:
                raise package.fail(f"有两个工作表都叫“{name}”，文件已损坏或被改动过")
            seen.add(name.casefold())
            rid = next((v for k, v in e.attrib.items() if _local(k) == "id" and "relationships" in k), "")
            rel_type, target = rels.get(rid, ("", ""))
            kind = KINDS.get(rel_type.rsplit("/", 1)[-1], "other" if rel_type else "worksheet")
            state = e.get("state") or "visible"
            package.sheets.append(Sheet(name, state if state in ("hidden", "veryHidden") else "visible", kind,
                                        target if target in package.parts else None))
