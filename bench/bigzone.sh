#!/usr/bin/env bash
# Big-zone load benchmark: generates bigzone.test. with N records (A/AAAA/TXT/MX over N/2 names),
# starts geosteer on it (-Xmx1g, GC log), measures the time from JVM start until the line
# "zone bigzone.test. loaded" (and the "(NNN ms)" the server reports in it), checks a few random
# records with dig, forces a full GC and reports the heap in use and the RSS, then stops the server.
#
#   bench/bigzone.sh                     # 1 000 000 records
#   bench/bigzone.sh --records 200000 --heap 512m
#   bench/bigzone.sh --dnssec --heap 2g  # signed at load (a CSK made for the run): time to "signed"
#
# Results: bench/results/bigzone-<timestamp>/ (summary.txt, server.log, gc.log, heap.txt).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)

JAR=${GEOSTEER_JAR:-$REPO/target/geosteer.jar}
RECORDS=1000000
HEAP=1g
JAVA_OPTS=${GEOSTEER_JAVA_OPTS:-}
PORT=5398
WAIT=600          # deadline for the zone to load and the server to answer
CHECKS=5          # random records checked with dig
KEEP=0
DNSSEC=0
OUT=""

usage() { sed -n '2,10p' "$0"; cat <<EOF

Options:
  --records N       records besides SOA/NS/ns1 (default $RECORDS)
  --heap SIZE       -Xmx (default $HEAP);  --java-opts 'OPTS'  more JVM options (env GEOSTEER_JAVA_OPTS)
  --jar PATH        server jar (default \$GEOSTEER_JAR or $REPO/target/geosteer.jar, built if missing)
  --port P          first port to try on 127.0.0.1 (default $PORT; the next free one is used if taken)
  --wait S          deadline for loading + answering (default $WAIT)
  --checks N        random records verified with dig (default $CHECKS)
  --dnssec          sign the zone (a new ECDSA P-256 CSK): the time is until "zone bigzone.test. signed"
  --keep            keep the generated zone (it is printed where)
  --out DIR         results dir (default bench/results/bigzone-<timestamp>)
EOF
}

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --records) RECORDS=$2; shift 2;;
    --heap) HEAP=$2; shift 2;;
    --java-opts) JAVA_OPTS=$2; shift 2;;
    --jar) JAR=$2; shift 2;;
    --port) PORT=$2; shift 2;;
    --wait) WAIT=$2; shift 2;;
    --checks) CHECKS=$2; shift 2;;
    --keep) KEEP=1; shift;;
    --dnssec) DNSSEC=1; shift;;
    --out) OUT=$2; shift 2;;
    -h|--help) usage; exit 0;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2;;
  esac
done
[[ "$RECORDS" =~ ^[1-9][0-9]*$ ]] || die "--records must be a positive integer"
for t in java jcmd dig ss awk; do command -v "$t" >/dev/null || die "$t not found"; done

JAR=$(realpath -m "$JAR")
if [ ! -f "$JAR" ]; then
  [ "$JAR" = "$REPO/target/geosteer.jar" ] || die "jar not found: $JAR"
  log "building $JAR (mvn -q -B package -DskipTests)"
  (cd "$REPO" && mvn -q -B package -DskipTests) >&2 || die "build failed"
  [ -f "$JAR" ] || die "build did not produce $JAR"
fi
[ -n "$OUT" ] || OUT=$HERE/results/bigzone-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT" || die "cannot create $OUT"
TMP=$(mktemp -d /tmp/geosteer-bigzone.XXXXXX)
ZDIR=$TMP/zones; mkdir -p "$ZDIR"
ZFILE=$ZDIR/bigzone.test.zone

