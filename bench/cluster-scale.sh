#!/usr/bin/env bash
# A fleet at scale: N origins (default 5 000) checked over HTTP every 10 s by three geosteer instances sharing
# their verdicts through one etcd, then the same origins checked by one instance alone. Reports what the fleet
# costs: etcd write requests and key puts per second (etcd's own counters), each instance's CPU (from
# /proc/<pid>/stat), heap used (the admin API's jvm_memory_used_bytes), and the DNS QPS and latency dnsperf
# gets from one instance at a fixed offered load, fleet and alone.
#
#   bench/cluster-scale.sh                        # 5 000 origins, 10 s, 60 s measured, dnsperf 20 000 QPS for 20 s
#   bench/cluster-scale.sh --origins 1000 --seconds 30
#
# Origins: bench/lib/origins.c (compiled here with cc: one epoll thread, a socket per address 127.1.x.y:18081;
# 1 500 checks/s cost it a few % of a core), or bench/origins.py (asyncio) without a C compiler. The load average
# is noted beside every figure: on a shared machine read the figures with it. Needs etcd, dnsperf, a built jar
# (mvn -B package -DskipTests) or GEOSTEER="java ... dev.geosteer.Main" (default: java -Xmx$HEAP -jar, 512m).
# Results: bench/results/cluster-scale-*/ (report.md, and per phase the threads' CPU, dnsperf output, logs).
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
N=5000; PER_POOL=100; INTERVAL=10s; SECONDS_MEASURED=60; QPS=20000; DNSPERF_SECONDS=20; HEAP=512m
NET=127.1; HPORT=18081; ETCD_PORT=22679; DNS_BASE=25560; ADMIN_BASE=28260
while [ $# -gt 0 ]; do
  case "$1" in
    --origins) N=$2; shift 2;;
    --interval) INTERVAL=$2; shift 2;;
    --seconds) SECONDS_MEASURED=$2; shift 2;;
    --qps) QPS=$2; shift 2;;
    --dnsperf-seconds) DNSPERF_SECONDS=$2; shift 2;;
    --heap) HEAP=$2; shift 2;;
    *) sed -n '2,14p' "$0"; exit 2;;
  esac
done
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
for t in etcd etcdctl python3 curl jcmd; do command -v $t >/dev/null || die "$t not found"; done
if [ -z "${GEOSTEER:-}" ]; then
  [ -f "$REPO/target/geosteer.jar" ] || die "build first: mvn -B package -DskipTests"
  GEOSTEER="java -Xmx$HEAP -jar $REPO/target/geosteer.jar"
fi
[ "$(ulimit -n)" -gt $((N + 200)) ] || ulimit -n $((N + 1000)) 2>/dev/null || die "ulimit -n too low for $N sockets"
OUT=$REPO/bench/results/cluster-scale-$(date +%Y%m%d-%H%M%S); mkdir -p "$OUT"
CLK=$(getconf CLK_TCK)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT

# zones: one zone, N origins in pools of PER_POOL, one monitor
mkdir -p "$OUT/zones"
python3 - "$OUT/zones" "$N" "$PER_POOL" "$NET" "$HPORT" "$INTERVAL" <<'PY'
import sys
d, n, per, net, port, interval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
open(d + "/example.test.zone", "w").write("$TTL 300\n@ SOA ns1 h 1 3600 600 86400 60\n@ NS ns1\nns1 A 192.0.2.53\n"
                                          "static A 192.0.2.1\n")
L = ["monitors:", f"  scale: {{ type: http, port: {port}, path: /, expect: \"200\", interval: {interval}, timeout: 2s, rise: 2, fall: 2 }}", "pools:"]
npools = (n + per - 1) // per
for p in range(npools):
    L += [f"  p{p}:", "    monitor: scale", "    origins:"]
    for i in range(p * per, min(n, (p + 1) * per)):
        L.append(f"      - {{ name: o{i}, address: {net}.{i // 250}.{i % 250 + 1} }}")
L += ["balancers:", "  www:", "    ttl: 30", "    steering: failover", "    default_pools: [p0, p1]", "    max_answers: 1"]
open(d + "/example.test.steer.yaml", "w").write("\n".join(L) + "\n")
PY

if command -v cc >/dev/null && cc -O2 -o "$OUT/origins" "$HERE/lib/origins.c" 2> "$OUT/origins-build.log"; then
  "$OUT/origins" "$N" "$NET" "$HPORT" "$OUT/origins-stats.txt" > "$OUT/origins.log" 2>&1 &
