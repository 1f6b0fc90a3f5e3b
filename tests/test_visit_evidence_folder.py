"""The folder shows every visit's evidence: the photos and the parent's signature of a visit to a
student who is NOT a priority student, embedded beside the visit (checked with pdfimages)."""

import datetime as dt
import re
import subprocess

from jiaoyuapp.documents.inspection_folder import write_folder
from jiaoyuapp.exchange import identity
from jiaoyuapp.ledgers import visits
from jiaoyuapp.ledgers.coverage import priority_reasons
from jiaoyuapp.school import init_school
from tests.ledger_helpers import TODAY, photo, school_with_calendar, signature, student

SECRET = "红岩村小学2026"


def run(*cmd) -> str:
    out = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


def images(pdf) -> list[dict]:
    """pdfimages -list as rows: type (image/smask), width, height, encoding."""
    rows = []
    for line in run("pdfimages", "-list", pdf).splitlines()[2:]:
        f = line.split()
        rows.append({"page": int(f[0]), "type": f[2], "width": int(f[3]), "height": int(f[4]), "enc": f[8]})
    return rows


def test_a_plain_students_visit_photos_and_signature_are_in_the_folder(store, tmp_path):
    """A visit to a non-priority student prints its photos and the parent's signature; a phone visit has no signature line."""
    init_school(store, code="5101230001", name="青石镇红岩村小学")
    ids = school_with_calendar(store)
    kid = student(store, "普通", 1)
    other = student(store, "电话", 2)
    assert priority_reasons(store) == {}       # nobody gets a 一生一档 page
    visits.record_visit(store, student_uuid=kid, day="2026-10-10", teachers=[ids["head3"]], mode="入户走访",
                        met_name="普通母", met_relation="母亲", location="青石村3组", participants="村委会干部",
                        photos=[photo(1, size=(640, 480)), photo(2, size=(800, 600))], signature=signature(),
                        today=TODAY)
    visits.record_visit(store, student_uuid=other, day="2026-10-12", teachers=[ids["head3"]], mode="电话",
                        met_name="电话父", met_relation="父亲", photos=[photo(3, size=(480, 360))], today=TODAY)
    identity.create(store, kind="school", code="5101230001", name="青石镇红岩村小学", passphrase=SECRET)
    pdf = write_folder(store, tmp_path / "迎检档案.pdf", passphrase=SECRET, today=dt.date(2026, 11, 20))
    found = images(pdf)
    sizes = {(i["width"], i["height"], i["enc"]) for i in found if i["type"] == "image"}
    assert {(640, 480, "jpeg"), (800, 600, "jpeg"), (480, 360, "jpeg")} <= sizes
    assert (400, 150) in {(i["width"], i["height"]) for i in found if i["type"] == "image"}   # the signature
    assert any(i["type"] == "smask" and (i["width"], i["height"]) == (400, 150) for i in found)
    text = run("pdftotext", "-layout", pdf, "-")
    section = text[text.index("家访佐证"):]
    assert "受访人：普通母（母亲）" in section and "青石村3组" in section and "参与人员：村委会干部" in section
    assert len(re.findall("家长签字：", section)) == 1        # the 入户 visit only, not the phone call
    # the pictures sit on the page of the visit they prove
    page = next(n for n, body in enumerate(run("pdftotext", pdf, "-").split("\f"), 1) if "受访人：普通母" in body)
    assert {i["page"] for i in found if (i["width"], i["height"]) in ((640, 480), (400, 150))} == {page}


def test_folder_tables_keep_numbers_dates_and_short_labels_whole():
    """The 控辍 table split masked IDs (520121********05 / 45), dates and 疑似辍 / 学 across lines."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from jiaoyuapp.documents.inspection_folder import unbroken_widths
    from jiaoyuapp.documents.pdf_style import FONT
    rows = [["序号", "身份证号", "当前状态", "包保责任人"],
            [1, "520121********0545", "疑似辍学", "校长 解校长 138****0000；班主任 江华珍 139****4241；" * 2]]
    widths = unbroken_widths(rows, [10, 20, 10, 200], 7.5)
    assert widths[1] >= stringWidth("520121********0545", FONT, 7.5) and widths[2] >= stringWidth("疑似辍学", FONT, 7.5)
    assert abs(sum(widths) - 240) < 0.01       # the page's width, taken from the running text
