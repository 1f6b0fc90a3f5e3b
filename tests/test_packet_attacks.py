"""The center under attack: packets crafted by an outsider who holds only the center's public
certificate (anyone can encrypt to it), and by a registered school that is malicious or whose key
was stolen (it can sign anything). Every one is refused with its reason and nothing is merged;
the importing process — the real `jiaoyu township import`, several packets at a time — runs with
1 GiB of address space and its data and temp folders on a 64 MB disk, and leaves nothing there."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from jiaoyuapp.exchange import container, identity, packet_import, packet_layout, receipts
from jiaoyuapp.roster.students import update_student
from jiaoyuapp.school import open_school
from tests.packet_helpers import (CENTER_SECRET, SCHOOL_SECRET, clone_center, export, make_center, make_school,
                                  merged_state, put_together, register, seal_as, take_apart, unseal)
from tests.small_disk import mounted

REPO = Path(__file__).resolve().parent.parent
RUNNER = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
from jiaoyuapp.cli import main
sys.exit(main(sys.argv[1:]))
"""
GiB = 1 << 30


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A center with schools A and B registered and C not; A's first packet (a snapshot) and, after
    a receipt, its second (changes only); the center's state before and after the first."""
    d = tmp_path_factory.mktemp("attacks")
    center = make_center(d / "base")
    a = make_school(d, "5101230001", "红岩村小学", 30, 21)
    b = make_school(d, "5101230002", "石桥村小学", 10, 23)
    c = make_school(d, "5101230003", "未登记小学", 10, 22)
    register(center, a)
    register(center, b)
    a1, b1, c1 = export(a, d / "usb", center), export(b, d / "usb", center), export(c, d / "usb", center)
    center.close()
    after = open_school(clone_center(d / "base" / "center.db", d / "after1"))
    packet_import.import_packet(after, a1, passphrase=CENTER_SECRET)
    receipts.import_receipt(a, receipts.write_receipt(after, "5101230001", d / "usb", passphrase=CENTER_SECRET))
    after.close()
    update_student(a, a.scalar("SELECT uuid FROM students LIMIT 1"), {"联系电话": "13900000009"})
    a2 = export(a, d / "usb2")
    for s in (a, b, c):
        s.close()
    return {"d": d, "a1": a1, "a2": a2, "b1": b1, "c1": c1}


def bomb() -> bytes:
    """1 GiB of zeros, deflated to about a megabyte."""
    z = zlib.compressobj(9)
    block = bytes(1 << 20)
    return b"".join(z.compress(block) for _ in range(1024)) + z.flush()


def edit_db(data: bytes, sql: str, work: Path) -> bytes:
    path = work / "edit.sqlite"
    path.write_bytes(data)
    conn = sqlite3.connect(path)
    conn.executescript(sql)
    conn.commit()
    conn.close()
    out = path.read_bytes()
    path.unlink()
    return out


def damaged_pages(data: bytes, work: Path) -> bytes:
    """The snapshot with the top page of its change log's tree overwritten (its first 8 bytes kept):
    a page that holds school data, wherever the file's layout puts it (a page picked by position
    may be an empty local table's, which nothing reads)."""
    page = struct.unpack(">H", data[16:18])[0] or 65536
    path = work / "to-damage.db"
    path.write_bytes(data)
    conn = sqlite3.connect(path)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'change_log'").fetchone()[0]
    conn.close()
    path.unlink()
    out = bytearray(data)
    at = (root - 1) * page
    out[at + 8:at + page] = os.urandom(page - 8)
    return bytes(out)


