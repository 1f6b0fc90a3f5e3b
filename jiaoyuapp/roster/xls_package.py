"""What the roster reader accepts of an .xls: the OLE2 compound file checked before calamine reads it.

The national 学籍 system, old Excel and WPS save BIFF8 workbooks: a "Workbook" stream inside an
OLE2 compound file (a small FAT file system). The same container holds a password-protected .xlsx
(EncryptionInfo + EncryptedPackage), a Word document, or a file cut short on a USB stick. Here the
container is walked cheaply — header, sector allocation table, directory, the workbook stream's
chain must lie inside the file — and the workbook's records are walked once for what a reader must
know before it allocates: a password (FILEPASS), and how far each sheet's cells reach (calamine
builds each sheet as one dense block, so two cells far apart could ask for gigabytes). calamine
builds every sheet of an .xls when it opens the file, and first reserves room for as many cells as
each sheet's DIMENSIONS record claims, so all of it is bounded here, for the whole workbook.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

from jiaoyuapp.roster.workbook_files import COPY_AGAIN, SAVE_AS, UNLOCK, Package, busy, read_error, refused

MAX_XLS_BYTES = 200 << 20       # BIFF8 holds at most 65,536 rows a sheet; a school's file is a few MB
MAX_COLUMNS = 256               # BIFF8's limits
MAX_ROWS = 65_536
MAX_CELLS = 8_000_000           # all sheets together (workbook_reader's bound for one sheet of any format)
MAX_CELL_RECORDS = MAX_CELLS    # calamine keeps every cell record (a cell written twice counts twice) before building
FREE, END, FAT_SECTOR, DIFAT_SECTOR = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFC
CELL_RECORDS = {0x0006, 0x0201, 0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6}
MULTI_RECORDS = {0x00BD, 0x00BE}    # MULRK, MULBLANK: row, first column … last column
BOF, EOF, FILEPASS, BOUNDSHEET, DIMENSIONS = 0x0809, 0x000A, 0x002F, 0x0085, 0x0200
BROKEN = "旧版Excel（.xls）文件的内部结构已损坏或不完整（常见于没有复制完整或复制时拔了U盘）"


@dataclass
class XlsFacts:
    extents: dict[str, tuple[int, int]] = field(default_factory=dict)   # sheet name → (rows, columns)
    claimed: dict[str, tuple[int, int]] = field(default_factory=dict)   # what DIMENSIONS says, the same way
    cells: int = 0                                                      # cell records, MULRK/MULBLANK's cells each


def inspect(package: Package) -> XlsFacts:
    """Check the compound file and the workbook stream; returns each sheet's extent."""
    path = package.path
    try:
        size = path.stat().st_size
        if size > MAX_XLS_BYTES:
            raise refused(path, f"文件有{size >> 20}MB，旧版Excel（.xls）花名册不会这么大，可能已损坏或是恶意构造的文件",
                          SAVE_AS)
        with open(path, "rb") as fh:
            data = fh.read()
    except PermissionError:
        raise busy(path) from None
    except OSError as exc:
        raise read_error(path, exc) from None
    streams = _Compound(package, data).streams()
    names = {n.lower(): n for n in streams}
    if "encryptioninfo" in names or "encryptedpackage" in names:
        raise refused(path, "这个工作簿设置了打开密码（已加密），本软件不能读取加密的文件", UNLOCK)
    book = names.get("workbook") or names.get("book")
    if book is None:
        if "worddocument" in names:
            raise refused(path, "这是Word文档，不是Excel工作簿", "请找到原来的Excel花名册，或从学籍系统重新导出后再导入。")
        if "powerpoint document" in names:
            raise refused(path, "这是PowerPoint演示文稿，不是Excel工作簿", "请找到原来的Excel花名册，或从学籍系统重新导出后再导入。")
        raise refused(path, "文件是旧版Office格式，但里面没有工作表数据，不是Excel工作簿或已损坏", SAVE_AS)
    return _bounded(package, _walk(package, streams[book]))


