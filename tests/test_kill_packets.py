"""A power cut or a killed process in the middle of exporting or importing a packet: afterwards no
decrypted file is anywhere but the app's private folder (the system temp folder and the stick hold
none), the private folder is empty after the next start, the next export or import is clean, and
nothing is recorded twice or half.

Each run is stopped either at a named point (pause_points: the process waits there to be killed,
so the test knows where it is) or after a random delay; the seed makes the delays the same each run."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jiaoyuapp import recent_databases
from jiaoyuapp.exchange import container, identity, packet_import
from jiaoyuapp.exchange.container import PacketError
from jiaoyuapp.school import open_school
from jiaoyuapp.store import changelog
from tests.packet_helpers import (CENTER_SECRET, SCHOOL_SECRET, clone_center, export, make_center, make_school,
                                  register)

REPO = Path(__file__).resolve().parent.parent
EXPORT_POINTS = ["export-changes", "export-documents", "export-sealing", "export-renamed"]
IMPORT_POINTS = ["import-checked", "import-extracted", "import-merged"]


def jiaoyu(args: list, env: dict, pause: str | None = None, delay: float | None = None, marker: Path | None = None):
    """Run the CLI; with `pause`, kill it once it waits at that point; with `delay`, after that long.
    Returns the return code (negative when killed)."""
    env = dict(env, **({"JIAOYU_PAUSE_AT": pause, "JIAOYU_PAUSE_FILE": str(marker)} if pause else {}))
    proc = subprocess.Popen([sys.executable, "-m", "jiaoyuapp.cli", *map(str, args)], cwd=REPO, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if pause:
        deadline = time.monotonic() + 180
        while not marker.exists():
            assert proc.poll() is None, f"finished without reaching {pause}"
            assert time.monotonic() < deadline, f"never reached {pause}"
            time.sleep(0.02)
        marker.unlink()
    else:
        try:
            proc.wait(timeout=180 if delay is None else delay)
        except subprocess.TimeoutExpired:
            pass
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    return proc.wait(timeout=180)


def decrypted_outside(root: Path) -> list[Path]:
    """Files that could hold children's data in the clear, outside the databases and the app's
    private folder: anything but a database, a lock, a log, a receipt, a certificate, the list of
    databases opened lately (paths only), or a packet file (encrypted: it starts with the
    container's mark, finished or not)."""
    bad = []
    for path in root.rglob("*"):
        if not path.is_file():
            continue
        rel = path.relative_to(root).parts
        if rel[:2] == ("data", "临时文件") or path.suffix in (".lock", ".log", ".jyr", ".pem"):
            continue
        if rel in (("data", recent_databases.RECENT_FILE), ("data", recent_databases.RECENT_FILE + ".part")):
            continue
        if path.name.endswith((".db", ".db-wal", ".db-shm", ".db-journal")) and "临时文件" not in rel:
            continue
        # a school's first copy at the center while it is built: the same database under its working
        # name (a kill at that moment leaves it; the next start sweeps it, checked below)
        if path.name.endswith((".db.building", ".db.building-journal")) and len(rel) > 1 and rel[-2].endswith("_学校数据"):
            continue
        if path.name.endswith((".jyp", ".jyp.part")):
            head = path.read_bytes()[:len(container.MAGIC)]
            if head in (container.MAGIC, container.UNFINISHED, b""):
                continue
        bad.append(path)
    return bad


def private_work(root: Path) -> list[Path]:
    folder = root / "data" / "临时文件"
    return [p for p in folder.iterdir() if p.name != ".root.lock"] if folder.exists() else []


def test_killed_exports_leave_nothing_decrypted_and_the_next_export_is_clean(tmp_path):
    """Export packet killed at each named point and at random moments (12 runs)."""
    center = make_center(tmp_path)
    school = make_school(tmp_path, "5101230001", "红岩村小学", 20, 31)
    register(center, school)
    cert = tmp_path / "center.pem"
    cert.write_text(identity.active(center)["certificate"])
    school.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    digest = changelog.digest(school)
    school.close()
    env = dict(os.environ, JIAOYU_PASSPHRASE=SCHOOL_SECRET, JIAOYU_DATA_DIR=str(tmp_path / "data"),
               TMPDIR=str(tmp_path / "systmp"))
    (tmp_path / "systmp").mkdir()
    db = tmp_path / "5101230001.db"
    rng = random.Random(20261202)
    runs = [(p, None) for p in EXPORT_POINTS] * 2 + [(None, rng.uniform(0.3, 4.0)) for _ in range(4)]
    for n, (point, delay) in enumerate(runs):
        usb = tmp_path / "usb"
        jiaoyu(["--db", db, "export", "packet", usb, "--to", cert], env, pause=point, delay=delay,
               marker=tmp_path / "paused")
        assert decrypted_outside(tmp_path) == [], (point, delay)
        assert list((tmp_path / "systmp").iterdir()) == []
        store = open_school(db)
        assert changelog.digest(store) == digest       # exporting never changes the school's data
        sent = store.scalar("SELECT count(*) FROM packets_sent")
        store.close()
        assert jiaoyu(["--db", db, "summary"], env) == 0  # the next start
        assert private_work(tmp_path) == [], (point, delay)
        marks = [p.read_bytes()[:len(container.MAGIC)] for p in usb.glob("*.jyp")] if usb.exists() else []
        finished = marks.count(container.MAGIC)
        if point:  # a packet file is finished only once it is recorded as sent
            assert finished == sent == 0, (point, marks)
        else:      # (a kill can land between the two, microseconds apart)
            assert sent <= finished <= sent + 1, (delay, marks)
        if point == "export-renamed":  # renamed but not yet marked finished: every center refuses it
            assert container.UNFINISHED in marks
            for path in usb.glob("*.jyp"):
                with pytest.raises(PacketError, match="没有写完"):
                    packet_import.import_packet(center, path, passphrase=CENTER_SECRET)
    # the next export into that folder is whole, and the leftovers of killed ones are gone
    assert jiaoyu(["--db", db, "export", "packet", tmp_path / "usb", "--to", cert], env) == 0
    assert list((tmp_path / "usb").glob("*.part")) == []
    assert private_work(tmp_path) == []


def center_with_first_packet(tmp_path: Path, students: int, seed: int):
    """(folder of a center that registered the school and imported nothing, the school, its first packet)."""
    base = tmp_path / "base"
    center = make_center(base)
    school = make_school(tmp_path, "5101230001", "红岩村小学", students, seed)
    register(center, school)
    packet = export(school, tmp_path / "usb", center)
    center.close()
    return base, school, packet


def test_killed_imports_leave_nothing_decrypted_and_record_each_packet_once(tmp_path):
    """Township import killed at each named point and at random moments (12 runs): the retry
    is clean, the packet is recorded once, and the copy has every record and attachment."""
    base, school, packet = center_with_first_packet(tmp_path, 20, 32)
    env = dict(os.environ, JIAOYU_PASSPHRASE=CENTER_SECRET, JIAOYU_DATA_DIR=str(tmp_path / "data"),
               TMPDIR=str(tmp_path / "systmp"))
    (tmp_path / "systmp").mkdir()
    rng = random.Random(1202)
    runs = [(p, None) for p in IMPORT_POINTS] * 2 + [(None, rng.uniform(0.3, 3.0)) for _ in range(6)]
    for n, (point, delay) in enumerate(runs):
        db = clone_center(base / "center.db", tmp_path / f"c{n}")
        jiaoyu(["--db", db, "township", "import", packet], env, pause=point, delay=delay, marker=tmp_path / "paused")
        assert decrypted_outside(tmp_path) == [], (point, delay)
        assert list((tmp_path / "systmp").iterdir()) == []
        assert jiaoyu(["--db", db, "township", "import", packet], env) == 0, (point, delay)   # the next start
        assert private_work(tmp_path) == []
        assert not list(db.parent.rglob("*.building*"))
        center = open_school(db)
        assert center.scalar("SELECT count(*) FROM packets_received") == 1
        center.close()
        replica = open_school(db.parent / "center_学校数据" / "5101230001.db")
        assert changelog.verify(replica) == []
        assert replica.scalar("SELECT count(*) FROM students") == school.scalar("SELECT count(*) FROM students")
        assert replica.scalar("SELECT count(*) FROM attachments a WHERE NOT EXISTS "
                              "(SELECT 1 FROM blobs b WHERE b.sha256 = a.sha256)") == 0
        assert replica.scalar("SELECT count(*) FROM blobs") == school.scalar("SELECT count(*) FROM blobs")
        replica.close()
    school.close()


def test_twenty_double_imports_of_the_same_first_packet(tmp_path):
    """Two imports of the same first packet at once (two windows, a double click), twenty times:
    the copy always passes its checks with every attachment, and the packet is recorded once."""
    base, school, packet = center_with_first_packet(tmp_path, 30, 33)
    photos = school.scalar("SELECT count(*) FROM blobs")
    assert photos > 10
    env = dict(os.environ, JIAOYU_PASSPHRASE=CENTER_SECRET, JIAOYU_DATA_DIR=str(tmp_path / "data"))
    outcomes = []
    for n in range(20):
        db = clone_center(base / "center.db", tmp_path / f"c{n}")
        cmd = [sys.executable, "-m", "jiaoyuapp.cli", "--db", str(db), "--json", "township", "import", str(packet)]
        procs = [subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        results = [p.communicate(timeout=300) for p in procs]
        import json
        statuses = sorted(json.loads(out)[0]["status"] for out, _ in results)
        outcomes.append(statuses)
        assert statuses == ["已导入过", "已接收"], (n, results)
        center = open_school(db)
        assert center.query("SELECT school_code, packet_no FROM packets_received") == [
            {"school_code": "5101230001", "packet_no": 1}]
        center.close()
        replica = open_school(db.parent / "center_学校数据" / "5101230001.db")
        assert replica.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert changelog.verify(replica) == []
        assert replica.scalar("SELECT count(*) FROM blobs") == photos
        replica.close()
    school.close()


def test_a_killed_roster_export_leaves_its_half_file_only_until_the_next_export(tmp_path):
    """A roster export to a stick, killed while writing, leaves a .part (children's data) that the
    next export of that file removes; one being written by a live process is left alone."""
    from jiaoyuapp.atomic_write import write_bytes_atomically
    from jiaoyuapp.work_folders import remove_unfinished, writing
    stick = tmp_path / "stick"
    stick.mkdir()
    (stick / "花名册[1].xlsx.part").write_bytes(b"PK half a roster")
    (stick / "台账.xlsx.part").write_bytes(b"PK being written")
    with writing(stick / "台账.xlsx.part"):                 # being written right now (by another run)
        write_bytes_atomically(stick / "花名册[1].xlsx", b"PK whole")
        assert remove_unfinished(stick, "*.part") == 0
        assert sorted(p.name for p in stick.iterdir()) == ["台账.xlsx.part", "花名册[1].xlsx"]
    write_bytes_atomically(stick / "台账.xlsx", b"PK whole")
    assert sorted(p.name for p in stick.iterdir()) == ["台账.xlsx", "花名册[1].xlsx"]
