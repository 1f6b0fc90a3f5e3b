"""make dist-test-windows: the setup program tested as a school installs it, in a fresh wine prefix.

1. An older build (built from an older commit by the same build script) is installed silently and its
   `jiaoyu` writes a demo school into the user's data folder with that version's schema.
2. The new setup program is installed over it; the new `jiaoyu` opens the school: same students, the
   schema migrated to this source tree's.
3. Shortcuts (开始菜单, 桌面) named 控辍保学与家访台账, the 控制面板 entry and the .jyp/.jyr file types are
   read back from the .lnk files and the registry.
4. The app is started as the shortcut starts it: `--self-check` imports a 学籍 roster workbook made
   from the source tree, exports a packet sealed to a center run from the source tree, which must
   accept it; the shipped font must have loaded. Its screenshots are kept in build/win/screens/.
5. The silent uninstaller removes the install folder, shortcuts and registry entries, and keeps the
   data folder.

Run by test.sh with the checkout's .venv Python (the center and the workbook generator need it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lnk import read_lnk  # noqa: E402

APP_NAME = "控辍保学与家访台账"
UNINSTALL_KEY = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\jiaoyuapp"
PASSPHRASE = "中心校测试口令-not-a-secret"
# The prefix runs as a Chinese Windows (code page 936), as a school's PC does: what Windows Python
# writes to a redirected file is GBK.
WINE_LOCALE, WINE_ENCODING = "zh_CN.UTF-8", "gbk"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\r")

failures: list[str] = []


def log(msg: str) -> None:
    print(f"[dist-test-windows] {msg}", flush=True)


def check(ok: bool, what: str) -> bool:
    log(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)
    return ok


def die(msg: str) -> None:
    print(f"[dist-test-windows] FAIL: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


class Wine:
    """A fresh wine prefix with its own HOME: nothing of the machine's user is read or written."""

    def __init__(self, base: Path, locpath: Path):
        self.base = base
        if base.exists():
            shutil.rmtree(base)
        self.prefix, self.home = base / "prefix", base / "home"
        (self.home / "Desktop").mkdir(parents=True)   # wine links the Windows desktop to it
        self.env = {**os.environ, "WINEPREFIX": str(self.prefix), "HOME": str(self.home),
                    "WINEDEBUG": "-all", "LC_ALL": WINE_LOCALE, "LANG": WINE_LOCALE,
                    "LOCPATH": str(locpath),   # zh_CN.UTF-8 compiled by test.sh, not the system's "WINEARCH": "win64",
                    "WINEDLLOVERRIDES": "mscoree,mshtml=;winemenubuilder.exe=d", "DISPLAY": ""}
        self.env.pop("QT_QPA_PLATFORM", None)
        t = time.monotonic()
        self.run_host(["wineboot", "-i"])
        self.wait()
        # Wine 8 presents itself as Windows 7 in a new prefix; the setup program wants 10 (1809+).
        self.run_host(["wine", "winecfg", "/v", "win10"])
        self.wait()
        user = os.environ.get("USER") or subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
        self.user_dir = self.prefix / "drive_c" / "users" / user
        if not self.user_dir.is_dir():
            die(f"wineboot made no user folder {self.user_dir}")
        log(f"fresh wine prefix in {time.monotonic() - t:.0f} s")

    def close(self) -> None:
        """Stop wine and drop the prefix's Z: link to / : setuptools' package discovery (pip install -e,
        `make deps`) follows links under the checkout and would walk the whole disk, for ever."""
        subprocess.run(["wineserver", "-k"], env=self.env, capture_output=True)
        z = self.prefix / "dosdevices" / "z:"
        if z.is_symlink():
            z.unlink()

    def run_host(self, argv, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(argv, env=self.env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              errors="replace", **kw)

    def wait(self) -> None:
        subprocess.run(["wineserver", "-w"], env=self.env)   # every wine process has ended, registry saved

    def console(self, argv: list[str], cwd: Path | None = None, out: Path | None = None,
                timeout: int = 900) -> int:
        """A Windows program in a terminal (Windows Python under wine needs one). Its output, when the
        test reads it, goes to `out` by cmd's own redirection (a Unix pipe or file as stdout makes
        Windows Python fail). wine builds the Windows command line from argv, quoting what has spaces;
        with cmd in between, nothing may (cmd /c strips the quotes of its first argument)."""
        if out is not None:
            out.unlink(missing_ok=True)
            redirect = [">", self.winpath(out), "2>", self.winpath(out.with_suffix(".err"))]
            if any(" " in a for a in argv + redirect):
                die(f"a path with a space cannot go through cmd /c: {argv}")
            argv = ["cmd", "/c", *argv, *redirect]
        proc = subprocess.run(["script", "-qec", shlex.join(["wine", *argv]), "/dev/null"], env=self.env,
                              cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              errors="replace", timeout=timeout)
        self.last_output = ANSI.sub("", proc.stdout + proc.stderr)
        if out is not None:
            for f in (out, out.with_suffix(".err")):
                if f.exists():
                    self.last_output += f.read_text(WINE_ENCODING, errors="replace")
        self.wait()
        return proc.returncode

    def winpath(self, path: Path) -> str:
        return "Z:" + str(Path(path).resolve()).replace("/", "\\")

    def unixpath(self, winpath: str) -> Path:
        if re.match(r"^[A-Za-z]:\\", winpath):
            drive = winpath[0].lower()
            rest = winpath[3:].replace("\\", "/")
            if drive == "z":
                return Path("/") / rest
            return self.prefix / f"drive_{drive}" / self._case(self.prefix / f"drive_{drive}", rest)
        die(f"not a Windows path: {winpath!r}")

    @staticmethod
    def _case(base: Path, rest: str) -> str:
        """Windows paths are case-insensitive; find each part as it is on disk."""
        here, parts = base, []
        for part in [p for p in rest.split("/") if p]:
            match = next((c.name for c in here.iterdir() if c.name.lower() == part.lower()), part) \
                if here.is_dir() else part
            parts.append(match)
            here = here / match
        return "/".join(parts)

    def install(self, setup: Path) -> None:
        t = time.monotonic()
        proc = self.run_host(["wine", str(setup), "/S"], timeout=900)
        self.wait()
        if not check(proc.returncode == 0, f"silent install of {setup.name} (exit {proc.returncode}, "
                                           f"{time.monotonic() - t:.0f} s)"):
            die(proc.stdout + proc.stderr)

    def registry(self) -> dict[str, dict[str, str]]:
        return read_user_reg(self.prefix / "user.reg")


def read_user_reg(path: Path) -> dict[str, dict[str, str]]:
    """wine's user.reg (HKCU): {key path: {value name ('' = default): string}}."""
    keys: dict[str, dict[str, str]] = {}
    current = None
    text = path.read_text("utf-8", errors="replace")
    for line in text.splitlines():
        m = re.match(r"^\[(.*)\](?: \d+)?$", line)
        if m:
            current = keys.setdefault(_unescape(m.group(1)).lower(), {})
            continue
        m = re.match(r'^(@|"((?:[^"\\]|\\.)*)")=(.*)$', line)
        if m and current is not None:
            name = "" if m.group(1) == "@" else _unescape(m.group(2)).lower()
            value = m.group(3)
            if value.startswith('"') and value.endswith('"'):
                current[name] = _unescape(value[1:-1])
            elif value.startswith("dword:"):
                current[name] = str(int(value[6:], 16))
            else:
                current[name] = value
    return keys


def _unescape(s: str) -> str:
    s = re.sub(r"\\x([0-9a-fA-F]{1,4})", lambda m: chr(int(m.group(1), 16)), s)
    return re.sub(r"\\(.)", r"\1", s)


def reg_value(reg, key: str, name: str = "") -> str | None:
    return reg.get(key.lower(), {}).get(name.lower())


# --- the checks --------------------------------------------------------------------------------

def schema_of(db: Path) -> tuple[int, list[str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        names = [r[0] for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'jiaoyu' ORDER BY name")] \
            if "_sqlite_migrations" in tables else []
        return version, names
    finally:
        conn.close()


def jiaoyu_json(wine: Wine, install_dir: str, args: str, out: Path) -> dict:
    rc = wine.console([f"{install_dir}\\bin\\jiaoyu.exe", *args.split()], out=out)
    text = out.read_text(WINE_ENCODING, errors="replace") if out.exists() else ""
    if rc != 0 or not text.strip():
        die(f"installed jiaoyu {args} exited {rc}:\n{wine.last_output}")
    return json.loads(text)


def expected_schema() -> list[str]:
    from jiaoyuapp.schema import school_schema
    return sorted(school_schema().migration_names())


def check_install_layout(wine: Wine, version: str) -> str:
    reg = wine.registry()
    install_dir = reg_value(reg, UNINSTALL_KEY, "InstallLocation")
    if not check(install_dir is not None, f"控制面板 entry HKCU\\{UNINSTALL_KEY}"):
        die("no uninstall key: the setup program did not register itself")
    check(reg_value(reg, UNINSTALL_KEY, "DisplayName") == APP_NAME, f"DisplayName is {APP_NAME}")
    check(reg_value(reg, UNINSTALL_KEY, "DisplayVersion") == version, f"DisplayVersion is {version}")
    check(bool(reg_value(reg, UNINSTALL_KEY, "Publisher")), "Publisher set")
    local = wine.unixpath(install_dir)
    check(install_dir.lower().endswith(r"\appdata\local\programs\jiaoyuapp"),
          f"per-user install folder %LOCALAPPDATA%\\Programs\\jiaoyuapp ({install_dir})")
    check((local / "pkgs" / "resources" / "fonts" / "wqy-microhei.ttc").is_file(),
          "the CJK font is installed beside the code (pkgs/resources/fonts/wqy-microhei.ttc)")
    dist_infos = sorted(p.name for p in (local / "pkgs").glob("jiaoyuapp-*.dist-info"))
    check(dist_infos == [f"jiaoyuapp-{version}.dist-info"], f"only this version's app is installed {dist_infos}")
    check(any((local / "pkgs" / "jiaoyuapp").rglob("*.pyc")), "modules compiled at install time")
    return install_dir


def check_shortcuts(wine: Wine, install_dir: str) -> dict:
    start_menu = wine.user_dir / "AppData/Roaming/Microsoft/Windows/Start Menu/Programs" / f"{APP_NAME}.lnk"
    desktop = wine.user_dir / "Desktop" / f"{APP_NAME}.lnk"
    found = {}
    for where, path in (("开始菜单", start_menu), ("桌面", desktop)):
        if check(path.is_file(), f"{where} shortcut {path.name}"):
            found[where] = read_lnk(path)
    if "开始菜单" not in found:
        die("no Start-menu shortcut to start the app from")
    sc = found["开始菜单"]
    target = sc["target"] or ""
    check(target.lower() == f"{install_dir}\\bin\\jiaoyu-app.exe".lower(),
          f"shortcut starts the window program without a console ({target})")
    check(wine.unixpath(target).is_file(), "the shortcut's target exists")
    wd = sc.get("working_dir") or ""
    check(bool(wd) and not wd.lower().startswith(install_dir.lower()),
          f"the shortcut's working folder is the user's, not the install folder ({wd})")
    return sc


def check_file_types(wine: Wine, install_dir: str) -> None:
    reg = wine.registry()
    exe = f"{install_dir}\\bin\\jiaoyu-app.exe"
    for ext, progid in ((".jyp", "jiaoyuapp.packet"), (".jyr", "jiaoyuapp.receipt")):
        key = rf"Software\Classes\{ext}"
        check(reg_value(reg, key) == progid, f"HKCU\\{key} → {progid}")
        command = reg_value(reg, rf"Software\Classes\{progid}\shell\open\command") or ""
        check(command.lower() == f'"{exe}" "%1"'.lower(), f"{ext} opens with jiaoyu-app FILE ({command})")
        label = reg_value(reg, rf"Software\Classes\{progid}") or ""
        check(bool(re.search("[\u4e00-\u9fff]", label)), f"{progid} has a Chinese name ({label})")


def make_center(work: Path) -> tuple[Path, Path]:
    """A center (中心校) database run from the source tree, and its certificate for the school."""
    center = work / "center.db"
    cert = work / "center.pem"
    # A fresh center each run: one left by an earlier run has the demo school (same code) registered
    # with that run's key and refuses this run's certificate.
    for old in work.glob("center.db*"):
        old.unlink()
    cert.unlink(missing_ok=True)
    shutil.rmtree(work / "center-data", ignore_errors=True)
    env = {**os.environ, "JIAOYU_PASSPHRASE": PASSPHRASE, "JIAOYU_DATA_DIR": str(work / "center-data")}
    for args in (["township", "init", "--name", "演示镇中心校"], ["key", "export-certificate", str(cert)]):
        run_center(args, center, env)
    return center, cert


def run_center(args: list[str], center: Path, env=None) -> str:
    env = env or {**os.environ, "JIAOYU_PASSPHRASE": PASSPHRASE, "JIAOYU_DATA_DIR": str(center.parent / "center-data")}
    proc = subprocess.run([sys.executable, "-m", "jiaoyuapp.cli", "--db", str(center), *args], env=env,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        die(f"center (source tree) `jiaoyu {' '.join(args)}` refused, exit {proc.returncode}:\n"
            f"{proc.stdout}\n{proc.stderr}")
    return proc.stdout


def screenshots_only(wine: Wine, shortcut: dict, work: Path, screens_out: Path) -> None:
    """Before ui/installed_check.py exists (issue 13's self-check): the screenshots alone. Counted
    as a failure unless JIAOYU_WIN_TEST_ALLOW_NO_SELFCHECK=1 (for developing the installer only)."""
    out = work / "screens-only"
    if out.exists():
        shutil.rmtree(out)
    rc = wine.console([shortcut["target"], "--screenshots", wine.winpath(out)],
                      cwd=wine.unixpath(shortcut["working_dir"]) if shortcut.get("working_dir") else None)
    pngs = sorted(out.glob("*.png"))
    check(rc == 0 and len(pngs) >= 10, f"installed app --screenshots: exit {rc}, {len(pngs)} screenshots")
    if screens_out.exists():
        shutil.rmtree(screens_out)
    shutil.copytree(out, screens_out)
    allowed = os.environ.get("JIAOYU_WIN_TEST_ALLOW_NO_SELFCHECK") == "1"
    check(allowed, "the installed app has --self-check (ui/installed_check.py)"
          + (" — MISSING, allowed by JIAOYU_WIN_TEST_ALLOW_NO_SELFCHECK=1" if allowed else ""))


def self_check(wine: Wine, shortcut: dict, work: Path, screens_out: Path) -> None:
    from tests.xueji_workbook import write_xueji_workbook
    rows = 120
    roster = work / "学籍花名册.xlsx"
    write_xueji_workbook(roster, rows=rows, seed=13)
    center, center_cert = make_center(work)
    out = work / "selfcheck"
    if out.exists():
        shutil.rmtree(out)
    t = time.monotonic()
    command = [shortcut["target"], *shlex.split(shortcut.get("arguments") or ""), "--self-check",
               wine.winpath(out), "--roster", wine.winpath(roster), "--center-cert", wine.winpath(center_cert),
               "-platform", "offscreen"]
    cwd = wine.unixpath(shortcut["working_dir"]) if shortcut.get("working_dir") else None
    rc = wine.console(command, cwd=cwd)
    log(f"installed app --self-check: exit {rc} in {time.monotonic() - t:.0f} s")
    console = work / "selfcheck-console.txt"      # what the app printed (wine gives it a console)
    console.write_text(wine.last_output, encoding="utf-8")
    check("Error calling Python override" not in wine.last_output and "Traceback" not in wine.last_output,
          f"the installed app printed no Python error ({console})")
    report_file = out / "report.json"
    if not check(report_file.is_file(), "the installed app wrote report.json"):
        die(wine.last_output[-4000:])
    report = json.loads(report_file.read_text("utf-8"))
    log("report: " + json.dumps({k: report.get(k) for k in ("ok", "version", "python", "qt", "platform", "font",
                                                           "roster", "errors")}, ensure_ascii=False))
    check(rc == 0, f"--self-check exit code 0 (was {rc})")
    if not check(report.get("ok") is True, f"report.json ok (errors: {report.get('errors')})"):
        for tb in report.get("tracebacks") or []:
            print(tb, flush=True)
    font = report.get("font") or {}
    check(font.get("shipped_font_loaded") is True, f"the shipped font loaded ({font})")
    check(font.get("cjk_glyphs") is True, "the font in use draws 控辍保学家访台账")
    roster_report = report.get("roster") or {}
    check(roster_report.get("imported") == rows, f"roster: {rows} students imported ({roster_report})")
    pngs = sorted((out / "screens").glob("*.png"))
    check(len(pngs) >= 10, f"{len(pngs)} screenshots")
    if screens_out.exists():
        shutil.rmtree(screens_out)
    screens_out.mkdir(parents=True)
    for p in pngs:
        shutil.copy2(p, screens_out / p.name)
    # The center (source tree) registers the school and imports its packet.
    cert = out / "school-certificate.pem"
    fingerprint = (out / "school-fingerprint.txt").read_text("utf-8").strip()
    run_center(["township", "register", str(cert), "--fingerprint", fingerprint], center)
    packet_path = report.get("packet") or ""
    if not check(bool(packet_path), "the installed app exported a packet"):
        return
    packet = wine.unixpath(packet_path) if re.match(r"^[A-Za-z]:\\", packet_path) else Path(packet_path)
    if not check(packet.is_file(), f"packet file exists ({packet.name})"):
        return
    imported = json.loads(run_center(["township", "import", "--json", str(packet)], center))
    first = imported[0] if imported else {}
    check(first.get("status") == "已接收",
          f"the center (source tree) accepted the installed app's packet ({first.get('status')}: {first.get('message', '')})")
    board = json.loads(run_center(["township", "status", "--json"], center))
    check(any(entry.get("packets") == 1 and entry.get("students") for entry in board),
          f"the center's board shows the school with its students ({board})")

def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--setup", required=True, type=Path)
    ap.add_argument("--old-setup", required=True, type=Path)
    ap.add_argument("--version", required=True)
    ap.add_argument("--old-version", required=True)
    ap.add_argument("--work", default=ROOT / "build" / "win" / "test", type=Path)
    ap.add_argument("--locpath", required=True, type=Path, help="folder holding the zh_CN.UTF-8 locale")
    ap.add_argument("--shim", required=True, type=Path, help="bcryptprimitives.dll stand-in for wine 8")
    args = ap.parse_args()
    started = time.monotonic()
    for p in (args.setup, args.old_setup, args.shim):
        if not p.is_file():
            die(f"{p} missing")
    work = args.work.resolve()
    wine = Wine(work / "wine", args.locpath)
    try:
        run_checks(args, work, wine)
    finally:
        wine.close()
    log(f"finished in {time.monotonic() - started:.0f} s")
    if failures:
        die(f"{len(failures)} check(s) failed:\n  " + "\n  ".join(failures))
    log("all checks passed")


def run_checks(args, work: Path, wine: Wine) -> None:
    shutil.copy2(args.shim, wine.prefix / "drive_c" / "windows" / "system32" / "bcryptprimitives.dll")

    # 1. the older version, with a school in the user's data folder
    wine.install(args.old_setup)
    old_dir = check_install_layout(wine, args.old_version)
    data = wine.user_dir / "AppData" / "Local" / "jiaoyu"
    rc = wine.console([f"{old_dir}\\bin\\jiaoyu.exe", "demo"], out=work / "old-demo.txt")
    if not check(rc == 0 and (data / "school.db").is_file(),
                 f"the older version's jiaoyu demo wrote %LOCALAPPDATA%\\jiaoyu\\school.db (exit {rc})"):
        die(wine.last_output)
    old_summary = jiaoyu_json(wine, old_dir, "--json summary", work / "old-summary.json")
    old_version, old_migrations = schema_of(data / "school.db")
    want = expected_schema()
    log(f"older version: {old_summary['students']} students, schema {old_version} ({old_migrations[-1]})")
    check(old_version < len(want), f"the older build's schema ({old_version}) is older than this tree's ({len(want)})")

    # 2. the new version over it: the data stays and is migrated on first start
    wine.install(args.setup)
    install_dir = check_install_layout(wine, args.version)
    new_summary = jiaoyu_json(wine, install_dir, "--json summary", work / "new-summary.json")
    check(new_summary["students"] == old_summary["students"],
          f"upgrade kept the students ({old_summary['students']} → {new_summary['students']})")
    new_version, new_migrations = schema_of(data / "school.db")
    check(new_version == len(want) and new_migrations == want,
          f"upgrade migrated the schema {old_version} → {new_version} (this tree: {len(want)})")
    version_out = work / "version.txt"
    wine.console([f"{install_dir}\\bin\\jiaoyu.exe", "--version"], out=version_out)
    check(args.version in wine.last_output,
          f"jiaoyu --version says {args.version}")

    # 3. shortcuts and file types
    shortcut = check_shortcuts(wine, install_dir)
    check_file_types(wine, install_dir)

    # 4. the installed app, started as its shortcut starts it
    screens = ROOT / "build" / "win" / "screens"
    if (wine.unixpath(install_dir) / "pkgs" / "ui" / "installed_check.py").is_file():
        self_check(wine, shortcut, work, screens)
    else:
        screenshots_only(wine, shortcut, work, screens)

    # 5. uninstall: the program goes, the school's data stays
    reg = wine.registry()
    quiet = reg_value(reg, UNINSTALL_KEY, "QuietUninstallString") or ""
    check(quiet.lower().endswith(" /s"), f"QuietUninstallString ({quiet})")
    m = re.match(r'^"([^"]+)"\s*(.*)$', quiet)
    if not m:
        die(f"QuietUninstallString not of the form \"program\" args: {quiet!r}")
    # Not in a terminal: uninstall.exe copies itself to %TEMP% and returns at once, and the copy,
    # which does the work, would die with script(1)'s terminal (SIGHUP) before removing anything.
    proc = wine.run_host(["wine", m.group(1), *m.group(2).split()], timeout=600)
    wine.wait()
    rc = proc.returncode
    check(rc == 0, f"silent uninstall exit {rc}")
    local = wine.unixpath(install_dir)
    check(not local.exists(), f"uninstall removed the install folder ({install_dir})")
    check(not (wine.user_dir / "Desktop" / f"{APP_NAME}.lnk").exists(), "uninstall removed the desktop shortcut")
    reg = wine.registry()
    check(UNINSTALL_KEY.lower() not in reg, "uninstall removed the 控制面板 entry")
    check(reg_value(reg, r"Software\Classes\.jyp") is None, "uninstall removed the .jyp file type")
    check((data / "school.db").is_file(), "uninstall kept the data folder (%LOCALAPPDATA%\\jiaoyu\\school.db)")
    conn = sqlite3.connect(f"file:{data / 'school.db'}?mode=ro", uri=True)
    kept = conn.execute("SELECT count(*) FROM students").fetchone()[0]
    conn.close()
    check(kept == old_summary["students"], f"the kept database still has its {kept} students")


if __name__ == "__main__":
    main()
