#!/usr/bin/env bash
# geosteer side by side with gdnsd and PowerDNS: runs the shared kit's anchors/run.sh (../shared beside the
# repository, or $GEOSTEER_SHARED; see bench/README.md) with geosteer as its
# extra target, serving the anchors' fixture (bench/fixture), with the failover test, then prints a
# comparison table (QPS, QPS per server core, geosteer/gdnsd ratios, failover times).
#
#   bench/anchors.sh                                  # full run (~25 min): gdnsd, PowerDNS, geosteer
#   bench/anchors.sh -- -l 5 -r 1 --lat-qps ""        # anything after -- goes to anchors/run.sh
#   bench/anchors.sh -- --check-only                  # answers + failover only (~1 min)
#   bench/anchors.sh --jar /tmp/gsgeo/target/geosteer.jar -- --targets gdnsd
#
# anchors/run.sh starts the three health-check origins (127.0.0.11-13:18080), the anchors, and
# geosteer (--extra-cmd), and stops each by its PID. While it runs, bench/cpu-sampler.py records the CPU
# used by other processes on the machine (cpu.tsv), shown per row as "other CPU %".
# Results: bench/results/anchors-<timestamp>/ (the anchors' files + compare.md, cpu.tsv, fixture/).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
. "$HERE/fixture-lib.sh"

JAR=${GEOSTEER_JAR:-$REPO/target/geosteer.jar}
PORT=5399
HEAP=256m
JAVA_OPTS=${GEOSTEER_JAVA_OPTS:-}
OUT=""
QUIET_WAIT=0              # wait up to this many seconds, before starting, for 10 quiet seconds in a row
ANCH_ARGS=()

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
usage() {
  sed -n '2,16p' "$0"
  cat <<EOF

Options (before --):
  --jar PATH       server jar (default \$GEOSTEER_JAR or $REPO/target/geosteer.jar, built if missing)
  --port P         first port to try for geosteer on 127.0.0.1 (default $PORT)
  --heap SIZE      -Xmx (default $HEAP);  --java-opts 'OPTS'  more JVM options
  --out DIR        results dir (default bench/results/anchors-<timestamp>)
  --quiet-wait S   before starting, wait up to S s until the machine has been quiet (< 25 % of a core
                   busy) for 10 s in a row (default 0 = start at once); on a shared box, use it
  --anchors DIR    the anchors' directory (default $ANCHORS_DIR; env ANCHORS_DIR)
After --: options of anchors/run.sh (see $ANCHORS_DIR/run.sh --help), e.g. -l SECS, -r N,
  --pin "shared pinned", --lat-qps "2000 20000", --targets "gdnsd pdns", --only REGEX, --no-failover.
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --jar) JAR=$2; shift 2;;
    --port) PORT=$2; shift 2;;
    --heap) HEAP=$2; shift 2;;
    --java-opts) JAVA_OPTS=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    --quiet-wait) QUIET_WAIT=$2; shift 2;;
    --anchors) ANCHORS_DIR=$2; shift 2;;
    --) shift; ANCH_ARGS=("$@"); break;;
    -h|--help) usage; exit 0;;
    *) echo "unknown option: $1 (options for anchors/run.sh go after --)" >&2; exit 2;;
  esac
