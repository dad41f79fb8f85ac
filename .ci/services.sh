#!/usr/bin/env bash
# Daemons the live tests talk to: `start` brings up what is missing, `stop` ends only what
# `start` brought up (its pid file says so). Today: dockerd, for the container context tests.
set -euo pipefail
# per checkout: another clone's `stop` must not end the dockerd this one started
state="${PORTWHO_SERVICES_DIR:-$(cd "$(dirname "$0")" && pwd)/.services}"
sock=/var/run/docker.sock

docker_answers() {
  command -v docker >/dev/null 2>&1 && timeout 5 docker -H "unix://$sock" info >/dev/null 2>&1
}

start_docker() {
  if docker_answers; then echo "services: dockerd already answers"; return; fi
  command -v dockerd >/dev/null 2>&1 || { echo "services: no dockerd installed"; return; }
  [ "$(id -u)" -eq 0 ] || { echo "services: dockerd needs root; not started"; return; }
  mkdir -p "$state"
  # no iptables on this kind of machine; vfs works on any filesystem (overlay may not)
  # from /: a daemon must not hold a checkout as its working directory
  (cd / && exec dockerd --iptables=false --ip6tables=false --storage-driver=vfs) \
    >"$state/dockerd.log" 2>&1 &
  echo $! >"$state/dockerd.pid"
  for _ in $(seq 1 60); do
    docker_answers && { echo "services: dockerd started (pid $(cat "$state/dockerd.pid"))"; return; }
    sleep 0.5
  done
  echo "services: dockerd did not answer within 30 s; see $state/dockerd.log" >&2
}

stop_docker() {
  [ -f "$state/dockerd.pid" ] || return 0
  pid=$(cat "$state/dockerd.pid")
  rm -f "$state/dockerd.pid"
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || { echo "services: dockerd stopped"; return; }; sleep 0.25; done
  echo "services: dockerd (pid $pid) still running after 10 s" >&2
}

case "${1:-}" in
  start) start_docker ;;
  stop) stop_docker ;;
  *) echo "usage: bash .ci/services.sh start|stop" >&2; exit 2 ;;
esac