SRV_PID=""
cleanup() {
  local i
  if [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null; then
    kill -TERM "$SRV_PID" 2>/dev/null
    for i in $(seq 1 40); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$SRV_PID" 2>/dev/null && { log "server pid $SRV_PID still alive after 10 s, KILL"; kill -KILL "$SRV_PID" 2>/dev/null; }
    wait "$SRV_PID" 2>/dev/null; log "stopped server pid $SRV_PID (exit status $?)"
  fi
  if [ "$KEEP" = 1 ]; then log "zone kept: $ZFILE"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- the zone
# Record k (0 <= k < N) is on name h<k/2>; its type is k%4: 0 A, 1 AAAA, 2 TXT, 3 MX. So even names
# have an A and an AAAA, odd names a TXT and an MX (pointing at the previous, even name: in-zone target).
# The expected answer of any record is computable from k (see expect below).
log "generating $RECORDS records into $ZFILE"
g0=$(date +%s%N)
awk -v n="$RECORDS" 'BEGIN {
  print "$ORIGIN bigzone.test."
  print "$TTL 3600"
  print "@ IN SOA ns1.bigzone.test. hostmaster.bigzone.test. 1 7200 3600 1209600 300"
  print "@ IN NS ns1.bigzone.test."
  print "ns1 IN A 192.0.2.53"
  for (k = 0; k < n; k++) {
    h = int(k / 2); t = k % 4
    if (t == 0)      printf "h%d IN A 10.%d.%d.%d\n", h, int(k / 65536) % 256, int(k / 256) % 256, k % 256
    else if (t == 1) printf "h%d IN AAAA 2001:db8::%x:%x\n", h, int(k / 65536), k % 65536
    else if (t == 2) printf "h%d IN TXT \"record %d of the big zone\"\n", h, k
    else             printf "h%d IN MX 10 h%d.bigzone.test.\n", h, h - 1
  }
}' > "$ZFILE" || die "zone generation failed"
g1=$(date +%s%N)
ZBYTES=$(stat -c %s "$ZFILE")
log "zone: $(wc -l < "$ZFILE") lines, $(awk -v b="$ZBYTES" 'BEGIN{printf "%.1f", b / 1048576}') MiB, generated in $(( (g1 - g0) / 1000000 )) ms"

LOADED_PATTERN='zone bigzone.test. loaded'
if [ "$DNSSEC" = 1 ]; then
  java -jar "$JAR" dnssec keygen bigzone.test --zones "$ZDIR" >&2 || die "dnssec keygen failed"
  LOADED_PATTERN='zone bigzone.test. signed'
fi

expect() {  # expect K -> "NAME TYPE ANSWER" for record k
  awk -v k="$1" 'BEGIN { h = int(k / 2); t = k % 4
    if (t == 0)      printf "h%d.bigzone.test A 10.%d.%d.%d\n", h, int(k / 65536) % 256, int(k / 256) % 256, k % 256
    else if (t == 1 && k < 65536) printf "h%d.bigzone.test AAAA 2001:db8::%x\n", h, k   # as dig prints it: no ":0:"
    else if (t == 1) printf "h%d.bigzone.test AAAA 2001:db8::%x:%x\n", h, int(k / 65536), k % 65536
    else if (t == 2) printf "h%d.bigzone.test TXT \"record %d of the big zone\"\n", h, k
    else             printf "h%d.bigzone.test MX 10 h%d.bigzone.test.\n", h, h - 1 }'
}

