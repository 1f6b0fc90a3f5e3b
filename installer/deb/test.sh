#!/usr/bin/env bash
# Tests the .deb as a user gets it: a FRESH Debian 12 (bookworm) root, `apt-get install ./….deb`
# (its Depends resolved from Debian, no recommends), the installed app started as a normal user
# (own HOME) under Xvfb with Qt's real xcb platform. Fails when any check fails. Checks:
#  1. upgrade: an older version (built from an older commit in the same build root) installed first,
#     a demo school made with its CLI in the default data folder, then this version installed over
#     it: same students, schema migrated to this version's (PRAGMA user_version);
#  2. `jiaoyu-app --self-check` (report.json ok, shipped font loaded with CJK glyphs, platform xcb,
#     the 学籍 roster imported, packet exported sealed to a center that runs from the source tree and
#     must register the school and accept the packet); screenshots copied to build/deb/screens/;
#  3. /usr/bin/jiaoyu-app and jiaoyu, the menu entry (控辍保学与家访台账), icon, .jyp/.jyr MIME types;
#  4. `apt-get remove` and `purge` keep ~/.local/share/jiaoyu (same bytes).
#
#   test.sh NEW.deb [OLD.deb]     (make dist-test-deb builds both and passes them)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
NEW_DEB=$(readlink -f "${1:?usage: test.sh NEW.deb [OLD.deb]}")
OLD_DEB=${2:+$(readlink -f "$2")}
[ -f "$NEW_DEB" ] || die "no $NEW_DEB"
[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, mounts)"
PY=$REPO/.venv/bin/python
[ -x "$PY" ] || die "no $PY: run make deps first (the center runs from the source tree)"
host_tools debootstrap xvfb xauth desktop-file-utils
start=$(date +%s)

ROOT=$BUILD/bookworm-test
WORK=$BUILD/test-work
U=1500                                   # the teacher's uid/gid in the root
UHOME=/home/teacher
DATA=$UHOME/.local/share/jiaoyu
rm -rf "$WORK" && mkdir -p "$WORK"

make_root bookworm "$ROOT" --fresh
in_root "$ROOT" "apt-get -o Acquire::Retries=3 update -qq && groupadd -g $U teacher && useradd -m -u $U -g $U -s /bin/bash teacher"
mkdir -p "$ROOT/tmp/debs"

apt_install() {  # apt_install DEB: as a user would, from the file, dependencies from Debian
  cp "$1" "$ROOT/tmp/debs/"
  in_root "$ROOT" "apt-get -o Acquire::Retries=3 install -y -qq --no-install-recommends /tmp/debs/$(basename "$1") >/tmp/debs/apt.log 2>&1 || { tail -30 /tmp/debs/apt.log; exit 1; }"
}
as_teacher() {  # as_teacher CMD...: the teacher's session (no root, own HOME, the display if any)
  chroot --userspec=$U:$U "$ROOT" /usr/bin/env -i HOME=$UHOME USER=teacher LOGNAME=teacher \
    PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 XDG_RUNTIME_DIR=/tmp/runtime-teacher \
    ${DISPLAY_NUM:+DISPLAY=:$DISPLAY_NUM} "$@"
}
schema_version() { "$PY" -c "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA user_version').fetchone()[0])" "$1"; }
students() { as_teacher jiaoyu --json summary | "$PY" -c "import json, sys; print(json.load(sys.stdin)['students'])"; }
check() { if eval "$1"; then log "ok: $2"; else die "$2 ($1)"; fi; }

# --- 1. an older version with data, then this one over it -------------------------------------------
EXPECTED_SCHEMA=$(cd "$REPO" && "$PY" -c "from jiaoyuapp.schema import MIGRATIONS; print(len(MIGRATIONS.names()))")
if [ -n "$OLD_DEB" ]; then
  apt_install "$OLD_DEB"
  old_version=$(in_root "$ROOT" "dpkg-query -W -f='\${Version}' jiaoyu-app")
  as_teacher jiaoyu demo --students 120 --seed 3 >"$WORK/old-demo.txt"
  [ -f "$ROOT$DATA/school.db" ] || die "the old version's CLI wrote no $DATA/school.db"
  old_students=$(students)
  old_schema=$(schema_version "$ROOT$DATA/school.db")
  log "old version $old_version: $old_students students, schema $old_schema"
  check "[ $old_students = 120 ] && [ $old_schema -lt $EXPECTED_SCHEMA ]" "old version made 120 students with an older schema"
