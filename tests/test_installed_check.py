"""`jiaoyu-app --self-check DIR`, the check the installers run on the installed program: run here as
the real entry point in a subprocess, headless, with Qt's own `-platform offscreen` argument."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

APP = Path(sys.executable).parent / "jiaoyu-app"
LATIN_FONTS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
               "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
               "/usr/share/fonts/truetype/freefont/FreeSans.ttf"]


def _latin_font() -> Path:
    """A font with no Chinese glyphs (Debian's fontconfig always brings one of these)."""
    for name in LATIN_FONTS:
        if Path(name).exists():
            return Path(name)
    pytest.fail("no Latin-only font to stand for a wrong font file: make test installs fonts-dejavu-core")


def _headless_env(tmp_path: Path, **extra) -> dict:
    """No display and no QT_QPA_PLATFORM (wine passes neither); the user's data folder and home in tmp."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM") and not k.startswith("XDG_")}
    env.update(HOME=str(tmp_path / "home"), JIAOYU_DATA_DIR=str(tmp_path / "data"), **extra)
    return env


def _run(args: list, env: dict) -> tuple[subprocess.CompletedProcess, dict, Path]:
    out = Path(args[1])
    done = subprocess.run([str(APP), *map(str, args)], env=env, capture_output=True, text=True, timeout=400)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    return done, report, out


def test_self_check_passes_with_its_own_center(tmp_path):
    """If this fails, the installers' check of the installed program cannot tell a working copy."""
    from jiaoyuapp.school import open_school
    from ui.screenshots import SCREENS
    done, report, out = _run(["--self-check", tmp_path / "自检", "-platform", "offscreen"], _headless_env(tmp_path))
    assert done.returncode == 0, (done.stdout, done.stderr[-3000:])
    assert done.stdout.strip().splitlines()[-1].startswith("自检通过")
    assert report["ok"] is True and report["errors"] == []
    assert report["qt_platform"] == "offscreen" and report["version"] and report["python"] and report["qt"]
    font = report["font"]
    assert font["cjk_glyphs"] and font["shipped_font_loaded"] and font["shipped_cjk_glyphs"], font
    assert Path(font["shipped_font"]).name == "wqy-microhei.ttc"
    # a picture of every main screen, with text drawn in it
    assert report["screens"] == [name for _, name in SCREENS]
    pictures = sorted((out / "screens").glob("*.png"))
    assert [p.stem.split("_", 1)[1] for p in pictures] == report["screens"]
    for picture in pictures:
        colours = Image.open(picture).convert("RGB").getcolors(maxcolors=1 << 16)
        assert colours is None or len(colours) > 40, f"{picture.name} looks empty"
    # the demo school's roster came back whole into a fresh school
    assert report["roster"] == {"file": str(out / "花名册.xlsx"), "rows": 300, "imported": 300, "refused": 0}
    fresh = open_school(out / "导入检查学校.db")
    assert fresh.scalar("SELECT count(*) FROM students") == 300
    fresh.close()
    # the packet was accepted by the center made in DIR, and its receipt taken home
    packet = Path(report["packet"])
    assert packet.suffix == ".jyp" and packet.parent.parent == out and packet.stat().st_size > 1000
    center = open_school(out / "自检中心校.db")
    assert center.scalar("SELECT count(*) FROM packets_received") == 1
    center.close()
    assert Path(report["receipt"]).exists()
    # nothing in the user's data folder (neither JIAOYU_DATA_DIR nor the platform's default)
    assert not (tmp_path / "data").exists()
    assert not (tmp_path / "home" / ".local" / "share" / "jiaoyu").exists()


def test_self_check_fails_on_a_font_without_chinese_and_seals_to_a_given_center(tmp_path):
    """If this fails, an installer that ships a wrong font file (every label a box) passes its check,
    or a packet from the installed program cannot be read by a center running elsewhere."""
    from jiaoyuapp.exchange import identity, packet_import, peers, township
    from jiaoyuapp.roster.demo import load_demo
    from jiaoyuapp.roster.roster_export import export_roster
    from jiaoyuapp.school import init_school, open_school
    # a PC with no Chinese font at all, and an installation whose font file is a Latin-only font
    latin = _latin_font()
    fonts_dir = tmp_path / "系统字体"
    fonts_dir.mkdir()
    shutil.copy(latin, fonts_dir / latin.name)
    conf = tmp_path / "fonts.conf"
    conf.write_text(f'<?xml version="1.0"?><fontconfig><dir>{fonts_dir}</dir>'
                    f'<cachedir>{tmp_path / "fc-cache"}</cachedir></fontconfig>')
    resources = tmp_path / "resources"
    (resources / "fonts").mkdir(parents=True)
    shutil.copy(latin, resources / "fonts" / "wqy-microhei.ttc")
    # the center (run from the source tree) and a roster workbook of its own
    center = open_school(tmp_path / "中心校.db")
    township.init(center, name="青石镇中心校", code="5101239999", passphrase="中心校口令2026")
    (tmp_path / "center.pem").write_text(identity.active(center)["certificate"], encoding="ascii")
    other = open_school(tmp_path / "别的学校.db")
    init_school(other, code="5101230007", name="别的村小学", township="青石镇", county="示范县")
    load_demo(other, 25, seed=3)
    export_roster(other, tmp_path / "别的学校花名册.xlsx")
    other.close()
    env = _headless_env(tmp_path, FONTCONFIG_FILE=str(conf), JIAOYU_RESOURCES=str(resources))
    done, report, out = _run(["--self-check", tmp_path / "自检", "--roster", tmp_path / "别的学校花名册.xlsx",
                              "--center-cert", tmp_path / "center.pem"], env)
    # the font fails the check, and says so in Chinese; no display was needed (offscreen by default)
    assert done.returncode == 1, (done.stdout, done.stderr[-3000:])
    summary = done.stdout.strip().splitlines()[-1]
    assert summary.startswith("自检未通过") and "字体" in summary and "汉字" in summary
    assert report["ok"] is False and report["qt_platform"] == "offscreen"
    assert report["font"]["cjk_glyphs"] is False and report["font"]["shipped_cjk_glyphs"] is False
    assert report["errors"] and all(e.startswith("字体：") for e in report["errors"]), report["errors"]
    # everything else still ran: the given roster, and a packet for the given center
    assert report["roster"]["imported"] == 25 and report["roster"]["refused"] == 0
    assert len(report["screens"]) > 10
    pem = (out / "school-certificate.pem").read_text(encoding="ascii")
    fingerprint = (out / "school-fingerprint.txt").read_text(encoding="utf-8").strip()
    peers.register_school(center, pem, fingerprint)
    result = packet_import.import_packet(center, report["packet"], passphrase="中心校口令2026")
    assert result.status == "已接收", result.message
    assert center.scalar("SELECT count(*) FROM packets_received") == 1
    center.close()


def test_glyph_check_tells_a_latin_font_from_the_shipped_one(qapp):
    """If this fails, the self-check passes a font that draws every Chinese label as a box."""
    from PySide6.QtGui import QFontDatabase

    from jiaoyuapp.resources import cjk_font
    from ui import fonts
    loaded = QFontDatabase.addApplicationFont(str(_latin_font()))
    latin = QFontDatabase.applicationFontFamilies(loaded)[0]
    assert not fonts.has_cjk_glyphs(latin)
    # the drawing alone tells too (the same box for every character), whatever the metrics say
    assert not fonts.draws_distinct_shapes(fonts.exact_font(latin), fonts.SAMPLE)
    assert fonts.draws_distinct_shapes(fonts.exact_font(latin), "Jiaoyu")
    shipped = QFontDatabase.applicationFontFamilies(QFontDatabase.addApplicationFont(str(cjk_font())))[0]
    assert fonts.has_cjk_glyphs(shipped)
    assert not fonts.has_cjk_glyphs("没有这种字体 Nonexistent Sans")
