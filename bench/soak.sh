#!/usr/bin/env bash
# geosteer soak test on loopback: a steady dnsperf load for a bounded time against a server with a
# zone, a steering file and health checks, while the zone file is rewritten (serial bumped) every few
# seconds and one origin flaps (stopped / started). Reports lost queries and latency percentiles per
# minute, heap after GC / fds / threads / RSS at start and end, /metrics at start and end, and a
# verdict: nothing may grow.
#
#   bench/soak.sh                              # 10 minutes at 80 % of the measured maximum
#   bench/soak.sh --minutes 3                  # shorter
#   bench/soak.sh --qps 20000 --minutes 30     # fixed rate
#   bench/soak.sh --jar /tmp/gshostile/target/geosteer.jar
#
# Everything runs on 127.0.0.1; the server, the origins and the background loops this script starts
# are stopped by their PIDs on exit. See bench/HOSTILE.md. Results: bench/results/soak-<timestamp>/.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
. "$HERE/lib/hostile-lib.sh"

# ---------------------------------------------------------------- defaults
JAR=${GEOSTEER_JAR:-$REPO/target/geosteer.jar}
MINUTES=10
QPS=""                    # offered rate; "" = PCT % of the closed-loop maximum measured first
PCT=80
PROBE=10                  # seconds of the closed-loop maximum measurement
WARMUP=10                 # seconds of unrecorded load first (JIT)
SLICE=60                  # seconds per dnsperf slice (one row of the table)
LAT_QPS=1000              # the latency stream: the soak mix at this rate with dnsperf -v (per-query latencies)
ZONE_EVERY=5              # seconds between zone rewrites
ZONE_WRITE=atomic         # atomic (write + rename) | inplace (truncate + write)
FLAP_EVERY=20             # seconds the flapping origin stays down, then up, then down...
FLAP_POOL=eu              # the origin that flaps (pool eu: 127.0.0.21)
PORT=5471
ADMIN_PORT=18171
HEAP=256m
JAVA_OPTS=${GEOSTEER_JAVA_OPTS:-}
CLIENTS=2                 # dnsperf -c per stream
OUTSTANDING=500           # dnsperf -q per stream (high: a slow second must not throttle the offered rate)
TIMEOUT=2                 # dnsperf -t: unanswered after this many seconds = lost
NX_NAMES=1000000
QUIET_WAIT=0
OUT=""

usage() {
  sed -n '2,14p' "$0"
  cat <<EOF

Options:
  --minutes M         measured duration, in slices of --slice s (default $MINUTES)
  --qps N             offered rate (queries/s, all streams); default: --pct % of the maximum
  --pct P             percentage of the measured maximum (default $PCT)
  --probe S           length of the closed-loop maximum measurement (default $PROBE s)
  --warmup S          unrecorded load before anything is measured (default $WARMUP s)
  --slice S           seconds per dnsperf slice / table row (default $SLICE)
  --lat-qps N         rate of the latency stream (dnsperf -v, the mix; part of --qps) (default $LAT_QPS)
  --zone-every S      rewrite the zone file (serial + 1) every S seconds (default $ZONE_EVERY; 0 = never)
  --zone-write HOW    atomic (temp file + rename, default) or inplace (truncate and rewrite)
  --flap-every S      stop the flapping origin for S s, start it for S s, ... (default $FLAP_EVERY; 0 = never)
  --flap-pool POOL    eu | as | na (default $FLAP_POOL)
  -c N / -q N         dnsperf clients / outstanding queries per stream (default $CLIENTS / $OUTSTANDING)
  --timeout S         dnsperf -t (default $TIMEOUT)
  --nx-names N        unique names in the NXDOMAIN stream's file (default $NX_NAMES)
  --port P            first DNS port to try (default $PORT);  --admin-port P  first admin port (default $ADMIN_PORT)
  --origin-port P     the origins' HTTP port on 127.0.0.21-23 (default $HL_ORIGIN_PORT)
  --heap SIZE         -Xmx (default $HEAP);  --java-opts 'OPTS'
  --jar PATH          server jar (default \$GEOSTEER_JAR or $REPO/target/geosteer.jar, built if missing)
  --quiet-wait S      first wait up to S s for the machine to be quiet (others < 25 % of a core) (default $QUIET_WAIT)
  --out DIR           results dir (default bench/results/soak-<timestamp>)
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) MINUTES=$2; shift 2;;
    --qps) QPS=$2; shift 2;;
    --pct) PCT=$2; shift 2;;
    --probe) PROBE=$2; shift 2;;
    --warmup) WARMUP=$2; shift 2;;
    --slice) SLICE=$2; shift 2;;
    --lat-qps) LAT_QPS=$2; shift 2;;
    --zone-every) ZONE_EVERY=$2; shift 2;;
    --zone-write) ZONE_WRITE=$2; shift 2;;
    --flap-every) FLAP_EVERY=$2; shift 2;;
    --flap-pool) FLAP_POOL=$2; shift 2;;
    -c) CLIENTS=$2; shift 2;;
    -q) OUTSTANDING=$2; shift 2;;
    --timeout) TIMEOUT=$2; shift 2;;
    --nx-names) NX_NAMES=$2; shift 2;;
    --port) PORT=$2; shift 2;;
    --admin-port) ADMIN_PORT=$2; shift 2;;
    --origin-port) HL_ORIGIN_PORT=$2; shift 2;;
    --heap) HEAP=$2; shift 2;;
    --java-opts) JAVA_OPTS=$2; shift 2;;
    --jar) JAR=$2; shift 2;;
    --quiet-wait) QUIET_WAIT=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    -h|--help) usage; exit 0;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2;;
  esac
