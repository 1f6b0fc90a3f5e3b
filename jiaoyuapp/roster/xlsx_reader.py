"""Streaming a roster workbook's sheets row by row, with merged cells filled in.

The package is checked first (xlsx_package.py: what we accept); openpyxl in read-only mode then
reads the cells. This module is the boundary to that library: it asks it for as little as
possible (no document properties, no charts), bounds what a sheet may hold (Excel's own limits
on rows and columns, a budget of cells and merged ranges), and turns any failure on a damaged
file into an UnreadableFileError naming the sheet and what to do — never a traceback.

openpyxl does not report merged ranges in read-only mode. We find them by scanning the sheet's
XML for `<mergeCell ref=…>` (a byte search, no parsing) and fill each merged cell with the value
of its top-left cell, so a class name merged over ten rows reaches every one of them.
"""

from __future__ import annotations

import re
import warnings
import zipfile
import zlib
from pathlib import Path
from typing import Iterator
from xml.etree.ElementTree import ParseError

from openpyxl.reader.excel import ExcelReader
from openpyxl.utils.cell import range_boundaries

from jiaoyuapp.errors import UnreadableFileError
from jiaoyuapp.roster.xlsx_package import COPY_AGAIN, Package, Sheet, find_broken_xml, inspect, refused

_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=[\"']([A-Z]+[0-9]+:[A-Z]+[0-9]+)[\"']")
_CHUNK = 1 << 20
MAX_ROWS = 1_048_576            # Excel's limits: a row or column beyond them means a damaged file
MAX_COLUMNS = 16_384
MAX_CELLS = 50_000_000          # cells handed on per sheet (a 100,000-student roster has under 10 million)
MAX_MERGES = 100_000
MAX_MERGED_ROWS = 2_000_000     # rows × merged ranges the filler keeps in memory
MERGE_MAX_SPAN = (100_000, 1_000)   # larger merged ranges (rows, columns) carry no student data: ignored


class _CellsOnly(ExcelReader):
    """openpyxl's reader without the parts a roster never needs, so damage there cannot stop an import."""

    def read_properties(self):
        pass

    def read_custom(self):
        pass

    def read_chartsheet(self, sheet, rel):
        pass


class _SharedStrings(list):
    """The shared-string table, refusing the negative indexes a Python list would quietly accept."""

    def __getitem__(self, index):
        if isinstance(index, int) and index < 0:
            raise IndexError(index)
        return super().__getitem__(index)