class Forge:
    """What an attacker makes from a real packet: its decrypted contents taken apart, changed, and
    (for a registered school) signed again with the school's key."""

    def __init__(self, world, tmp_path: Path, key: str):
        self.world, self.work = world, tmp_path
        self.d = world["d"]
        self.center_db = self.d / "base" / "center.db"
        center = open_school(self.center_db)
        self.header, self.plain = unseal(center, world[key])
        self.center = center
        self.n = 0

    def out(self, name: str) -> Path:
        folder = self.work / "usb"
        folder.mkdir(exist_ok=True)
        self.n += 1
        return folder / f"{self.n:02d}_{name}.jyp"

    def sealed(self, name: str, plain: bytes, **header) -> Path:
        fields = {k: self.header[k] for k in ("school_code", "packet_no", "recipient")}
        return seal_as(self.center, dict(fields, **header), plain, self.out(name))

    def signed(self, name: str, edit, store_code: str = "5101230001", **header) -> Path:
        """edit(parts, manifest) changes anything; then the manifest is signed with that school's key
        (and, unless edit chose the certificate, carries that school's certificate)."""
        parts = take_apart(self.plain)
        original = parts.certificate
        manifest = parts.manifest
        edit(parts, manifest)
        store = open_school(self.d / f"{store_code}.db")
        me = identity.active(store)
        if parts.certificate == original:
            parts.certificate = me["certificate"].encode("ascii")
        manifest["certificate_fingerprint"] = me["fingerprint"]
        parts.manifest_bytes = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode()
        parts.signature = identity.sign(identity.signing_key(me, SCHOOL_SECRET), parts.manifest_bytes)
        store.close()
        return self.sealed(name, put_together(parts), **header)

    def member(self, manifest: dict, name: str) -> dict:
        return next(m for m in manifest["members"] if m["name"].startswith(name))

    def replace(self, parts, manifest, name: str, data: bytes) -> None:
        """A member's new contents, declared honestly (hash, size) in the signed manifest."""
        import hashlib
        entry = self.member(manifest, name)
        stored = zlib.compress(data) if entry["encoding"] == "deflate" else data
        parts.stored[entry["name"]] = stored
        entry.update(sha256=hashlib.sha256(data).hexdigest(), size=len(data), stored=len(stored))

    def changed_db(self, parts, manifest, name: str, sql: str) -> None:
        self.replace(parts, manifest, name, edit_db(parts.content(self.member(manifest, name)["name"]), sql, self.work))

    def close(self):
        self.center.close()


def import_limited(center_db: Path, packets: list[Path], disk: Path) -> dict[str, dict]:
    """`jiaoyu township import` of all of them in one process, within the limits; its results by file."""
    (disk / "tmp").mkdir(exist_ok=True)
    env = dict(os.environ, JIAOYU_PASSPHRASE=CENTER_SECRET, JIAOYU_DATA_DIR=str(disk / "data"), TMPDIR=str(disk / "tmp"))
    done = subprocess.run([sys.executable, "-c", RUNNER, "--db", str(center_db), "--json", "township", "import",
                           *map(str, packets)], capture_output=True, text=True, env=env, cwd=REPO, timeout=900)
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    assert "意外错误" not in done.stdout + done.stderr and "程序出错" not in done.stdout, done.stdout[-3000:]
    results = {r["file"]: r for r in json.loads(done.stdout)}
    assert len(results) == len(packets)
    leftovers = [p for p in (disk / "tmp").rglob("*")] + [
        p for p in (disk / "data").rglob("*") if p.is_file() and not p.name.endswith(".lock") and "日志" not in p.parts]
    assert leftovers == [], leftovers
    return results


def expect_refused(world, tmp_path, key: str, start: str, cases: dict) -> None:
    """Build every case, import them together, and check each is refused with its reason."""
    forge = Forge(world, tmp_path, key)
    try:
        packets = {name: build(forge) for name, (build, _) in cases.items()}
    finally:
        forge.close()
    center_db = clone_center(world["d"] / start / "center.db", tmp_path / "center")
    center = open_school(center_db)
    before = merged_state(center)
    center.close()
    with mounted(tmp_path / "disk", 64) as disk:
        results = import_limited(center_db, list(packets.values()), disk)
    wrong = {name: results[p.name]["message"] for name, p in packets.items()
             if results[p.name]["status"] != "拒收" or not re.search(cases[name][1], results[p.name]["message"])}
    assert wrong == {}
    center = open_school(center_db)
    try:
        assert merged_state(center) == before
        assert not list(center_db.parent.rglob("*.building*"))
    finally:
        center.close()


def raw_container(header: dict, body: bytes = b"\x00" * 64) -> bytes:
    text = json.dumps(header).encode()
    return container.MAGIC + struct.pack(">I", len(text)) + text + struct.pack(">I", len(body)) + body


