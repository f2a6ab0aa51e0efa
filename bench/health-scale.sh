#!/usr/bin/env bash
# geosteer with many health-checked origins: N origins (default 5 000) checked over HTTP every 10 s
# against local listeners, while dnsperf sends a steady 20 000 QPS of steered queries; the same with
# the monitors removed. Reports geosteer CPU (idle and under load), heap, GC, and the query latency
# percentiles (p50/p99/p99.9, from dnsperf -v per-query latencies, as anchors/run.sh computes them).
#
#   bench/health-scale.sh                                   # 5 000 origins, 10 s, 20 000 QPS, 60 s load
#   bench/health-scale.sh --rounds 2                        # health, nohealth, health, nohealth
#   bench/health-scale.sh --origins 1000 --seconds 20 --idle 10           # quicker
#   bench/health-scale.sh --pin                             # geosteer on CPU0; dnsperf, origins on CPU1
#
# Origins: bench/origins.py, one Python asyncio process listening on 127.1.0.1 ... 127.1.19.250 port
# 18081 (one socket per address, so each origin is a distinct check). Everything is stopped by PID.
# Results: bench/results/health-scale-<timestamp>/ (summary.md, phases.tsv, per-phase logs, cpu.tsv).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
. "$HERE/fixture-lib.sh"

JAR=${GEOSTEER_JAR:-$REPO/target/geosteer.jar}
PORT=5399
HEAP=256m
JAVA_OPTS=${GEOSTEER_JAVA_OPTS:-}
N=5000; PER_POOL=100; INTERVAL=10s; TIMEOUT=2s; HPORT=18081; NET=127.1
QPS=20000; SECONDS_LOAD=60; WARMUP=10; IDLE=20; UP_WAIT=120
CLIENTS=4; OUTSTANDING=100
QUERIES=geo               # geo: www.example.test with ECS (anchors' geo-ecs.bin); static: static.example.test
VARIANTS="health nohealth"; ROUNDS=1; PIN=0; OUT=""; QUIET_WAIT=0

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
usage() {
  sed -n '2,15p' "$0"
  cat <<EOF

Options:
  --origins N        health-checked origins (default $N), $PER_POOL per pool (--per-pool)
  --interval D       check interval (default $INTERVAL); --check-timeout D (default $TIMEOUT)
  --qps R            dnsperf -Q (default $QPS);  --seconds S  load run length (default $SECONDS_LOAD)
  --warmup S         unrecorded load before the measured run (default $WARMUP)
  --idle S           checks only, no DNS load: geosteer CPU is measured over S seconds (default $IDLE; 0 = skip)
  --queries geo|static   www.example.test with ECS (8 subnets, steered over the checked pools) or
                     static.example.test (default $QUERIES)
  --variants "V..."  health (monitors on every origin) and/or nohealth (same file, monitors removed)
                     (default "$VARIANTS");  --rounds R  repeat the variants R times, alternating (default $ROUNDS)
  --pin              geosteer on CPU0; dnsperf and the origins on CPU1
  --quiet-wait S     before each variant, wait up to S s for 10 s with other processes < 25% of a core
  --up-wait S        how long to wait for every origin to be up before measuring (default $UP_WAIT)
  --jar PATH  --port P  --heap SIZE (default $HEAP)  --java-opts 'OPTS'  --out DIR
EOF
}
while [ $# -gt 0 ]; do
  case "$1" in
    --origins) N=$2; shift 2;;
    --per-pool) PER_POOL=$2; shift 2;;
    --interval) INTERVAL=$2; shift 2;;
    --check-timeout) TIMEOUT=$2; shift 2;;
    --qps) QPS=$2; shift 2;;
    --seconds) SECONDS_LOAD=$2; shift 2;;
    --warmup) WARMUP=$2; shift 2;;
    --idle) IDLE=$2; shift 2;;
    --queries) QUERIES=$2; shift 2;;
    --variants) VARIANTS=$2; shift 2;;
    --rounds) ROUNDS=$2; shift 2;;
    --pin) PIN=1; shift;;
    --quiet-wait) QUIET_WAIT=$2; shift 2;;
    --up-wait) UP_WAIT=$2; shift 2;;
    --jar) JAR=$2; shift 2;;
    --port) PORT=$2; shift 2;;
    --heap) HEAP=$2; shift 2;;
    --java-opts) JAVA_OPTS=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    -h|--help) usage; exit 0;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2;;
  esac
