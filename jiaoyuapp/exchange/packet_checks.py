"""Every check a packet passes at the center, in the order that lets nothing unauthenticated
reach a parser.

1. The file: no larger than the center accepts; its header (a few fixed fields, read before
   anything is authenticated) well formed and addressed to this center, naming a registered
   school.
2. Decryption: the AEAD authenticates the container — but anyone holding the center's public
   certificate can make one, so it proves nothing about the sender.
3. The signer: the certificate bytes are the registered ones, or the registered key signed
   exactly those bytes (a key rotation); only then are they parsed.
4. The manifest: its signature is checked over its raw bytes, and only then is it parsed, every
   field checked for type and range, every declared size against the center's limits.
5. Numbering (under the school's lock): a packet already received is reported as such; a replay,
   a gap or a broken chain is refused.
6. Members: streamed one by one into a private work folder or memory, each cut off at its
   declared size, hashed and compared; the disk space they need is checked first.
7. Contents: the snapshot or the changes file checked as hostile (see snapshot and
   changes_file; the changes file at merge time, against the copy's position).
Any failure raises PacketError with a message a person can act on; nothing has been merged.
"""

from __future__ import annotations

import hashlib
import io
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from jiaoyuapp.disk_space import full_error, is_disk_full, require_free
from jiaoyuapp.errors import NotFoundError
from jiaoyuapp.exchange import identity, peers
from jiaoyuapp.exchange.township import require_township
from jiaoyuapp.exchange.changes_file import CHANGES_DB, Malformed
from jiaoyuapp.exchange.container import PacketError, open_sealed, read_header
from jiaoyuapp.exchange.packet_layout import Limits, PlainStream, parse_manifest, read_member, read_preamble
from jiaoyuapp.exchange.snapshot import SNAPSHOT_DB, check_snapshot
from jiaoyuapp.ledgers.attachments import MAX_BYTES as MAX_ATTACHMENT
from jiaoyuapp.store import Store


class _HashingReader:
    """Reads the packet file while hashing every byte read, so the stick is read once."""

    def __init__(self, fh: BinaryIO):
        self.fh, self.h = fh, hashlib.sha256()

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(n)
        self.h.update(data)
        return data


@dataclass
class Opened:
    """A packet whose sender and manifest are authenticated; its members not read yet."""
    code: str
    number: int
    manifest: dict
    manifest_sha: str
    peer: dict
    rotated_pem: str | None
    stream: PlainStream
    reader: _HashingReader

    @property
    def name(self) -> str:
        return self.peer["name"]  # as registered, not as the packet says


@dataclass
class Contents:
    snapshot: Path | None = None
    changes: bytes | Path | None = None
    attachments: list[bytes | Path] = field(default_factory=list)   # small ones in memory
    packet_sha: str = ""

    def blobs(self):
        """Each attachment's bytes, one at a time."""
        for item in self.attachments:
            yield item if isinstance(item, bytes) else item.read_bytes()


def open_file(path: Path, limits: Limits) -> BinaryIO:
    if path.is_dir():
        raise PacketError(f"“{path.name}”是一个文件夹，不是数据包。请选择其中以 .jyp 结尾的文件。")
    try:
        fh = open(path, "rb")
    except OSError as exc:
        raise PacketError(f"读不了数据包文件：{exc.strerror}。") from None
    size = os.fstat(fh.fileno()).st_size
    if size > limits.total + (64 << 20):
        fh.close()
        raise PacketError(f"数据包文件有 {size / (1 << 20):.0f} MB，超过本中心校设定的上限 {limits.total / (1 << 20):.0f} MB，"
                          "已拒收（没有读取其内容）。如这所学校的数据确实这么大，请中心校把数据包大小上限调高后再导入。")
    return fh


def authenticate(store: Store, fh: BinaryIO, passphrase: str | None, limits: Limits) -> Opened:
    """Steps 1–4: who sent it, and the manifest they signed."""
    me = require_township(store)
    header, _ = read_header(fh)
    if header["recipient"] != me["fingerprint"]:
        raise PacketError("这个数据包不是发给本中心校的（加密所用的证书不是本中心校的）。"
                          "请让学校用本中心校的证书重新导出。")
    code = header["school_code"]
    try:
        peer = peers.school_peer(store, code)
    except NotFoundError as exc:
        raise PacketError(exc.message) from None
    own = identity.encryption_key(me, passphrase, store=store)
    fh.seek(0)
    reader = _HashingReader(fh)
    stream = PlainStream(open_sealed(reader, own))
    pre = read_preamble(stream)
    rotated = None
    if pre.certificate == peer["certificate"].encode("ascii"):
        signer = identity.load_certificate(peer["certificate"])
    else:
        signer = peers.rotated_certificate(peer["certificate"], pre.certificate, pre.rotation)
        if signer is None:
            raise PacketError(f"数据包的签名证书与登记的“{peer['name']}”证书不符（可能是其他学校签的，"
                              "或学校重新生成了密钥）。如学校确实换了密钥，请电话核对新指纹后重新登记。")
        rotated = pre.certificate.decode("ascii")
    if not identity.verify(signer, pre.signature, pre.manifest):
        raise PacketError(f"数据包清单的签名无效（内容被改动，或不是“{peer['name']}”签的），已拒收。")
    manifest = parse_manifest(pre.manifest, limits)
    for entry in manifest["members"]:
        if entry["name"].startswith("attachments/") and entry["size"] > MAX_ATTACHMENT:
            raise PacketError("数据包中有一个附件超过了本软件允许的大小（40 MB），已拒收。")
    if manifest["school_code"] != code or manifest["packet_no"] != header["packet_no"]:
        raise PacketError("数据包的文件头与清单不一致（文件被改动），已拒收。")
    if manifest["certificate_fingerprint"] != identity.fingerprint(rotated or peer["certificate"]):
        raise PacketError("数据包清单所写的证书与签名所用的证书不一致，已拒收。")
    unknown = [m for m in manifest["schema"] if m not in store.schema.migration_names()]
    if unknown:
        raise PacketError(f"“{peer['name']}”用的软件比本中心校新（数据格式 {unknown[0]}），本中心校还读不了它的数据。"
                          "请先把中心校的软件升级到最新版本，再导入这个数据包（数据包本身完好，请保留）。")
    return Opened(code, manifest["packet_no"], manifest, hashlib.sha256(pre.manifest).hexdigest(), peer, rotated,
                  stream, reader)


