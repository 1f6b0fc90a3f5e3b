"""Schools, a township center and their packets, for the exchange tests (synthetic people only)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

from jiaoyuapp.exchange import container, identity, peers, township
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
    """(header, inner zip bytes), as only the center can."""
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


def rezip(inner: bytes, change) -> bytes:
    """Rebuild the inner zip, letting change(name, data) return new data, or None to drop a member."""
    src = zipfile.ZipFile(io.BytesIO(inner))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = change(name, src.read(name))
            if data is not None:
                dst.writestr(name, data)
    return out.getvalue()


def resign(inner: bytes, store, passphrase: str, edit) -> bytes:
    """Change the manifest with edit(manifest) and sign it with `store`'s key."""
    src = zipfile.ZipFile(io.BytesIO(inner))
    manifest = json.loads(src.read("manifest.json"))
    edit(manifest)
    me = identity.active(store)
    manifest["certificate"] = me["certificate"]
    body = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode()
    sig = identity.sign(identity.signing_key(me, passphrase), body).hex().encode()
    return rezip(inner, lambda name, data: body if name == "manifest.json" else sig if name == "manifest.sig" else data)


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
