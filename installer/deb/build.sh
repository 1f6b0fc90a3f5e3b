#!/usr/bin/env bash
# Builds dist/jiaoyu-app_<version>_amd64.deb: a PyInstaller one-folder bundle of the window and the
# command line, frozen in a Debian 11 (bullseye, glibc 2.31) root so it runs on older systems
# (UOS 20, Kylin V10) as well as on Debian 12. See installer/deb/README.md.
#
#   build.sh [--src DIR] [--version V] [--out DIR] [--tag NAME]
#     --src      source tree to freeze (default: this checkout); --version overrides pyproject's
#     --tag      name of its work folder in the root (default: current); the root is shared
set -euo pipefail
source "$(dirname "$0")/lib.sh"

SRC=$REPO VERSION="" OUT=$REPO/dist TAG=current
while [ $# -gt 0 ]; do
  case $1 in
    --src) SRC=$(readlink -f "$2"); shift 2 ;;
    --version) VERSION=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --tag) TAG=$2; shift 2 ;;
    *) die "unknown argument $1" ;;
  esac
done
[ -f "$SRC/pyproject.toml" ] || die "no pyproject.toml in $SRC"
[ -n "$VERSION" ] || VERSION=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$SRC/pyproject.toml" | head -1)
[ -n "$VERSION" ] || die "no version in $SRC/pyproject.toml"
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, mounts)"
ARCH=amd64
PYVER=3.11          # the Python the app is written for (pyproject: requires-python >= 3.11)
PYINSTALLER="pyinstaller>=6.22,<6.23"
ROOT=$BUILD/bullseye-root
start=$(date +%s)

host_tools debootstrap

# 1. The build root: Debian 11 minbase, with a C toolchain (for CPython) and the system libraries
#    Qt's platform plugin links against (so PyInstaller's analysis sees them; they are left out of
#    the bundle below and declared in Depends instead).
make_root bullseye "$ROOT"
BUILD_PKGS="build-essential binutils xz-utils tcl ca-certificates libssl-dev libffi-dev zlib1g-dev libsqlite3-dev \
libbz2-dev liblzma-dev uuid-dev libreadline-dev libncursesw5-dev libgdbm-dev \
libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libfreetype6 libdbus-1-3 libglib2.0-0 \
libx11-xcb1 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0 \
libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxrender1 libxi6"
stamp=$(echo "$BUILD_PKGS" | sha256sum | cut -c1-16)
if [ ! -f "$ROOT/.jiaoyu-apt-$stamp" ]; then
  log "build root packages"
  root_apt "$ROOT" "$BUILD_PKGS"
  touch "$ROOT/.jiaoyu-apt-$stamp"
fi