def _bounded(package: Package, facts: XlsFacts) -> XlsFacts:
    """Refuse sheets beyond BIFF8's limits, and a workbook whose sheets together would be too big to build."""
    for extents, what in ((facts.extents, "单元格"), (facts.claimed, "记录的表格范围")):
        for name, (rows, columns) in extents.items():
            if rows > MAX_ROWS or columns > MAX_COLUMNS:
                limit = f"{MAX_ROWS}行" if rows > MAX_ROWS else f"{MAX_COLUMNS}列"
                raise package.fail(f"工作表“{name}”的{what}超出了旧版Excel（.xls）的上限（{limit}），"
                                   "文件已损坏或是恶意构造的", COPY_AGAIN)
        if sum(rows * columns for rows, columns in extents.values()) > MAX_CELLS:
            raise package.fail(f"工作簿的各工作表合起来大得异常（超过{MAX_CELLS // 10_000}万个单元格），"
                               "请只保留学生名单的行和列，另存为新文件后再导入")
    if facts.cells > MAX_CELL_RECORDS:
        raise package.fail(f"工作簿里的单元格记录多得异常（超过{MAX_CELL_RECORDS // 10_000}万条），"
                           "文件可能已损坏或是恶意构造的")
    return facts


class _Compound:
    """The few parts of an OLE2 compound file we need, every index checked against the file's size."""

    def __init__(self, package: Package, data: bytes):
        self.package, self.data = package, data
        if len(data) < 512:
            raise self.broken()
        (minor, major, order, shift, mini_shift) = struct.unpack_from("<HHHHH", data, 24)
        if order != 0xFFFE or (major, shift) not in ((3, 9), (4, 12)) or mini_shift != 6:
            raise self.broken()
        self.sector = 1 << shift
        self.count = max(0, (len(data) - self.sector + self.sector - 1) // self.sector)
        fat_sectors, self.first_dir = struct.unpack_from("<II", data, 44)
        self.cutoff, self.first_minifat, minifat_count, first_difat, difat_count = struct.unpack_from("<IIIII", data, 56)
        if fat_sectors > self.count or difat_count > self.count:
            raise self.broken()
        difat = list(struct.unpack_from("<109I", data, 76))
        sector, seen = first_difat, 0
        while sector not in (END, FREE) and seen <= difat_count:
            block = self._sector(sector)
            entries = struct.unpack(f"<{self.sector // 4}I", block)
            difat += entries[:-1]
            sector, seen = entries[-1], seen + 1
        fat_ids = [s for s in difat[:fat_sectors] if s not in (FREE, END)]
        if len(fat_ids) != fat_sectors:
            raise self.broken()
        self.fat = struct.unpack(f"<{len(fat_ids) * self.sector // 4}I", b"".join(self._sector(s) for s in fat_ids))

    def broken(self):
        return refused(self.package.path, BROKEN, COPY_AGAIN)

    def _sector(self, n: int) -> bytes:
        if n >= self.count:
            raise self.broken()
        start = (n + 1) * self.sector
        block = self.data[start:start + self.sector]
        if len(block) < self.sector:
            raise self.broken()
        return block

    def chain(self, start: int, table) -> list[int]:
        out = []
        n = start
        while n != END:
            if n >= len(table) or len(out) > len(table):
                raise self.broken()
            out.append(n)
            n = table[n]
        return out

    def read(self, start: int, size: int) -> bytes:
        chain = self.chain(start, self.fat) if size else []
        if len(chain) * self.sector < size:
            raise self.broken()
        return b"".join(self._sector(s) for s in chain)[:size]

    def streams(self) -> dict[str, bytes]:
        """The streams of the directory (any depth), by name; only the ones a workbook can be."""
        directory = self.read(self.first_dir, len(self.chain(self.first_dir, self.fat)) * self.sector)
        entries = []
        for pos in range(0, len(directory) - 127, 128):
            name_len, kind = struct.unpack_from("<HB", directory, pos + 64)
            start, size = struct.unpack_from("<IQ", directory, pos + 116)
            if self.sector == 512:
                size &= 0xFFFFFFFF
            if kind not in (1, 2, 5) or not 2 <= name_len <= 64:
                continue
            name = directory[pos:pos + name_len - 2].decode("utf-16-le", errors="replace")
            entries.append((name, kind, start, size))
        if not entries or entries[0][1] != 5:
            raise self.broken()
        wanted = {"workbook", "book", "encryptioninfo", "encryptedpackage", "worddocument", "powerpoint document"}
        out = {}
        mini = None
        for name, kind, start, size in entries[1:]:
            if kind != 2 or name.lower() not in wanted:
                continue
            if size > len(self.data):
                raise self.broken()
            if size >= self.cutoff:
                out[name] = self.read(start, size)
            else:
                if mini is None:
                    root = entries[0]
                    mini = (self.read(root[2], root[3]), self._minifat())
                stream, table = mini
                sectors = self.chain(start, table) if size else []
                if len(sectors) * 64 < size:
                    raise self.broken()
                chunks = [stream[s * 64:(s + 1) * 64] for s in sectors]
                blob = b"".join(chunks)[:size]
                if len(blob) < size:
                    raise self.broken()
                out[name] = blob
        return out

    def _minifat(self):
        if self.first_minifat in (END, FREE):
            return ()
        raw = self.read(self.first_minifat, len(self.chain(self.first_minifat, self.fat)) * self.sector)
        return struct.unpack(f"<{len(raw) // 4}I", raw)


def _sheet_names(data: bytes, pos: int, length: int, book: dict[int, str]) -> None:
    """A BOUNDSHEET record: where the sheet's records start, and its name."""
    if length < 8:
        return
    offset = struct.unpack_from("<I", data, pos)[0]
    cch, flags = data[pos + 6], data[pos + 7]
    raw = data[pos + 8:pos + length]
    name = raw[:cch * 2].decode("utf-16-le", errors="replace") if flags & 1 else raw[:cch].decode("latin-1")
    book[offset] = name


def _walk(package: Package, data: bytes) -> XlsFacts:
    """One pass over the workbook's records: a password, and each sheet's (rows, columns) reach.

    A sheet's records run from its BOF (where BOUNDSHEET says) to its EOF; a chart inside a sheet
    is a BOF…EOF of its own within it.
    """
    facts = XlsFacts()
    offsets: dict[int, str] = {}
    unpack = struct.unpack_from
    n, pos = len(data), 0
    stack: list[tuple[str | None, int, int]] = []
    sheet = None
    rows = cols = cells = 0
    starts: set[int] = set()
    in_globals = True
    while pos + 4 <= n:
        kind, length = unpack("<HH", data, pos)
        body = pos + 4
        if body + length > n:
            break
        if kind in CELL_RECORDS:
            cells += 1
            if length >= 4:
                r, c = unpack("<HH", data, body)
                if r >= rows:
                    rows = r + 1
                if c >= cols:
                    cols = c + 1
        elif kind in MULTI_RECORDS:
            if length >= 6:
                r, first = unpack("<HH", data, body)
                last = unpack("<H", data, body + length - 2)[0]
                cells += max(last - first + 1, 1)
                if r >= rows:
                    rows = r + 1
                if last >= cols:
                    cols = last + 1
        elif kind == DIMENSIONS and sheet is not None:
            if length >= 14:        # BIFF8: first row, last row + 1 (32-bit), first column, last column + 1
                facts.claimed[sheet] = (unpack("<I", data, body + 4)[0], unpack("<H", data, body + 10)[0])
            elif length >= 8:       # BIFF5
                facts.claimed[sheet] = (unpack("<H", data, body + 2)[0], unpack("<H", data, body + 6)[0])
        elif kind == BOF:
            starts.add(pos)
            stack.append((sheet, rows, cols))
            sheet, rows, cols = offsets.get(pos), 0, 0
        elif kind == EOF:
            if sheet is not None:
                facts.extents[sheet] = (rows, cols)
            sheet, rows, cols = stack.pop() if stack else (None, 0, 0)
            in_globals = False
        elif in_globals and kind == FILEPASS:
            raise refused(package.path, "这个工作簿设置了打开密码（已加密），本软件不能读取加密的文件", UNLOCK)
        elif in_globals and kind == BOUNDSHEET:
            _sheet_names(data, body, length, offsets)
        pos = body + length
    while sheet is not None or stack:
        if sheet is not None:
            facts.extents[sheet] = (rows, cols)
        if not stack:
            break
        sheet, rows, cols = stack.pop()
    if not set(offsets) <= starts:      # calamine would read a sheet from there (past the end: it panics)
        raise refused(package.path, BROKEN, COPY_AGAIN)
    facts.cells = cells
    return facts