def test_an_outsider_with_the_centers_certificate_cannot_get_anything_in(world, tmp_path):
    """Packets that anyone holding the center's certificate can make — garbage, another key's
    signature, a broken or missing signature, absurd lengths, a deflate bomb, headers that lie — are
    refused before anything they carry is parsed or unpacked."""
    fields = lambda f: {k: f.header[k] for k in ("school_code", "packet_no", "recipient")}  # noqa: E731

    def signed_by_c(f):
        return f.signed("c-signs-as-a", lambda parts, m: None, store_code="5101230003")

    def c_with_statement(f):
        def edit(parts, m):
            c = open_school(f.d / "5101230003.db")
            me = identity.active(c)
            parts.certificate = me["certificate"].encode("ascii")
            parts.rotation = identity.sign(identity.signing_key(me, SCHOOL_SECRET), parts.certificate)
            c.close()
        return f.signed("c-rotation", edit, store_code="5101230003")

    def changed_unsigned(f):
        parts = take_apart(f.plain)
        m = parts.manifest
        m["log_to"] += 5
        parts.manifest_bytes = json.dumps(m).encode()
        return f.sealed("changed-manifest", put_together(parts))

    def unsigned_bomb(f):
        parts = take_apart(f.plain)
        m = parts.manifest
        data = bomb()
        entry = next(e for e in m["members"] if e["name"] == "snapshot.sqlite")
        entry.update(size=GiB, stored=len(data))
        parts.stored["snapshot.sqlite"] = data
        parts.manifest_bytes = json.dumps(m).encode()
        return f.sealed("unsigned-bomb", put_together(parts))

    def huge_frame(f):
        return f.sealed("huge-frame", packet_layout.LAYOUT_MAGIC + struct.pack(">I", 0xFFFFFFF0) + b"x" * 16)

    def huge_manifest(f):
        cert = take_apart(f.plain).certificate
        return f.sealed("huge-manifest", packet_layout.LAYOUT_MAGIC + struct.pack(">I", len(cert)) + cert
                        + struct.pack(">I", 0) + struct.pack(">I", 9 << 20) + b"{" * 1000)

    def degenerate_key(f):
        h = dict(fields(f), format=container.FORMAT, chunk=container.CHUNK, nonce_base="00" * 8, ephemeral="00" * 32)
        path = f.out("zero-key")
        path.write_bytes(raw_container(h))
        return path

    def old_format(f):
        path = f.out("format-1")
        path.write_bytes(raw_container(dict(fields(f), format=1)))
        return path

    def written(name, data):
        def build(f):
            path = f.out(name)
            path.write_bytes(data(f) if callable(data) else data)
            return path
        return build

    def folder(f):
        path = f.work / "usb" / "一个文件夹.jyp"
        path.mkdir(parents=True)
        return path

    cases = {
        "garbage": (lambda f: f.sealed("garbage", os.urandom(5000)), "内部格式不是本软件"),
        "signed-by-unregistered-c": (signed_by_c, "证书不符"),
        "c-with-its-own-rotation-statement": (c_with_statement, "证书不符"),
        "manifest-changed-signature-kept": (changed_unsigned, "签名无效"),
        "deflate-bomb-unsigned": (unsigned_bomb, "签名无效"),
        "huge-certificate-frame": (huge_frame, "长度异常"),
        "huge-manifest-frame": (huge_manifest, "长度异常"),
        "code-dot-dot": (lambda f: f.sealed("dotdot", f.plain, school_code="../C"), "文件头已损坏"),
        "code-of-unregistered-school": (lambda f: f.sealed("unregistered", f.plain, school_code="5101230003"),
                                        "还没有在本中心校登记"),
        "packet-number-as-text": (lambda f: f.sealed("text-number", f.plain, packet_no="1"), "文件头已损坏"),
        "extra-header-field": (lambda f: f.sealed("extra-field", f.plain, note="x" * 100), "文件头已损坏"),
        "degenerate-ephemeral-key": (degenerate_key, "文件头已损坏"),
        "format-1": (old_format, "旧版本"),
        "not-addressed-here": (lambda f: f.sealed("elsewhere", f.plain, recipient="0000 1111 2222 3333 4444 5555"),
                               "不是发给本中心校"),
        "truncated": (written("truncated", lambda f: f.world["a1"].read_bytes()[:-5000]), "截断|不完整"),
        "trailing-bytes": (written("trailing", lambda f: f.world["a1"].read_bytes() + b"x"), "末尾多出了内容"),
        "a-pdf": (written("a-pdf", b"%PDF-1.7\n" + os.urandom(2000)), "不是本软件的数据包"),
        "empty": (written("empty", b""), "不是本软件的数据包"),
        "a-folder": (folder, "是一个文件夹"),
    }
    expect_refused(world, tmp_path, "a1", "base", cases)


