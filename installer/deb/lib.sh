# Shared by build.sh and test.sh (sourced, not run): Debian roots made by debootstrap, their mounts
# (always undone, also on failure), commands run inside them, host tools installed when missing.
set -euo pipefail

DEB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$DEB_DIR/../.." && pwd)
BUILD=${JIAOYU_DEB_BUILD:-$REPO/build/deb}
MIRROR=${JIAOYU_DEBIAN_MIRROR:-http://deb.debian.org/debian}
APT=(apt-get -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)

log() { echo "[deb $(date +%H:%M:%S)] $*" >&2; }
die() { echo "[deb] FAILED: $*" >&2; exit 1; }

# Host packages (Debian 12) the scripts need, installed only when missing (as root, like CI).
host_tools() {
  local missing=() p
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" = 0 ] || die "missing host packages: ${missing[*]} (run as root or apt-get install them)"
  log "installing host packages: ${missing[*]}"
  "${APT[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${APT[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# --- mounts -------------------------------------------------------------------------------------
# Every mount under a root is undone on exit, whatever the exit. A run killed with -9 leaves mounts
# behind; the next run undoes them before it touches the root (unmount_under), and a root is only
# ever deleted with nothing mounted in it and without crossing file systems.
mounts_under() {  # deepest first
  findmnt -rn -o TARGET | awk -v r="$1" 'index($0, r "/") == 1' | sort -r
}

unmount_under() {
  local root m
  root=$(readlink -m "$1")   # -m: the folder may not exist yet (a fresh clone has no build/)
  [ -d "$root" ] || return 0
  for m in $(mounts_under "$root"); do
    umount "$m" 2>/dev/null || umount -l "$m" || true
  done
  if [ -n "$(mounts_under "$root")" ]; then
    echo "[deb] FAILED: still mounted under $root:" >&2; mounts_under "$root" >&2; return 1
  fi
}

CLEANUP_ROOTS=()
CLEANUP_HOOKS=()
on_exit() {
  local rc=$? r h
  for h in "${CLEANUP_HOOKS[@]}"; do eval "$h" || true; done
  for r in "${CLEANUP_ROOTS[@]}"; do unmount_under "$r" || rc=1; done
  exit $rc
}
trap on_exit EXIT
trap 'exit 130' INT TERM

mount_root() {
  local root
  root=$(readlink -m "$1")   # -m: the folder may not exist yet (a fresh clone has no build/)
  CLEANUP_ROOTS+=("$root")
  unmount_under "$root"
  mkdir -p "$root/proc" "$root/dev" "$root/dev/pts"
  mount -t proc proc "$root/proc"
  mount --bind /dev "$root/dev"
  mount --bind /dev/pts "$root/dev/pts"
}

remove_root() {
  local root
  root=$(readlink -m "$1")   # -m: the folder may not exist yet (a fresh clone has no build/)
  [ -e "$root" ] || return 0
  unmount_under "$root"
  rm -rf --one-file-system "$root"
}

# --- roots --------------------------------------------------------------------------------------
# make_root SUITE DIR [--fresh]: a minbase root, reused when complete (stamp), made again when a
# previous run died half-way. Downloaded .debs are kept in build/deb/cache (shared by the suites).
make_root() {
  local suite=$1 root=$2 fresh=${3:-}
  if [ -n "$fresh" ] || [ ! -f "$root/.jiaoyu-root-ok" ]; then
    remove_root "$root"
    mkdir -p "$BUILD/cache/debs" "$(dirname "$root")"
    log "debootstrap $suite -> $root"
    debootstrap --variant=minbase --cache-dir="$BUILD/cache/debs" "$suite" "$root" "$MIRROR" \
      >"$BUILD/debootstrap-$suite.log" 2>&1 || { tail -20 "$BUILD/debootstrap-$suite.log" >&2; die "debootstrap $suite"; }
    touch "$root/.jiaoyu-root-ok"
  fi
  # What pip and apt inside need from the host: its CA bundle (a TLS proxy's CA too) and DNS.
  mkdir -p "$root/etc/ssl"
  cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/host-ca.crt"
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
  mount_root "$root"
}

# in_root ROOT CMD...: runs CMD (bash -c) in the root as root, with a clean environment.
in_root() {
  local root=$1; shift
  local pass=() v
  for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY PIP_INDEX_URL PIP_EXTRA_INDEX_URL; do
    [ -n "${!v:-}" ] && pass+=("$v=${!v}")
  done
  chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb DEBIAN_FRONTEND=noninteractive \
    PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin SSL_CERT_FILE=/etc/ssl/host-ca.crt \
    PIP_CERT=/etc/ssl/host-ca.crt PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_DEFAULT_TIMEOUT=180 \
    "${pass[@]}" /bin/bash -euo pipefail -c "$*"
}

root_apt() {  # root_apt ROOT PACKAGE...: installs packages in the root (no recommends)
  local root=$1; shift
  in_root "$root" "apt-get -o Acquire::Retries=3 update -qq && apt-get -o Acquire::Retries=3 install -y -qq --no-install-recommends $* >/dev/null"
}