else
  log "no C compiler: origins from origins.py (asyncio), which may not keep up with 3 x $N checks per interval"
  python3 "$HERE/origins.py" --count "$N" --net "$NET" --port "$HPORT" --stats "$OUT/origins-stats.txt" > "$OUT/origins.log" 2>&1 &
fi
ORIGINS_PID=$!; PIDS+=($ORIGINS_PID)
for _ in $(seq 120); do grep -q '^ready' "$OUT/origins.log" && break; sleep 0.5; done
grep -q '^ready' "$OUT/origins.log" || die "origins did not start: $(tail -3 "$OUT/origins.log")"
etcd --name scale --data-dir "$OUT/etcd" --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" --listen-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
  --initial-advertise-peer-urls "http://127.0.0.1:$((ETCD_PORT + 1))" \
  --initial-cluster "scale=http://127.0.0.1:$((ETCD_PORT + 1))" > "$OUT/etcd.log" 2>&1 &
ETCD_PID=$!; PIDS+=($ETCD_PID)
for _ in $(seq 100); do etcdctl --endpoints="http://127.0.0.1:$ETCD_PORT" endpoint health >/dev/null 2>&1 && break; sleep 0.1; done

start_instance() {  # start_instance NAME INDEX CLUSTER(0|1) -> pid on stdout
  local name=$1 i=$2 c=$3
  mkdir -p "$OUT/$name"
  {
    echo "listen: [\"127.0.0.1:$((DNS_BASE + i))\"]"
    echo "zones_dir: ../zones"
    echo "admin: { listen: \"127.0.0.1:$((ADMIN_BASE + i))\" }"
    echo "rrl: { mode: off }"
    [ "$c" = 1 ] && printf 'cluster:\n  etcd: ["http://127.0.0.1:%s"]\n  node: %s\n' "$ETCD_PORT" "$name"
  } > "$OUT/$name/geosteer.yaml"
  # shellcheck disable=SC2086
  $GEOSTEER serve --config "$OUT/$name/geosteer.yaml" > "$OUT/$name.log" 2>&1 &
  echo $!
}
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
heap_mb() {  # heap_mb PID: heap used (jcmd GC.heap_info) / resident set, in MB
  local used rss
  used=$(jcmd "$1" GC.heap_info 2>/dev/null | awk '/heap/ && /used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); gsub(/[K,]/, "", v); printf "%.0f", v / 1024; exit } }')
  rss=$(awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status")
  echo "${used:-?} / ${rss:-?}"
}
up_count() { curl -sf "http://127.0.0.1:$((ADMIN_BASE + $1))/metrics" | awk '/^geosteer_origin_up\{/ && $2 == 1 {n++} END {print n + 0}'; }
etcd_counter() { curl -sf "http://127.0.0.1:$ETCD_PORT/metrics" | awk -v m="$1" '$1 == m {print $2}'; }

measure() {  # measure LABEL INDEX:PID... : waits for every origin up, then CPU, heap, etcd rates over SECONDS_MEASURED
  local label=$1; shift
  local ip i p
  for ip in "$@"; do
    i=${ip%%:*}
    for _ in $(seq 600); do [ "$(up_count "$i")" -ge "$N" ] && break; sleep 1; done
    log "$label: instance $i has $(up_count "$i") of $N origins up"
  done
  sleep 15  # past the first checks' burst
  declare -A t0
  for ip in "$@"; do t0[$ip]=$(ticks "${ip#*:}"); done
  local p0 u0 s0 e o0 o1 et0 l0 l1
  p0=$(etcd_counter etcd_server_proposals_committed_total); u0=$(etcd_counter etcd_mvcc_put_total)
  o0=$(ticks "$ORIGINS_PID"); et0=$(ticks "$ETCD_PID"); r0=$(awk '{print $2}' "$OUT/origins-stats.txt")
  l0=$(cut -d' ' -f1 /proc/loadavg)
  s0=$(date +%s.%N)
  sleep "$SECONDS_MEASURED"
  e=$(date +%s.%N)
  local p1 u1; p1=$(etcd_counter etcd_server_proposals_committed_total); u1=$(etcd_counter etcd_mvcc_put_total)
  o1=$(ticks "$ORIGINS_PID"); l1=$(cut -d' ' -f1 /proc/loadavg)
  awk -v l="$label" -v a="$o0" -v b="$o1" -v x="$et0" -v y="$(ticks "$ETCD_PID")" -v k="$CLK" -v s="$s0" -v e="$e" \
      -v r0="${r0:-0}" -v r1="$(awk '{print $2}' "$OUT/origins-stats.txt")" -v d="$(awk '{print $3 " of '"$N"' addresses served, " $4 " dropped"}' "$OUT/origins-stats.txt")" \
      -v la="$l0" -v lb="$l1" -v all="$(cut -d' ' -f1-3 /proc/loadavg)" \
    'BEGIN {printf "| %s | %.0f checks/s answered (%s) | origins %.1f %%, etcd %.1f %% of a core | load average %s at start, %s at end (1/5/15 min: %s) |\n", l, (r1 - r0) / (e - s), d, (b - a) / k / (e - s) * 100, (y - x) / k / (e - s) * 100, la, lb, all}' >> "$OUT/context.md"
  for ip in "$@"; do  # which threads spent the CPU (cumulative since start)
    ps -L -o tid=,time=,comm= -p "${ip#*:}" | sort -k2 -r | head -12 > "$OUT/threads-$label-${ip%%:*}.txt"
  done
  for ip in "$@"; do
    i=${ip%%:*}; p=${ip#*:}
    awk -v l="$label" -v i="$i" -v a="${t0[$ip]}" -v b="$(ticks "$p")" -v k="$CLK" -v s="$s0" -v e="$e" -v h="$(heap_mb "$p")" \
      'BEGIN {printf "| %s | instance %d | %.1f %% of a core | %s MB |", l, i, (b - a) / k / (e - s) * 100, h}' >> "$OUT/summary.md"
    awk -v p0="${p0:-0}" -v p1="${p1:-0}" -v u0="${u0:-0}" -v u1="${u1:-0}" -v s="$s0" -v e="$e" \
      'BEGIN {printf " %.1f | %.1f |\n", (p1 - p0) / (e - s), (u1 - u0) / (e - s)}' >> "$OUT/summary.md"
  done
}
dnsperf_run() {  # dnsperf_run LABEL PORT
  command -v dnsperf >/dev/null || { echo "| $1 | (no dnsperf) |" >> "$OUT/dns.md"; return; }
  printf 'www.example.test A\nstatic.example.test A\n' > "$OUT/queries.txt"
  local la; la=$(cut -d' ' -f1 /proc/loadavg)
  dnsperf -s 127.0.0.1 -p "$2" -d "$OUT/queries.txt" -Q "$QPS" -c 4 -q 100 -l "$DNSPERF_SECONDS" > "$OUT/dnsperf-$1.txt" 2>&1
  awk -v l="$1" -v la="$la" -v lb="$(cut -d' ' -f1 /proc/loadavg)" '/Queries per second/ {q = $4} /Average Latency/ {lat = $4} /Queries lost/ {lost = $3}
    END {printf "| %s | %s | %s ms | %s | %s → %s |\n", l, q, lat * 1000, lost, la, lb}' "$OUT/dnsperf-$1.txt" >> "$OUT/dns.md"
}

echo "| phase | instance | CPU | heap used / RSS | etcd writes/s (raft proposals) | etcd key puts/s |" > "$OUT/summary.md"
echo "|---|---|---|---|---|---|" >> "$OUT/summary.md"
echo "| phase | QPS answered | average latency | lost | load average (1 min) |" > "$OUT/dns.md"
echo "|---|---|---|---|---|" >> "$OUT/dns.md"
echo "| phase | origins | CPU outside the instances | machine |" > "$OUT/context.md"
echo "|---|---|---|---|" >> "$OUT/context.md"

log "fleet: 3 instances, $N origins every $INTERVAL"
A=$(start_instance geo-1 1 1); B=$(start_instance geo-2 2 1); C=$(start_instance geo-3 3 1)
PIDS+=("$A" "$B" "$C")
measure "fleet of 3" "1:$A" "2:$B" "3:$C"
dnsperf_run fleet $((DNS_BASE + 1))
kill "$A" "$B" "$C"; wait "$A" "$B" "$C" 2>/dev/null

log "alone: 1 instance, $N origins every $INTERVAL"
S=$(start_instance single 4 0); PIDS+=("$S")
measure "alone" "4:$S"
dnsperf_run alone $((DNS_BASE + 4))

{ echo "# bench/cluster-scale.sh $(date -Is): $N origins, checks every $INTERVAL, $(nproc) CPUs"; echo
  cat "$OUT/summary.md"; echo; cat "$OUT/dns.md"; echo; cat "$OUT/context.md"; } | tee "$OUT/report.md"
echo "results: $OUT"