def test_a_registered_school_cannot_sign_its_way_past_the_checks(world, tmp_path):
    """A school's key signs whatever it is given: sizes beyond the center's limit, a deflate bomb, a
    snapshot with damaged pages or rows its own log does not account for, extra schema, local rows,
    numbering far ahead, lying member names and attachments, another school's code, a rotation to
    another code — each refused, nothing merged, memory and disk within bounds."""
    def declared(size):
        return lambda f: f.signed(f"declared-{size}", lambda p, m: f.member(m, "snapshot.sqlite").update(size=size))

    def bomb_snapshot(f):
        def edit(parts, m):
            data = bomb()
            f.member(m, "snapshot.sqlite").update(size=4 << 20, stored=len(data))
            parts.stored["snapshot.sqlite"] = data
        return f.signed("bomb", edit)

    def short_member(f):
        return f.signed("short", lambda p, m: p.stored.update({"snapshot.sqlite": p.stored["snapshot.sqlite"][:-100]}))

    def tail(f):
        return f.signed("tail", lambda p, m: setattr(p, "tail", b"more"))

    def snapshot_sql(name, sql):
        return lambda f: f.signed(name, lambda p, m: f.changed_db(p, m, "snapshot.sqlite", sql))

    def damaged(f):
        return f.signed("damaged", lambda p, m: f.replace(p, m, "snapshot.sqlite",
                                                          damaged_pages(p.content("snapshot.sqlite"), f.work)))

    def not_sqlite(f):
        return f.signed("not-sqlite", lambda p, m: f.replace(p, m, "snapshot.sqlite", os.urandom(40000)))

    def swapped_attachment(f):
        def edit(parts, m):
            entry = f.member(m, "attachments/")
            f.replace(parts, m, entry["name"], b"\x89PNG not the photo it names")
        return f.signed("swapped-attachment", edit)

    def dropped_attachment(f):
        def edit(parts, m):
            entry = f.member(m, "attachments/")
            m["members"].remove(entry)
            del parts.stored[entry["name"]]
        return f.signed("dropped-attachment", edit)

    def traversal(f):
        def edit(parts, m):
            entry = f.member(m, "ledgers.xlsx")
            parts.stored = {("attachments/../../center.db" if k == "ledgers.xlsx" else k): v for k, v in parts.stored.items()}
            entry["name"] = "attachments/../../center.db"
        return f.signed("traversal", edit)

    def deletes_of_nothing(f):
        def edit(parts, m):
            f.changed_db(parts, m, "snapshot.sqlite", """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
                INSERT INTO change_log (batch, tbl, record_uuid, op, changes) SELECT 1, 'households', 'gone-' || i,
                    'delete', '{}' FROM n;
                UPDATE sqlite_sequence SET seq = (SELECT max(seq) FROM change_log) WHERE name = 'change_log';""")
            m.update(log_to=m["log_to"] + 20000, changes=m["changes"] + 20000)
        return f.signed("deletes", edit)

    def junk_attachments(f):
        import hashlib

        def edit(parts, m):
            for i in range(2000):
                data = i.to_bytes(3, "big")
                sha = hashlib.sha256(data).hexdigest()
                m["members"].append({"name": f"attachments/{sha}", "sha256": sha, "size": 3, "stored": 3,
                                     "encoding": "raw"})
                parts.stored[f"attachments/{sha}"] = data
        return f.signed("junk", edit)

    def rotation_to(code, name):
        return lambda f: rotation_to_other_code(f, code, name)

    def rotation_to_other_code(f, code="5101230002", name="石桥村小学"):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, x25519
        key = ec.generate_private_key(ec.SECP256R1())
        enc = x25519.X25519PrivateKey.generate().public_key().public_bytes(serialization.Encoding.Raw,
                                                                             serialization.PublicFormat.Raw)
        cert = identity._make_certificate("school", code, name, key, enc)
        pem = cert.public_bytes(serialization.Encoding.PEM)
        a = open_school(f.d / "5101230001.db")
        statement = identity.sign(identity.signing_key(identity.active(a), SCHOOL_SECRET), pem)
        a.close()
        parts = take_apart(f.plain)
        parts.certificate, parts.rotation = pem, statement
        m = parts.manifest
        m["certificate_fingerprint"] = identity.fingerprint(pem)
        parts.manifest_bytes = json.dumps(m, ensure_ascii=False).encode()
        parts.signature = identity.sign(key, parts.manifest_bytes)
        return f.sealed(f"rotation-{code}", put_together(parts))

    def too_many_members(f):
        def edit(parts, m):
            m["members"] += [{"name": f"attachments/{i:064x}", "sha256": f"{i:064x}", "size": 0, "stored": 0,
                              "encoding": "raw"} for i in range(90000)]
        return f.signed("many-members", edit)

    cases = {
        "declared-10-GiB": (declared(10 * GiB), "超过本中心校设定的上限"),
        "deflate-bomb": (bomb_snapshot, "解压后比清单所说的大"),
        "member-shorter-than-declared": (short_member, "不完整|不符|损坏"),  # what it runs into next varies
        "bytes-after-the-last-member": (tail, "多出了清单里没有的内容"),
        "damaged-pages": (damaged, "已损坏"),
        "not-a-database": (not_sqlite, "已损坏"),
        "rows-not-in-the-log": (snapshot_sql("unlogged-edit", "UPDATE students SET name = '没有记录的改动' "
                                             "WHERE rowid = (SELECT min(rowid) FROM students);"),
                                "与它自己的变更记录不一致"),
        "a-row-added-without-log": (snapshot_sql("unlogged-row", "INSERT INTO households (uuid, created_at, updated_at) "
                                                 "VALUES ('h-x', '2026', '2026');"), "与它自己的变更记录不一致"),
        "a-view": (snapshot_sql("view", "CREATE VIEW v AS SELECT 1;"), "结构与本软件不符"),
        "local-rows": (snapshot_sql("local", "INSERT INTO local_settings (key, value) VALUES ('mode', 'township');"),
                       "不应有的内容"),
        "seq-far-ahead": (snapshot_sql("seq-ahead", "UPDATE change_log SET seq = seq + 1000000000 WHERE seq = "
                                       "(SELECT max(seq) FROM change_log);"), "变更编号与清单不符"),
        "numbers-as-text": (lambda f: f.signed("text-number", lambda p, m: m.update(packet_no="1")), "packet_no"),
        "another-schools-code-in-the-manifest": (
            lambda f: f.signed("other-code", lambda p, m: m.update(school_code="5101230002")), "文件头与清单不一致"),
        "path-in-a-member-name": (traversal, "不应有的文件名"),
        "attachment-not-what-it-names": (swapped_attachment, "附件的名称与其校验值不符"),
        "attachment-left-out": (dropped_attachment, "缺少.*附件"),
        "rotation-to-another-code": (rotation_to_other_code, "证书不符"),
        "more-than-the-disk-holds": (declared(100 << 20), "磁盘空间不足"),
        "too-many-members": (too_many_members, "长度异常"),
        "text-that-is-not-utf-8": (snapshot_sql("surrogate", r"""
            UPDATE change_log SET changes = json_set(changes, '$.name[1]', json('"\udc80"')) WHERE seq =
                (SELECT min(seq) FROM change_log WHERE tbl = 'students' AND op = 'insert');
            UPDATE students SET name = (SELECT json_extract(changes, '$.name[1]') FROM change_log WHERE seq =
                (SELECT min(seq) FROM change_log WHERE tbl = 'students' AND op = 'insert'))
             WHERE uuid = (SELECT record_uuid FROM change_log WHERE seq =
                (SELECT min(seq) FROM change_log WHERE tbl = 'students' AND op = 'insert'));"""), "不应有的字符"),
        "an-entry-that-is-a-list": (snapshot_sql("list", "UPDATE change_log SET changes = '[]' WHERE seq = "
                                                 "(SELECT max(seq) FROM change_log);"), "格式不对"),
        "deeply-nested-json": (snapshot_sql("deep", "UPDATE change_log SET changes = '{\"a\":' || "
                                                    "replace(hex(zeroblob(50000)), '00', '[') WHERE seq = 1;"), "格式不对"),
        "deletes-of-records-never-made": (deletes_of_nothing, "前后矛盾"),
        "escapes-in-the-manifest-time": (lambda f: f.signed("esc-time", lambda p, m: m.update(
            created_at="\x1b[2J2026-12-01T00:00:00")), "created_at"),
        "rotation-that-renames-the-school": (lambda f: rotation_to("5101230001", "石桥村小学")(f), "证书不符"),
        "attachments-no-record-uses": (junk_attachments, "没有任何记录用到"),
    }
    expect_refused(world, tmp_path, "a1", "base", cases)