done

for t in dnsperf dig java jcmd jstat python3 ss curl; do command -v "$t" >/dev/null || hl_die "$t not found"; done
[[ "$MINUTES" =~ ^[1-9][0-9]*$ ]] || hl_die "--minutes must be a positive integer"
[ "$ZONE_WRITE" = atomic ] || [ "$ZONE_WRITE" = inplace ] || hl_die "--zone-write: atomic or inplace"
FLAP_ADDR=$(hl_origin_addr "$FLAP_POOL") || hl_die "--flap-pool: eu, as or na"
JAR=$(hl_jar "$JAR")

[ -n "$OUT" ] || OUT=$HERE/results/soak-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT/raw" || hl_die "cannot create $OUT"
OUT=$(realpath "$OUT")
WORK=$(mktemp -d /tmp/geosteer-soak.XXXXXX)
BG_PIDS=()

cleanup() {
  local p
  for p in "${BG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
  # the flapper's origin, if it was running when the flapper stopped
  [ -f "$WORK/flap.pid" ] && { p=$(cat "$WORK/flap.pid"); [ -n "$p" ] && kill -TERM "$p" 2>/dev/null; }
  hl_server_stop
  hl_origins_stop
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$QUIET_WAIT" != 0 ] && wait_quiet "$QUIET_WAIT"

# ---------------------------------------------------------------- fixture, origins, server
PORT=$(hl_free_port "$PORT") || hl_die "no free DNS port"
ADMIN_PORT=$(hl_free_port "$ADMIN_PORT" "$PORT") || hl_die "no free admin port"
HOST=127.0.0.1; ADMIN=127.0.0.1:$ADMIN_PORT
# default RRL (loopback exempt): this is a soak, not a flood; every client here is 127.0.0.1
hl_fixture_write "$WORK/fx" "$HOST:$PORT" "$ADMIN" "  mode: on" || hl_die "cannot write the fixture"
cp -r "$WORK/fx" "$OUT/fixture"
hl_origins_start "$WORK/www" || hl_die "cannot start the origins"
hl_log "origins: $HL_ORIGINS on port $HL_ORIGIN_PORT (pids ${HL_ORIGIN_PID[*]})"
# shellcheck disable=SC2086
hl_server_start "$JAR" "$WORK/fx/geosteer.yaml" "$HOST" "$PORT" "$OUT/server.log" "$HEAP" $JAVA_OPTS
PID=$SRV_PID

origins_up() { hl_metrics "$ADMIN" "$WORK/m.txt" && hl_metric "$WORK/m.txt" geosteer_origin_up; }
wait_all_up() {  # up to 30 s for the 3 origins to be up
  local i
  for i in $(seq 1 60); do [ "$(origins_up)" = 3 ] && return 0; sleep 0.5; done
  hl_log "WARNING: not every origin is up after 30 s ($(origins_up) up)"; return 1
}
wait_all_up

# ---------------------------------------------------------------- query files (3 streams)
#   static : static A (no EDNS), serial TXT, SOA, hNNNN A  -> NOERROR  (40 %)
#   steered: www A with ECS, 8 subnets (binary, -B)        -> NOERROR  (40 %)
#   nx     : unique random names                           -> NXDOMAIN (20 %)
Q=$WORK/q; mkdir -p "$Q"
{ echo "static.$HL_ZONE A"; echo "serial.$HL_ZONE TXT"; echo "$HL_ZONE SOA"
  awk -v n="$HL_HOSTS" -v z="$HL_ZONE" 'BEGIN { for (i = 1; i <= n; i += 7) printf "h%04d.%s A\n", i, z }'; } > "$Q/static.txt"
python3 "$HERE/lib/hostile-queries.py" mix "$Q/mix.bin" --count 100000 || hl_die "query generation failed"
python3 "$HERE/lib/hostile-queries.py" nx "$Q/nx.txt" --count "$NX_NAMES" || hl_die "query generation failed"
python3 -c '
import sys, struct, importlib.machinery
hq = importlib.machinery.SourceFileLoader("hq", sys.argv[1]).load_module()
with open(sys.argv[2], "wb") as f:
    for s in hq.ECS_SUBNETS:
        m = hq.query("www." + hq.ZONE, "A", ecs=s); f.write(struct.pack("!H", len(m)) + m)
' "$HERE/lib/hostile-queries.py" "$Q/steered.bin" || hl_die "query generation failed"
STREAMS="static steered nx"
declare -A SFILE=([static]=$Q/static.txt [steered]=$Q/steered.bin [nx]=$Q/nx.txt)
declare -A SARGS=([static]="" [steered]="-B" [nx]="")
declare -A SEXPECT=([static]=NOERROR [steered]=NOERROR [nx]=NXDOMAIN)
declare -A SSHARE=([static]=40 [steered]=40 [nx]=20)
# the latency stream: the same mix (mix.bin: 40/40/20) at LAT_QPS with -v; the three load streams
# (no -v: printing every query would cost the client more CPU than the server uses) share the rest

# ---------------------------------------------------------------- warm-up and maximum
read -r b0 t0_ < <(host_ticks); sleep 1; read -r b1 t1_ < <(host_ticks)
IDLE_BUSY=$(awk -v a="$b0" -v b="$b1" -v ta="$t0_" -v tb="$t1_" -v n="$NCPU" 'BEGIN{ if (tb > ta) printf "%.0f", (b - a) / (tb - ta) * n * 100 }')
if [ "$WARMUP" != 0 ]; then
  hl_log "warm-up: ${WARMUP}s closed loop on the mix"
  dnsperf -s "$HOST" -p "$PORT" -d "$Q/mix.bin" -B -l "$WARMUP" -c 4 -q 100 -t "$TIMEOUT" > "$OUT/raw/warmup.txt" 2>&1
fi
if [ -z "$QPS" ]; then
  dnsperf -s "$HOST" -p "$PORT" -d "$Q/mix.bin" -B -l "$PROBE" -c 4 -q 100 -t "$TIMEOUT" > "$OUT/raw/probe.txt" 2>&1
  MAXQ=$(awk '/Queries per second/{printf "%.0f", $4}' "$OUT/raw/probe.txt")
  [ -n "$MAXQ" ] && [ "$MAXQ" -gt 0 ] || hl_die "maximum measurement failed, see $OUT/raw/probe.txt"
  QPS=$(( MAXQ * PCT / 100 ))
  hl_log "closed-loop maximum on the mix: $MAXQ qps; offered rate: $QPS qps ($PCT %)"
else
  MAXQ=-
fi
declare -A SQPS
[ "$LAT_QPS" -lt "$QPS" ] || LAT_QPS=$((QPS / 10))
for s in $STREAMS; do SQPS[$s]=$(( (QPS - LAT_QPS) * ${SSHARE[$s]} / 100 )); done

# ---------------------------------------------------------------- start snapshot (after warm-up, before churn)
hl_metrics "$ADMIN" "$OUT/metrics-start.txt"
read -r H0 HC0 R0 F0 T0 < <(hl_snapshot "$PID")
hl_log "start: heap after GC ${H0} KB (committed ${HC0} KB), RSS ${R0} KB, fds $F0, threads $T0"

{
  echo "# geosteer soak $(date -Is)"
  echo "host: $(uname -srm), $NCPU CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "server: $(java -jar "$JAR" --version 2>/dev/null | head -1), $(jar_desc "$JAR"), -Xmx$HEAP${JAVA_OPTS:+ $JAVA_OPTS}, pid $PID, $HOST:$PORT, admin $ADMIN"
  echo "host CPU busy before starting (1 s sample): ${IDLE_BUSY:--}% (100 = one core)"
  echo "java: $(java -version 2>&1 | head -1); dnsperf $(dnsperf -h 2>&1 | sed -n 's/^Version //p')"
  echo "load: $QPS qps offered (closed-loop max on the mix: $MAXQ qps, $PCT %), streams: static ${SQPS[static]}, steered+ECS ${SQPS[steered]}, nxdomain ${SQPS[nx]}, latency (mix, -v) $LAT_QPS;"
  echo "      each: dnsperf -s $HOST -p $PORT -c $CLIENTS -q $OUTSTANDING -t $TIMEOUT -l $SLICE -Q <rate> [-B] [-v]; $MINUTES slices of ${SLICE}s"
  echo "churn: zone rewritten every ${ZONE_EVERY}s ($ZONE_WRITE, serial +1, $HL_HOSTS+5 records); origin $FLAP_POOL ($FLAP_ADDR:$HL_ORIGIN_PORT) stopped/started every ${FLAP_EVERY}s"
} | tee "$OUT/header.txt" >&2

# ---------------------------------------------------------------- churn: zone rewrites
# each rewrite: serial + 1, then poll (every 50 ms, up to ZONE_EVERY s) until the server answers the
# new SOA serial; logs "epoch serial lag_ms" (lag -1: not seen in time)
zone_loop() {
  local serial=1 t0 got i seen
  trap 'exit 0' TERM
  while :; do
    sleep "$ZONE_EVERY" & wait $!
    serial=$((serial + 1)); t0=$(date +%s%3N)
    hl_zone_write "$WORK/fx/zones" "$serial" "$ZONE_WRITE" || { echo "$t0 $serial write-failed"; continue; }
    got=-1; seen=""
    for i in $(seq 1 $((ZONE_EVERY * 20))); do
      seen=$(dig @"$HOST" -p "$PORT" "$HL_ZONE" SOA +short +time=1 +tries=1 2>/dev/null | awk '{print $3}')
      [ "$seen" = "$serial" ] && { got=$(( $(date +%s%3N) - t0 )); break; }
      sleep 0.05
    done
    echo "$((t0 / 1000)) $serial $got $i ${seen:-none}"   # epoch serial lag_ms polls last_seen
  done
}
# ---------------------------------------------------------------- churn: the flapping origin
# logs "epoch down|up"; its python3 PID is kept in flap.pid so that cleanup can stop it
flap_loop() {
  local www=$WORK/www pid=""
  trap '[ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null; exit 0' TERM
  python3 -m http.server --bind "$FLAP_ADDR" --directory "$www" "$HL_ORIGIN_PORT" >> "$WORK/http-flap.log" 2>&1 &
  pid=$!; echo "$pid" > "$WORK/flap.pid"
  while :; do
    sleep "$FLAP_EVERY" & wait $!
    kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=""; echo "" > "$WORK/flap.pid"
    echo "$(date +%s) down"
    sleep "$FLAP_EVERY" & wait $!
    python3 -m http.server --bind "$FLAP_ADDR" --directory "$www" "$HL_ORIGIN_PORT" >> "$WORK/http-flap.log" 2>&1 &
    pid=$!; echo "$pid" > "$WORK/flap.pid"
    echo "$(date +%s) up"
  done
}
# ---------------------------------------------------------------- checker: what www answers
# every second: www.example.test A for a client in the flapping pool's region (ECS), one line
# "epoch answer ttl" (the answer must follow the flap: its own origin while up, the next pool's while down)
case "$FLAP_POOL" in eu) CHECK_ECS=2.2.3.0/24;; as) CHECK_ECS=175.16.199.0/24;; na) CHECK_ECS=214.78.120.0/24;; esac
check_loop() {
  trap 'exit 0' TERM
  while :; do
    echo "$(date +%s) $(dig @"$HOST" -p "$PORT" "www.$HL_ZONE" A +subnet="$CHECK_ECS" +time=1 +tries=1 +noall +answer 2>/dev/null | awk '$4 == "A" {printf "%s %s", $5, $2; exit}')"
    sleep 1 & wait $!
  done
}

