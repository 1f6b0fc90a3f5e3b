#!/usr/bin/env bash
# make dist-windows: the Windows setup program, built on this Linux machine.
#   SRC=DIR      source tree to package (default: this checkout)
#   VERSION=X.Y.Z  version to stamp (default: SRC's pyproject.toml)
#   WORK=DIR     work and cache folder (default: build/win)   OUT=DIR  (default: dist)
set -euo pipefail
export LC_ALL=C.UTF-8
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
WORK=${WORK:-$ROOT/build/win}
OUT=${OUT:-$ROOT/dist}
SRC=${SRC:-$ROOT}
PYTHON=${PYTHON:-python3}

# makensis (Debian's nsis 3.08) and a Python 3.11+ with venv
JIAOYU_APT_PACKAGES="nsis" PYTHON="$PYTHON" bash installer/system-deps.sh
command -v makensis >/dev/null || { echo "[dist-windows] ERROR: makensis not found after installing nsis" >&2; exit 1; }

# The build venv: pynsist 2.8 and what build.py reads binaries and wheels with.
VENV=$WORK/venv
REQS="pynsist==2.8 pefile==2024.8.26 packaging>=24 pillow>=11"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.reqs" 2>/dev/null)" != "$REQS" ]; then
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install --quiet $REQS
  echo "$REQS" > "$VENV/.reqs"
fi

exec "$VENV/bin/python" "$ROOT/installer/windows/build.py" --src "$SRC" --work "$WORK" --out "$OUT" \
  ${VERSION:+--version "$VERSION"}
