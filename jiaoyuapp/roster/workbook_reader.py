"""One reader for every roster workbook (.xlsx/.xlsm, .xls, .ods): rows with merged cells filled in.

The file is sniffed and its container checked first (workbook_files, then xlsx_package,
xls_package or ods_package: what we accept); python-calamine (a Rust reader, many times faster
than openpyxl) then reads the cells. This module is the boundary to that library: nothing reaches
it before the checks have bounded what it will allocate (calamine builds a whole sheet in memory,
and a failed allocation there ends the process instead of raising), and any failure it reports on
a damaged file becomes an UnreadableFileError naming the sheet and what to do — never a traceback,
never the library's own words.

What calamine gives, and what the rows here hold:
- rows start at the sheet's first used row and column; they are shifted back so that row numbers
  and column positions are the spreadsheet's own (row 1, column A) and messages name them right;
- every number of an .xlsx/.ods is a float (序号 1 → 1.0; .xls keeps integers as int), dates come as
  datetime.date / datetime.datetime, times as datetime.time, durations as datetime.timedelta;
- an empty cell, and an error cell (#N/A, #DIV/0! …), which calamine does not tell apart from an
  empty one, is None;
- merged ranges (calamine reports them for .xlsx and .xls; ods_package finds them for .ods) are filled
  with the value of their top-left cell, so a class name merged over ten rows reaches every one.
"""

from __future__ import annotations

import contextlib
import shutil
import zipfile
import zlib
from itertools import islice
from pathlib import Path
from typing import Callable, Iterator

from python_calamine import CalamineWorkbook

from jiaoyuapp.disk_space import full_error, is_disk_full
from jiaoyuapp.errors import UnreadableFileError
from jiaoyuapp.roster import ods_package, xls_package, xlsx_package
from jiaoyuapp.roster.workbook_files import (
    COPY_AGAIN, SAVE_AS, UNLOCK, Package, Sheet, busy, read_error, refused, sniff,
)
from jiaoyuapp.work_folders import work_folder

MAX_CELLS = 8_000_000           # a sheet's block of cells (a 100,000-student roster of 70 columns is 7 million)
MAX_MERGES = 100_000
MAX_MERGED_ROWS = 2_000_000     # rows × merged ranges the filler keeps in memory
MERGE_MAX_SPAN = (100_000, 1_000)   # larger merged ranges (rows, columns) carry no student data: ignored
KINDS = {"WorkSheet": "worksheet", "ChartSheet": "chartsheet", "DialogSheet": "dialogsheet",
         "MacroSheet": "macrosheet"}
STATES = {"Visible": "visible", "Hidden": "hidden", "VeryHidden": "veryHidden"}
SUFFIXES = {"xlsx": (".xlsx", ".xlsm"), "xls": (".xls",), "ods": (".ods",)}


def _member(value) -> str:
    """An enum member's name (calamine's enums print as SheetTypeEnum.WorkSheet and have no .name)."""
    return str(value).rsplit(".", 1)[-1]


def _just_run(build: Callable):
    return build()


