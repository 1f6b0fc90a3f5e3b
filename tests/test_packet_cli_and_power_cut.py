"""The exchange from the command line, and a power cut while a packet is written."""

import os
import signal
import subprocess
import sys

from jiaoyuapp.exchange import packet_import
from jiaoyuapp.exchange.container import PacketError
from jiaoyuapp.school import open_school
from jiaoyuapp.store import changelog
from tests.packet_helpers import CENTER_SECRET, SCHOOL_SECRET, make_center, make_school, register
from tests.test_cli import as_json, jiaoyu

CENTER = {"JIAOYU_PASSPHRASE": CENTER_SECRET}
SCHOOL = {"JIAOYU_PASSPHRASE": SCHOOL_SECRET}


def test_township_commands(tmp_path):
    """init, register with a fingerprint, export/verify/import, status --json, receipts, refusals exit 1."""
    center, a = tmp_path / "center.db", tmp_path / "a.db"
    jiaoyu("township", "init", "--name", "青石镇中心校", db=center, env=CENTER, check_code=0)
    jiaoyu("key", "export-certificate", tmp_path / "center.pem", db=center, check_code=0)
    jiaoyu("init", "--school-code", "5101230001", "--school-name", "红岩村小学", db=a, env=SCHOOL, check_code=0)
    jiaoyu("demo", "--students", "40", "--seed", "3", db=a, check_code=0)
    jiaoyu("key", "export-certificate", tmp_path / "a.pem", db=a, check_code=0)
    fp = jiaoyu("key", "fingerprint", db=a, check_code=0).stdout.strip().splitlines()[-1]
    wrong = jiaoyu("township", "register", tmp_path / "a.pem", "--fingerprint", "1234 5678", db=center)
    assert wrong.returncode == 1 and "指纹不一致" in wrong.stderr
    jiaoyu("township", "register", tmp_path / "a.pem", "--fingerprint", fp, db=center, check_code=0)
    out = as_json(jiaoyu("export", "packet", tmp_path / "usb", "--to", tmp_path / "center.pem", "--json", db=a,
                         env=SCHOOL, check_code=0))
    packet = out["file"]
    assert packet.endswith("_第1号.jyp") and out["packet_no"] == 1
    assert as_json(jiaoyu("verify", packet, "--json", db=a, check_code=0))["ok"] is True
    assert as_json(jiaoyu("verify", packet, "--json", db=center, env=CENTER, check_code=0))["ok"] is True
    imported = as_json(jiaoyu("township", "import", packet, "--receipts", tmp_path / "usb", "--json", db=center,
                              env=CENTER, check_code=0))
    assert imported[0]["status"] == "已接收" and imported[0]["receipt"]
    board = as_json(jiaoyu("township", "status", "--json", db=center, check_code=0))
    entry = board[0]
    for key in ("school_code", "packets", "last_packet", "students", "visits", "open_cases", "overdue_cases"):
        assert key in entry
    assert (entry["school_code"], entry["packets"], entry["last_packet"], entry["students"]) == ("5101230001", 1, 1, 40)
    jiaoyu("receipt", "import", imported[0]["receipt"], db=a, check_code=0)
    again = as_json(jiaoyu("township", "import", packet, "--json", db=center, env=CENTER, check_code=0))
    assert again[0]["status"] == "已导入过"
    data = bytearray(open(packet, "rb").read())
    data[len(data) // 2] ^= 1
    bad = tmp_path / "bad.jyp"
    bad.write_bytes(bytes(data))
    out = jiaoyu("township", "import", bad, db=center, env=CENTER)
    assert out.returncode == 1 and "拒收" in out.stdout
    assert as_json(jiaoyu("verify", bad, "--json", db=center, env=CENTER))["ok"] is False
    jiaoyu("township", "receipt", "5101230001", tmp_path / "r", db=center, env=CENTER, check_code=0)
    cert_from_center = tmp_path / "c2.pem"
    jiaoyu("key", "export-certificate", cert_from_center, db=center, check_code=0)
    assert "BEGIN CERTIFICATE" in cert_from_center.read_text()
    assert jiaoyu("township", "status", db=a).returncode == 2  # a school database is not a center


def test_power_cut_while_writing_a_packet(tmp_path):
    """Killed at any moment while exporting: no file on the stick is accepted, and the school's data is unchanged."""
    center = make_center(tmp_path)
    school = make_school(tmp_path, "5101230001", "红岩村小学", 150, 8)
    register(center, school)
    from jiaoyuapp.exchange import identity
    cert = tmp_path / "center.pem"
    cert.write_text(identity.active(center)["certificate"])
    school.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = (changelog.digest(school), school.scalar("SELECT count(*) FROM packets_sent"))
    school.close()
    stages = ["整理变更记录", "导出台账、生成签章档案", "打包台账与档案", "附件", "加密并写入"]
    for n, stage in enumerate(stages):
        usb = tmp_path / f"usb{n}"
        proc = subprocess.Popen([sys.executable, "-m", "jiaoyuapp.cli", "--db", str(tmp_path / "5101230001.db"),
                                 "export", "packet", str(usb), "--to", str(cert), "--progress"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                env=dict(os.environ, JIAOYU_PASSPHRASE=SCHOOL_SECRET, PYTHONUNBUFFERED="1"))
        for line in proc.stderr:
            if stage in line:
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=120)
        assert proc.returncode == -signal.SIGKILL
        store = open_school(tmp_path / "5101230001.db")
        digest, sent = changelog.digest(store), store.scalar("SELECT count(*) FROM packets_sent")
        store.close()
        assert digest == before[0]  # exporting never changes the school's data
        finished = sent == before[1] + 1  # the last stage can complete before the signal lands
        assert sent == before[1] or (finished and stage == stages[-1])
        leftovers = list(usb.glob("*")) if usb.exists() else []
        accepted = []
        for path in leftovers:
            try:
                packet_import.import_packet(center, path, passphrase=CENTER_SECRET)
                accepted.append(path)
            except PacketError:
                pass
        assert len(accepted) == (1 if finished else 0), (stage, leftovers)
        if finished:
            before = (before[0], sent)