# ---------------------------------------------------------------- measured slices
RES=$OUT/slices.tsv
printf 'slice\tstart\tseconds\toffered_qps\tqps\tsent\tcompleted\tlost\tn\tp50_ms\tp99_ms\tp999_ms\tmax_ms\tbad_rcode\trcodes\tmax_static\tmax_steered\tmax_nx\tsrv_cpu_pct\thost_cpu_pct\tother_cpu_pct\trss_kb\tfds\tthreads\told_gen_kb\treloads_ok\treloads_error\ttransitions\tsrv_rcv_drops\thost_rcvbuf_errors\tsrv_counted\n' > "$RES"

[ "$ZONE_EVERY" != 0 ] && { zone_loop > "$OUT/zone-rewrites.log" 2>&1 & BG_PIDS+=($!); }
# the flapping origin: stopped here, from now on flap_loop owns one (its PID in flap.pid)
[ "$FLAP_EVERY" != 0 ] && hl_origin_stop "$FLAP_POOL"
[ "$FLAP_EVERY" != 0 ] && { flap_loop > "$OUT/flaps.log" 2>&1 & BG_PIDS+=($!); }
check_loop > "$OUT/www-checks.log" 2>&1 & BG_PIDS+=($!)
T_START=$(date +%s)
hl_log "soak: $MINUTES x ${SLICE}s at $QPS qps; churn running"

