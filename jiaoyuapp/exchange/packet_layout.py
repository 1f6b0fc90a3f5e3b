"""The inside of a packet, once decrypted — laid out so that the center authenticates before it
parses anything the school wrote.

Layout (every length a 4-byte big-endian number):

    LAYOUT_MAGIC
    frame  the signer's certificate (PEM)                                    ≤ 16 KiB
    frame  rotation statement: the registered key's signature over exactly
           those certificate bytes, or empty                                  ≤ 1 KiB
    frame  the manifest (JSON, UTF-8)                                         ≤ 8 MiB
    frame  the certificate's signature over exactly those manifest bytes      ≤ 1 KiB
    then every member the manifest lists, in its order, `stored` bytes each,
    and nothing after the last one.

The center compares the certificate bytes with the one it registered (or checks the rotation
statement over them with the registered key), checks the manifest signature over its raw bytes,
and only then parses the manifest. Members are read one by one, each no further than the size
the signed manifest declares and the center's own limits allow, decompressed with that size as
a hard bound, and hashed as they stream; nothing is held whole in memory unless small.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from jiaoyuapp.exchange.container import PacketError

LAYOUT_MAGIC = b"JIAOYU-SIGNED-2\n"
FORMAT = 2
MAX_CERTIFICATE = 16 << 10
MAX_STATEMENT = 1 << 10
MAX_MANIFEST = 8 << 20
MAX_SIGNATURE = 1 << 10
BLOCK = 1 << 20
MEMBER_NAME = re.compile(r"(snapshot\.sqlite|changes\.sqlite|batches\.jsonl|ledgers\.xlsx|folder\.pdf"
                         r"|attachments/[0-9a-f]{64})")
HEX64 = re.compile(r"[0-9a-f]{64}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?([+-]\d\d:\d\d|Z)?")
DAMAGED = "数据包内容已损坏或被改动（{}），已拒收。请让学校重新导出。"


@dataclass(frozen=True)
class Limits:
    """What a center accepts from one packet (it can raise `total`; see township.limits)."""
    total: int = 2 << 30          # all members together, as declared (decompressed)
    members: int = 200_000        # how many members
    in_memory: int = 64 << 20     # a changes file up to this size stays in memory


@dataclass
class Preamble:
    certificate: bytes
    rotation: bytes
    manifest: bytes
    signature: bytes


# -- reading -------------------------------------------------------------------------------
class PlainStream:
    """The decrypted packet, read as it is decrypted (block by block, never whole)."""

    def __init__(self, blocks: Iterator[bytes]):
        self._blocks = blocks
        self._buf = b""
        self._pos = 0

    def _fill(self) -> bool:
        """Take the next decrypted block once the current one is used up."""
        for block in self._blocks:
            if block:
                self._buf, self._pos = block, 0
                return True
        return False

    def read(self, n: int) -> bytes:
        """Up to n bytes (fewer only at the end)."""
        parts, wanted = [], n
        while wanted:
            if self._pos >= len(self._buf) and not self._fill():
                break
            piece = self._buf[self._pos:self._pos + wanted]
            self._pos += len(piece)
            wanted -= len(piece)
            parts.append(piece)
        return parts[0] if len(parts) == 1 else b"".join(parts)

    def exact(self, n: int, what: str) -> bytes:
        out = self.read(n)
        if len(out) != n:
            raise PacketError(DAMAGED.format(f"{what}不完整"))
        return out

    def at_end(self) -> bool:
        return self._pos >= len(self._buf) and not self._fill()


def _frame(stream: PlainStream, limit: int, what: str) -> bytes:
    length = struct.unpack(">I", stream.exact(4, what))[0]
    if length > limit:
        raise PacketError(DAMAGED.format(f"{what}长度异常"))
    return stream.exact(length, what)


def read_preamble(stream: PlainStream) -> Preamble:
    if stream.read(len(LAYOUT_MAGIC)) != LAYOUT_MAGIC:
        raise PacketError("数据包内部格式不是本软件这一版本的（可能来自旧版软件，或被改动）。"
                          "请让学校把软件升级到与中心校相同的版本后重新导出。")
    return Preamble(_frame(stream, MAX_CERTIFICATE, "证书"), _frame(stream, MAX_STATEMENT, "换钥证明"),
                    _frame(stream, MAX_MANIFEST, "清单"), _frame(stream, MAX_SIGNATURE, "签名"))


def parse_manifest(body: bytes, limits: Limits) -> dict:
    """The manifest, whose signature has been checked: every field of the type and range this
    program writes, every member named as this program names them, within the center's limits."""
    try:
        m = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise PacketError(DAMAGED.format("清单不是有效的JSON")) from None
    if not isinstance(m, dict):
        raise PacketError(DAMAGED.format("清单格式不对"))

    def need(key, kind, ok=lambda v: True):
        value = m.get(key)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)) or not ok(value):
            raise PacketError(DAMAGED.format(f"清单中的“{key}”不对"))
        return value

    need("format", int, lambda v: v == FORMAT)
    need("kind", str, lambda v: v == "jiaoyu-packet")
    need("school_code", str, lambda v: len(v) == 10 and v.isascii() and v.isdigit())
    need("school_name", str, lambda v: 0 < len(v) <= 100)
    need("packet_no", int, lambda v: 1 <= v < 10 ** 9)
    need("created_at", str, lambda v: bool(TIMESTAMP.fullmatch(v)))
    need("full", bool)
    log_from = need("log_from", int, lambda v: 1 <= v < 2 ** 62)
    log_to = need("log_to", int, lambda v: log_from - 1 <= v < 2 ** 62)
    need("changes", int, lambda v: v == log_to - log_from + 1)
    need("data_digest", str, lambda v: bool(HEX64.fullmatch(v)))
    need("previous_packet", str, lambda v: v == "" or bool(HEX64.fullmatch(v)))
    need("certificate_fingerprint", str, lambda v: len(v) < 64)
    need("schema", list, lambda v: 0 < len(v) < 1000 and all(isinstance(s, str) and 0 < len(s) < 100 for s in v))
    members = need("members", list, lambda v: len(v) <= limits.members)
    names, total = set(), 0
    for entry in members:
        if not (isinstance(entry, dict) and set(entry) == {"name", "sha256", "size", "stored", "encoding"}):
            raise PacketError(DAMAGED.format("清单中的文件列表格式不对"))
        name, size, stored, encoding = entry["name"], entry["size"], entry["stored"], entry["encoding"]
        if not (isinstance(name, str) and MEMBER_NAME.fullmatch(name)) or name in names:
            raise PacketError(DAMAGED.format("清单中有不应有的文件名"))
        if not (isinstance(entry["sha256"], str) and HEX64.fullmatch(entry["sha256"])):
            raise PacketError(DAMAGED.format("清单中的校验值格式不对"))
        if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v < 2 ** 62 for v in (size, stored)) \
                or encoding not in ("raw", "deflate") or (encoding == "raw" and stored != size):
            raise PacketError(DAMAGED.format("清单中的文件大小格式不对"))
        if name.startswith("attachments/") and name.split("/", 1)[1] != entry["sha256"]:
            raise PacketError(DAMAGED.format("附件的名称与其校验值不符"))
        names.add(name)
        total += max(size, stored)
    if total > limits.total:
        raise PacketError(f"数据包的内容共 {total / (1 << 20):.0f} MB，超过本中心校设定的上限 "
                          f"{limits.total / (1 << 20):.0f} MB，已拒收（没有读取其内容）。如这所学校的数据确实这么大"
                          "（例如照片很多），请中心校把数据包大小上限调高后再导入。")
    if len(names & {"snapshot.sqlite", "changes.sqlite"}) != 1 or ("snapshot.sqlite" in names and log_from != 1):
        raise PacketError("数据包的清单中没有变更记录文件，已拒收。请让学校用本软件重新导出。")
    return m