def test_a_registered_schools_changes_file_is_checked_as_hostile(world, tmp_path):
    """The changes after a receipt, signed by the school: derived tables it should not carry, entry
    numbers far ahead of the manifest or with a gap after the copy, unknown fields, missing required
    fields, references to nothing, malformed entries — refused whole, naming the packet."""
    def changes_sql(name, sql, shift=0, extra=0):
        def build(forge):
            def edit(parts, m):
                forge.changed_db(parts, m, "changes.sqlite", sql)
                m.update(log_from=m["log_from"] + shift, log_to=m["log_to"] + shift + extra,
                         changes=m["changes"] + extra)
            return forge.signed(name, edit)
        return build

    insert = ("INSERT INTO changes SELECT max(seq) + 1, min(batch), '{t}', 'new-{t}', 'insert', '{j}', NULL, min(at) "
              "FROM changes;")
    cases = {
        "shipped-derived-rows": (changes_sql("rows", "CREATE TABLE rows_students (seq INTEGER PRIMARY KEY, uuid TEXT);"),
                                 "结构与本软件不符"),
        "a-trigger": (changes_sql("trigger", "CREATE TRIGGER t AFTER INSERT ON changes BEGIN DELETE FROM changes; END;"),
                      "结构与本软件不符"),
        "seq-far-ahead": (changes_sql("seq-ahead", "UPDATE changes SET seq = seq + 1000000000;"), "变更编号与清单不符"),
        "a-gap-after-the-copy": (changes_sql("gap", "UPDATE changes SET seq = seq + 5;", shift=5), "中间缺了一段"),
        "unknown-field": (changes_sql("field", "UPDATE changes SET changes = json_set(changes, '$.no_such_column', "
                                               "json('[null, 1]'));"), "没有的字段"),
        "required-field-missing": (changes_sql("not-null", insert.format(t="students", j='{"sex":[null,"1"]}'), extra=1),
                                   "必填的字段为空"),
        "reference-to-nothing": (changes_sql("fk", insert.format(
            t="guardians", j='{"student_uuid":[null,"nobody"],"position":[null,1],"created_at":[null,"2026"],'
                             '"updated_at":[null,"2026"]}'), extra=1), "引用了不存在的记录"),
        "not-json": (changes_sql("not-json", "UPDATE changes SET changes = '{broken';"), "格式不对"),
        "unknown-operation": (changes_sql("op", "UPDATE changes SET op = 'drop';"), "格式不对"),
        "a-value-that-is-an-object": (changes_sql("object", "UPDATE changes SET changes = json_set(changes, '$.phone', "
                                                            "json('[null, {\"a\": 1}]'));"), "字段值格式不对"),
        "lone-surrogate": (changes_sql("surrogate", r"""UPDATE changes SET changes = json_set(changes, '$.phone[1]',
                                                         json('"\ud800"'));"""), "不应有的字符"),
        "a-name-too-long": (changes_sql("long-name", "UPDATE changes SET changes = json_set(changes, '$.name', "
                                                     "json_array('x', replace(hex(zeroblob(150)), '0', '张')));"), "过长"),
        "escape-in-a-record-id": (changes_sql("esc-uuid", "UPDATE changes SET uuid = uuid || char(27) || '[2J';"),
                                  "格式不对"),
        "index-on-an-expression": (changes_sql("index", "CREATE INDEX boom ON search_keys("
                                                        "length(hex(zeroblob(450000000 + length(uuid)))));"),
                                   "结构与本软件不符"),
        "update-of-a-record-never-made": (changes_sql("no-record", "UPDATE changes SET uuid = 'no-such-record';"),
                                          "从未有过的记录"),
        "an-old-value-the-center-never-had": (changes_sql("old-value", "UPDATE changes SET changes = "
                                                                       "json_set(changes, '$.phone[0]', '13000000000');"),
                                              "原值"),
        "not-a-database": (lambda forge: forge.signed("not-db", lambda p, m: forge.replace(p, m, "changes.sqlite",
                                                                                            os.urandom(9000))),
                           "已损坏"),
    }
    expect_refused(world, tmp_path, "a2", "after1", cases)