DIED=0
for m in $(seq 1 "$MINUTES"); do
  kill -0 "$PID" 2>/dev/null || { DIED=1; hl_log "server died, see $OUT/server.log"; break; }
  c0=$(cpu_ticks "$PID"); read -r h0 ht0 < <(host_ticks); ts=$(date +%s.%N); tstart=$(date +%H:%M:%S)
  d0=$(hl_udp_drops "$PORT"); e0=$(hl_udp_rcvbuf_errors); q0=$(hl_metric "$OUT/raw/metrics-slice$((m - 1)).txt" geosteer_dns_queries_total 2>/dev/null)
  [ "$m" = 1 ] && q0=$(hl_metric "$OUT/metrics-start.txt" geosteer_dns_queries_total)
  pids=()
  for s in $STREAMS; do
    # shellcheck disable=SC2086
    dnsperf -s "$HOST" -p "$PORT" -d "${SFILE[$s]}" ${SARGS[$s]} -l "$SLICE" -c "$CLIENTS" -q "$OUTSTANDING" -t "$TIMEOUT" \
        -Q "${SQPS[$s]}" -O suppress=timeouts,unexpected > "$OUT/raw/slice${m}_$s.txt" 2>&1 &
    pids+=($!)
  done
  ( dnsperf -s "$HOST" -p "$PORT" -d "$Q/mix.bin" -B -l "$SLICE" -c 1 -q 100 -t "$TIMEOUT" -Q "$LAT_QPS" -v -O suppress=timeouts,unexpected 2>&1 |
      hl_vfilter "$OUT/raw/slice${m}_lat.txt" "$OUT/raw/slice${m}_lat.hist" any ) &
  pids+=($!)
  for p in "${pids[@]}"; do wait "$p"; done
  d1=$(hl_udp_drops "$PORT"); e1=$(hl_udp_rcvbuf_errors)
  c1=$(cpu_ticks "$PID"); read -r h1 ht1 < <(host_ticks); te=$(date +%s.%N)
  secs=$(awk -v a="$ts" -v b="$te" 'BEGIN{printf "%.1f", b - a}')
  cpu=$(awk -v a="${c0:-0}" -v b="${c1:-0}" -v k="$CLK" -v s="$secs" 'BEGIN{printf "%.0f", (b - a) / k / s * 100}')
  host=$(awk -v a="$h0" -v b="$h1" -v ta="$ht0" -v tb="$ht1" -v n="$NCPU" 'BEGIN{ if (tb > ta) printf "%.0f", (b - a) / (tb - ta) * n * 100 }')
  # dnsperf's own CPU is not separated here: other = host busy - server (includes the 3 dnsperf)
  other=$(awk -v h="$host" -v s="$cpu" 'BEGIN{o = h - s; printf "%.0f", o < 0 ? 0 : o}')
  sent=0; done_=0; lost=0; qps=0; bad=0; rcodes=""; smax=()
  for s in $STREAMS lat; do
    read -r q se co lo _ _ mxs < <(hl_dnsperf_summary "$OUT/raw/slice${m}_$s.txt")
    sent=$((sent + ${se/-/0})); done_=$((done_ + ${co/-/0})); lost=$((lost + ${lo/-/0})); qps=$((qps + ${q:-0}))
    [ "$s" = lat ] && continue
    rc=$(hl_rcodes "$OUT/raw/slice${m}_$s.txt"); rcodes+="${rcodes:+ }$s=$rc"
    bad=$((bad + $(hl_bad_rcodes "$rc" "${SEXPECT[$s]}")))
    smax+=("$mxs")
  done
  # percentiles: the latency stream's per-query latencies (its rcodes are in the load streams' checks)
  read -r n p50 p99 p999 mx _ _ < <(python3 "$HERE/lib/hl_hist.py" "$OUT/raw/slice${m}_lat.hist")
  mx=$(printf '%s\n' "$mx" "${smax[@]}" | sort -g | tail -1)   # the worst latency any stream saw
  rss=$(awk '/^VmRSS:/{print $2}' "/proc/$PID/status" 2>/dev/null); fds=$(ls "/proc/$PID/fd" 2>/dev/null | wc -l)
  thr=$(awk '/^Threads:/{print $2}' "/proc/$PID/status" 2>/dev/null)
  old=$(jstat -gc "$PID" 2>/dev/null | awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "OU") c = i } NR == 2 && c { printf "%.0f", $c }')
  hl_metrics "$ADMIN" "$OUT/raw/metrics-slice$m.txt"
  rok=$(hl_metric "$OUT/raw/metrics-slice$m.txt" geosteer_reloads_total 'result="ok"')
  rerr=$(hl_metric "$OUT/raw/metrics-slice$m.txt" geosteer_reloads_total 'result="error"')
  tr=$(hl_metric "$OUT/raw/metrics-slice$m.txt" geosteer_health_transitions_total)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$m" "$tstart" "$secs" "$QPS" "$qps" "$sent" "$done_" "$lost" "$n" "$p50" "$p99" "$p999" "$mx" "$bad" "$rcodes" \
    "${smax[0]}" "${smax[1]}" "${smax[2]}" "$cpu" "$host" "$other" "${rss:--}" "$fds" "${thr:--}" "${old:--}" "$rok" "$rerr" "$tr" \
    "$((d1 - d0))" "$((e1 - e0))" "$(( $(hl_metric "$OUT/raw/metrics-slice$m.txt" geosteer_dns_queries_total) - ${q0:-0} ))" >> "$RES"
  hl_log "  slice $m: qps=$qps lost=$lost (server socket drops $((d1 - d0)), host RcvbufErrors $((e1 - e0))) p50=${p50}ms p99=${p99}ms max=${mx}ms bad=$bad srv_cpu=${cpu}% other=${other}% rss=${rss}KB fds=$fds threads=$thr reloads=$rok/$rerr transitions=$tr"
