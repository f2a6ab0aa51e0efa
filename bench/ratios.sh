#!/usr/bin/env bash
# What a spoofed query can make geosteer send: bytes out / bytes in for every answer of the shipped zone
# (zones/), asked from 127.0.0.9 without a DNS cookie, with and without EDNS, RRL off and rrl.exempt []
# (so that nothing but the size rules acts). Prints the largest ratios. See bench/HOSTILE.md.
#
#   bench/ratios.sh [--jar PATH] [--port P] [--top N]
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
. "$HERE/lib/hostile-lib.sh"

JAR=${GEOSTEER_JAR:-$REPO/target/geosteer.jar}
PORT=5490
TOP=10
while [ $# -gt 0 ]; do
  case "$1" in
    --jar) JAR=$2; shift 2;;
    --port) PORT=$2; shift 2;;
    --top) TOP=$2; shift 2;;
    -h|--help) sed -n '2,7p' "$0"; exit 0;;
    *) echo "unknown option: $1" >&2; exit 2;;
  esac
done
JAR=$(hl_jar "$JAR")
PORT=$(hl_free_port "$PORT") || hl_die "no free port"
WORK=$(mktemp -d /tmp/geosteer-ratios.XXXXXX)
trap 'hl_server_stop; rm -rf "$WORK"' EXIT
cat > "$WORK/geosteer.yaml" <<YAML
zones_dir: $REPO/zones
geoip: { dir: $REPO/geoip }
admin: { listen: "" }
rrl: { mode: "off", exempt: [] }
YAML
hl_server_start "$JAR" "$WORK/geosteer.yaml" 127.0.0.1 "$PORT" "$WORK/server.log" 256m
echo "jar: $JAR ($(jar_desc "$JAR"))"
python3 "$HERE/lib/answer-ratios.py" 127.0.0.1 "$PORT" "$TOP"