class Workbook:
    """The sheets of one file (`sheets`, in tab order) and their rows."""

    def __init__(self, package: Package, facts=None):
        self.package = package
        self.path = package.path
        self._facts = facts
        self._extents: dict[str, tuple[int, int, int]] = {}
        # how a sheet is built: `while_loading(build)` returns build(); a caller may do other work
        # meanwhile (calamine builds a sheet without holding the interpreter)
        self.while_loading: Callable[[Callable], object] = _just_run
        self._copy = contextlib.ExitStack()
        named = self._named_as_checked()
        try:
            self._book = CalamineWorkbook.from_path(str(named))
            if package.kind != "xlsx":
                package.sheets = [Sheet(m.name, STATES.get(_member(m.visible), "hidden"), KINDS.get(_member(m.typ), "other"))
                                  for m in self._book.sheets_metadata]
        except BaseException as exc:  # noqa: BLE001 - see _failure
            self._copy.close()
            raise self._failure(exc, None) from None
        self.sheets: list[Sheet] = package.sheets

    def _named_as_checked(self) -> Path:
        """The file under a name whose suffix is the format the checks ran for. calamine chooses its
        reader by the name, and given the bytes alone it tries one reader after another (xls, xlsx,
        xlsb, ods): a renamed file, or one carrying the parts of two formats, would be checked as one
        and read as another, unchecked. A renamed file is read from a private copy (gone at close)."""
        if self.path.suffix.lower() in SUFFIXES[self.package.kind]:
            return self.path
        folder = self._copy.enter_context(work_folder("读取工作簿"))
        named = folder / ("工作簿" + SUFFIXES[self.package.kind][0])
        try:
            shutil.copyfile(self.path, named)
        except OSError as exc:
            self._copy.close()
            if is_disk_full(exc):
                raise full_error(folder.parent, self.path.stat().st_size, "没有导入任何数据") from None
            raise read_error(self.path, exc) from None
        return named

    def close(self) -> None:
        try:
            self._book.close()
        except BaseException:  # noqa: BLE001 - closing twice, or after a failure, is not the teacher's problem
            pass
        self._copy.close()

    def _extent(self, sheet: Sheet) -> tuple[int, int, int]:
        """(rows, columns, rows at most) the sheet's cells reach, known before calamine builds it."""
        if sheet.name in self._extents:
            return self._extents[sheet.name]
        kind = self.package.kind
        if kind == "xlsx":
            if sheet.part is None:
                raise self.package.fail(f"工作表“{sheet.name}”的内容在文件中缺失，文件不完整或已损坏", COPY_AGAIN)
            found = xlsx_package.sheet_extent(self.package, sheet)
            extent = (found.rows, found.columns, found.bound)
        elif kind == "xls":
            if sheet.name not in self._facts.extents:
                raise self.package.fail(f"工作表“{sheet.name}”读不出来（文件中找不到它的数据），文件已损坏", COPY_AGAIN)
            rows, columns = self._facts.extents[sheet.name]
            extent = (rows, columns, rows)
        else:
            table = self._facts.get(sheet.name)
            extent = (table.rows, table.columns, table.rows) if table else (0, 0, 0)
        self._extents[sheet.name] = extent
        return extent

    def estimated_rows(self, sheet: Sheet) -> int | None:
        """How many rows the sheet has (for progress)."""
        try:
            rows = self._extent(sheet)[0]
        except UnreadableFileError:
            return None
        return rows or None

    def rows(self, sheet: Sheet) -> Iterator[tuple[int, list]]:
        """(spreadsheet row number, values) with merged cells filled, from the sheet's first used row."""
        rows, columns, bound = self._extent(sheet)
        if bound * columns > MAX_CELLS:
            raise self._too_big(sheet)
        if not rows:
            return
        try:
            data = self.while_loading(lambda: self._book.get_sheet_by_name(sheet.name))
            start = data.start
            merged = data.merged_cell_ranges
        except BaseException as exc:  # noqa: BLE001 - see _failure
            raise self._failure(exc, sheet) from None
        if start is None:
            return
        first_row, first_col = start
        filler = MergeFiller(self._merges(sheet, merged))
        pad = [None] * first_col
        fill = filler.fill if filler.by_row else None
        cells = 0
        number = first_row
        try:
            # calamine yields the empty rows above the first used one too, but not the empty columns;
            # an empty cell comes as "", which every reader of these rows takes as empty (cell_values)
            for values in islice(data.iter_rows(), first_row, None):
                number += 1
                cells += len(values)
                if cells > MAX_CELLS:
                    raise self._too_big(sheet)
                if pad:
                    values = pad + values
                yield number, (fill(number, values) if fill else values)
            # a merged range may reach below the last cell with content (a class name merged down)
            for number in range(number + 1, filler.last_row + 1):
                yield number, fill(number, [None] * (first_col + data.width))
        except UnreadableFileError:
            raise
        except BaseException as exc:  # noqa: BLE001 - see _failure
            if isinstance(exc, (GeneratorExit, KeyboardInterrupt, SystemExit)):
                raise
            raise self._failure(exc, sheet) from None

    def _too_big(self, sheet: Sheet) -> UnreadableFileError:
        return self.package.fail(f"工作表“{sheet.name}”大得异常（超过{MAX_CELLS // 10_000}万个单元格），"
                                 "请只保留学生名单的行和列，另存为新文件后再导入")

    def _merges(self, sheet: Sheet, merged) -> list[tuple[int, int, int, int]]:
        """(min_col, min_row, max_col, max_row), 1-based, of the merged ranges worth filling."""
        if self.package.kind == "ods":
            table = self._facts.get(sheet.name)
            merged = [((r0, c0), (r1, c1)) for r0, c0, r1, c1 in (table.merges if table else [])]
        found: list[tuple[int, int, int, int]] = []
        kept_rows = 0
        for (r0, c0), (r1, c1) in merged or ():
            if len(found) >= MAX_MERGES:
                raise self.package.fail(f"工作表“{sheet.name}”的合并单元格多得异常（超过{MAX_MERGES}处），"
                                        "文件可能已损坏或是恶意构造的")
            if r1 < r0 or c1 < c0 or r1 - r0 > MERGE_MAX_SPAN[0] or c1 - c0 > MERGE_MAX_SPAN[1]:
                continue
            kept_rows += r1 - r0 + 1
            if kept_rows > MAX_MERGED_ROWS:
                raise self.package.fail(f"工作表“{sheet.name}”的合并单元格大得异常，文件可能已损坏或是恶意构造的")
            found.append((c0 + 1, r0 + 1, c1 + 1, r1 + 1))
        return found

    def _failure(self, exc: BaseException, sheet: Sheet | None) -> UnreadableFileError:
        """What a library failure on this file means, in words; unknown kinds are also logged (no data)."""
        where = f"工作表“{sheet.name}”" if sheet else "工作簿"
        name = type(exc).__name__
        said = str(exc)
        package = self.package
        if isinstance(exc, PermissionError):
            return busy(self.path)
        if isinstance(exc, MemoryError):
            return package.fail(f"电脑内存不足，读不完{where}", "请关闭其他程序后重新导入；如果仍然不行，请把花名册分成几个文件分别导入。")
        if name == "PasswordError":
            return package.fail("这个工作簿设置了打开密码（已加密），本软件不能读取加密的文件", UNLOCK)
        if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError)) or name == "ZipError" or any(
                s in said for s in ("deflate", "checksum", "declared uncompressed size", "Zip", "zip")):
            return package.fail(f"{where}的压缩数据已损坏（校验不符，常见于没有复制完整或磁盘、U盘出错）", COPY_AGAIN)
        if "shared string" in said.lower():
            return package.fail(f"{where}里有单元格引用了共享文字表中不存在的文字（序号超出范围），文件已损坏")
        if "decode" in said or "utf-8" in said.lower() or isinstance(exc, UnicodeError):
            return package.fail(f"{where}里有无效的文字编码，文件不是Excel或WPS保存的，或已损坏")
        if name == "XmlError" and package.kind == "xlsx":
            part = xlsx_package.broken_part(package)
            where = f"文件中{package.describe(part)}" if part else where
            return package.fail(f"{where}的内容已损坏（不是有效的XML）")
        if name == "XmlError":
            return package.fail(f"{where}的内容已损坏（不是有效的XML）")
        if name == "CalamineError" and "not found" in said.lower():
            return package.fail(f"文件缺少{where}需要的内部部件，不是完整的工作簿", COPY_AGAIN)
        if name == "WorksheetNotFound":
            return package.fail(f"{where}读不出来（文件中找不到它的数据），文件已损坏", COPY_AGAIN)
        if isinstance(exc, OSError):
            return refused(self.path, f"读取{where}时出错（{exc.strerror or name}），U盘可能已拔出或损坏", COPY_AGAIN)
        if name != "CalamineError":
            from jiaoyuapp.error_log import log_unexpected
            log_unexpected((type(exc), exc, exc.__traceback__), where="workbook-reader")
        label = {"xls": "旧版Excel（.xls）", "ods": "OpenDocument电子表格（.ods）"}.get(package.kind, "Excel工作簿")
        return package.fail(f"{where}的内容不符合{label}的格式，文件已损坏或不是Excel、WPS保存的")