class _Hashing:
    def __init__(self, sink: BinaryIO | None):
        self.sink, self.h, self.size = sink, hashlib.sha256(), 0

    def write(self, data: bytes) -> None:
        self.h.update(data)
        self.size += len(data)
        if self.sink is not None:
            self.sink.write(data)


def read_member(stream: PlainStream, entry: dict, sink: BinaryIO | None) -> None:
    """Stream one member into `sink` (or nowhere: hashed only), refusing it the moment it
    exceeds its declared size or does not match its declared hash."""
    name, size, stored = entry["name"], entry["size"], entry["stored"]
    out = _Hashing(sink)
    inflater = zlib.decompressobj() if entry["encoding"] == "deflate" else None
    remaining = stored
    try:
        while remaining:
            data = stream.read(min(BLOCK, remaining))
            if not data:
                raise PacketError(DAMAGED.format(f"“{name}”不完整"))
            remaining -= len(data)
            if inflater is None:
                out.write(data)
                continue
            while data:
                piece = inflater.decompress(data, BLOCK)
                data = inflater.unconsumed_tail
                out.write(piece)
                if out.size > size:
                    raise PacketError(DAMAGED.format(f"“{name}”解压后比清单所说的大"))
        if inflater is not None and (not inflater.eof or inflater.unused_data):
            raise PacketError(DAMAGED.format(f"“{name}”的压缩数据不完整"))
    except zlib.error:
        raise PacketError(DAMAGED.format(f"“{name}”的压缩数据已损坏")) from None
    if out.size != size or out.h.hexdigest() != entry["sha256"]:
        raise PacketError(f"数据包中的“{name}”与清单不符（被改动或损坏），已拒收。")


