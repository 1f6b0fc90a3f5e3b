"""The inspection folder PDF, checked with poppler's own tools as an inspector's viewer would."""

import datetime as dt
import subprocess

import pytest
from PIL import Image

from jiaoyuapp.documents.inspection_folder import write_folder
from jiaoyuapp.errors import DataError
from jiaoyuapp.exchange import identity
from jiaoyuapp.ledgers.demo_ledgers import fill_term
from jiaoyuapp.roster.demo import load_demo
from tests.test_cli import jiaoyu

DAY = dt.date(2026, 11, 20)
SECRET = "红岩村小学2026"


def run(*cmd) -> str:
    out = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120)
    return out.stdout + out.stderr


@pytest.fixture
def folder(store, tmp_path):
    load_demo(store, 120, seed=9)
    fill_term(store, seed=9, today=DAY, photo_share=0.5)
    identity.create(store, kind="school", code="5101230001", name="青石镇红岩村小学", passphrase=SECRET)
    return write_folder(store, tmp_path / "迎检档案.pdf", passphrase=SECRET, today=DAY)


def test_signature_valid_and_a_flipped_byte_is_a_digest_mismatch(folder, store, tmp_path):
    """pdfsig: the school's signature is valid; after one byte changes it reports a digest mismatch."""
    report = run("pdfsig", folder)
    assert "Signature is Valid." in report and "青石镇红岩村小学" in report and "Total document signed" in report
    nss = tmp_path / "nss"
    nss.mkdir()
    cert = tmp_path / "school.pem"
    cert.write_text(identity.active(store)["certificate"])
    run("certutil", "-N", "-d", f"sql:{nss}", "--empty-password")
    run("certutil", "-A", "-d", f"sql:{nss}", "-n", "school", "-t", "CT,C,C", "-i", cert)
    assert "Certificate is Trusted." in run("pdfsig", "-nssdir", f"sql:{nss}", folder)
    data = bytearray(folder.read_bytes())
    data[len(data) // 3] ^= 0x01
    tampered = tmp_path / "tampered.pdf"
    tampered.write_bytes(bytes(data))
    assert "Digest Mismatch" in run("pdfsig", tampered)


def test_every_font_embedded_and_chinese_renders(folder, tmp_path):
    """pdffonts lists only embedded fonts; the cover renders and its Chinese text is extractable."""
    lines = run("pdffonts", folder).splitlines()[2:]
    assert lines and all(" yes yes " in line for line in lines), lines
    run("pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", folder, tmp_path / "cover")
    cover = Image.open(next(tmp_path.glob("cover*.png"))).convert("L")
    dark = sum(cover.point(lambda px: 1 if px < 128 else 0).histogram()[1:])
    assert dark > 500  # text, tables and the QR code are drawn
    text = run("pdftotext", "-f", "1", "-l", "2", folder, "-")
    assert "青石镇红岩村小学" in text and "迎检档案" in text and "目录" in text and "档案指纹" in text


def test_contents_and_student_files(folder, store):
    """The table of contents lists the sections; priority students' files carry their visits and photos."""
    text = run("pdftotext", folder, "-")
    for heading in ("一、统计汇总", "二、重点关注学生一生一档", "三、控辍保学台账", "四、家访记录"):
        assert heading in text
    assert "家访记录（" in text and "家长签字" in text
    images = run("pdfimages", "-list", folder)
    assert images.count("jpeg") >= 1
    for (idn,) in store.conn.execute("SELECT id_number FROM students LIMIT 30"):
        assert idn not in text  # the printed folder shows masked ID numbers only


def test_wrong_passphrase_and_command(store, tmp_path):
    """A wrong passphrase stops before any work; `jiaoyu export folder` signs with the school's key."""
    load_demo(store, 20, seed=1)
    identity.create(store, kind="school", code="5101230001", name="青石镇红岩村小学", passphrase=SECRET)
    with pytest.raises(DataError, match="口令不对"):
        write_folder(store, tmp_path / "x.pdf", passphrase="not-the-passphrase")
    assert not (tmp_path / "x.pdf").exists()
    db = tmp_path / "cli.db"
    jiaoyu("demo", "--students", "30", db=db, check_code=0)
    assert jiaoyu("export", "folder", tmp_path / "a.pdf", db=db).returncode == 1  # no key yet
    jiaoyu("key", "create", db=db, env={"JIAOYU_PASSPHRASE": SECRET}, check_code=0)
    jiaoyu("export", "folder", tmp_path / "a.pdf", db=db, env={"JIAOYU_PASSPHRASE": SECRET}, check_code=0)
    assert "Signature is Valid." in run("pdfsig", tmp_path / "a.pdf")
