#!/usr/bin/env bash
# What one answer costs the server, per workload: heap bytes allocated and CPU time of the event-loop
# thread per UDP answer, counted by the JVM (ThreadMXBean), not inferred from QPS. Deterministic for
# allocation, and far less disturbed than QPS by other processes on a shared machine. A real server
# (one event loop) on the anchors' fixture, signed (a CSK made for the run), with a wildcard and a
# delegation added, in the same JVM as a loopback UDP client (32 queries outstanding).
# The code: src/test/java/dev/geosteer/AnswerCost.java.
#
#   bench/answer-cost.sh                          # every workload, 200 000 answers x 3 rounds each
#   bench/answer-cost.sh --only static,nxdomain-do --answers 100000 --rounds 5
#   bench/answer-cost.sh --java-opts '-XX:+UseSerialGC'
#   bench/answer-cost.sh --quiet-wait 300         # wait up to 300 s for the machine to be under 25 % busy
#
# Workloads: static, static-do, geo8, geo8-do (the anchors' 8 ECS subnets), georand, georand-do (10 000
# random /24s), nxdomain, nxdomain-do (10 000 random names), wildcard (*.apps), referral (child).
# Results: bench/results/answer-cost-<timestamp>/ (summary.tsv, header.txt).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
ARGS=()
HEAP=256m
JAVA_OPTS=""
QUIET_WAIT=0
JAVA=$(command -v java)
while [ $# -gt 0 ]; do
  case "$1" in
    --only|--answers|--rounds|--warmup|--window|--first-answers) ARGS+=("$1" "$2"); shift 2;;
    --heap) HEAP=$2; shift 2;;
    --java) JAVA=$2; shift 2;;
    --java-opts) JAVA_OPTS=$2; shift 2;;
    --quiet-wait) QUIET_WAIT=$2; shift 2;;
    -h|--help) sed -n '2,16p' "$0"; exit 0;;
    *) echo "unknown option: $1" >&2; exit 2;;
  esac
done
OUT="$REPO/bench/results/answer-cost-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$OUT"
. "$HERE/lib/java-main.sh"
. "$HERE/fixture-lib.sh"
CP=$(jm_classpath)
FIX="$OUT/fixture"
fixture_write "$FIX" nohealth || exit 1
cat >> "$FIX/zones/example.test.zone" <<'ZONE'
; added by bench/answer-cost.sh: a wildcard and a delegation with glue
*.apps  A   192.0.2.100
child   NS  ns1.child
ns1.child A 192.0.2.153
ZONE
QDIR="$OUT/queries"
anchors_queries "$QDIR" || exit 1
"$JAVA" -cp "$CP" dev.geosteer.Main dnssec keygen example.test --config "$FIX/geosteer.yaml" > "$OUT/keygen.txt"
jm_wait_quiet "$QUIET_WAIT"
echo "java: $("$JAVA" -version 2>&1 | head -1); options: -Xmx$HEAP $JAVA_OPTS" | tee -a "$OUT/header.txt" >&2
# shellcheck disable=SC2086
"$JAVA" -Xmx"$HEAP" $JAVA_OPTS -cp "$CP" dev.geosteer.AnswerCost --config "$FIX/geosteer.yaml" --anchors "$QDIR" \
  "${ARGS[@]}" 2> "$OUT/server.log" | tee "$OUT/summary.tsv"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/header.txt" >&2
jm_log "results: $OUT"