# -- writing -------------------------------------------------------------------------------
def frame(data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + data


def member_from_file(path: Path, name: str, compress: bool, work: Path) -> tuple[dict, Path]:
    """The manifest entry of a file and the file to send (compressed beside it if asked)."""
    h, size = hashlib.sha256(), 0
    stored_path = path
    deflate = zlib.compressobj(6) if compress else None
    out = open(work / (path.name + ".z"), "wb") if compress else None
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(BLOCK):
                h.update(chunk)
                size += len(chunk)
                if out:
                    out.write(deflate.compress(chunk))
        if out:
            out.write(deflate.flush())
            stored_path = Path(out.name)
    finally:
        if out:
            out.close()
    entry = {"name": name, "sha256": h.hexdigest(), "size": size, "stored": stored_path.stat().st_size,
             "encoding": "deflate" if compress else "raw"}
    return entry, stored_path


def member_from_bytes(data: bytes, name: str, compress: bool) -> tuple[dict, bytes]:
    stored = zlib.compress(data, 6) if compress else data
    return ({"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data), "stored": len(stored),
             "encoding": "deflate" if compress else "raw"}, stored)


class Concatenated(io.RawIOBase):
    """Parts (bytes, or paths of files) read one after another, as one stream of known size."""

    def __init__(self, parts: Iterable[bytes | Path]):
        self._parts = list(parts)
        self.size = sum(len(p) if isinstance(p, bytes) else p.stat().st_size for p in self._parts)
        self._current: BinaryIO | None = None

    def _next(self) -> bool:
        if self._current:
            self._current.close()
            self._current = None
        if not self._parts:
            return False
        part = self._parts.pop(0)
        self._current = io.BytesIO(part) if isinstance(part, bytes) else open(part, "rb")
        return True

    def read(self, n: int = -1) -> bytes:
        out = b""
        while n < 0 or len(out) < n:
            if self._current is None and not self._next():
                break
            chunk = self._current.read(-1 if n < 0 else n - len(out))
            if not chunk:
                self._current.close()
                self._current = None
                continue
            out += chunk
        return out

    def close(self) -> None:
        if self._current:
            self._current.close()
        super().close()
