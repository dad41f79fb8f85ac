#!/usr/bin/env bash
# Install the OS tools the live and shell tests run for real, when missing (Debian/Ubuntu).
set -euo pipefail
export PATH="$PATH:/usr/sbin:/sbin"
need=()
# command:package. busybox-static, not busybox: the two conflict, and the static one is what a
# container image is built from (docker import of a folder holding bin/busybox).
for pair in lsof:lsof ss:iproute2 ip:iproute2 netstat:net-tools fuser:psmisc zsh:zsh fish:fish \
            tmux:tmux shellcheck:shellcheck strace:strace hyperfine:hyperfine setpriv:util-linux \
            busybox:busybox-static dockerd:docker.io sshd:openssh-server ssh:openssh-client \
            ssh-keygen:openssh-client groff:groff-base; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
if [ ${#need[@]} -eq 0 ]; then
  echo "os-tools: all present"
  exit 0
fi
mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
echo "os-tools: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