done
T_END=$(date +%s)

# ---------------------------------------------------------------- stop the churn, end snapshot
for p in "${BG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
BG_PIDS=()
[ -f "$WORK/flap.pid" ] && { p=$(cat "$WORK/flap.pid"); [ -n "$p" ] && kill -TERM "$p" 2>/dev/null; rm -f "$WORK/flap.pid"; }
if [ "$DIED" = 0 ] && kill -0 "$PID" 2>/dev/null; then
  hl_origin_start "$FLAP_POOL" "$WORK/www" || hl_log "WARNING: could not restart origin $FLAP_POOL"
  wait_all_up
  sleep 2
  hl_metrics "$ADMIN" "$OUT/metrics-end.txt"
  read -r H1 HC1 R1 F1 T1 < <(hl_snapshot "$PID")
  hl_log "end: heap after GC ${H1} KB (committed ${HC1} KB), RSS ${R1} KB, fds $F1, threads $T1"
else
  DIED=1; H1=-; HC1=-; R1=-; F1=-; T1=-
fi
printf 'when\theap_after_gc_kb\theap_committed_kb\trss_kb\tfds\tthreads\nstart\t%s\t%s\t%s\t%s\t%s\nend\t%s\t%s\t%s\t%s\t%s\n' \
  "$H0" "$HC0" "$R0" "$F0" "$T0" "$H1" "$HC1" "$R1" "$F1" "$T1" > "$OUT/resources.tsv"

