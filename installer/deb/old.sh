#!/usr/bin/env bash
# Builds the older package the upgrade test installs first: `git archive` of JIAOYU_DEB_OLD_REF,
# frozen with this checkout's build.sh in the same build root (cheap: only pip and PyInstaller run
# again), version "<its pyproject version>~git<commit>", which sorts before this one's.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
ref=${JIAOYU_DEB_OLD_REF:?}
commit=$(git -C "$REPO" rev-parse --short=7 --verify -q "$ref^{commit}") \
  || die "commit $ref (the older version for the upgrade test) is not in this clone: fetch the full history (git fetch --unshallow)"
src=$BUILD/old-src
rm -rf "$src" "$BUILD/old-dist" && mkdir -p "$src"
git -C "$REPO" archive "$commit" pyproject.toml jiaoyuapp ui resources | tar -x -C "$src"
base=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$src/pyproject.toml" | head -1)
new=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$REPO/pyproject.toml" | head -1)
version="$base~git$commit"
dpkg --compare-versions "$version" lt "$new" || die "old version $version does not sort before $new"
trap - EXIT
bash "$DEB_DIR/build.sh" --src "$src" --version "$version" --tag old --out "$BUILD/old-dist"
