"""What a roster file really is, told from its first bytes, and the words for refusing it.

Schools send .xlsx (also .xlsm), .xls (the national 学籍 system's export, old WPS and Excel) and
.ods (LibreOffice, some domestic office suites), but the name says little: an "Excel" file from a
website is often an HTML page or "XML Spreadsheet 2003" text, a password-protected .xlsx is an OLE2
compound file like an .xls, and a file copied halfway is anything. Here the file is sniffed; the
checks of each container (xlsx_package, ods_package, xls_package) and the reader build on this.
Every refusal is an UnreadableFileError saying in Chinese what is wrong and what to do.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from pathlib import Path

from jiaoyuapp.errors import UnreadableFileError

SAVE_AS = "请用Excel或WPS打开这个文件，确认内容无误后“另存为”Excel工作簿（.xlsx），再导入新保存的文件。"
ASK_AGAIN = ("请向提供文件的人重新索取，或从学籍系统重新导出；如果它确实是花名册，"
             "请先在Excel或WPS中打开，“另存为”Excel工作簿（.xlsx）后再导入。")
COPY_AGAIN = "请重新复制原文件（等复制完成再拔U盘）；如果原文件也打不开，请从学籍系统重新导出，或在Excel或WPS中打开后另存为.xlsx再导入。"
UNLOCK = "请在Excel或WPS中打开它（输入密码），在“文件—信息—保护工作簿”或“文件—文档加密”中取消密码，“另存为”Excel工作簿（.xlsx）后再导入。"

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP = (b"PK\x03\x04", b"PK\x05\x06")
KIND_LABELS = {"chartsheet": "图表", "dialogsheet": "对话框", "macrosheet": "宏表", "other": "非表格"}


@dataclass(frozen=True)
class Sheet:
    name: str
    state: str          # visible / hidden / veryHidden
    kind: str           # worksheet / chartsheet / dialogsheet / macrosheet / other
    part: str | None = None   # .xlsx only: its XML part in the zip; None when the file lacks it

    @property
    def hidden(self) -> bool:
        return self.state != "visible"

    @property
    def is_table(self) -> bool:
        return self.kind == "worksheet"


@dataclass
class Package:
    """A checked file: its kind (xlsx, ods, xls), its sheets in tab order, and what the checks learnt."""
    path: Path
    kind: str = "xlsx"
    sheets: list[Sheet] = field(default_factory=list)
    parts: dict = field(default_factory=dict)      # zip members by name (xlsx, ods)

    def fail(self, what: str, todo: str = SAVE_AS) -> UnreadableFileError:
        return refused(self.path, what, todo)

    def describe(self, part: str) -> str:
        """A part as a teacher can place it: the sheet it holds, else its name (for support)."""
        for s in self.sheets:
            if s.part == part:
                return f"工作表“{s.name}”"
        names = {"xl/sharedStrings.xml": "共享文字表", "xl/styles.xml": "格式表", "xl/workbook.xml": "工作表目录",
                 "[Content_Types].xml": "部件目录", "_rels/.rels": "包关系表", "xl/_rels/workbook.xml.rels": "工作表关系表",
                 "content.xml": "表格内容", "styles.xml": "格式表", "META-INF/manifest.xml": "部件目录",
                 "settings.xml": "设置", "meta.xml": "文档信息"}
        return f"{names.get(part, '内部部件')}（{part}）"


def refused(path: Path, what: str, todo: str = SAVE_AS) -> UnreadableFileError:
    return UnreadableFileError(f"无法读取“{path.name}”：{what}。{todo}")


def busy(path: Path) -> UnreadableFileError:
    return UnreadableFileError(f"“{path.name}”正被其他程序占用或没有读取权限。请先在Excel或WPS中关闭这个文件，再重新导入。")


def read_error(path: Path, exc: OSError) -> UnreadableFileError:
    return refused(path, f"读取文件时出错（{exc.strerror or type(exc).__name__}），U盘可能已拔出或损坏", COPY_AGAIN)


def sniff(path: Path) -> str:
    """"zip" (xlsx, xlsm or ods) or "ole" (xls, or an encrypted workbook), else a refusal saying what it is."""
    if not path.exists():
        raise UnreadableFileError(f"找不到文件“{path}”，请检查文件名和位置。")
    if path.is_dir():
        raise UnreadableFileError(f"“{path.name}”是一个文件夹，不是Excel文件。请选择文件夹里的花名册文件。")
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except PermissionError:
        raise busy(path) from None
    except OSError as exc:
        raise read_error(path, exc) from None
    if head.startswith(ZIP):
        return "zip"
    if head.startswith(OLE):
        return "ole"
    if not head:
        raise refused(path, "文件是空的（0字节），可能没有复制完整", COPY_AGAIN)
    if head.startswith(OLE[:4]):
        raise refused(path, "文件开头像旧版Excel（.xls），但已损坏或不完整", COPY_AGAIN)
    if head.startswith(b"%PDF"):
        raise refused(path, "这是PDF文件，不是Excel工作簿", "请找到原来的Excel文件，或从学籍系统重新导出为.xlsx后再导入。")
    text = _as_text(head).lstrip("\ufeff \t\r\n").lower()
    if "urn:schemas-microsoft-com:office:spreadsheet" in text or "progid=\"excel.sheet\"" in text:
        raise refused(path, "这是“XML电子表格2003”格式的文本文件，不是Excel工作簿，只是文件名像（很多系统导出的.xls"
                            "其实是这种格式）", SAVE_AS)
    if text.startswith("mime-version:") or "multipart/related" in text[:2000]:
        raise refused(path, "这是“单个文件网页”（MHT）格式的表格，只是文件名像Excel文件（一些系统导出的.xls是这样）", SAVE_AS)
    if text.startswith("<"):
        raise refused(path, "这是网页（HTML）或XML格式的表格，只是文件名像Excel文件（从网站或系统下载的“Excel”常是这样）",
                      SAVE_AS)
    raise refused(path, "这不是Excel工作簿（可能是文本、CSV或其他格式的文件，或者已严重损坏）")


def _as_text(head: bytes) -> str:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return head.decode("utf-16", errors="ignore")
    if head[:2] == b"<\x00":
        return head.decode("utf-16-le", errors="ignore")
    return head.decode("utf-8", errors="ignore")