# 2. SQLite and CPython 3.11 for the root. Bullseye has only Python 3.9 and SQLite 3.34 (too old
#    for the app's migrations); PyPI carries no Linux CPython. Debian 12's own source packages
#    (python3.11 3.11.2, sqlite3 3.40.1: what the tests run on) are fetched with apt-get source
#    and built here against bullseye's libraries (OpenSSL 1.1.1), CPython shared (PyInstaller needs
#    libpython). glibc-compat.h and no sem_clockwait keep the glibc floor at 2.28 (UOS 20).
#    The stamp holds the recipe's hash: change the recipe and the next build makes them again.
SQLITE_CFLAGS="-DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_FTS3 -DSQLITE_ENABLE_FTS3_PARENTHESIS -DSQLITE_ENABLE_RTREE=1 \
-DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_UNLOCK_NOTIFY -DSQLITE_ENABLE_DBSTAT_VTAB -DSQLITE_ENABLE_JSON1 \
-DSQLITE_ENABLE_LOAD_EXTENSION -DSQLITE_LIKE_DOESNT_MATCH_BLOBS -DSQLITE_THREADSAFE=1 -DSQLITE_USE_URI=1 \
-DSQLITE_MAX_SCHEMA_RETRY=25 -DSQLITE_ENABLE_PREUPDATE_HOOK -DSQLITE_ENABLE_SESSION -DSQLITE_ENABLE_STMTVTAB \
-DSQLITE_MAX_VARIABLE_NUMBER=250000 -DSQLITE_SECURE_DELETE -DSQLITE_SOUNDEX=1"
RECIPE=$( (cat "$DEB_DIR/glibc-compat.h"; echo "$SQLITE_CFLAGS v3") | sha256sum | cut -c1-16)
if [ "$(cat "$ROOT/opt/python/.ok" 2>/dev/null)" != "$RECIPE" ]; then
  log "SQLite and CPython $PYVER from Debian 12's source packages (takes a few minutes)"
  cp "$DEB_DIR/glibc-compat.h" "$ROOT/tmp/glibc-compat.h"
  in_root "$ROOT" "
    echo 'deb-src $MIRROR bookworm main' > /etc/apt/sources.list.d/bookworm-src.list
    apt-get -o Acquire::Retries=3 update -qq
    rm -rf /build/cpython /opt/python && mkdir -p /build/cpython && cd /build/cpython
    apt-get -o Acquire::Retries=3 source --download-only -qq python$PYVER sqlite3 2>&1 | grep -v unsandboxed || true
    py_src=\$(ls python${PYVER}_*.orig.tar.*) sql_src=\$(ls sqlite3_*.orig.tar.* | grep -v -- -www)
    export CFLAGS='-O2 -include /tmp/glibc-compat.h'
    mkdir sqlite && tar xf \$sql_src -C sqlite --strip-components=1
    cd sqlite
    ./configure -q --prefix=/opt/python --disable-static --disable-tcl --enable-fts5 \
      CFLAGS=\"\$CFLAGS $SQLITE_CFLAGS\" >/build/cpython/sqlite-configure.log 2>&1
    make -s -j\$(nproc) >/build/cpython/sqlite-make.log 2>&1 || { tail -30 /build/cpython/sqlite-make.log; exit 1; }
    make -s install >/build/cpython/sqlite-install.log 2>&1
    cd /build/cpython && tar xf \$py_src
    cd Python-$PYVER.*/
    ./configure -q --prefix=/opt/python --enable-shared --with-ensurepip=install ac_cv_func_sem_clockwait=no \
      CPPFLAGS=-I/opt/python/include LDFLAGS='-L/opt/python/lib -Wl,-rpath,/opt/python/lib' \
      >/build/cpython/configure.log 2>&1
    make -s -j\$(nproc) >/build/cpython/make.log 2>&1 || { tail -30 /build/cpython/make.log; exit 1; }
    make -s install >/build/cpython/install.log 2>&1
    /opt/python/bin/python$PYVER -c 'import ssl, sqlite3, lzma, bz2, zlib, ctypes, uuid, readline; print(ssl.OPENSSL_VERSION, \"SQLite\", sqlite3.sqlite_version); assert sqlite3.sqlite_version_info >= (3, 40)'
    echo $RECIPE > /opt/python/.ok
    rm -rf /build/cpython /build/venv
  " || die "building SQLite and CPython $PYVER in the root"
fi

# Debug symbols off CPython's library and modules (built with -g: 29 MB -> 4 MB); idempotent.
in_root "$ROOT" "strip --strip-debug /opt/python/lib/libpython$PYVER.so.1.0 /opt/python/lib/libsqlite3.so.0 /opt/python/lib/python$PYVER/lib-dynload/*.so"

# 3. The app's dependencies (from pyproject.toml, as pip resolves them for glibc 2.31) and PyInstaller.
mkdir -p "$ROOT/build/$TAG"
rm -rf "$ROOT/build/$TAG/src" "$ROOT/build/installer"
mkdir -p "$ROOT/build/$TAG/src"
tar -C "$SRC" -c pyproject.toml jiaoyuapp ui resources | tar -C "$ROOT/build/$TAG/src" -x
cp -r "$DEB_DIR" "$ROOT/build/installer"
log "dependencies in the root's venv"
in_root "$ROOT" "
  [ -x /build/venv/bin/python ] || /opt/python/bin/python$PYVER -m venv /build/venv
  reqs=\$(/build/venv/bin/python -c 'import tomllib; print(\"\n\".join(tomllib.load(open(\"/build/$TAG/src/pyproject.toml\", \"rb\"))[\"project\"][\"dependencies\"]))')
  printf '%s\n' \"\$reqs\" '$PYINSTALLER' > /build/$TAG/requirements.txt
  /build/venv/bin/pip install -q --upgrade pip
  /build/venv/bin/pip install -q -r /build/$TAG/requirements.txt
  /build/venv/bin/pip freeze > /build/$TAG/frozen-requirements.txt
