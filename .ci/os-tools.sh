#!/usr/bin/env bash
# Install the OS tools the live and shell tests run for real, when missing (Debian/Ubuntu).
set -euo pipefail
need=()
for pair in lsof:lsof ss:iproute2 netstat:net-tools fuser:psmisc zsh:zsh fish:fish \
            tmux:tmux shellcheck:shellcheck strace:strace hyperfine:hyperfine setpriv:util-linux; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair#*:}")
done
if [ ${#need[@]} -eq 0 ]; then
  echo "os-tools: all present"
  exit 0
fi
echo "os-tools: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