done
for t in dnsperf dig java jcmd jstat taskset ss python3; do command -v "$t" >/dev/null || die "$t not found"; done
[ "$QUERIES" = geo ] || [ "$QUERIES" = static ] || die "--queries geo|static"
NPOOLS=$(( (N + PER_POOL - 1) / PER_POOL ))
[ "$NPOOLS" -ge 3 ] || die "need at least 3 pools (--origins >= 3 x --per-pool)"
[ "$(ulimit -n)" -gt $((N + 200)) ] || ulimit -n $((N + 1000)) 2>/dev/null || die "ulimit -n too low for $N listening sockets"

JAR=$(realpath -m "$JAR")
if [ ! -f "$JAR" ]; then
  [ "$JAR" = "$REPO/target/geosteer.jar" ] || die "jar not found: $JAR"
  log "building $JAR"; (cd "$REPO" && mvn -q -B package -DskipTests) >&2 || die "build failed"
fi
port_free() { [ -z "$(ss -Hlnu "sport = :$1" 2>/dev/null)" ] && [ -z "$(ss -Hlnt "sport = :$1" 2>/dev/null)" ]; }
p=$PORT; while ! port_free "$p"; do p=$((p + 1)); [ $p -gt $((PORT + 100)) ] && die "no free port"; done; PORT=$p
[ -z "$(ss -Hltn "sport = :$HPORT" 2>/dev/null)" ] || die "something already listens on port $HPORT"

[ -n "$OUT" ] || OUT=$HERE/results/health-scale-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT" || die "cannot create $OUT"; OUT=$(realpath "$OUT")
TMP=$(mktemp -d /tmp/geosteer-health-scale.XXXXXX)
CLK=$(getconf CLK_TCK)

SRV_PID=""; ORG_PID=""; SAMPLER=""
stop_pid() {  # stop_pid PID: TERM, KILL after 10 s
  local pid=$1 i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}