def test_in_one_run_each_packet_is_decided_on_its_own(world, tmp_path):
    """`township import good bad other`: the good ones are merged and get receipts, the bad one is
    refused with its reason, and the report says exactly that."""
    forge = Forge(world, tmp_path, "a1")
    bad = forge.sealed("bad", os.urandom(3000))
    forge.close()
    center_db = clone_center(world["d"] / "base" / "center.db", tmp_path / "center")
    receipts_dir = tmp_path / "receipts"
    env = dict(os.environ, JIAOYU_PASSPHRASE=CENTER_SECRET, JIAOYU_DATA_DIR=str(tmp_path / "data"))
    done = subprocess.run([sys.executable, "-m", "jiaoyuapp.cli", "--db", str(center_db), "--json", "township", "import",
                           str(world["a1"]), str(bad), str(world["b1"]), "--receipts", str(receipts_dir)],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=600)
    results = json.loads(done.stdout)
    assert done.returncode == 1
    assert [r["status"] for r in results] == ["已接收", "拒收", "已接收"]
    assert "内部格式" in results[1]["message"]
    assert sorted(p.name for p in receipts_dir.iterdir()) == ["回执_5101230001_第1号.jyr", "回执_5101230002_第1号.jyr"]
    center = open_school(center_db)
    assert center.query("SELECT school_code, packet_no FROM packets_received ORDER BY 1") == [
        {"school_code": "5101230001", "packet_no": 1}, {"school_code": "5101230002", "packet_no": 1}]
    center.close()