class Workbook:
    """The sheets of one file (`sheets`, in tab order) and their rows."""

    def __init__(self, package: Package):
        self.package = package
        self.path = package.path
        self.sheets: list[Sheet] = package.sheets
        self._fh = open(self.path, "rb")
        try:
            reader = _CellsOnly(self._fh, read_only=True, data_only=True, keep_links=False)
            with warnings.catch_warnings():   # its notes on unsupported features are not for teachers
                warnings.simplefilter("ignore")
                reader.read()
        except Exception as exc:  # noqa: BLE001 - any failure of the library here means a damaged file
            self._fh.close()
            raise self._failure(exc, None) from None
        self._wb = reader.wb
        strings = _SharedStrings(reader.shared_strings)
        for ws in self._wb.worksheets:
            if hasattr(ws, "_shared_strings"):
                ws._shared_strings = strings

    def close(self) -> None:
        try:
            self._wb.close()
        finally:
            self._fh.close()

    def _worksheet(self, sheet: Sheet):
        if sheet.part is None:
            raise self.package.fail(f"工作表“{sheet.name}”的内容在文件中缺失，文件不完整或已损坏", COPY_AGAIN)
        if sheet.name not in self._wb.sheetnames:
            raise self.package.fail(f"工作表“{sheet.name}”读不出来，文件已损坏")
        return self._wb[sheet.name]

    def estimated_rows(self, sheet: Sheet) -> int | None:
        """The sheet's own claim of its size (for progress only; never trusted for reading)."""
        try:
            rows = self._worksheet(sheet).max_row
        except Exception:  # noqa: BLE001 - a sheet without a (valid) dimension record
            return None
        return rows if isinstance(rows, int) and 0 < rows <= MAX_ROWS else None

    def rows(self, sheet: Sheet) -> Iterator[tuple[int, list]]:
        """(spreadsheet row number, values) with merged cells filled, from row 1.

        The sheet's dimension record is ignored (some programs write a wrong one, which would
        cut the rows short).
        """
        ws = self._worksheet(sheet)
        filler = MergeFiller(self._merged_ranges(sheet))
        cells = 0
        try:
            ws.reset_dimensions()
            for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
                if number > MAX_ROWS:
                    raise self.package.fail(f"工作表“{sheet.name}”的行数超过了Excel的上限（{MAX_ROWS}行），文件已损坏")
                if len(values) > MAX_COLUMNS:
                    raise self.package.fail(f"工作表“{sheet.name}”第{number}行的列数超过了Excel的上限"
                                            f"（{MAX_COLUMNS}列），文件已损坏")
                cells += len(values)
                if cells > MAX_CELLS:
                    raise self.package.fail(f"工作表“{sheet.name}”大得异常（超过{MAX_CELLS // 10_000}万个单元格），"
                                            "请只保留学生名单的行和列，另存为新文件后再导入")
                yield number, filler.fill(number, values)
        except UnreadableFileError:
            raise
        except Exception as exc:  # noqa: BLE001 - see _failure
            raise self._failure(exc, sheet) from None

    def _merged_ranges(self, sheet: Sheet) -> list[tuple[int, int, int, int]]:
        """(min_col, min_row, max_col, max_row) of each merged range in one sheet, within bounds."""
        found: list[tuple[int, int, int, int]] = []
        kept_rows = 0
        try:
            with zipfile.ZipFile(self.path) as zf, zf.open(sheet.part) as fh:
                tail = b""
                while True:
                    chunk = fh.read(_CHUNK)
                    if not chunk:
                        break
                    data = tail + chunk
                    end = 0
                    for m in _MERGE.finditer(data):
                        end = m.end()
                        if len(found) >= MAX_MERGES:
                            raise self.package.fail(f"工作表“{sheet.name}”的合并单元格多得异常（超过{MAX_MERGES}处），"
                                                    "文件可能已损坏或是恶意构造的")
                        try:
                            rng = range_boundaries(m.group(1).decode())
                        except ValueError:
                            continue
                        min_col, min_row, max_col, max_row = rng
                        if max_row - min_row > MERGE_MAX_SPAN[0] or max_col - min_col > MERGE_MAX_SPAN[1]:
                            continue
                        kept_rows += max_row - min_row + 1
                        if kept_rows > MAX_MERGED_ROWS:
                            raise self.package.fail(f"工作表“{sheet.name}”的合并单元格大得异常，文件可能已损坏或是恶意构造的")
                        found.append(rng)
                    tail = data[max(end, len(data) - 200):]
        except UnreadableFileError:
            raise
        except Exception as exc:  # noqa: BLE001
            raise self._failure(exc, sheet) from None
        return found

    def _failure(self, exc: BaseException, sheet: Sheet | None) -> UnreadableFileError:
        """What a library failure on this file means, in words; unknown kinds are also logged (no data)."""
        where = f"工作表“{sheet.name}”" if sheet else "工作簿"
        if isinstance(exc, PermissionError):
            return UnreadableFileError(f"“{self.path.name}”正被其他程序占用或没有读取权限。请先在Excel或WPS中关闭这个文件，再重新导入。")
        if isinstance(exc, (zipfile.BadZipFile, zlib.error, EOFError)):
            return self.package.fail(f"{where}的压缩数据已损坏（校验不符，常见于没有复制完整或磁盘、U盘出错）", COPY_AGAIN)
        if isinstance(exc, UnicodeError):
            return self.package.fail(f"{where}里有无效的文字编码，文件不是Excel或WPS保存的，或已损坏")
        if isinstance(exc, ParseError) or type(exc).__name__ in ("XMLSyntaxError", "DefusedXmlException"):
            part = find_broken_xml(self.package)
            where = f"文件中{self.package.describe(part)}" if part else where
            return self.package.fail(f"{where}的内容已损坏（不是有效的XML）")
        if isinstance(exc, IndexError) and sheet is not None:
            return self.package.fail(f"{where}里有单元格引用了共享文字表中不存在的文字（序号超出范围），文件已损坏")
        if isinstance(exc, OSError):
            return refused(self.path, f"读取{where}时出错（{exc.strerror or type(exc).__name__}），U盘可能已拔出或损坏",
                           COPY_AGAIN)
        if not isinstance(exc, (ValueError, TypeError, KeyError, AttributeError, OverflowError)):
            from jiaoyuapp.error_log import log_unexpected
            log_unexpected((type(exc), exc, exc.__traceback__), where="xlsx-reader")
        return self.package.fail(f"{where}的内容不符合Excel工作簿的格式（{type(exc).__name__}），文件已损坏或不是Excel保存的")


def open_workbook(path: str | Path) -> Workbook:
    """Check the file (xlsx_package.inspect) and open it for streaming; the caller closes it."""
    return Workbook(inspect(Path(path)))


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

    def fill(self, row_number: int, values: list) -> list:
        ranges = self.by_row.get(row_number)
        if not ranges:
            return values
        values = list(values)
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
