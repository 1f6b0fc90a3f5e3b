"""The packet container: a readable header, then the contents encrypted to the township center.

Layout: MAGIC, a 4-byte length, the header (JSON), then chunks of (4-byte length, ciphertext).
Each chunk is ChaCha20-Poly1305 with nonce = nonce base ‖ chunk index and the header plus a
"last chunk" flag as associated data — so a reordered, altered, truncated or extended file fails
to open. The key comes from X25519 between a one-off key (public half in the header) and the
center's packet key, through HKDF-SHA256. The header holds no personal data: format, school
code, packet number, the recipient's fingerprint.
"""

from __future__ import annotations

import json
import os
import struct
from typing import BinaryIO, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from jiaoyuapp.errors import DataError

MAGIC = b"JIAOYU-PACKET\n"
UNFINISHED = b"JIAOYU-UNDONE\n"   # same length: written first, replaced by MAGIC only once the file is whole
FORMAT = 2   # 2: the plaintext is the signed layout of packet_layout (1, a zip, is refused)
CHUNK = 1 << 20
MAX_HEADER = 64 * 1024


class PacketError(DataError):
    """A packet that cannot be accepted; the message says why and what to do."""


def _key(shared: bytes, header: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"jiaoyu packet v1\x00" + header).derive(shared)


def _aad(header: bytes, last: bool) -> bytes:
    return header + (b"\x01" if last else b"\x00")


def seal(out: BinaryIO, plaintext: BinaryIO, size: int, header_fields: dict,
         recipient: x25519.X25519PublicKey, magic: bytes = MAGIC) -> None:
    """Write the container for `size` bytes read from `plaintext`."""
    ephemeral = x25519.X25519PrivateKey.generate()
    nonce_base = os.urandom(8)
    header = json.dumps(dict(header_fields, format=FORMAT, chunk=CHUNK, nonce_base=nonce_base.hex(),
                             ephemeral=ephemeral.public_key().public_bytes(
                                 serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()),
                        ensure_ascii=False, sort_keys=True).encode("utf-8")
    aead = ChaCha20Poly1305(_key(ephemeral.exchange(recipient), header))
    out.write(magic + struct.pack(">I", len(header)) + header)
    index, remaining = 0, size
    while True:
        block = plaintext.read(min(CHUNK, remaining))
        remaining -= len(block)
        last = remaining <= 0
        sealed = aead.encrypt(nonce_base + struct.pack(">I", index), block, _aad(header, last))
        out.write(struct.pack(">I", len(sealed)) + sealed)
        index += 1
        if last:
            return


def read_header(fh: BinaryIO) -> tuple[dict, bytes]:
    magic = fh.read(len(MAGIC))
    if magic == UNFINISHED:
        raise PacketError("这个数据包没有写完（导出时被中断，或U盘被拔出），不能接收。请让学校重新导出。")
    if magic != MAGIC:
        raise PacketError("这不是本软件的数据包文件（.jyp），或文件开头已损坏。")
    raw = fh.read(4)
    if len(raw) < 4:
        raise PacketError("数据包不完整（文件被截断），请让学校重新导出。")
    length = struct.unpack(">I", raw)[0]
    if length > MAX_HEADER:
        raise PacketError("数据包文件头已损坏，请让学校重新导出。")
    header = fh.read(length)
    try:
        fields = json.loads(header.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise PacketError("数据包文件头已损坏，请让学校重新导出。") from None
    if not isinstance(fields, dict):
        raise PacketError("数据包文件头已损坏，请让学校重新导出。")
    if fields.get("format") != FORMAT:
        newer = isinstance(fields.get("format"), int) and fields["format"] > FORMAT
        raise PacketError("数据包格式版本不符：" + ("它来自更新版本的软件，请先把本机软件升级到最新版本。" if newer else
                          "它来自旧版本的软件。请让学校把软件升级到与本机相同的版本后重新导出。"))
    if not _well_formed(fields):
        raise PacketError("数据包文件头已损坏，请让学校重新导出。")
    return fields, header


def _well_formed(f: dict) -> bool:
    """The header fields exactly as `seal` writes them (it is read before anything is authenticated)."""
    def hexed(value, length):
        return isinstance(value, str) and len(value) == length and all(c in "0123456789abcdef" for c in value)
    code, number = f.get("school_code"), f.get("packet_no")
    return (set(f) == {"format", "chunk", "nonce_base", "ephemeral", "school_code", "packet_no", "recipient"}
            and f["chunk"] == CHUNK and hexed(f["nonce_base"], 16) and hexed(f["ephemeral"], 64)
            and isinstance(code, str) and len(code) == 10 and code.isascii() and code.isdigit()
            and isinstance(number, int) and not isinstance(number, bool) and 1 <= number < 10 ** 9
            and isinstance(f["recipient"], str) and len(f["recipient"]) <= 64)


def open_sealed(fh: BinaryIO, own_key: x25519.X25519PrivateKey) -> Iterator[bytes]:
    """Decrypted chunks, in order; raises PacketError on any alteration or truncation."""
    fields, header = read_header(fh)
    nonce_base = bytes.fromhex(fields["nonce_base"])
    try:
        shared = own_key.exchange(x25519.X25519PublicKey.from_public_bytes(bytes.fromhex(fields["ephemeral"])))
    except ValueError:  # a degenerate public key: no honest sender makes one
        raise PacketError("数据包文件头已损坏，请让学校重新导出。") from None
    aead = ChaCha20Poly1305(_key(shared, header))
    index = 0
    while True:
        raw = fh.read(4)
        if len(raw) < 4:
            raise PacketError("数据包不完整（文件被截断，可能是拷贝时U盘被拔出）。请让学校重新导出或重新拷贝。")
        length = struct.unpack(">I", raw)[0]
        if length > CHUNK + 16:
            raise PacketError("数据包内容已损坏，请让学校重新导出。")
        sealed = fh.read(length)
        if len(sealed) < length:
            raise PacketError("数据包不完整（文件被截断，可能是拷贝时U盘被拔出）。请让学校重新导出或重新拷贝。")
        nonce = nonce_base + struct.pack(">I", index)
        for last in (False, True):
            try:
                block = aead.decrypt(nonce, sealed, _aad(header, last))
                break
            except InvalidTag:
                block = None
        if block is None:
            raise PacketError("数据包无法解开：内容被改动或损坏，或者它不是发给本中心校的"
                              "（加密用的不是本中心校的证书）。请核实后让学校重新导出。")
        yield block
        index += 1
        if last:
            if fh.read(1):
                raise PacketError("数据包末尾多出了内容（文件被改动），已拒收。请让学校重新导出。")
            return