" || die "pip install in the root"

# 4. Freeze.
log "PyInstaller ($TAG, version $VERSION)"
in_root "$ROOT" "
  cd /build/$TAG && rm -rf dist work
  JIAOYU_SRC=/build/$TAG/src /build/venv/bin/pyinstaller --noconfirm --log-level WARN \
    --distpath dist --workpath work /build/installer/jiaoyu-app.spec > pyinstaller.log 2>&1 \
    || { tail -40 pyinstaller.log; exit 1; }
" || die "PyInstaller"
BUNDLE=$ROOT/build/$TAG/dist/jiaoyu-app
# COLLECT links every Qt library into _internal/; those of the plugins the spec dropped dangle.
find "$BUNDLE" -xtype l -delete

# 5. What the bundle must hold, and what it must not.
for f in jiaoyu-app jiaoyu _internal/resources/fonts/wqy-microhei.ttc; do
  [ -e "$BUNDLE/$f" ] || die "bundle lacks $f"
done
ls "$BUNDLE"/_internal/jiaoyuapp/codes/data/*.tsv >/dev/null 2>&1 || die "bundle lacks jiaoyuapp/codes/data/*.tsv"
find "$BUNDLE" -name 'qtbase_zh_CN.qm' | grep -q . || die "bundle lacks Qt's zh_CN translations"
in_root "$ROOT" "/build/installer/bundle-check.sh /build/$TAG/dist/jiaoyu-app /build/$TAG/glibc.txt" \
  || die "bundle check (left-out libraries / Depends)"
read -r GLIBC_MIN GLIBCXX_MIN < "$ROOT/build/$TAG/glibc.txt"

# 6. The package.
PKG=$BUILD/pkg-$TAG
rm -rf "$PKG"
mkdir -p "$PKG/DEBIAN" "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" \
  "$PKG/usr/share/mime/packages" "$PKG/usr/share/icons/hicolor/256x256/apps" \
  "$PKG/usr/share/icons/hicolor/scalable/apps" "$PKG/usr/share/doc/jiaoyu-app"
cp -a "$BUNDLE" "$PKG/opt/jiaoyu-app"
for cmd in jiaoyu-app jiaoyu; do
  printf '#!/bin/sh\nexec /opt/jiaoyu-app/%s "$@"\n' "$cmd" > "$PKG/usr/bin/$cmd"
  chmod 755 "$PKG/usr/bin/$cmd"
done
cp "$DEB_DIR/jiaoyu-app.desktop" "$PKG/usr/share/applications/"
cp "$DEB_DIR/jiaoyu-app-mime.xml" "$PKG/usr/share/mime/packages/jiaoyu-app.xml"
cp "$REPO/resources/icons/jiaoyu-app.png" "$PKG/usr/share/icons/hicolor/256x256/apps/jiaoyu-app.png"
cp "$REPO/resources/icons/jiaoyu-app.svg" "$PKG/usr/share/icons/hicolor/scalable/apps/jiaoyu-app.svg"
cp "$REPO/resources/fonts/wqy-microhei.COPYRIGHT" "$PKG/usr/share/doc/jiaoyu-app/wqy-microhei.COPYRIGHT"
DEPENDS="libc6 (>= $GLIBC_MIN), libstdc++6 (>= ${GLIBCXX_MIN}), $(grep -v '^#' "$DEB_DIR/depends.txt" | grep . | paste -sd, | sed 's/,/, /g')"
SIZE=$(du -sk "$PKG" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@SIZE@/$SIZE/" -e "s/@DEPENDS@/$DEPENDS/" \
  "$DEB_DIR/control.in" > "$PKG/DEBIAN/control"
mkdir -p "$OUT"
DEB=$OUT/jiaoyu-app_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$PKG" "$DEB" >/dev/null
rm -rf "$PKG"
log "built $DEB ($(du -h "$DEB" | cut -f1), bundle $(du -sh "$BUNDLE" | cut -f1), glibc >= $GLIBC_MIN) in $(( $(date +%s) - start )) s"