# ---------------------------------------------------------------- summary
python3 - "$OUT" "$T_START" "$T_END" "$DIED" "$FLAP_ADDR" <<'PY' | tee "$OUT/summary.md"
import csv, os, re, statistics, sys
out, t_start, t_end, died, flap_addr = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5]
rows = list(csv.DictReader(open(out + "/slices.tsv"), delimiter="\t"))
res = {r["when"]: r for r in csv.DictReader(open(out + "/resources.tsv"), delimiter="\t")}

def num(v):
    try: return float(v)
    except (TypeError, ValueError): return None

def metrics(path):
    m = {}
    if not os.path.exists(path): return m
    for line in open(path):
        if line.startswith("#") or not line.strip(): continue
        k, _, v = line.rpartition(" ")
        try: m[k] = float(v)
        except ValueError: pass
    return m

def msum(m, name, match=""):
    v = [x for k, x in m.items() if (k == name or k.startswith(name + "{")) and match in k]
    return sum(v) if v else None

print("| slice | start | QPS | sent | lost | lost % | srv socket drops | host RcvbufErrors | p50 ms | p99 ms | p99.9 ms | max ms | bad rcode | srv CPU % | other CPU % | RSS MB | fds | threads | old gen MB | reloads ok/err | transitions |")
print("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
for r in rows:
    sent, lost = num(r["sent"]) or 0, num(r["lost"]) or 0
    f = lambda k, d=1: "-" if num(r[k]) is None else f"{num(r[k]) / d:.0f}" if d != 1 else r[k]
    print(f"| {r['slice']} | {r['start']} | {r['qps']} | {r['sent']} | {r['lost']} | {100 * lost / sent if sent else 0:.3f} | {r['srv_rcv_drops']} | {r['host_rcvbuf_errors']} | {r['p50_ms']} | {r['p99_ms']} | {r['p999_ms']} | {r['max_ms']} | "
          f"{r['bad_rcode']} | {r['srv_cpu_pct']} | {r['other_cpu_pct']} | "
          f"{f('rss_kb', 1024)} | {r['fds']} | {r['threads']} | {f('old_gen_kb', 1024)} | {r['reloads_ok']}/{r['reloads_error']} | {r['transitions']} |")

tot_sent = sum(num(r["sent"]) or 0 for r in rows); tot_lost = sum(num(r["lost"]) or 0 for r in rows)
tot_bad = sum(num(r["bad_rcode"]) or 0 for r in rows)
tot_drop = sum(num(r["srv_rcv_drops"]) or 0 for r in rows); tot_counted = sum(num(r["srv_counted"]) or 0 for r in rows)
print(f"\ntotal: {tot_sent:.0f} queries sent, {tot_lost:.0f} lost ({100 * tot_lost / tot_sent if tot_sent else 0:.4f} %), {tot_bad:.0f} answered with a wrong rcode; "
      f"the server's sockets dropped {tot_drop:.0f} queries (receive buffer full); the server counted {tot_counted:.0f} answers "
      f"(geosteer_dns_queries_total, includes the checker's and the rewriter's dig queries)")
print("p50/p99/p99.9: per-query latencies of the latency stream (the mix at --lat-qps, dnsperf -v); max: the worst of every stream")
p99s = [num(r["p99_ms"]) for r in rows if num(r["p99_ms"]) is not None]
spikes = []
if p99s:
    med = statistics.median(p99s)
    spikes = [r["slice"] for r in rows if num(r["p99_ms"]) is not None and num(r["p99_ms"]) > 3 * med and num(r["p99_ms"]) > 5]
    print(f"p99 per slice: median {med:.2f} ms, min {min(p99s):.2f}, max {max(p99s):.2f}" + (f"; spikes (> 3 x median and > 5 ms) in slice(s) {', '.join(spikes)}" if spikes else ""))
busy = [r["slice"] for r in rows if (num(r["other_cpu_pct"]) or 0) > 0 and num(r["host_cpu_pct"]) is not None and num(r["host_cpu_pct"]) > 190]
if busy:
    print(f"NOTE: the host's {os.cpu_count()} CPUs were saturated (> 190 %) in slice(s) {', '.join(busy)}: latency there is partly the machine's")

# churn logs
zl = [l.split() for l in open(out + "/zone-rewrites.log")] if os.path.exists(out + "/zone-rewrites.log") else []
lags = [int(l[2]) for l in zl if len(l) >= 3 and l[2].lstrip("-").isdigit()]
seen = [x for x in lags if x >= 0]
if zl:
    print(f"zone rewrites: {len(zl)}; new serial answered after median {statistics.median(seen) if seen else '-'} ms, max {max(seen) if seen else '-'} ms; not seen within the rewrite interval: {sum(1 for x in lags if x < 0)}"
          + (f"; write failures: {sum(1 for l in zl if len(l) > 2 and l[2] == 'write-failed')}" if any(len(l) > 2 and l[2] == 'write-failed' for l in zl) else ""))
fl = [l.split() for l in open(out + "/flaps.log")] if os.path.exists(out + "/flaps.log") else []
ch = []
for l in (open(out + "/www-checks.log") if os.path.exists(out + "/www-checks.log") else []):
    w = l.split()
    if w and w[0].isdigit(): ch.append((int(w[0]), w[1] if len(w) > 1 else "none", w[2] if len(w) > 2 else "-"))
if fl:
    # after each flap event: seconds until the checker sees the answer change (own origin <-> other)
    delays = {"down": [], "up": []}; missed = {"down": 0, "up": 0}
    for i, (t, ev) in enumerate((int(a), b) for a, b in fl):
        nxt = int(fl[i + 1][0]) if i + 1 < len(fl) else t_end
        hit = next((c for c in ch if t <= c[0] < nxt and ((c[1] != flap_addr) if ev == "down" else (c[1] == flap_addr))), None)
        if hit: delays[ev].append(hit[0] - t)
        elif nxt - t >= 10: missed[ev] += 1
    answers = {}
    for c in ch: answers[c[1]] = answers.get(c[1], 0) + 1
    ttls = sorted({c[2] for c in ch})
    print(f"origin flaps: {sum(1 for l in fl if l[1] == 'down')} down, {sum(1 for l in fl if l[1] == 'up')} up; "
          f"steered answer left the origin {statistics.median(delays['down']) if delays['down'] else '-'} s (median) / {max(delays['down']) if delays['down'] else '-'} s (max) after it stopped, "
          f"came back {statistics.median(delays['up']) if delays['up'] else '-'} s / {max(delays['up']) if delays['up'] else '-'} s after it started; "
          f"never switched: {missed['down']} downs, {missed['up']} ups")
    print(f"www checks (1/s): answers {answers}; TTLs seen {', '.join(ttls[:10])}")

ms, me = metrics(out + "/metrics-start.txt"), metrics(out + "/metrics-end.txt")
OK, ERR, TODOWN, TOUP = 'result="ok"', 'result="error"', 'to="down"', 'to="up"'
def d(name, match=""):
    a, b = msum(ms, name, match), msum(me, name, match)
    return "-" if a is None and b is None else f"{(b or 0) - (a or 0):.0f}"
print(f"/metrics, end - start: reloads ok {d('geosteer_reloads_total', OK)}, reloads error {d('geosteer_reloads_total', ERR)}, "
      f"health transitions {d('geosteer_health_transitions_total')} "
      f"(up->down {d('geosteer_health_transitions_total', TODOWN)}, down->up {d('geosteer_health_transitions_total', TOUP)}), "
      f"health check failures {d('geosteer_health_check_failures_total')}, dns queries {d('geosteer_dns_queries_total')}, "
      f"dropped {d('geosteer_dns_dropped_total')}, rrl {d('geosteer_rrl_total')}")

# verdict
s, e = res.get("start", {}), res.get("end", {})
checks = []
def grow(label, a, b, tol_abs, tol_rel, unit):
    a, b = num(a), num(b)
    if a is None or b is None:
        checks.append((label, "?", f"{a} -> {b}")); return
    limit = a * (1 + tol_rel) + tol_abs
    checks.append((label, "ok" if b <= limit else "GREW", f"{a:.0f} -> {b:.0f} {unit} ({b - a:+.0f}; allowed up to {limit:.0f})"))
grow("heap after GC", s.get("heap_after_gc_kb"), e.get("heap_after_gc_kb"), 2048, 0.10, "KB")
grow("RSS", s.get("rss_kb"), e.get("rss_kb"), 16384, 0.10, "KB")
grow("fds", s.get("fds"), e.get("fds"), 2, 0, "")
grow("threads", s.get("threads"), e.get("threads"), 2, 0, "")
print("\nstart -> end (after a full GC, churn stopped, every origin up again):")
for c in checks: print(f"  {c[0]:<14} {c[1]:<4} {c[2]}")
bad = [c[0] for c in checks if c[1] != "ok"]
problems = []
if died: problems.append("server died")
if bad: problems.append("grew: " + ", ".join(bad))
tot_rcv = sum(num(r["host_rcvbuf_errors"]) or 0 for r in rows)
if tot_lost: problems.append(f"{tot_lost:.0f} lost queries: server socket drops {tot_drop:.0f}, host RcvbufErrors {tot_rcv:.0f}")
if tot_bad: problems.append(f"{tot_bad:.0f} wrong rcodes")
if spikes: problems.append("p99 spikes in slice(s) " + ", ".join(spikes))
print(("VERDICT: PASS: nothing grew" if not bad and not died else "VERDICT: FAIL") + ("" if not problems else " (" + "; ".join(problems) + ")"))
PY
{
  n=$(grep -cE ' (ERROR|WARN) |Exception' "$OUT/server.log")
  echo "server log: $n ERROR/WARN/Exception lines$( [ "$n" -gt 0 ] && echo ', by kind:')"
  grep -E ' (ERROR|WARN) |Exception' "$OUT/server.log" | sed -E 's/^[0-9T:.Z-]+ //; s/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -10
} | tee -a "$OUT/summary.md"
hl_log "results: $OUT (summary.md, slices.tsv, resources.tsv, header.txt, metrics-start/end.txt, zone-rewrites.log, flaps.log, www-checks.log, server.log, raw/)"
[ "$DIED" = 0 ]