# ---------------------------------------------------------------- start
# how busy the host is before the start: other people's builds and tests slow the load down
busy_sample() { awk '/^cpu /{ print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat; }
read -r b0 t0_ < <(busy_sample); sleep 1; read -r b1 t1_ < <(busy_sample)
IDLE_BUSY=$(awk -v a="$b0" -v b="$b1" -v ta="$t0_" -v tb="$t1_" -v n="$(nproc)" 'BEGIN{ if (tb > ta) printf "%.0f", (b - a) / (tb - ta) * n * 100 }')
[ "${IDLE_BUSY:-0}" -gt 25 ] && log "WARNING: the host is busy before the start (${IDLE_BUSY}% CPU used by other processes): the load will be slower"
port_free() { [ -z "$(ss -Hlnu "sport = :$1" 2>/dev/null)" ] && [ -z "$(ss -Hlnt "sport = :$1" 2>/dev/null)" ]; }
p=$PORT; while ! port_free "$p"; do p=$((p + 1)); [ $p -gt $((PORT + 100)) ] && die "no free port in $PORT..$((PORT + 100))"; done
PORT=$p
cmd=(java "-Xmx$HEAP" "-Xlog:gc*:file=$OUT/gc.log:uptime,level,tags" $JAVA_OPTS -jar "$JAR" serve --zones "$ZDIR" --listen "127.0.0.1:$PORT")
log "starting: ${cmd[*]}"
T0=$(date +%s%N)
(cd "$TMP" && exec "${cmd[@]}") > "$OUT/server.log" 2>&1 &
SRV_PID=$!

# wait for "zone bigzone.test. loaded", polling every 20 ms; the exact time comes from the line's own timestamp
deadline=$(( $(date +%s) + WAIT ))
LOADED_LINE=""; T_SEEN=""
while :; do
  LOADED_LINE=$(grep -m1 "$LOADED_PATTERN" "$OUT/server.log")
  [ -n "$LOADED_LINE" ] && { T_SEEN=$(date +%s%N); break; }
  kill -0 "$SRV_PID" 2>/dev/null || { tail -30 "$OUT/server.log" >&2; SRV_PID=""; die "server exited before loading the zone"; }
  if grep -qE ' ERROR |OutOfMemoryError' "$OUT/server.log"; then tail -30 "$OUT/server.log" >&2; die "server reported an error while loading"; fi
  [ "$(date +%s)" -lt "$deadline" ] || { tail -30 "$OUT/server.log" >&2; die "zone not loaded within ${WAIT}s"; }
  sleep 0.02
done
log_ms() { date -d "$(awk '{print $1}' <<< "$1")" +%s%3N; }   # ISO-8601 UTC timestamp at the start of a log line
T_LOADED_MS=$(log_ms "$LOADED_LINE")
LOAD_WALL_MS=$(( T_LOADED_MS - T0 / 1000000 ))
SEEN_WALL_MS=$(( (T_SEEN - T0) / 1000000 ))
SERVER_MS=$(sed -n 's/.*(\([0-9]*\) ms).*/\1/p' <<< "$LOADED_LINE")
[ "$DNSSEC" = 1 ] && SERVER_MS="$(sed -n 's/.*(\([0-9]*\) ms).*/\1/p' <<< "$(grep -m1 'zone bigzone.test. loaded' "$OUT/server.log")") + $SERVER_MS"

# answering
until ANS_LINE=$(grep -m1 'answering on' "$OUT/server.log"); do
  kill -0 "$SRV_PID" 2>/dev/null || { tail -30 "$OUT/server.log" >&2; SRV_PID=""; die "server exited after loading"; }
  [ "$(date +%s)" -lt "$deadline" ] || die "no 'answering on' line within ${WAIT}s"
  sleep 0.02
done
ANSWERING_MS=$(( $(log_ms "$ANS_LINE") - T0 / 1000000 ))
until dig @127.0.0.1 -p "$PORT" ns1.bigzone.test A +short +time=1 +tries=1 2>/dev/null | grep -qx '192.0.2.53'; do
  kill -0 "$SRV_PID" 2>/dev/null || { SRV_PID=""; die "server died"; }
  [ "$(date +%s)" -lt "$deadline" ] || die "server does not answer ns1.bigzone.test within ${WAIT}s"
  sleep 0.05
done
FIRST_ANSWER_MS=$(( ($(date +%s%N) - T0) / 1000000 ))
log "loaded: $LOADED_LINE"

# ---------------------------------------------------------------- check random records
: > "$OUT/checks.txt"; BAD=0
for i in $(seq 1 "$CHECKS"); do
  k=$(( (RANDOM * 32768 + RANDOM) % RECORDS ))
  [ "$i" = 1 ] && k=$((RECORDS - 1))   # the last record, too
  read -r name type want <<< "$(expect "$k")"
  got=$(dig @127.0.0.1 -p "$PORT" "$name" "$type" +short +time=2 +tries=1 2>/dev/null | grep -Fx -- "$want")
  st=OK; [ -n "$got" ] || { st=MISMATCH; BAD=$((BAD + 1)); got=$(dig @127.0.0.1 -p "$PORT" "$name" "$type" +short +time=2 +tries=1 2>&1 | head -3 | tr '\n' ' '); }
  printf '%s record %d: %s %s -> expected %s, got %s\n' "$st" "$k" "$name" "$type" "$want" "${got:-<nothing>}" | tee -a "$OUT/checks.txt" >&2
done
NX=$(dig @127.0.0.1 -p "$PORT" "h$RECORDS-none.bigzone.test" A +time=2 +tries=1 2>/dev/null | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')
echo "nonexistent name h$RECORDS-none.bigzone.test: $NX" | tee -a "$OUT/checks.txt" >&2
[ "$NX" = NXDOMAIN ] || BAD=$((BAD + 1))
if [ "$DNSSEC" = 1 ]; then
  SIGS=$(dig @127.0.0.1 -p "$PORT" "h$RECORDS-none.bigzone.test" A +dnssec +time=2 +tries=1 2>/dev/null | grep -c 'RRSIG')
  echo "signed NXDOMAIN: $SIGS RRSIGs (SOA and 2 NSEC: 3)" | tee -a "$OUT/checks.txt" >&2
  [ "$SIGS" -ge 3 ] || BAD=$((BAD + 1))
fi

# ---------------------------------------------------------------- heap
RSS_BEFORE=$(awk '/^VmRSS:/{print int($2 / 1024)}' "/proc/$SRV_PID/status")
HWM=$(awk '/^VmHWM:/{print int($2 / 1024)}' "/proc/$SRV_PID/status")
{
  echo "== before GC.run"; jcmd "$SRV_PID" GC.heap_info
  jcmd "$SRV_PID" GC.run >/dev/null
  echo "== after GC.run"; jcmd "$SRV_PID" GC.heap_info
  echo "== jstat -gc (KB)"; jstat -gc "$SRV_PID" 2>/dev/null
  echo "== class histogram (top 15, after GC)"; jcmd "$SRV_PID" GC.class_histogram 2>/dev/null | head -18
} > "$OUT/heap.txt" 2>&1
RSS_AFTER=$(awk '/^VmRSS:/{print int($2 / 1024)}' "/proc/$SRV_PID/status")
# G1: " garbage-first heap   total 1048576K, used 123456K [...]"; Serial/Parallel print per-generation lines instead
read -r HEAP_TOTAL_K HEAP_USED_K < <(awk '/== after GC.run/{a=1} a && /heap +total/{gsub(/[K,]/, ""); for (i = 1; i <= NF; i++) { if ($i == "total") t = $(i+1); if ($i == "used") u = $(i+1) } print t, u; exit}' "$OUT/heap.txt")
if [ -z "${HEAP_USED_K:-}" ]; then  # fall back to jstat: used = S0U+S1U+EU+OU
  HEAP_USED_K=$(jstat -gc "$SRV_PID" | awk 'NR==2{printf "%.0f", $3 + $4 + $6 + $8}')
fi
GC_NAME=$(awk '/Using /{sub(/.*Using /, ""); print; exit}' "$OUT/gc.log")
# GC activity up to the "loaded" line: pauses logged by -Xlog:gc (uptime-stamped) before the load finished
LOAD_UPTIME_S=$(awk -v ms="$LOAD_WALL_MS" 'BEGIN{printf "%.3f", ms / 1000}')
read -r GC_N GC_PAUSE_MS < <(awk -v lim="$LOAD_UPTIME_S" '/\[gc *\] GC\(/ && / Pause / && /ms$/ {
    up = substr($0, 2, index($0, "s]") - 2); if (up + 0 > lim + 0) next
    n++; v = $NF; sub(/ms$/, "", v); tot += v } END { printf "%d %.0f\n", n, tot }' "$OUT/gc.log")
MAX_AFTER_GC=$(awk '/\[gc *\] GC\(/ && /->/ { m = $0; sub(/.*->/, "", m); sub(/\(.*/, "", m); v = m + 0; if (m ~ /G$/) v *= 1024; if (v > mx) mx = v } END { print mx + 0 }' "$OUT/gc.log")

# ---------------------------------------------------------------- report
{
  echo "# geosteer big-zone load $(date -Is)"
  echo "host: $(uname -srm), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); $(java -version 2>&1 | head -1)"
  echo "server: $(java -jar "$JAR" --version 2>/dev/null | head -1), ${cmd[*]}"
  echo "host CPU busy before the start (1 s sample): ${IDLE_BUSY:--}% (100 = one core); load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "zone: $RECORDS records (+ SOA, NS, ns1 A) on $((RECORDS / 2 + RECORDS % 2)) names, $(awk -v b="$ZBYTES" 'BEGIN{printf "%.1f", b / 1048576}') MiB"
  echo "log: $LOADED_LINE"
  echo
  printf '%-52s %s\n' "JVM start -> '$LOADED_PATTERN' (log time):" "$LOAD_WALL_MS ms"
  printf '%-52s %s\n' "  (seen by polling the log)" "$SEEN_WALL_MS ms"
  printf '%-52s %s\n' "load$([ "$DNSSEC" = 1 ] && echo ' + sign') time reported by the server '(NNN ms)':" "${SERVER_MS:-?} ms"
  printf '%-52s %s\n' "JVM start -> 'answering on':" "$ANSWERING_MS ms"
  printf '%-52s %s\n' "JVM start -> first dig answer:" "$FIRST_ANSWER_MS ms"
  printf '%-52s %s\n' "GC: collector; pauses before 'loaded' (count, total):" "${GC_NAME:-?}; ${GC_N:-?}, ${GC_PAUSE_MS:-?} ms"
  printf '%-52s %s\n' "largest heap after a GC during the run (gc.log):" "${MAX_AFTER_GC:-?} MB"
  printf '%-52s %s\n' "heap used after forced full GC (jcmd GC.run):" "$(( ${HEAP_USED_K:-0} / 1024 )) MB${HEAP_TOTAL_K:+ (committed $(( HEAP_TOTAL_K / 1024 )) MB)}"
  printf '%-52s %s\n' "  = bytes per record:" "$(( ${HEAP_USED_K:-0} * 1024 / RECORDS ))"
  printf '%-52s %s\n' "RSS (before / after the GC; peak VmHWM):" "$RSS_BEFORE / $RSS_AFTER MB; $HWM MB"
  printf '%-52s %s\n' "dig checks ($CHECKS random records + 1 NXDOMAIN):" "$([ $BAD = 0 ] && echo 'all OK' || echo "$BAD FAILED, see checks.txt")"
  n=$(grep -cE ' (ERROR|WARN) |Exception' "$OUT/server.log")
  [ "$n" -gt 0 ] && { echo "WARNING: server log has $n ERROR/WARN/Exception lines:"; grep -E ' (ERROR|WARN) |Exception' "$OUT/server.log" | head -5; }
  echo "files: $OUT (server.log, gc.log, heap.txt, checks.txt)"
} | tee "$OUT/summary.txt"
[ "$BAD" = 0 ]