fi
apt_install "$NEW_DEB"
new_version=$(in_root "$ROOT" "dpkg-query -W -f='\${Version}' jiaoyu-app")
check "[ \"\$(as_teacher jiaoyu --version)\" = \"jiaoyu ${new_version%%~*}\" ]" "jiaoyu --version is $new_version"
if [ -n "$OLD_DEB" ]; then
  new_students=$(students)
  new_schema=$(schema_version "$ROOT$DATA/school.db")
  log "after upgrade to $new_version: $new_students students, schema $new_schema"
  check "[ $new_students = $old_students ] && [ $new_schema = $EXPECTED_SCHEMA ]" \
    "upgrade $old_version -> $new_version kept the data and migrated the schema ($old_schema -> $new_schema)"
else
  as_teacher jiaoyu demo --students 120 --seed 3 >"$WORK/demo.txt"
fi

# --- 2. the window under Xvfb (xcb), the self-check, the center accepts the packet ---------------
CENTER=$WORK/center.db
export JIAOYU_DATA_DIR=$WORK/center-data JIAOYU_PASSPHRASE=中心校口令2026abc HOME=$WORK/center-home
"$REPO/.venv/bin/jiaoyu" --db "$CENTER" township init --name 青石镇中心校 --code 5101239999 >/dev/null
"$REPO/.venv/bin/jiaoyu" --db "$CENTER" key export-certificate "$WORK/center.pem" >/dev/null
(cd "$REPO" && "$PY" -c "import sys; from tests.xueji_workbook import write_xueji_workbook as w; w(sys.argv[1], rows=150, seed=11)" "$WORK/roster.xlsx")
mkdir -p "$ROOT$UHOME/in"
cp "$WORK/center.pem" "$WORK/roster.xlsx" "$ROOT$UHOME/in/"
chown -R $U:$U "$ROOT$UHOME/in"
install -d -m 700 -o $U -g $U "$ROOT/tmp/runtime-teacher"

DISPLAY_NUM=77
while [ -e /tmp/.X11-unix/X$DISPLAY_NUM ] || [ -e /tmp/.X$DISPLAY_NUM-lock ]; do DISPLAY_NUM=$((DISPLAY_NUM + 1)); done
Xvfb :$DISPLAY_NUM -screen 0 1366x768x24 -nolisten tcp >"$WORK/xvfb.log" 2>&1 &
XVFB_PID=$!
CLEANUP_HOOKS+=("kill $XVFB_PID 2>/dev/null")
for _ in $(seq 50); do [ -e /tmp/.X11-unix/X$DISPLAY_NUM ] && break; sleep 0.1; done
[ -e /tmp/.X11-unix/X$DISPLAY_NUM ] || die "Xvfb did not start: $(cat "$WORK/xvfb.log")"
mkdir -p "$ROOT/tmp/.X11-unix"
mount --bind /tmp/.X11-unix "$ROOT/tmp/.X11-unix"

CHECK=$UHOME/check
log "jiaoyu-app --self-check under Xvfb :$DISPLAY_NUM (xcb)"
t0=$(date +%s)
set +e
as_teacher timeout 900 jiaoyu-app --self-check $CHECK --roster $UHOME/in/roster.xlsx --center-cert $UHOME/in/center.pem \
  >"$WORK/self-check.log" 2>&1
rc=$?
set -e
log "self-check exit $rc in $(( $(date +%s) - t0 )) s: $(tail -1 "$WORK/self-check.log")"
rm -rf "$BUILD/screens" && mkdir -p "$BUILD/screens"
cp -r "$ROOT$CHECK/screens/." "$BUILD/screens/" 2>/dev/null || true
cp "$ROOT$CHECK/report.json" "$BUILD/self-check-report.json" 2>/dev/null || true
[ $rc = 0 ] || { cat "$WORK/self-check.log" >&2; die "jiaoyu-app --self-check exited $rc"; }
"$PY" - "$ROOT$CHECK/report.json" "$ROOT" 150 <<'PYEOF' || die "report.json"
import json, sys
from pathlib import Path
report = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
font, problems = report.get("font", {}), []
if report.get("ok") is not True: problems.append(f"ok is {report.get('ok')!r}: {report.get('errors')}")
if font.get("shipped_font_loaded") is not True: problems.append(f"shipped font not loaded: {font}")
if font.get("cjk_glyphs") is not True: problems.append(f"no CJK glyphs: {font}")
if report.get("qt_platform") != "xcb": problems.append(f"Qt platform {report.get('qt_platform')!r}, not xcb")
if report.get("frozen") is not True: problems.append("not the frozen (installed) program")
roster = report.get("roster", {})
if roster.get("imported") != int(sys.argv[3]) or roster.get("refused") != 0: problems.append(f"roster: {roster}")
if not report.get("screens"): problems.append("no screens")
packet = Path(sys.argv[2] + report.get("packet", ""))
if not report.get("packet") or not packet.is_file(): problems.append(f"no packet at {packet}")
print(json.dumps({k: report.get(k) for k in ("version", "python", "qt", "pyside", "platform", "qt_platform", "font", "roster")}, ensure_ascii=False))
if problems:
    print("\n".join(problems)); sys.exit(1)