def _certificate(code: str, name: str) -> str:
    """A school certificate made like ours, but saying whatever the maker likes."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, x25519
    from cryptography.x509.name import _ASN1Type
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    enc = x25519.X25519PrivateKey.generate().public_key().public_bytes(serialization.Encoding.Raw,
                                                                         serialization.PublicFormat.Raw)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name),
                         x509.NameAttribute(NameOID.SERIAL_NUMBER, code, _type=_ASN1Type.UTF8String),
                         x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "学校")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=9))
            .add_extension(x509.UnrecognizedExtension(identity.ENCRYPTION_KEY_OID, enc), critical=False)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM).decode()


@pytest.mark.parametrize("code, name, match", [
    ("../C", "某某小学", "不是10位数字"),
    ("510123000", "某某小学", "不是10位数字"),
    ("５１０１２３０００９", "某某小学", "不是10位数字"),          # full-width digits
    ("5101230009", "某某小学\x00", "不应有的字符"),
    ("5101230009", "某某小学\x1b[2J", "不应有的字符"),
    ("5101230009", "\u202e学小某某", "不应有的字符"),              # right-to-left override
    ("5101230009", "红" + "a" * 60, "不应有的字符"),                # longer than any school name
])
def test_a_certificate_is_a_claim_checked_before_it_is_registered(tmp_path, code, name, match):
    """A certificate whose 学校标识码 is not ten digits, or whose name is not plain text, is not
    registered (nothing is ever named after it)."""
    from jiaoyuapp.errors import DataError
    from jiaoyuapp.exchange import peers
    center = make_center(tmp_path)
    pem = _certificate(code, name)
    with pytest.raises(DataError, match=match):
        peers.register_school(center, pem, identity.fingerprint(pem))
    assert center.scalar("SELECT count(*) FROM peers") == 0
    assert not (tmp_path / "center_学校数据").exists()
    center.close()


def test_a_second_key_for_a_registered_code_does_not_replace_the_school(world, tmp_path):
    """A certificate claiming a registered school's code is refused (both fingerprints shown), the
    real school's next packet is still accepted, and only an explicit, logged replacement changes it."""
    from jiaoyuapp.errors import DataError
    from jiaoyuapp.exchange import peers
    center = open_school(clone_center(world["d"] / "base" / "center.db", tmp_path / "center"))
    real = peers.school_peer(center, "5101230001")
    impostor = _certificate("5101230001", "红岩村小学")
    with pytest.raises(DataError, match=f"{real['fingerprint']}.*{identity.fingerprint(impostor)}"):
        peers.register_school(center, impostor, identity.fingerprint(impostor))
    assert peers.school_peer(center, "5101230001")["fingerprint"] == real["fingerprint"]
    assert packet_import.import_packet(center, world["a1"], passphrase=CENTER_SECRET).status == "已接收"
    peers.register_school(center, impostor, identity.fingerprint(impostor), replace=True, actor="王主任")
    log = peers.registrations(center, "5101230001")
    assert [(r["event"], r["old_fingerprint"], r["new_fingerprint"], r["actor"]) for r in log][-1] == (
        "更换登记", real["fingerprint"], identity.fingerprint(impostor), "王主任")
    center.close()


def _thiefs_second_packet(world, tmp_path) -> Path:
    """A packet numbered 2, signed with A's (stolen) key, saying another phone number."""
    forge = Forge(world, tmp_path, "a2")
    try:
        return forge.signed("thief", lambda p, m: forge.changed_db(
            p, m, "changes.sqlite", "UPDATE changes SET changes = json_set(changes, '$.phone[1]', '13999999999');"))
    finally:
        forge.close()


def test_a_stolen_key_cannot_lock_the_school_out(world, tmp_path):
    """The thief's packet got in first; once the school has new keys and the center replaces its
    registration, the school's full packet is accepted and becomes its copy — the thief's data set
    aside, not merged — instead of being refused for ever as out of order."""
    from jiaoyuapp.exchange import peers
    from tests.packet_helpers import copy_db
    center = open_school(clone_center(world["d"] / "after1" / "center.db", tmp_path / "center"))
    assert packet_import.import_packet(center, _thiefs_second_packet(world, tmp_path),
                                       passphrase=CENTER_SECRET).status == "已接收"
    from jiaoyuapp.exchange.container import PacketError
    with pytest.raises(PacketError, match="旧的或重复编号"):
        packet_import.import_packet(center, world["a2"], passphrase=CENTER_SECRET)
    school = open_school(copy_db(world["d"] / "5101230001.db", tmp_path / "school.db"))
    identity.create(school, kind="school", code="5101230001", name="红岩村小学", passphrase=SCHOOL_SECRET, replace=True)
    me = identity.active(school)
    peers.register_school(center, me["certificate"], me["fingerprint"], replace=True, actor="王主任")
    with pytest.raises(PacketError, match="完整数据包"):      # changes since the receipt are not enough now
        packet_import.import_packet(center, export(school, tmp_path / "usb"), passphrase=CENTER_SECRET)
    full = export(school, tmp_path / "usb", full=True)
    result = packet_import.import_packet(center, full, passphrase=CENTER_SECRET)
    assert result.status == "已接收", result.message
    replica = open_school(center.path.parent / "center_学校数据" / "5101230001.db")
    kid = school.scalar("SELECT uuid FROM students LIMIT 1")
    assert replica.get("students", kid)["phone"] == school.get("students", kid)["phone"] == "13900000009"
    replica.close()
    assert list((center.path.parent / "center_学校数据").glob("5101230001_更换登记前_*.db"))
    assert center.scalar("SELECT count(*) FROM packets_superseded WHERE school_code = '5101230001'") == 2
    school.close()
    center.close()