done
[ -x "$ANCHORS_DIR/run.sh" ] || die "$(shared_missing anchors "$ANCHORS_DIR/run.sh")"
DUR=10; for ((i = 0; i < ${#ANCH_ARGS[@]}; i++)); do [ "${ANCH_ARGS[$i]}" = -l ] && DUR=${ANCH_ARGS[$((i + 1))]}; done

JAR=$(realpath -m "$JAR")
if [ ! -f "$JAR" ]; then
  [ "$JAR" = "$REPO/target/geosteer.jar" ] || die "jar not found: $JAR"
  log "building $JAR (mvn -q -B package -DskipTests)"
  (cd "$REPO" && mvn -q -B package -DskipTests) >&2 || die "build failed"
fi
port_free() { [ -z "$(ss -Hlnu "sport = :$1" 2>/dev/null)" ] && [ -z "$(ss -Hlnt "sport = :$1" 2>/dev/null)" ]; }
p=$PORT; while ! port_free "$p"; do p=$((p + 1)); [ $p -gt $((PORT + 100)) ] && die "no free port"; done; PORT=$p

[ -n "$OUT" ] || OUT=$HERE/results/anchors-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT" || die "cannot create $OUT"
OUT=$(realpath "$OUT")
TMP=$(mktemp -d /tmp/geosteer-anchors-fixture.XXXXXX)
fixture_write "$TMP/fixture" health || die "cannot write the fixture"
cp -r "$TMP/fixture" "$OUT/fixture"

SAMPLER=""
cleanup() {
  [ -n "$SAMPLER" ] && kill -TERM "$SAMPLER" 2>/dev/null && wait "$SAMPLER" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

wait_quiet "$QUIET_WAIT"
# anchors/run.sh only checks that its origins accept connections: a stray listener on an origin
# address would answer in their place (and the failover test would time out), so refuse to start
busy=""
for a in $ORIGIN_ADDRS; do [ -n "$(ss -Hltn "src $a:$ORIGIN_PORT" 2>/dev/null)" ] && busy+=" $a:$ORIGIN_PORT"; done
for p in 5301 5302; do port_free "$p" || busy+=" 127.0.0.1:$p"; done
[ -z "$busy" ] || die "already in use (another benchmark running?):$busy"

CMD="java -Xmx$HEAP $JAVA_OPTS -jar $JAR serve --config $TMP/fixture/geosteer.yaml --zones $TMP/fixture/zones --listen 127.0.0.1:$PORT"
{
  echo "bench/anchors.sh $(date -Is)"
  echo "jar: $(jar_desc "$JAR")"
  echo "extra-cmd: $CMD"
  echo "anchors args: ${ANCH_ARGS[*]}"
} > "$OUT/geosteer-header.txt"
cat "$OUT/geosteer-header.txt" >&2

python3 "$HERE/cpu-sampler.py" --out "$OUT/cpu.tsv" \
  --mine "^(dnsperf|gdnsd|pdns_server|pdns_control|dig|taskset|time|bc|run\.sh|cpu-sampler) |http\.server|geosteer\.jar serve .*127\.0\.0\.1:$PORT|$ANCHORS_DIR" &
SAMPLER=$!

"$ANCHORS_DIR/run.sh" --out "$OUT" --extra "geosteer=127.0.0.1:$PORT" --extra-cmd "$CMD" --extra-failover "${ANCH_ARGS[@]}"
RC=$?
kill -TERM "$SAMPLER" 2>/dev/null; wait "$SAMPLER" 2>/dev/null; SAMPLER=""

# ---------------------------------------------------------------- comparison table
python3 - "$OUT" "$DUR" <<'PY' | tee "$OUT/compare.md"
import csv, os, statistics, sys
out, dur = sys.argv[1], float(sys.argv[2])
rows = list(csv.DictReader(open(out + "/results.tsv"), delimiter="\t"))
cpu = []
if os.path.exists(out + "/cpu.tsv"):
    for l in open(out + "/cpu.tsv"):
        f = l.rstrip("\n").split("\t")
        cpu.append((float(f[0]), float(f[3])))
def num(v):
    try: return float(v)
    except: return None
def other(r):  # mean CPU % of other processes during this run (raw file mtime = end of the run)
    raw = f'{out}/raw/{r["target"]}_{r["workload"]}_{r["pin"]}_{r["mode"]}_{r["rep"]}.txt'
    if not os.path.exists(raw) or not cpu: return None
    end = os.path.getmtime(raw)
    v = [o for t, o in cpu if end - dur + 1 <= t <= end + 0.5]
    return sum(v) / len(v) if v else None
g = {}
for r in rows:
    r["other"] = other(r)
    g.setdefault((r["target"], r["workload"], r["pin"], r["mode"]), []).append(r)
def med(k, f):
    v = [num(r[f]) if f != "other" else r["other"] for r in g.get(k, [])]
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None
def qpc(k):
    q, c = med(k, "qps"), med(k, "srv_cpu_pct")
    return q / (c / 100) if q and c else None
fmt = lambda v, f="{:.0f}": "-" if v is None else f.format(v)
pins = sorted({k[2] for k in g}, key=lambda p: ["shared", "pinned"].index(p) if p in ("shared", "pinned") else 9)
W = [("static", [("gdnsd", "static"), ("pdns-bind", "static"), ("geosteer", "static")]),
     ("geo, 8 fixed ECS subnets", [("gdnsd", "geo-ecs"), ("pdns-lua", "geo-ecs"), ("pdns-geoipbe", "geo-ecs"), ("geosteer", "geo-ecs")]),
     ("geo, 10 000 random /24s", [("gdnsd", "geo-ecs-rand"), ("pdns-lua", "geo-ecs-rand"), ("pdns-geoipbe", "geo-ecs-rand"), ("geosteer", "geo-ecs-rand")])]
print("## Throughput (closed loop, dnsperf -c 4 -q 100; median of the reps)\n")
hdr = ["workload", "server"]
for p in pins: hdr += [f"QPS {p}", f"srv CPU % {p}", f"QPS/srv core {p}", f"other CPU % {p}"]
print("| " + " | ".join(hdr) + " |"); print("|---|---|" + "---:|" * (len(hdr) - 2))
ratios = []
for name, servers in W:
    for t, wl in servers:
        if not any((t, wl, p, "max") in g for p in pins): continue
        cells = [name, t]
        for p in pins:
            k = (t, wl, p, "max")
            cells += [fmt(med(k, "qps")), fmt(med(k, "srv_cpu_pct")), fmt(qpc(k)), fmt(med(k, "other"))]
        print("| " + " | ".join(cells) + " |")
    for p in pins:
        a, b = ("gdnsd", servers[0][1], p, "max"), ("geosteer", servers[-1][1], p, "max")
        if a in g and b in g:
            ratios.append((name, p, med(b, "qps") / med(a, "qps") if med(a, "qps") else None,
                           qpc(b) / qpc(a) if qpc(a) and qpc(b) else None))
if ratios:
    print("\n## geosteer / gdnsd\n")
    print("| workload | pin | QPS ratio | QPS/srv core ratio |"); print("|---|---|---:|---:|")
    for n, p, r1, r2 in ratios: print(f"| {n} | {p} | {fmt(r1, '{:.2f}')} | {fmt(r2, '{:.2f}')} |")
lat = sorted({k for k in g if k[3] != "max"})
if lat:
    print("\n## Latency at a fixed offered rate (dnsperf -Q R -v; median of the reps)\n")
    print("| server | workload | pin | rate | QPS | p50 ms | p99 ms | p99.9 ms | lost % | srv CPU % | other CPU % |")
    print("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
    order = {t: i for i, t in enumerate(["gdnsd", "pdns-bind", "pdns-lua", "pdns-geoipbe", "geosteer"])}
    for k in sorted(lat, key=lambda k: (k[1], int(k[3][1:]), order.get(k[0], 9))):
        print(f"| {k[0]} | {k[1]} | {k[2]} | {k[3][1:]} | {fmt(med(k, 'qps'))} | {fmt(med(k, 'p50_ms'), '{:.3f}')} | "
              f"{fmt(med(k, 'p99_ms'), '{:.3f}')} | {fmt(med(k, 'p999_ms'), '{:.3f}')} | {fmt(med(k, 'lost_pct'), '{:.2f}')} | "
              f"{fmt(med(k, 'srv_cpu_pct'))} | {fmt(med(k, 'other'))} |")
if os.path.exists(out + "/failover.txt") and os.path.getsize(out + "/failover.txt"):
    print("\n## Failover (anchors' test: stop the 127.0.0.11 origin, time until the EU answer moves; restart it)\n")
    print("```"); print(open(out + "/failover.txt").read().rstrip()); print("```")
print("\n\"other CPU %\": mean CPU used by processes other than the benchmark's (cpu.tsv) during the run; 100 = one core.")
PY
if [ -f "$OUT/verify.txt" ]; then
  echo; echo "verify (geosteer):"; grep -E '^ +geosteer ' "$OUT/verify.txt"
fi | tee -a "$OUT/compare.md"
LOGF=$OUT/logs/geosteer.log
if [ -f "$LOGF" ]; then
  n=$(grep -cE ' (ERROR|WARN) ' "$LOGF")
  { echo; echo "geosteer log: $n ERROR/WARN lines$([ "$n" -gt 0 ] && echo ', by message:')"
    grep -E ' (ERROR|WARN) ' "$LOGF" | sed -E 's/^[^ ]+ //' | sort | uniq -c | sort -rn | head -10; } | tee -a "$OUT/compare.md"
fi
log "results: $OUT (compare.md, summary.txt, results.tsv, verify.txt, failover.txt, cpu.tsv, logs/)"
exit $RC
