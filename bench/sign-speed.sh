#!/usr/bin/env bash
# DNSSEC signing speed: signatures per second per provider and algorithm (the JDK's SunEC through
# JCA, BouncyCastle through JCA, BouncyCastle's lightweight API as geosteer uses it, and geosteer's
# Signer on an A RRset), on 1 and 2 threads, with each JDK given (default: the java on PATH).
# The code: src/test/java/dev/geosteer/dnssec/SignSpeed.java.
#
#   bench/sign-speed.sh
#   bench/sign-speed.sh --java /usr/lib/jvm/java-17-openjdk-amd64/bin/java --java /usr/lib/jvm/temurin-25-jdk-amd64/bin/java
#   bench/sign-speed.sh --seconds 1 --rounds 3 --threads 1 --only 'ed25519.*'
#   bench/sign-speed.sh --quiet-wait 300      # wait up to 300 s for the machine to be under 25 % busy
#   bench/sign-speed.sh --interleave --only 'ecdsa.*(jca|geosteer).*'   # A/B: every round runs each case in turn
#
# Results: bench/results/sign-speed-<timestamp>/ (java-<version>.tsv per JDK, header.txt).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
JAVAS=()
ARGS=()
QUIET_WAIT=0
while [ $# -gt 0 ]; do
  case "$1" in
    --java) JAVAS+=("$2"); shift 2;;
    --seconds|--rounds|--warmup|--threads|--only) ARGS+=("$1" "$2"); shift 2;;
    --interleave) ARGS+=("$1"); shift;;
    --quiet-wait) QUIET_WAIT=$2; shift 2;;
    -h|--help) sed -n '2,14p' "$0"; exit 0;;
    *) echo "unknown option: $1" >&2; exit 2;;
  esac
done
[ ${#JAVAS[@]} -gt 0 ] || JAVAS=("$(command -v java)")
OUT="$REPO/bench/results/sign-speed-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
. "$HERE/lib/java-main.sh"
CP=$(jm_classpath)
jm_wait_quiet "$QUIET_WAIT"
for J in "${JAVAS[@]}"; do
  version=$("$J" -version 2>&1 | sed -n '1s/.*version "\([^"]*\)".*/\1/p')
  jm_log "$J ($version)"
  "$J" -cp "$CP" dev.geosteer.dnssec.SignSpeed "${ARGS[@]}" | tee "$OUT/java-$version.tsv"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/header.txt" >&2
jm_log "results: $OUT"