cleanup() {
  stop_pid "$SRV_PID"; stop_pid "$ORG_PID"; stop_pid "$SAMPLER"
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- config: fixture zone + N origins
fixture_write "$TMP/base" health || die "cannot write the fixture"
python3 - "$TMP" "$N" "$PER_POOL" "$NET" "$HPORT" "$INTERVAL" "$TIMEOUT" <<'PY' || die "cannot write the steering files"
import os, shutil, sys
tmp, n, per, net, port, interval, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
addr = lambda i: f"{net}.{i // 250}.{i % 250 + 1}"
npools = (n + per - 1) // per
for variant in ("health", "nohealth"):
    d = f"{tmp}/{variant}"
    os.makedirs(d + "/zones", exist_ok=True)
    shutil.copy(f"{tmp}/base/zones/example.test.zone", d + "/zones/")
    cfg = open(f"{tmp}/base/geosteer.yaml").read().replace(f"{tmp}/base/zones", f"{d}/zones")
    open(d + "/geosteer.yaml", "w").write(cfg)
    L = [f"# generated by bench/health-scale.sh: {n} origins in {npools} pools, {variant}"]
    if variant == "health":
        L += ["monitors:", f"  scale: {{ type: http, port: {port}, path: /, expect: \"200\", interval: {interval}, timeout: {timeout}, rise: 2, fall: 2 }}"]
    L.append("pools:")
    for p in range(npools):
        L.append(f"  p{p}:")
        if variant == "health":
            L.append("    monitor: scale")
        L.append("    origins:")
        for i in range(p * per, min(n, (p + 1) * per)):
            L.append(f"      - {{ name: o{i}, address: {addr(i)} }}")
    # www: the fixture's geo steering over the first three pools (EU/AF -> p0, AS/OC -> p1, others -> p2);
    # every other pool gets its own balancer so that each one is in use
    L += ["balancers:", "  www:", "    ttl: 30", "    steering: geo", "    default_pools: [p2, p0, p1]", "    regions:",
          "      EU: [p0, p2, p1]", "      AF: [p0, p2, p1]", "      AS: [p1, p0, p2]", "      OC: [p1, p2, p0]",
          "      NA: [p2, p0, p1]", "      SA: [p2, p0, p1]", "    fallback_pool: p2", "    max_answers: 1"]
    for p in range(3, npools):
        L += [f"  s{p}:", "    ttl: 30", f"    default_pools: [p{p}]"]
    open(d + "/zones/example.test.steer.yaml", "w").write("\n".join(L) + "\n")
PY
cp "$TMP/health/zones/example.test.steer.yaml" "$OUT/example.test.steer.yaml"
anchors_queries "$TMP/q" || die "cannot generate the query files"
if [ "$QUERIES" = geo ]; then QFILE=$TMP/q/geo-ecs.bin; QARGS=(-B); else QFILE=$TMP/q/static.txt; QARGS=(); fi
in_pool() {  # in_pool ADDR POOL: is ADDR one of pool POOL's origins
  python3 -c "import sys; a=sys.argv[1].split('.'); i=int(a[2])*250+int(a[3])-1; p=int(sys.argv[2]); sys.exit(0 if a[:2]==sys.argv[3].split('.') and p*$PER_POOL<=i<(p+1)*$PER_POOL else 1)" "$1" "$2" "$NET" 2>/dev/null
}

# ---------------------------------------------------------------- origins, sampler
PFX_CLI=(); [ "$PIN" = 1 ] && PFX_CLI=(taskset -c 1)
"${PFX_CLI[@]}" python3 "$HERE/origins.py" --count "$N" --net "$NET" --port "$HPORT" --stats "$OUT/origins.stats" > "$OUT/origins.log" 2>&1 &
ORG_PID=$!
for i in $(seq 1 120); do grep -q '^ready' "$OUT/origins.log" && break; kill -0 "$ORG_PID" 2>/dev/null || break; sleep 0.5; done
grep -q '^ready' "$OUT/origins.log" || { cat "$OUT/origins.log" >&2; die "origins did not start"; }
log "origins: $N listeners on $NET.0.1..$NET.$(( (N - 1) / 250 )).$(( (N - 1) % 250 + 1 )):$HPORT, pid $ORG_PID"
python3 "$HERE/cpu-sampler.py" --out "$OUT/cpu.tsv" \
  --mine "^(dnsperf|dig|taskset|time|jcmd|jstat|sort|awk) |origins\.py|cpu-sampler|health-scale\.sh|geosteer\.jar serve .*127\.0\.0\.1:$PORT" &
SAMPLER=$!

{
  echo "# bench/health-scale.sh $(date -Is)"
  echo "host: $(uname -srm), $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs))"
  echo "jar: $(jar_desc "$JAR"); java -Xmx$HEAP $JAVA_OPTS"
  echo "origins: $N in $NPOOLS pools of $PER_POOL, http GET / on $NET.x.y:$HPORT every $INTERVAL (timeout $TIMEOUT, rise 2, fall 2), served by bench/origins.py (one process)"
  echo "load: dnsperf -Q $QPS -c $CLIENTS -q $OUTSTANDING -t 2 -l $SECONDS_LOAD -v ($QUERIES: $(basename "$QFILE")), after ${WARMUP}s warm-up; idle phase ${IDLE}s; pin: $([ "$PIN" = 1 ] && echo 'geosteer CPU0, dnsperf+origins CPU1' || echo none)"
} | tee "$OUT/header.txt" >&2

ticks() { [ -r "/proc/$1/stat" ] && sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
cpu_pct() { awk -v a="$1" -v b="$2" -v k="$CLK" -v t0="$3" -v t1="$4" 'BEGIN{printf "%.1f", (b - a) / k / (t1 - t0) * 100}'; }
other_pct() {  # mean "other" CPU % in cpu.tsv between two epochs
  awk -v a="$1" -v b="$2" '$1 > a + 0.5 && $1 <= b + 0.5 {s += $4; n++} END{if (n) printf "%.0f", s / n; else print "-"}' "$OUT/cpu.tsv"
}
heap_used() {  # heap_used PID -> used KiB (G1 "garbage-first heap ... used NNNK")
  jcmd "$1" GC.heap_info 2>/dev/null | awk '/garbage-first heap|heap/ && /used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); gsub(/[K,]/, "", v); print v; exit } }'
}

printf 'round\tvariant\tstart_to_answer_s\tall_up_s\tup\tdown\tidle_cpu\tload_qps\tsent\tlost\tp50_ms\tp99_ms\tp999_ms\tmax_ms\tworst_1s_p99_ms\tsrv_cpu\torigins_cpu\tdnsperf_cpu\tother_cpu\tchecks_per_s\theap_used_mb\theap_live_mb\trss_mb\tthreads\tyoung_gcs\tgc_ms\tlog_lines\terror_lines\n' > "$OUT/phases.tsv"

run_variant() {  # run_variant ROUND VARIANT
  local r=$1 v=$2 dir=$TMP/$2 d=$OUT/$1-$2 t_start t_ans up=0 down=0 all_up="-" i
  mkdir -p "$d"
  wait_quiet "$QUIET_WAIT" "$ORG_PID" "$SAMPLER"
  log "[$r/$v] starting geosteer"
  t_start=$(date +%s.%N)
  java "-Xmx$HEAP" $JAVA_OPTS -jar "$JAR" serve --config "$dir/geosteer.yaml" --zones "$dir/zones" --listen "127.0.0.1:$PORT" > "$d/server.log" 2>&1 &
  SRV_PID=$!
  for i in $(seq 1 600); do
    dig @127.0.0.1 -p "$PORT" static.example.test +short +time=1 +tries=1 2>/dev/null | grep -q '^192.0.2.1$' && break
    kill -0 "$SRV_PID" 2>/dev/null || { tail -20 "$d/server.log" >&2; die "geosteer exited"; }
    sleep 0.1
  done
  t_ans=$(date +%s.%N)
  [ "$PIN" = 1 ] && taskset -a -p -c 0 "$SRV_PID" >/dev/null
  if [ "$v" = health ]; then
    # every origin has a verdict and is up (the log has one "unknown → up/down" line per origin, then transitions)
    for i in $(seq 1 $((UP_WAIT * 2))); do
      up=$(grep -c 'unknown → up\|down → up' "$d/server.log"); down=$(grep -c 'up → down' "$d/server.log")
      [ $((up - down)) -ge "$N" ] && { all_up=$(awk -v a="$t_start" -v b="$(date +%s.%N)" 'BEGIN{printf "%.1f", b - a}'); break; }
      sleep 0.5
    done
    log "[$r/$v] origins up: $up (down transitions: $down) after ${all_up}s"
  fi
  # answers: www with an EU subnet must come from pool p0, with an AS subnet from p1, without ECS from p2
  local a ok=1
  for c in "2.2.3.0/24 0" "175.16.199.0/24 1" "- 2"; do
    set -- $c
    a=$(dig @127.0.0.1 -p "$PORT" www.example.test A +short +time=2 +tries=1 $([ "$1" != - ] && echo "+subnet=$1") | head -1)
    in_pool "$a" "$2" || { ok=0; log "[$r/$v] WRONG ANSWER: www.example.test ECS $1 -> '$a', expected an origin of p$2"; }
    echo "www.example.test ECS $1 -> $a (pool p$2 expected)" >> "$d/verify.txt"
  done
  # idle: checks only
  local c0 c1 t0 t1 idle_cpu="-"
  if [ "$IDLE" != 0 ]; then
    c0=$(ticks "$SRV_PID"); t0=$(date +%s.%N); sleep "$IDLE"; c1=$(ticks "$SRV_PID"); t1=$(date +%s.%N)
    idle_cpu=$(cpu_pct "$c0" "$c1" "$t0" "$t1")
    log "[$r/$v] idle (no DNS load) geosteer CPU: ${idle_cpu}%"
  fi
  [ "$WARMUP" != 0 ] && "${PFX_CLI[@]}" dnsperf -s 127.0.0.1 -p "$PORT" -d "$QFILE" "${QARGS[@]}" -l "$WARMUP" -c "$CLIENTS" -q "$OUTSTANDING" -t 2 -Q "$QPS" > "$d/warmup.txt" 2>&1
  # measured load
  local o0 o1 s0 s1 g0 g1 lines0 lines1
  lines0=$(wc -l < "$d/server.log")
  s0=$(awk '{print $2}' "$OUT/origins.stats"); g0=$(jstat -gc "$SRV_PID" | awk 'NR==2')
  c0=$(ticks "$SRV_PID"); o0=$(ticks "$ORG_PID"); t0=$(date +%s.%N)
  "${PFX_CLI[@]}" /usr/bin/time -f '%U %S' -o "$d/dnsperf.time" \
    dnsperf -s 127.0.0.1 -p "$PORT" -d "$QFILE" "${QARGS[@]}" -l "$SECONDS_LOAD" -c "$CLIENTS" -q "$OUTSTANDING" -t 2 -Q "$QPS" -v 2>&1 |
    awk -v lat="$d/latencies.txt" '/^> / { v = $NF; if (v ~ /^[0-9.]+$/) print v * 1000 > lat; next } { print }' > "$d/dnsperf.txt"
  c1=$(ticks "$SRV_PID"); o1=$(ticks "$ORG_PID"); t1=$(date +%s.%N)
  s1=$(awk '{print $2}' "$OUT/origins.stats"); g1=$(jstat -gc "$SRV_PID" | awk 'NR==2')
  lines1=$(wc -l < "$d/server.log")
  local srv org cli oth qps sent lost
  srv=$(cpu_pct "$c0" "$c1" "$t0" "$t1"); org=$(cpu_pct "$o0" "$o1" "$t0" "$t1")
  cli=$(awk -v t0="$t0" -v t1="$t1" '{printf "%.1f", ($1 + $2) / (t1 - t0) * 100}' "$d/dnsperf.time" 2>/dev/null)
  oth=$(other_pct "$t0" "$t1")
  qps=$(awk '/Queries per second/{printf "%.0f", $4}' "$d/dnsperf.txt")
  sent=$(awk '/Queries sent:/{print $3}' "$d/dnsperf.txt"); lost=$(awk '/Queries lost:/{print $3}' "$d/dnsperf.txt")
  # percentiles over the run, and the worst p99 of any 1-second slice (queries in completion order, QPS per slice)
  local pct
  pct=$(python3 - "$d/latencies.txt" "$QPS" <<'PY'
import sys
v = [float(x) for x in open(sys.argv[1])]
q = int(sys.argv[2])
def p(a, f):
    a = sorted(a); return a[min(len(a) - 1, max(0, int(len(a) * f + 0.999) - 1))] if a else float("nan")
worst = max((p(v[i:i + q], 0.99) for i in range(0, max(1, len(v) - q + 1), q)), default=float("nan"))
print(f"{p(v, .5):.3f} {p(v, .99):.3f} {p(v, .999):.3f} {max(v) if v else float('nan'):.3f} {worst:.3f}")
PY
)
  local checks
  checks=$(awk -v a="$s0" -v b="$s1" -v t0="$t0" -v t1="$t1" 'BEGIN{printf "%.0f", (b - a) / (t1 - t0)}')
  # GC during the load (jstat -gc: YGC, YGCT columns located by header)
  local hdr ygc0 ygc1 gct0 gct1
  hdr=$(jstat -gc "$SRV_PID" | head -1)
  jcol() { awk -v h="$hdr" -v l="$1" -v c="$2" 'BEGIN{n = split(h, H, " "); split(l, L, " "); for (i = 1; i <= n; i++) if (H[i] == c) print L[i]}'; }
  ygc0=$(jcol "$g0" YGC); ygc1=$(jcol "$g1" YGC); gct0=$(jcol "$g0" GCT); gct1=$(jcol "$g1" GCT)
  local used live rss thr errs
  used=$(heap_used "$SRV_PID"); jcmd "$SRV_PID" GC.run >/dev/null 2>&1; sleep 1; live=$(heap_used "$SRV_PID")
  jcmd "$SRV_PID" GC.heap_info > "$d/heap.txt" 2>&1
  rss=$(awk '/^VmRSS/{printf "%.0f", $2 / 1024}' "/proc/$SRV_PID/status"); thr=$(awk '/^Threads/{print $2}' "/proc/$SRV_PID/status")
  errs=$(grep -cE ' (ERROR|WARN) ' "$d/server.log")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$r" "$v" "$(awk -v a="$t_start" -v b="$t_ans" 'BEGIN{printf "%.1f", b - a}')" "$all_up" "$up" "$down" "$idle_cpu" \
    "${qps:--}" "${sent:--}" "${lost:--}" $pct "$srv" "$org" "${cli:--}" "$oth" "$checks" \
    "$(awk -v k="$used" 'BEGIN{printf "%.0f", k / 1024}')" "$(awk -v k="$live" 'BEGIN{printf "%.0f", k / 1024}')" "$rss" "$thr" \
    "$((ygc1 - ygc0))" "$(awk -v a="$gct0" -v b="$gct1" 'BEGIN{printf "%.0f", (b - a) * 1000}')" "$((lines1 - lines0))" "$errs" >> "$OUT/phases.tsv"
  log "[$r/$v] load: qps=$qps lost=$lost p50/p99/p99.9/max/worst-1s-p99 = $pct ms; geosteer CPU ${srv}%, origins ${org}%, dnsperf ${cli}%, others ${oth}%; checks/s $checks"
  rm -f "$d/latencies.txt"
  stop_pid "$SRV_PID"; SRV_PID=""
}

for r in $(seq 1 "$ROUNDS"); do
  for v in $VARIANTS; do run_variant "$r" "$v"; done
done
stop_pid "$SAMPLER"; SAMPLER=""

python3 - "$OUT" <<'PY' | tee "$OUT/summary.md"
import csv, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(out + "/phases.tsv"), delimiter="\t"))
cols = [("round", "round"), ("variant", "variant"), ("all_up_s", "all origins up after (s)"), ("idle_cpu", "idle CPU %"),
        ("load_qps", "QPS"), ("lost", "lost"), ("p50_ms", "p50 ms"), ("p99_ms", "p99 ms"), ("p999_ms", "p99.9 ms"),
        ("max_ms", "max ms"), ("worst_1s_p99_ms", "worst 1 s p99 ms"), ("srv_cpu", "geosteer CPU %"),
        ("origins_cpu", "origins CPU %"), ("dnsperf_cpu", "dnsperf CPU %"), ("other_cpu", "other CPU %"),
        ("checks_per_s", "checks/s"), ("heap_used_mb", "heap used MB"), ("heap_live_mb", "heap live MB (after full GC)"),
        ("rss_mb", "RSS MB"), ("threads", "threads"), ("young_gcs", "young GCs"), ("gc_ms", "GC ms"),
        ("log_lines", "log lines during load"), ("error_lines", "ERROR/WARN lines (whole run)")]
print("| " + " | ".join(c[1] for c in cols) + " |")
print("|" + "---|" * len(cols))
for r in rows:
    print("| " + " | ".join(r.get(c[0], "-") or "-" for c in cols) + " |")
PY
echo "CPU %: 100 = one core; idle = checks only, no DNS load; the rest is over the ${SECONDS_LOAD}s measured load run." | tee -a "$OUT/summary.md"
for f in "$OUT"/*-health/server.log; do
  [ -f "$f" ] || continue
  echo; echo "$(basename "$(dirname "$f")"): ERROR/WARN lines by message:"
  grep -E ' (ERROR|WARN) ' "$f" | sed -E 's/^[^ ]+ //' | sort | uniq -c | sort -rn | head -5
done | tee -a "$OUT/summary.md"
log "results: $OUT"
