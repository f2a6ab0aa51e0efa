#!/usr/bin/env bash
# NSEC chain of a big zone: build time, heap (beyond the zone's names), lookups per second.
# The code: src/test/java/dev/geosteer/dnssec/NsecChainSize.java.
#
#   bench/nsec-chain.sh                          # 1 000 000 names, 3 builds, -Xmx2g
#   bench/nsec-chain.sh --names 200000 --rounds 1 --heap 512m
#   bench/nsec-chain.sh --quiet-wait 300         # wait up to 300 s for the machine to be under 25 % busy
#
# Results: bench/results/nsec-chain-<timestamp>/ (summary.txt, header.txt).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
ARGS=()
HEAP=2g
QUIET_WAIT=0
JAVA=$(command -v java)
while [ $# -gt 0 ]; do
  case "$1" in
    --names|--rounds) ARGS+=("$1" "$2"); shift 2;;
    --heap) HEAP=$2; shift 2;;
    --java) JAVA=$2; shift 2;;
    --quiet-wait) QUIET_WAIT=$2; shift 2;;
    -h|--help) sed -n '2,9p' "$0"; exit 0;;
    *) echo "unknown option: $1" >&2; exit 2;;
  esac
done
OUT="$REPO/bench/results/nsec-chain-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
. "$HERE/lib/java-main.sh"
CP=$(jm_classpath)
jm_wait_quiet "$QUIET_WAIT"
"$JAVA" -Xmx"$HEAP" -cp "$CP" dev.geosteer.dnssec.NsecChainSize "${ARGS[@]}" | tee "$OUT/summary.txt"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/header.txt" >&2
jm_log "results: $OUT"
