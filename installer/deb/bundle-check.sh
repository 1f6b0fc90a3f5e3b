#!/bin/bash
# Runs inside the build root after PyInstaller: bundle-check.sh BUNDLE OUTFILE
# - fails if a library that must come from the target system (X11/xcb/xkb, fontconfig/freetype,
#   glib, dbus, GL, libstdc++) was copied into the bundle;
# - fails if a system library the bundle's programs and Qt plugins link against directly is not
#   provided by a package in depends.txt (the package's Depends), libc6 or libstdc++6;
# - writes "GLIBC GLIBCXX" floors (the newest symbol versions any bundled binary needs) to OUTFILE,
#   from which build.sh writes libc6 (>= ...) and libstdc++6 (>= ...).
set -euo pipefail
bundle=$1 out=$2
here=$(dirname "$0")
mapfile -t elves < <(/opt/python/bin/python3 -c '
import os, sys
for d, _, files in os.walk(sys.argv[1]):
    for f in files:
        p = os.path.join(d, f)
        if not os.path.islink(p):
            with open(p, "rb") as fh:
                if fh.read(4) == b"\x7fELF":
                    print(p)' "$bundle")
[ ${#elves[@]} -gt 10 ] || { echo "no ELF files found in $bundle"; exit 1; }
echo "bundle: ${#elves[@]} ELF files"

leave_out=$(grep -v '^#' "$here/leave-out.txt" | grep .)
bad=$(for f in "${elves[@]}"; do basename "$f"; done | grep -E "$leave_out" || true)
[ -z "$bad" ] || { echo "left-out libraries found in the bundle:"; echo "$bad"; exit 1; }

declare -A inbundle=()
for f in "${elves[@]}"; do inbundle[$(basename "$f")]=1; done
declare -A pkgs=()
missing=0
for lib in $(for f in "${elves[@]}"; do objdump -p "$f" 2>/dev/null | awk '/NEEDED/ {print $2}'; done | sort -u); do
  [ -n "${inbundle[$lib]:-}" ] && continue
  path=$(ldconfig -p | awk -v l="$lib" '$1 == l && /x86-64|x86_64|AArch64/ && !found {print $NF; found = 1}')
  if [ -z "$path" ]; then echo "needed but not found in the build root: $lib"; missing=1; continue; fi
  pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1) || true
  [ -n "$pkg" ] || pkg=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1) || true
  pkgs[$pkg]+="$lib "
done
declare -A declared=([libc6]=1 [libstdc++6]=1 [libgcc-s1]=1)
while read -r p; do [ -n "$p" ] && declared[$p]=1; done < <(grep -v '^#' "$here/depends.txt")
for p in "${!pkgs[@]}"; do
  if [ -z "${declared[$p]:-}" ]; then echo "not in depends.txt: $p (for ${pkgs[$p]})"; missing=1; fi
done
for p in $(grep -v '^#' "$here/depends.txt"); do
  if [ -z "${pkgs[$p]:-}" ]; then echo "in depends.txt but nothing in the bundle links against it: $p"; missing=1; fi
done
[ $missing = 0 ] || exit 1
echo "system packages linked directly: ${!pkgs[*]}"

# Newest glibc / libstdc++ symbol versions needed.
vers=$(for f in "${elves[@]}"; do objdump -T "$f" 2>/dev/null; done | grep -oE '\b(GLIBC|GLIBCXX)_[0-9.]+\b' | sort -u)
glibc=$(echo "$vers" | sed -n 's/^GLIBC_//p' | sort -V | tail -1)
glibcxx=$(echo "$vers" | sed -n 's/^GLIBCXX_//p' | sort -V | tail -1)
# GLIBCXX_3.4.N -> the GCC release whose libstdc++6 first has it (Debian's libstdc++6 version).
case $glibcxx in
  3.4.2[0-1]) gcc=5 ;; 3.4.22) gcc=6 ;; 3.4.2[3-4]) gcc=7 ;; 3.4.25) gcc=8 ;; 3.4.2[6-7]) gcc=9 ;;
  3.4.28) gcc=10 ;; 3.4.29) gcc=11 ;; 3.4.30) gcc=12 ;; *) echo "unknown GLIBCXX_$glibcxx"; exit 1 ;;
esac
echo "newest symbol versions needed: GLIBC_$glibc, GLIBCXX_$glibcxx (libstdc++6 >= $gcc)"
echo "$glibc $gcc" > "$out"
