#!/usr/bin/env bash
# make dist-test-windows: install the setup program in a fresh wine prefix and check it as a school
# would use it (see test_setup.py). Builds an older version first (OLD_REF, default 5d9a0c4~30,
# stamped OLD_VERSION) with the same build script, for the upgrade check.
set -euo pipefail
export LC_ALL=C.UTF-8
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
say() { echo "[dist-test-windows] $*"; }
fail() { echo "[dist-test-windows] FAIL: $*" >&2; exit 1; }

# wine64 runs the setup program and the app; script(1) gives Windows Python the terminal it needs;
# mingw builds the test-only bcryptprimitives.dll stand-in wine 8 lacks (see wine-shim/).
JIAOYU_APT_PACKAGES="wine wine64 util-linux gcc-mingw-w64-x86-64-win32 nsis locales" bash installer/system-deps.sh
[ -x .venv/bin/python ] || fail "no .venv: run 'make deps' first (the center and the roster generator run from the source tree)"

VERSION=$(.venv/bin/python -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
SETUP="dist/控辍保学与家访台账-$VERSION-win64-setup.exe"
[ -f "$SETUP" ] || fail "$SETUP missing: run 'make dist-windows' first"

# The older build for the upgrade check. Its commit must be in the clone (CI: fetch with history).
OLD_REF=${OLD_REF:-2a83df9dc0fe8c48fd2ada703c6ad804f45388e6}   # 5d9a0c4~30: schema 0008, before 0009-0013
OLD_VERSION=${OLD_VERSION:-0.0.1}
OLD_OUT=$ROOT/build/win/old-dist
OLD_SETUP="$OLD_OUT/控辍保学与家访台账-$OLD_VERSION-win64-setup.exe"
if [ ! -f "$OLD_SETUP" ] || [ "$(cat "$OLD_OUT/.ref" 2>/dev/null)" != "$OLD_REF $OLD_VERSION" ]; then
  git cat-file -e "$OLD_REF^{commit}" 2>/dev/null \
    || fail "commit $OLD_REF (the older version for the upgrade test) is not in this clone: git fetch --unshallow"
  say "building the older version $OLD_VERSION from $OLD_REF"
  rm -rf build/win/old-src "$OLD_OUT"
  mkdir -p build/win/old-src
  git archive "$OLD_REF" | tar -x -C build/win/old-src
  SRC=$ROOT/build/win/old-src VERSION=$OLD_VERSION OUT=$OLD_OUT bash installer/windows/build.sh
  echo "$OLD_REF $OLD_VERSION" > "$OLD_OUT/.ref"
fi

SHIM=$ROOT/build/win/shim/bcryptprimitives.dll
mkdir -p "$(dirname "$SHIM")"
x86_64-w64-mingw32-gcc -O2 -shared -o "$SHIM" installer/windows/wine-shim/bcryptprimitives.c \
  installer/windows/wine-shim/bcryptprimitives.def -lbcrypt

# wine plays a Chinese Windows (code page 936) when its Unix locale is zh_CN.UTF-8; compiled into
# build/ (LOCPATH), so the machine's own locale settings are left alone.
LOCALES=$ROOT/build/win/locale
[ -d "$LOCALES/zh_CN.UTF-8" ] || { mkdir -p "$LOCALES" && localedef -i zh_CN -f UTF-8 "$LOCALES/zh_CN.UTF-8"; } \
  || fail "localedef zh_CN.UTF-8 failed"

exec .venv/bin/python installer/windows/test_setup.py --setup "$SETUP" --version "$VERSION" \
  --old-setup "$OLD_SETUP" --old-version "$OLD_VERSION" --shim "$SHIM" --locpath "$LOCALES"
