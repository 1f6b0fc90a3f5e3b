"""The zip container of an .xlsx or .ods, checked before any library reads a part.

A zip can be cut short on a USB stick or built to harm the reader: a "zip bomb" that inflates a
thousandfold, thousands of members, encrypted or oddly compressed members, two members of one
name. Its XML parts can declare a DTD whose entities expand to gigabytes or fetch other files.
Here the members are bounded in size, count and inflation ratio, and every XML part is refused if
it declares a DTD (Excel, WPS and LibreOffice never write one; without a DTD no entity can be
defined), whichever library then reads the cells.
"""

from __future__ import annotations

import codecs
import re
import zipfile
import zlib
from xml.etree import ElementTree as ET

from jiaoyuapp.roster.workbook_files import ASK_AGAIN, COPY_AGAIN, UNLOCK, Package, busy, refused

MAX_MEMBERS = 10_000            # a workbook has tens of parts; thousands of images at most
MAX_PART_BYTES = 256 << 20      # one part inflated (a 200,000-row sheet is well under this)
MAX_TOTAL_BYTES = 512 << 20     # all parts inflated
MAX_RATIO = 300                 # sheets inflate 5–50 times; a bomb about 1,000 times
RATIO_FLOOR = 8 << 20           # small parts may inflate as much as they like
STRUCTURE_BYTES = 16 << 20      # the directory parts we parse whole
PROLOG_BYTES = 64 << 10         # the root element starts within the first hundred bytes (ODS: a few KB)
XML_SUFFIXES = (".xml", ".rels", ".vml", ".rdf")
ENCODINGS = {"utf-8", "utf8", "utf-16", "utf-16le", "utf-16be", "us-ascii", "ascii"}
BOMB = "可能已损坏，或是恶意构造的文件（“压缩炸弹”），已拒绝读取"


def open_zip(package: Package) -> zipfile.ZipFile:
    """The file as a zip whose members are within bounds (package.parts filled), or a refusal."""
    path = package.path
    try:
        zf = zipfile.ZipFile(path)
    except PermissionError:
        raise busy(path) from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError, NotImplementedError):
        raise refused(path, "文件不完整或已损坏（压缩结构损坏，常见于没有复制完整或复制时拔了U盘）", COPY_AGAIN) from None
    try:
        package.parts = _members(package, zf)
    except BaseException:
        zf.close()
        raise
    return zf


def _members(package: Package, zf: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The zip's members, refusing bombs, encryption, unknown compression and duplicate names."""
    path = package.path
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        raise refused(path, f"文件里有{len(infos)}个内部部件，正常的工作簿远没有这么多，{BOMB}", ASK_AGAIN)
    parts: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if name in parts:
            raise refused(path, f"文件里有两个同名的内部部件（{name}），可能已损坏或被改动过", ASK_AGAIN)
        if info.flag_bits & 0x1:
            raise refused(path, "文件内容被加密（设置了密码）", UNLOCK)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise refused(path, f"文件使用了Excel不会使用的压缩方式（第{info.compress_type}种），可能已损坏或不是Excel保存的")
        size = info.file_size
        ratio = size // max(info.compress_size, 1)
        if size > MAX_PART_BYTES or (size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise refused(path, f"内部部件“{name}”解压后有{size >> 20}MB（压缩了{ratio}倍），大得异常，{BOMB}", ASK_AGAIN)
        total += size
        parts[name] = info
    if total > MAX_TOTAL_BYTES:
        raise refused(path, f"文件解压后共有{total >> 20}MB，大得异常，{BOMB}", ASK_AGAIN)
    return parts


def read_part(package: Package, zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """Up to `limit` bytes of a part; damaged compressed data becomes a message."""
    try:
        with zf.open(package.parts[name]) as fh:
            return fh.read(limit)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RuntimeError, NotImplementedError):
        raise package.fail(f"文件中{package.describe(name)}的压缩数据已损坏（常见于没有复制完整或磁盘、U盘出错）",
                           COPY_AGAIN) from None


def check_prologs(package: Package, zf: zipfile.ZipFile) -> dict[str, str | None]:
    """Every XML part's start checked (no DTD, a known encoding); {part: its root element's local name}."""
    roots = {}
    for name in package.parts:
        if name.lower().endswith(XML_SUFFIXES):
            roots[name] = check_prolog(package, name, read_part(package, zf, name, PROLOG_BYTES))
    return roots


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
        raise package.fail(f"文件中{where}含有DTD或实体声明（<!DOCTYPE …>）。Excel、WPS和LibreOffice保存的工作簿里不会有这种内容，"
                           "这是被改动过或恶意构造的文件，已拒绝读取", ASK_AGAIN)
    if problem.startswith("encoding:"):
        raise package.fail(f"文件中{where}使用了“{problem[9:]}”文字编码，工作簿只用UTF-8或UTF-16，"
                           "文件不是Excel或WPS保存的，或已损坏")
    raise package.fail(f"文件中{where}的开头异常（声明部分超过{PROLOG_BYTES >> 10}KB），可能是恶意构造的文件，已拒绝读取",
                       ASK_AGAIN)


def parse_part(package: Package, zf: zipfile.ZipFile, name: str) -> ET.Element:
    """A small part parsed whole: no DTD (so no entity but the five of XML), bounded size."""
    if name not in package.parts:
        raise package.fail(f"文件缺少{package.describe(name)}，不是完整的工作簿")
    if package.parts[name].file_size > STRUCTURE_BYTES:
        raise package.fail(f"文件中{package.describe(name)}大得异常，可能已损坏或是恶意构造的文件", ASK_AGAIN)
    data = read_part(package, zf, name, STRUCTURE_BYTES)
    check_prolog(package, name, data[:PROLOG_BYTES])
    try:
        return ET.fromstring(data)
    except ET.ParseError as exc:
        line = getattr(exc, "position", (0, 0))[0]
        raise package.fail(f"文件中{package.describe(name)}的内容已损坏（不是有效的XML，约第{line}行）") from None


def find_broken_xml(package: Package, wanted: list[str]) -> str | None:
    """The first of `wanted` parts that is not well-formed XML (to name it when a reader failed)."""
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


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]