Path(sys.argv[1]).with_name("packet-on-host.txt").write_text(str(packet))
PYEOF
PACKET=$(cat "$ROOT$CHECK/packet-on-host.txt")
SCREENS=$(ls "$BUILD/screens" | wc -l)
check "[ $SCREENS -ge 10 ]" "$SCREENS screenshots of the installed app in build/deb/screens"
"$REPO/.venv/bin/jiaoyu" --db "$CENTER" township register "$ROOT$CHECK/school-certificate.pem" \
  --fingerprint "$(tr -d '\n' < "$ROOT$CHECK/school-fingerprint.txt")" >"$WORK/register.txt" \
  || die "the center refused to register the school: $(cat "$WORK/register.txt")"
set +e
"$REPO/.venv/bin/jiaoyu" --db "$CENTER" --json township import "$PACKET" >"$WORK/center-import.json" 2>&1
rc=$?
set -e
check "[ $rc = 0 ] && grep -q '已接收' '$WORK/center-import.json'" "the center (source tree) accepted the installed app's packet"

# --- 3. what the package put on the system -------------------------------------------------------
DESKTOP=$ROOT/usr/share/applications/jiaoyu-app.desktop
for f in /usr/bin/jiaoyu-app /usr/bin/jiaoyu /opt/jiaoyu-app/jiaoyu-app /usr/share/icons/hicolor/256x256/apps/jiaoyu-app.png \
         /usr/share/icons/hicolor/scalable/apps/jiaoyu-app.svg /usr/share/mime/packages/jiaoyu-app.xml; do
  check "[ -e '$ROOT$f' ]" "installed $f"
done
check "grep -qx 'Name=控辍保学与家访台账' '$DESKTOP' && grep -qx 'Name\[zh_CN\]=控辍保学与家访台账' '$DESKTOP' && grep -qx 'Exec=jiaoyu-app %f' '$DESKTOP'" "menu entry 控辍保学与家访台账 starts jiaoyu-app %f"
check "desktop-file-validate '$DESKTOP'" "desktop-file-validate accepts the menu entry"
check "[ \"\$(stat -c %U:%G '$ROOT/opt/jiaoyu-app/jiaoyu-app')\" = root:root ] && [ -z \"\$(find '$ROOT/opt/jiaoyu-app' -type f -newer '$ROOT/tmp/debs/$(basename "$NEW_DEB")' -print -quit)\" ]" \
  "/opt/jiaoyu-app is root's and running the app wrote nothing there"
# The MIME types as a desktop sees them (shared-mime-info and desktop-file-utils run their triggers).
root_apt "$ROOT" shared-mime-info desktop-file-utils
check "grep -q 'application/x-jiaoyu-packet:\*\.jyp' '$ROOT/usr/share/mime/globs2' && grep -q 'application/x-jiaoyu-receipt:\*\.jyr' '$ROOT/usr/share/mime/globs2'" ".jyp and .jyr are known MIME types"
check "grep -q '^application/x-jiaoyu-packet=.*jiaoyu-app.desktop' '$ROOT/usr/share/applications/mimeinfo.cache' && grep -q '^application/x-jiaoyu-receipt=.*jiaoyu-app.desktop' '$ROOT/usr/share/applications/mimeinfo.cache'" ".jyp and .jyr open with jiaoyu-app"

# --- 4. removing the package keeps the teacher's data ---------------------------------------------
before=$(cd "$ROOT$DATA" && find . -type f -name '*.db' -exec sha256sum {} + | sort)
[ -n "$before" ] || die "no database in $DATA to keep"
in_root "$ROOT" "apt-get remove -y -qq jiaoyu-app >/dev/null"
check "[ ! -e '$ROOT/usr/bin/jiaoyu-app' ] && [ ! -e '$ROOT/opt/jiaoyu-app' ]" "apt-get remove took the program away"
check "[ \"\$(cd '$ROOT$DATA' && find . -type f -name '*.db' -exec sha256sum {} + | sort)\" = \"\$before\" ]" "apt-get remove kept ~/.local/share/jiaoyu"
in_root "$ROOT" "dpkg --purge jiaoyu-app >/dev/null 2>&1"
check "[ \"\$(cd '$ROOT$DATA' && find . -type f -name '*.db' -exec sha256sum {} + | sort)\" = \"\$before\" ]" "dpkg --purge kept ~/.local/share/jiaoyu"

log "all .deb checks passed in $(( $(date +%s) - start )) s"
