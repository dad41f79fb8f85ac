#!/usr/bin/env bash
# Capture real Linux lsof fixtures: one socket holder as root (ports 47801-47805) and one as
# nobody (47811-47815); lsof run as root and as nobody, in the -F and the table form.
# Usage (as root): scripts/capture-lsof-fixtures.sh [OUTDIR]
set -euo pipefail
out=${1:-tests/fixtures/lsof}
holder=$(cd "$(dirname "$0")/.." && pwd)/tests/live/holder.py
# shellcheck source=/dev/null
os=$(. /etc/os-release && echo "${ID}${VERSION_ID}")
ver=$(lsof -v 2>&1 | awk '/revision:/ {print $2; exit}')
mkdir -p "$out"
tmp=$(mktemp -d); chmod 755 "$tmp"; cp "$holder" "$tmp/holder.py"; chmod 644 "$tmp/holder.py"
mkfifo "$tmp/root.in" "$tmp/nobody.in"; touch "$tmp/nobody.json"
chmod 666 "$tmp/nobody.in" "$tmp/nobody.json"
/usr/bin/python3 "$tmp/holder.py" 47801 <"$tmp/root.in" >"$tmp/root.json" &
su -s /bin/sh nobody -c "/usr/bin/python3 $tmp/holder.py 47811 <$tmp/nobody.in >$tmp/nobody.json" &
exec 3>"$tmp/root.in" 4>"$tmp/nobody.in"
sleep 1
sel=(-iTCP:47801-47815 -iUDP:47801-47815)
for who in root nobody; do
  for form in F table; do
    argv=(lsof -nP -w "${sel[@]}")
    [ "$form" = F ] && argv+=(-F pcuLftPnT)
    name="$out/${os}-lsof${ver}-as-${who}__$(IFS=_; echo "${argv[*]}" | tr -d ':' | tr '/' '-').txt"
    if [ "$who" = root ]; then "${argv[@]}" >"$name" || true
    else su -s /bin/sh nobody -c "${argv[*]}" >"$name" || true; fi
    printf '{"command": "%s", "tool": "lsof %s", "run_as": "%s", "os": "%s", "holders": {"root": %s, "nobody": %s}}\n' \
      "${argv[*]}" "$ver" "$who" "$os" "$(cat "$tmp/root.json")" "$(cat "$tmp/nobody.json")" >"${name%.txt}.meta.json"
  done
done
exec 3>&- 4>&-
wait
rm -rf "$tmp"