def already_received(store: Store, opened: Opened) -> bool:
    """Step 5: True if this very packet is in; refuses one that does not follow the last."""
    seen = store.query("SELECT * FROM packets_received WHERE school_code = ? ORDER BY packet_no", (opened.code,))
    number, manifest = opened.number, opened.manifest
    if any(r["packet_no"] == number and r["manifest_sha256"] == opened.manifest_sha for r in seen):
        return True
    if not seen:  # the school's first packet here, or its first since its key was replaced
        if manifest["log_from"] > 1:
            raise PacketError("这是学校的增量数据包，但本中心校还没有该校（或该校更换密钥后）的数据。"
                              "请让学校导出完整数据包。")
        return False
    last = seen[-1]
    expected = last["packet_no"] + 1
    if number < expected:
        raise PacketError(f"这是旧的或重复编号的数据包（第{number}号；本中心校已收到第{expected - 1}号），"
                          "内容与已收到的不同，已拒收。请核实U盘上的文件是否是最新导出的。")
    if number > expected:
        missing = "、".join(f"第{n}号" for n in range(expected, min(number, expected + 20)))
        raise PacketError(f"缺少{missing}数据包：收到的是第{number}号。请先导入{missing}，再导入这一个。")
    if manifest["previous_packet"] != last["manifest_sha256"]:
        raise PacketError("数据包与上一个数据包接不上（链条校验不符），已拒收。请让学校核实后重新导出。")
    return False


def extract(opened: Opened, work: Path, limits: Limits) -> Contents:
    """Step 6: every member, streamed, bounded and hashed; what must be kept goes to `work`
    (a private folder) or, when small, stays in memory."""
    members = opened.manifest["members"]
    # what may go to disk, with a block of the file system's own for each file
    to_disk = sum(m["size"] + 4096 for m in members if m["name"] != CHANGES_DB or m["size"] > limits.in_memory)
    require_free(work, to_disk)
    try:
        return _extract(opened, work, limits)
    except OSError as exc:
        if is_disk_full(exc):
            raise full_error(work, to_disk, done="这个数据包没有合并（原有数据完好）") from None
        raise PacketError(f"读取数据包时无法写入临时文件夹“{work}”：{exc.strerror or exc}。没有合并任何内容。") from None


def _extract(opened: Opened, work: Path, limits: Limits) -> Contents:
    members = opened.manifest["members"]
    contents = Contents()
    (work / "attachments").mkdir()
    in_memory = limits.in_memory  # what may still be kept in memory: the changes file, then photos
    for entry in members:
        name = entry["name"]
        if (name == CHANGES_DB or name.startswith("attachments/")) and entry["size"] <= in_memory:
            buffer = io.BytesIO()
            read_member(opened.stream, entry, buffer)
            in_memory -= entry["size"]
            if name == CHANGES_DB:
                contents.changes = buffer.getvalue()
            else:
                contents.attachments.append(buffer.getvalue())
            continue
        if name in (SNAPSHOT_DB, CHANGES_DB) or name.startswith("attachments/"):
            target = work / name
            with open(target, "wb") as out:
                read_member(opened.stream, entry, out)
            if name == SNAPSHOT_DB:
                contents.snapshot = target
            elif name == CHANGES_DB:
                contents.changes = target
            else:
                contents.attachments.append(target)
            continue
        read_member(opened.stream, entry, None)  # the documents: checked, not kept
    if not opened.stream.at_end():
        raise PacketError("数据包中多出了清单里没有的内容（文件被改动），已拒收。请让学校重新导出。")
    contents.packet_sha = opened.reader.h.hexdigest()
    return contents


def check_snapshot_member(store: Store, opened: Opened, contents: Contents) -> None:
    """Step 7 for a full packet: the snapshot is exactly what this program writes, and its tables
    are what its own log says."""
    if contents.snapshot is None:
        return
    try:
        check_snapshot(contents.snapshot, migrations=opened.manifest["schema"], schema=store.schema,
                       log_to=opened.manifest["log_to"])
    except Malformed as exc:
        raise PacketError(f"数据包中的数据库文件{exc}，已拒收。请让学校用本软件重新导出。") from None