def test_an_import_cut_before_its_record_then_another_packet_of_that_number(world, tmp_path, monkeypatch):
    """Cut between the merge and its record: a different packet numbered the same is refused (it
    would be recorded as received with nothing of it merged), and the original is then recorded."""
    from jiaoyuapp.exchange.container import PacketError
    center = open_school(clone_center(world["d"] / "after1" / "center.db", tmp_path / "center"))
    real_record = packet_import._record

    def power_cut(*a, **k):
        raise OSError("power cut")
    monkeypatch.setattr(packet_import, "_record", power_cut)
    with pytest.raises(OSError):
        packet_import.import_packet(center, world["a2"], passphrase=CENTER_SECRET)
    monkeypatch.setattr(packet_import, "_record", real_record)
    with pytest.raises(PacketError, match="已经合并过另一个内容不同的第2号"):
        packet_import.import_packet(center, _thiefs_second_packet(world, tmp_path), passphrase=CENTER_SECRET)
    result = packet_import.import_packet(center, world["a2"], passphrase=CENTER_SECRET)
    assert result.status == "已接收" and "补记" in result.message
    assert center.scalar("SELECT count(*) FROM packets_received") == 2
    center.close()


def test_taking_the_schools_side_of_a_deletion_deletes(tmp_path):
    """A record the school deleted and the center had changed: choosing the school's side deletes
    it in the copy too (it used to be recorded as decided and left there)."""
    import datetime as dt

    from jiaoyuapp.exchange import center_copies, conflicts
    from jiaoyuapp.ledgers.absences import record_absence, remove_absence
    center = make_center(tmp_path)
    school = make_school(tmp_path, "5101230001", "红岩村小学", 10, 24)
    register(center, school)
    kid = school.scalar("SELECT uuid FROM students WHERE status = '在读' LIMIT 1")
    day = dt.date(2026, 11, 18)
    record_absence(school, kid, day, note="学校登记")
    packet_import.import_packet(center, export(school, tmp_path / "u1", center), passphrase=CENTER_SECRET)
    replica = center_copies.open_replica(center, "5101230001")
    absence = replica.scalar("SELECT uuid FROM absences WHERE student_uuid = ? AND day = ?", (kid, day.isoformat()))
    with replica.write("center-edit", "中心校") as w:
        w.update("absences", absence, {"note": "中心校核实过"})
    replica.close()
    remove_absence(school, kid, day)
    result = packet_import.import_packet(center, export(school, tmp_path / "u2"), passphrase=CENTER_SECRET)
    assert result.conflicts == 1
    noted = conflicts.open_conflicts(center, "5101230001")
    assert noted[0]["field"] == "（删除）"
    conflicts.decide(center, "5101230001", noted[0]["uuid"], "school")
    replica = center_copies.open_replica(center, "5101230001")
    assert replica.get("absences", absence) is None
    replica.close()
    school.close()
    center.close()


def test_the_school_is_told_before_it_sends_what_a_center_would_refuse(tmp_path):
    """A name too long for a person (say, several cells pasted into one) is refused by the roster
    import, and one that reached the data anyway stops the export with a message naming the field,
    instead of a packet that no center accepts."""
    from jiaoyuapp.errors import DataError
    from jiaoyuapp.roster.roster_rows import MAX_NAME
    center = make_center(tmp_path)
    school = make_school(tmp_path, "5101230001", "红岩村小学", 5, 25)
    register(center, school)
    kid = school.scalar("SELECT uuid FROM students LIMIT 1")
    with school.write("test", "测试") as w:
        w.update("students", kid, {"name": "张" * (MAX_NAME + 1)})
    with pytest.raises(DataError, match="students 的字段 name"):
        export(school, tmp_path / "usb", center)
    assert not list((tmp_path / "usb").glob("*.jyp"))
    school.close()
    center.close()
