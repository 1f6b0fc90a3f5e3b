"""The exported roster as a real office program sees it (LibreOffice, headless)."""

import csv
import shutil
import subprocess

from jiaoyuapp.roster.demo import load_demo
from jiaoyuapp.roster.roster_export import export_roster
from jiaoyuapp.roster.roster_import import import_roster

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def convert(src, outdir, target: str):
    subprocess.run([SOFFICE, "--headless", f"-env:UserInstallation=file://{outdir}/profile", "--convert-to", target,
                    "--outdir", str(outdir), str(src)], check=True, capture_output=True, timeout=180)


def test_libreoffice_reads_full_id_numbers_and_a_resaved_file_imports_unchanged(store, tmp_path):
    """ID numbers survive LibreOffice as 18-character text, and a file re-saved there imports with zero changes."""
    assert SOFFICE, "LibreOffice is installed by `make test` (installer/system-deps.sh)"
    load_demo(store, 40, seed=8)
    out = tmp_path / "花名册.xlsx"
    export_roster(store, out)
    convert(out, tmp_path / "csv", "csv:Text - txt - csv (StarCalc):44,34,76,1")
    with open(tmp_path / "csv" / "花名册.csv", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    header = rows[1]
    seen = {(r[header.index("姓名")], r[header.index("身份证件号")]) for r in rows[2:]}
    assert seen == {(r["name"], r["id_number"]) for r in store.query("SELECT name, id_number FROM students")}
    convert(out, tmp_path / "resaved", "xlsx:Calc MS Excel 2007 XML")
    report = import_roster(store, tmp_path / "resaved" / "花名册.xlsx")
    assert (report.rows, report.created, report.updated, report.unchanged, report.problems) == (40, 0, 0, 40, [])
