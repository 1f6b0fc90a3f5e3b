"""The exchange from the command line (power cuts and kills: test_kill_packets)."""

from tests.packet_helpers import CENTER_SECRET, SCHOOL_SECRET
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
    import contextlib
    import sqlite3
    with contextlib.closing(sqlite3.connect(a)) as conn:   # the demo's 40, less any transferred out (销号 on a 就读证明)
        enrolled = conn.execute("SELECT count(*) FROM students WHERE status = '在读'").fetchone()[0]
    assert 35 <= enrolled <= 40
    assert (entry["school_code"], entry["packets"], entry["last_packet"], entry["students"]) == ("5101230001", 1, 1,
                                                                                                 enrolled)
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
    limit = as_json(jiaoyu("township", "limit", "--json", db=center, check_code=0))
    assert limit == {"megabytes": 2048}
    assert as_json(jiaoyu("township", "limit", "512", "--json", db=center, check_code=0)) == {"megabytes": 512}
    assert jiaoyu("township", "limit", "1", db=center).returncode == 2
    log = as_json(jiaoyu("township", "registrations", "--json", db=center, check_code=0))
    assert [(r["code"], r["event"], r["new_fingerprint"]) for r in log] == [("5101230001", "登记", fp)]
    folder = jiaoyu("receipt", "import", tmp_path / "usb", db=a)
    assert folder.returncode == 1 and "是一个文件夹" in folder.stderr and "意外" not in folder.stderr