def open_workbook(path: str | Path) -> Workbook:
    """Check the file and open it for reading; the caller closes it."""
    path = Path(path)
    container = sniff(path)
    if container == "ole":
        package = Package(path, "xls")
        return Workbook(package, xls_package.inspect(package))
    package = Package(path, "xlsx")
    with _zip_names(path) as found:
        names = {n.replace("\\", "/").lower() for n in found}   # as calamine finds parts
        is_ods = "mimetype" in names or ("content.xml" in names and "[content_types].xml" not in names)
        looks_xlsx = "[content_types].xml" in names or any(n.startswith("xl/") for n in names)
    # calamine, given a file by its contents, tries its readers in turn (xls, xlsx, xlsb, ods): a zip
    # that carries the parts of two formats would be checked as one and read as the other
    if is_ods and looks_xlsx:
        raise refused(path, "这个文件里既有Excel工作簿的部分，又有ODS表格的部分，无法确定它是哪一种（可能被改动过）", SAVE_AS)
    if "xl/workbook.bin" in names:
        raise refused(path, "这是Excel二进制工作簿（.xlsb），本软件不读这种格式", SAVE_AS)
    if is_ods:
        package.kind = "ods"
        return Workbook(package, ods_package.inspect(package))
    return Workbook(xlsx_package.inspect(package))


class _zip_names:
    """The member names of a zip, or none when it cannot be opened (the package check then says why)."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self) -> set[str]:
        try:
            with zipfile.ZipFile(self.path) as zf:
                return set(zf.namelist())
        except PermissionError:
            raise busy(self.path) from None
        except Exception:  # noqa: BLE001 - a damaged zip is refused with words by the package check
            return set()

    def __exit__(self, *exc) -> None:
        return None


class MergeFiller:
    """Replaces the empty cells of merged ranges with their anchor's value, row by row."""

    def __init__(self, ranges: list[tuple[int, int, int, int]]):
        self.by_row: dict[int, list[tuple[int, int, int, int]]] = {}
        for rng in ranges:
            min_col, min_row, max_col, max_row = rng
            if max_row - min_row > MERGE_MAX_SPAN[0]:
                continue
            for r in range(min_row, max_row + 1):
                self.by_row.setdefault(r, []).append(rng)
        self.anchors: dict[tuple[int, int], object] = {}
        self.last_row = max(self.by_row, default=0)

    def fill(self, row_number: int, values: list) -> list:
        ranges = self.by_row.get(row_number)
        if not ranges:
            return values
        for min_col, min_row, max_col, max_row in ranges:
            if row_number == min_row:
                anchor = values[min_col - 1] if len(values) >= min_col else None
                self.anchors[(min_col, min_row)] = anchor
            else:
                anchor = self.anchors.get((min_col, min_row))
            if len(values) < max_col:
                values.extend([None] * (max_col - len(values)))
            for c in range(min_col, max_col + 1):
                if (c, row_number) != (min_col, min_row):
                    values[c - 1] = anchor
            if row_number == max_row:
                self.anchors.pop((min_col, min_row), None)
        return values
