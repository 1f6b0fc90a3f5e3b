"""Schools, a township center and their packets, for the exchange tests (synthetic people only)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from jiaoyuapp.exchange import container, identity, packet_layout, peers, township
from jiaoyuapp.exchange.packet_export import export_packet
from jiaoyuapp.ledgers.demo_ledgers import fill_term
from jiaoyuapp.roster.demo import load_demo
from jiaoyuapp.school import init_school, open_school

DAY = dt.date(2026, 11, 20)
SCHOOL_SECRET = "学校口令2026abc"
CENTER_SECRET = "中心校口令2026abc"


def make_school(folder: Path, code: str, name: str, students: int, seed: int):
    store = open_school(folder / f"{code}.db")
    init_school(store, code=code, name=name, township="青石镇", county="示范县")
    identity.create(store, kind="school", code=code, name=name, passphrase=SCHOOL_SECRET)
    load_demo(store, students, seed=seed)
    fill_term(store, seed=seed, today=DAY, photo_share=0.4)
    return store


def make_center(folder: Path, name: str = "center.db", code: str = "5101239999"):
    store = open_school(folder / name)
    township.init(store, name="青石镇中心校", code=code, passphrase=CENTER_SECRET)
    return store


def register(center, school) -> None:
    me = identity.active(school)
    peers.register_school(center, me["certificate"], me["fingerprint"])


def export(school, folder: Path, center=None, **kw) -> Path:
    cert = identity.active(center)["certificate"] if center is not None else None
    return export_packet(school, folder, passphrase=SCHOOL_SECRET, center_certificate=cert, today=DAY, **kw)


def copy_db(src: Path, dst: Path) -> Path:
    store = open_school(src)
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    shutil.copy(src, dst)
    return dst


def unseal(center, packet: Path) -> tuple[dict, bytes]:
    """(header, decrypted contents), as only the center can."""
    me = identity.active(center)
    with open(packet, "rb") as fh:
        header, _ = container.read_header(fh)
        fh.seek(0)
        inner = b"".join(container.open_sealed(fh, identity.encryption_key(me, CENTER_SECRET)))
    return header, inner


def reseal(center, header: dict, inner: bytes, out: Path) -> Path:
    """Encrypt changed contents to the center again — anyone holding its certificate can do this,
    so signatures and hashes, not encryption, must catch what was changed."""
    recipient = identity.encryption_public_key(identity.load_certificate(identity.active(center)["certificate"]))
    fields = {k: header[k] for k in ("school_code", "packet_no", "recipient")}
    with open(out, "wb") as fh:
        container.seal(fh, io.BytesIO(inner), len(inner), fields, recipient)
    return out


@dataclass
class Inner:
    """The decrypted contents taken apart (see packet_layout): frames, and each member's bytes."""
    certificate: bytes
    rotation: bytes
    manifest_bytes: bytes
    signature: bytes
    stored: dict = field(default_factory=dict)     # name -> bytes as they travel
    tail: bytes = b""                              # anything after the last member

    @property
    def manifest(self) -> dict:
        return json.loads(self.manifest_bytes)

    def content(self, name: str) -> bytes:
        entry = next(m for m in self.manifest["members"] if m["name"] == name)
        return zlib.decompress(self.stored[name]) if entry["encoding"] == "deflate" else self.stored[name]


def take_apart(plain: bytes) -> Inner:
    pos = len(packet_layout.LAYOUT_MAGIC)
    assert plain[:pos] == packet_layout.LAYOUT_MAGIC
    frames = []
    for _ in range(4):
        n = struct.unpack(">I", plain[pos:pos + 4])[0]
        frames.append(plain[pos + 4:pos + 4 + n])
        pos += 4 + n
    inner = Inner(*frames)
    for m in inner.manifest["members"]:
        inner.stored[m["name"]] = plain[pos:pos + m["stored"]]
        pos += m["stored"]
    inner.tail = plain[pos:]
    return inner


def put_together(inner: Inner) -> bytes:
    frames = (inner.certificate, inner.rotation, inner.manifest_bytes, inner.signature)
    out = packet_layout.LAYOUT_MAGIC + b"".join(struct.pack(">I", len(f)) + f for f in frames)
    return out + b"".join(inner.stored.values()) + inner.tail


def rezip(inner: bytes, change) -> bytes:
    """Change the contents without signing again: change(name, data) returns new data, or None to
    drop a member. Names: every member, and "manifest.json" / "manifest.sig" for those frames."""
    parts = take_apart(inner)
    body = change("manifest.json", parts.manifest_bytes)
    sig = change("manifest.sig", parts.signature)
    for m in parts.manifest["members"]:
        data = change(m["name"], parts.content(m["name"]))
        if data is None:
            del parts.stored[m["name"]]
        elif data != parts.content(m["name"]):
            parts.stored[m["name"]] = zlib.compress(data) if m["encoding"] == "deflate" else data
    parts.manifest_bytes, parts.signature = body, sig
    return put_together(parts)


def resign(inner: bytes, store, passphrase: str, edit, contents: dict | None = None) -> bytes:
    """Replace members' contents (`contents`: name -> bytes, hashes made again), change the manifest
    with edit(manifest), and sign it all with `store`'s key — what a school with a stolen or
    malicious key can do."""
    parts = take_apart(inner)
    manifest = parts.manifest
    for entry in manifest["members"]:
        if contents and entry["name"] in contents:
            data = contents[entry["name"]]
            stored = zlib.compress(data) if entry["encoding"] == "deflate" else data
            parts.stored[entry["name"]] = stored
            entry.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data), stored=len(stored))
    edit(manifest)
    me = identity.active(store)
    parts.certificate = me["certificate"].encode("ascii")
    manifest["certificate_fingerprint"] = me["fingerprint"]
    parts.manifest_bytes = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode()
    parts.signature = identity.sign(identity.signing_key(me, passphrase), parts.manifest_bytes)
    parts.stored = {m["name"]: parts.stored[m["name"]] for m in manifest["members"] if m["name"] in parts.stored}
    return put_together(parts)


def merged_state(center) -> tuple:
    """What a refused import must leave untouched: the center's records and every copy's log."""
    received = center.query("SELECT school_code, packet_no FROM packets_received ORDER BY 1, 2")
    copies = {}
    base = center.path.parent / f"{center.path.stem}_学校数据"
    for path in sorted(base.glob("*.db")) if base.exists() else []:
        replica = open_school(path)
        copies[path.name] = replica.scalar("SELECT count(*) FROM change_log")
        replica.close()
    return json.dumps(received), json.dumps(copies)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def seal_as(center, fields: dict, plain: bytes, out: Path) -> Path:
    """Encrypt `plain` to the center under any header fields at all (what an outsider can do)."""
    recipient = identity.encryption_public_key(identity.load_certificate(identity.active(center)["certificate"]))
    with open(out, "wb") as fh:
        container.seal(fh, io.BytesIO(plain), len(plain), fields, recipient)
    return out


def clone_center(src: Path, dst_dir: Path) -> Path:
    """A copy of a center database and its schools' copies, to start a test from that state."""
    dst_dir.mkdir(parents=True, exist_ok=True)
    copy_db(src, dst_dir / src.name)
    copies = src.parent / f"{src.stem}_学校数据"
    if copies.exists():
        target = dst_dir / copies.name
        target.mkdir()
        for db in copies.glob("*.db"):
            copy_db(db, target / db.name)
    return dst_dir / src.name
