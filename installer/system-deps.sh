#!/usr/bin/env bash
# Installs the Debian packages the app and its checks need, only when missing.
set -euo pipefail
need=()
# Debian's own python3 imports ensurepip yet cannot make a venv without python3-venv: try for real.
probe=$(mktemp -d)
"${PYTHON:-python3}" -m venv "$probe/venv" >/dev/null 2>&1 || need+=(python3-venv)
rm -rf "$probe"
for pkg in ${JIAOYU_APT_PACKAGES:-}; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "缺少系统软件包：${need[*]}；请用管理员身份安装（apt-get install ${need[*]}）" >&2
    exit 1
  fi
  # another apt (a package build, an unattended upgrade) may hold the lock for a while: wait for it
  wait_lock=(-o DPkg::Lock::Timeout=600)
  apt-get "${wait_lock[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive apt-get "${wait_lock[@]}" install -y -qq "${need[@]}"
fi
