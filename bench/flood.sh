#!/usr/bin/env bash
# geosteer under floods, on loopback: a legitimate client queries at a fixed rate while an attacker
# (another address, in another /24) floods, with response rate limiting on and off.
#
#   nx      random-subdomain flood: unique names under example.test (NXDOMAIN), as fast as dnsperf can
#   reflect reflection-style flood: one name (static.example.test A), as fast as dnsperf can
#   referral unique names under a delegation (u-*.child.example.test A: referrals with glue)
#   wildcard unique names under a wildcard (u-*.wild.example.test A: synthesized answers)
#   large   amplification: large.example.test TXT (600 bytes of TXT) with EDNS (dnsperf -e, 4096)
#   base    no flood (baseline for the legitimate client)
#
#   bench/flood.sh                                 # RRL on and off; base, nx, reflect; 30 s each
#   bench/flood.sh --scenarios referral,wildcard,large   # the RRL bypass and amplification workloads
#   bench/flood.sh --seconds 10 --modes on         # quick
#   bench/flood.sh --legit-qps 2000 --scenarios base,nx
#   bench/flood.sh --pin                           # server on CPU0, every dnsperf on CPU1
#   bench/flood.sh --target knot                   # the same against knotd + mod-rrl
#
# The legitimate client (127.0.0.1) asks for h0001..h1000.example.test A in turn (5 a second per name
# at 5000 qps: under the per-name RRL rate, as a resolver with a cache is); the attacker is 127.0.66.1.
# rrl.exempt is [] so that RRL acts on loopback. Everything this script starts is stopped by its PID.
# See bench/HOSTILE.md. Results: bench/results/flood-<timestamp>/.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
. "$HERE/lib/hostile-lib.sh"

# ---------------------------------------------------------------- defaults
JAR=${GEOSTEER_JAR:-$REPO/target/geosteer.jar}
MODES="on off"
SCENARIOS=base,nx,reflect
SECONDS_PER_RUN=30
WARMUP=5
LEGIT_ADDR=127.0.0.1
LEGIT_QPS=5000
LEGIT_NAMES=1000          # 1 = a single name (then RRL limits the legitimate client too, by design)
ATTACK_ADDR=127.0.66.1
ATTACK_PROCS=2            # attacker dnsperf processes, all from ATTACK_ADDR (one dnsperf is capped by -q/-t when RRL drops)
ATTACK_C=8                # attacker dnsperf -c (each process)
ATTACK_Q=10000            # attacker dnsperf -q: outstanding queries (dropped ones hold a slot until -t)
ATTACK_T=1                # attacker dnsperf -t (dnsperf 2.10 sometimes hangs at start with -q 10000+ and -t 0.5)
ATTACK_NAME=static.example.test
NX_NAMES=1000000
RRL_EXTRA=""              # more rrl: lines, e.g. "  slip: 0"
PORT=5475
ADMIN_PORT=18175
HEAP=256m
JAVA_OPTS=${GEOSTEER_JAVA_OPTS:-}
PIN=shared
TARGET=geosteer           # geosteer | knot (Knot DNS with mod-rrl, for comparison; needs knotd)
QUIET_WAIT=0
OUT=""

usage() {
  sed -n '2,22p' "$0"
  cat <<EOF

Options:
  --modes "M..."      RRL modes to run, each with its own server: on off dry_run (default "$MODES")
  --scenarios LIST    base,nx,reflect,referral,wildcard,large in any order (default $SCENARIOS)
  --seconds S         measured length of each run (default $SECONDS_PER_RUN)
  --warmup S          unrecorded load after the server starts (default $WARMUP; from 127.0.77.1)
  --legit-qps N       the legitimate client's rate, dnsperf -Q (default $LEGIT_QPS)
  --legit-names N     distinct names it asks for (default $LEGIT_NAMES)
  --legit-addr A / --attack-addr A   source addresses (default $LEGIT_ADDR / $ATTACK_ADDR)
  --attack-procs N    attacker dnsperf processes, all from --attack-addr (default $ATTACK_PROCS)
  --attack-c N / --attack-q N / --attack-t S   attacker dnsperf -c / -q / -t, each (default $ATTACK_C / $ATTACK_Q / $ATTACK_T)
  --attack-name NAME  the reflect flood's name (default $ATTACK_NAME)
  --nx-names N        unique names in the nx flood file (default $NX_NAMES)
  --rrl-extra 'YAML'  extra lines in the rrl: block (indented 2), e.g. '  slip: 0'
  --pin               server on CPU0, both dnsperf on CPU1 (default: no affinity)
  --target T          geosteer (default) or knot: the same zone served by knotd, RRL on = mod-rrl with
                      rate-limit 20 and slip 2 (Knot has one rate for every kind of response), off = no module;
                      Knot has no /metrics here, so the RRL and server-side columns are "-"
  --port P / --admin-port P   first ports to try (default $PORT / $ADMIN_PORT)
  --origin-port P     the origins' HTTP port on 127.0.0.21-23 (default $HL_ORIGIN_PORT)
  --heap SIZE         -Xmx (default $HEAP);  --java-opts 'OPTS'
  --jar PATH          server jar (default \$GEOSTEER_JAR or $REPO/target/geosteer.jar, built if missing)
  --quiet-wait S      first wait up to S s for the machine to be quiet (default $QUIET_WAIT)
  --out DIR           results dir (default bench/results/flood-<timestamp>)
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --modes) MODES=$2; shift 2;;
    --scenarios) SCENARIOS=$2; shift 2;;
    --seconds) SECONDS_PER_RUN=$2; shift 2;;
    --warmup) WARMUP=$2; shift 2;;
    --legit-qps) LEGIT_QPS=$2; shift 2;;
    --legit-names) LEGIT_NAMES=$2; shift 2;;
    --legit-addr) LEGIT_ADDR=$2; shift 2;;
    --attack-addr) ATTACK_ADDR=$2; shift 2;;
    --attack-c) ATTACK_C=$2; shift 2;;
    --attack-procs) ATTACK_PROCS=$2; shift 2;;
    --attack-q) ATTACK_Q=$2; shift 2;;
    --attack-t) ATTACK_T=$2; shift 2;;
    --attack-name) ATTACK_NAME=$2; shift 2;;
    --nx-names) NX_NAMES=$2; shift 2;;
    --rrl-extra) RRL_EXTRA=$2; shift 2;;
    --pin) PIN=pinned; shift;;
    --target) TARGET=$2; shift 2;;
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

for t in dnsperf dig java python3 ss curl taskset; do command -v "$t" >/dev/null || hl_die "$t not found"; done
for m in $MODES; do case "$m" in on|off|dry_run) ;; *) hl_die "unknown RRL mode: $m";; esac; done
IFS=, read -r -a SC_LIST <<< "$SCENARIOS"
for s in "${SC_LIST[@]}"; do case "$s" in base|nx|reflect|referral|wildcard|large) ;; *) hl_die "unknown scenario: $s";; esac; done
[ "$PIN" = pinned ] && [ "$NCPU" -lt 2 ] && hl_die "--pin needs 2 CPUs"
case "$TARGET" in
  geosteer) ;;
  knot) command -v knotd >/dev/null || hl_die "knotd not found (apt-get install -y knot)"
        for m in $MODES; do [ "$m" = dry_run ] && hl_die "Knot has no dry_run"; done;;
  *) hl_die "--target: geosteer or knot";;
esac
[ "${LEGIT_ADDR%.*}" = "${ATTACK_ADDR%.*}" ] && hl_log "WARNING: legitimate client and attacker are in the same /24: RRL cannot tell them apart"
[ "$TARGET" = geosteer ] && JAR=$(hl_jar "$JAR")

[ -n "$OUT" ] || OUT=$HERE/results/flood$([ "$TARGET" = knot ] && echo -knot)-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT/raw" || hl_die "cannot create $OUT"
OUT=$(realpath "$OUT")
WORK=$(mktemp -d /tmp/geosteer-flood.XXXXXX)
ATT_PIDS=()
cleanup() {
  local p
  for p in "${ATT_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
  hl_server_stop
  hl_origins_stop
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$QUIET_WAIT" != 0 ] && wait_quiet "$QUIET_WAIT"

# ---------------------------------------------------------------- query files
Q=$WORK/q; mkdir -p "$Q"
python3 "$HERE/lib/hostile-queries.py" legit "$Q/legit.txt" --names "$LEGIT_NAMES" || hl_die "query generation failed"
python3 "$HERE/lib/hostile-queries.py" nx "$Q/nx.txt" --count "$NX_NAMES" || hl_die "query generation failed"
python3 "$HERE/lib/hostile-queries.py" one "$Q/one.txt" --name "$ATTACK_NAME" || hl_die "query generation failed"
python3 "$HERE/lib/hostile-queries.py" under "$Q/referral.txt" --suffix "child.$HL_ZONE" --count "$NX_NAMES" || hl_die "query generation failed"
python3 "$HERE/lib/hostile-queries.py" under "$Q/wildcard.txt" --suffix "wild.$HL_ZONE" --count "$NX_NAMES" --seed 7 || hl_die "query generation failed"
python3 "$HERE/lib/hostile-queries.py" one "$Q/large.txt" --name "large.$HL_ZONE" --type TXT || hl_die "query generation failed"
cat "$Q/legit.txt" "$Q/nx.txt" | awk 'NR % 50 == 1' > "$Q/warm.txt"

PORT=$(hl_free_port "$PORT") || hl_die "no free DNS port"
ADMIN_PORT=$(hl_free_port "$ADMIN_PORT" "$PORT") || hl_die "no free admin port"
HOST=127.0.0.1; ADMIN=127.0.0.1:$ADMIN_PORT
[ "$TARGET" = geosteer ] && { hl_origins_start "$WORK/www" || hl_die "cannot start the origins"; }
[ "$TARGET" = knot ] && ADMIN=""

read -r b0 t0_ < <(host_ticks); sleep 1; read -r b1 t1_ < <(host_ticks)
IDLE_BUSY=$(awk -v a="$b0" -v b="$b1" -v ta="$t0_" -v tb="$t1_" -v n="$NCPU" 'BEGIN{ if (tb > ta) printf "%.0f", (b - a) / (tb - ta) * n * 100 }')
PFX=(); [ "$PIN" = pinned ] && PFX=(taskset -c 1)
LEGIT_CMD="dnsperf -s $HOST -p $PORT -a $LEGIT_ADDR -d legit.txt -l $SECONDS_PER_RUN -Q $LEGIT_QPS -c 2 -q 500 -t 2 -v"
ATTACK_CMD="dnsperf -s $HOST -p $PORT -a $ATTACK_ADDR -d {nx|one|referral|wildcard|large}.txt [-e for large] -l $((SECONDS_PER_RUN + 4)) -c $ATTACK_C -q $ATTACK_Q -t $ATTACK_T -O suppress=timeouts,unexpected  (x $ATTACK_PROCS processes)"
{
  echo "# geosteer floods $(date -Is)"
  echo "host: $(uname -srm), $NCPU CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  if [ "$TARGET" = knot ]; then
    echo "server: $(knotd -V 2>&1 | head -1), $HOST:$PORT, mod-rrl rate-limit 20 slip 2 (on) / no module (off), pin: $PIN"
  else
    echo "server: $(java -jar "$JAR" --version 2>/dev/null | head -1), $(jar_desc "$JAR"), -Xmx$HEAP${JAVA_OPTS:+ $JAVA_OPTS}, $HOST:$PORT, rrl.exempt: [], pin: $PIN"
  fi
  echo "host CPU busy before starting (1 s sample): ${IDLE_BUSY:--}% (100 = one core)"
  echo "java: $(java -version 2>&1 | head -1); dnsperf $(dnsperf -h 2>&1 | sed -n 's/^Version //p')"
  echo "legit:    $LEGIT_CMD   ($LEGIT_NAMES names)"
  echo "attacker: $ATTACK_CMD   (started 2 s before the legitimate client)"
} | tee "$OUT/header.txt" >&2

RES=$OUT/runs.tsv
printf 'mode\tscenario\tseconds\tlegit_qps\tlegit_sent\tlegit_completed\tlegit_lost\tlegit_lost_pct\tp50_ms\tp99_ms\tp999_ms\tmax_ms\tlegit_bad\tatt_sent\tatt_completed\tatt_seconds\tatt_req_bytes\tatt_resp_bytes\trrl_dropped\trrl_slipped\tsend_queue_full\tsrv_queries\tsrv_cpu_pct\thost_cpu_pct\tsrv_rcv_drops\thost_rcvbuf_errors\n' > "$RES"

run_scenario() {  # run_scenario MODE SCENARIO
  local mode=$1 sc=$2 tag="$1_$2" aqf="" c0 c1 h0 h1 ht0 ht1 ts te secs cpu host
  local aext=()
  case "$sc" in nx) aqf=$Q/nx.txt;; reflect) aqf=$Q/one.txt;; referral|wildcard) aqf=$Q/$sc.txt;;
                large) aqf=$Q/large.txt; aext=(-e);; esac
  [ -n "$ADMIN" ] && hl_metrics "$ADMIN" "$OUT/raw/metrics-$tag-before.txt"
  local d0 d1 e0 e1
  d0=$(hl_udp_drops "$PORT"); e0=$(hl_udp_rcvbuf_errors)
  if [ -n "$aqf" ]; then
    # timeout: dnsperf 2.10 now and then hangs at start with a large -q (then it sends nothing and
    # prints nothing): the run is then done again, once
    local i
    for i in $(seq 1 "$ATTACK_PROCS"); do
      "${PFX[@]}" timeout -k 5 $((SECONDS_PER_RUN + 20)) dnsperf -s "$HOST" -p "$PORT" -a "$ATTACK_ADDR" -d "$aqf" "${aext[@]}" -l $((SECONDS_PER_RUN + 4)) -c "$ATTACK_C" -q "$ATTACK_Q" \
        -t "$ATTACK_T" -O suppress=timeouts,unexpected > "$OUT/raw/attacker-$tag.$i.txt" 2>&1 &
      ATT_PIDS+=($!)
    done
    sleep 2
  fi
  c0=$(cpu_ticks "$SRV_PID"); read -r h0 ht0 < <(host_ticks); ts=$(date +%s.%N)
  "${PFX[@]}" dnsperf -s "$HOST" -p "$PORT" -a "$LEGIT_ADDR" -d "$Q/legit.txt" -l "$SECONDS_PER_RUN" -Q "$LEGIT_QPS" -c 2 -q 500 -t 2 -v \
      -O suppress=timeouts,unexpected 2>&1 | hl_vfilter "$OUT/raw/legit-$tag.txt" "$OUT/raw/legit-$tag.hist" NOERROR
  c1=$(cpu_ticks "$SRV_PID"); read -r h1 ht1 < <(host_ticks); te=$(date +%s.%N)
  local p
  for p in "${ATT_PIDS[@]}"; do wait "$p"; done
  ATT_PIDS=()
  [ -n "$ADMIN" ] && hl_metrics "$ADMIN" "$OUT/raw/metrics-$tag-after.txt"
  d1=$(hl_udp_drops "$PORT"); e1=$(hl_udp_rcvbuf_errors)
  if [ -n "$aqf" ] && [ "$(grep -l 'Queries sent:' "$OUT"/raw/attacker-$tag.[0-9]*.txt | wc -l)" -lt "$ATTACK_PROCS" ]; then
    if [ "${3:-}" != retry ]; then
      hl_log "  rrl=$mode $sc: an attacker dnsperf hung (no statistics), running this scenario again"
      for p in "$OUT"/raw/attacker-$tag.[0-9]*.txt; do mv "$p" "$OUT/raw/hung-$(basename "$p")"; done; sleep 2
      run_scenario "$mode" "$sc" retry; return
    fi
    hl_log "  rrl=$mode $sc: the attacker's dnsperf hung again: no attacker figures for this run"
  fi
  secs=$(awk -v a="$ts" -v b="$te" 'BEGIN{printf "%.1f", b - a}')
  cpu=$(awk -v a="${c0:-0}" -v b="${c1:-0}" -v k="$CLK" -v s="$secs" 'BEGIN{printf "%.0f", (b - a) / k / s * 100}')
  host=$(awk -v a="$h0" -v b="$h1" -v ta="$ht0" -v tb="$ht1" -v n="$NCPU" 'BEGIN{ if (tb > ta) printf "%.0f", (b - a) / (tb - ta) * n * 100 }')
  local lq ls lc ll llp n p50 p99 p999 mx bad _r as=- ac=- at=- areq=- aresp=- dr sl sq srvq
  read -r lq ls lc ll llp _ _ < <(hl_dnsperf_summary "$OUT/raw/legit-$tag.txt")
  read -r n p50 p99 p999 mx bad _r < <(python3 "$HERE/lib/hl_hist.py" "$OUT/raw/legit-$tag.hist")
  if [ -n "$aqf" ]; then
    # the attacker processes summed: sent, completed; run time: the longest; packet sizes: weighted
    read -r as ac at areq aresp < <(awk '
      /Queries sent:/ { s += $3 } /Queries completed:/ { c += $3; cc = $3 } /Run time \(s\)/ { if ($4 > t) t = $4 }
      /Average packet size/ { gsub(/,/, ""); rq += $5 * cc; rs += $7 * cc; w += cc }
      END { if (s == "") { print "- - - - -"; exit } printf "%d %d %s %.1f %.1f\n", s, c, t, w ? rq / w : 0, w ? rs / w : 0 }' "$OUT"/raw/attacker-$tag.[0-9]*.txt)
  fi
  mdelta() { local a b; [ -n "$ADMIN" ] || { echo -; return; }; a=$(hl_metric "$OUT/raw/metrics-$tag-before.txt" "$@"); b=$(hl_metric "$OUT/raw/metrics-$tag-after.txt" "$@")
             [ "$a" = - ] && a=0; [ "$b" = - ] && b=0; echo $((b - a)); }
  dr=$(mdelta geosteer_rrl_total 'action="(dry_run_)?dropped"'); sl=$(mdelta geosteer_rrl_total 'action="(dry_run_)?slipped"')
  sq=$(mdelta geosteer_dns_dropped_total 'send_queue_full'); srvq=$(mdelta geosteer_dns_queries_total)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$sc" "$secs" \
    "$lq" "$ls" "$lc" "$ll" "$llp" "$p50" "$p99" "$p999" "$mx" "$bad" "${as:--}" "${ac:--}" "${at:--}" "${areq:--}" "${aresp:--}" \
    "$dr" "$sl" "$sq" "$srvq" "$cpu" "$host" "$((d1 - d0))" "$((e1 - e0))" >> "$RES"
  hl_log "  rrl=$mode $sc: legit qps=$lq lost=$ll p50=${p50}ms p99=${p99}ms | attacker sent=${as:--} responses=${ac:--} in ${at:--}s | rrl dropped=$dr slipped=$sl | srv_cpu=${cpu}% host=${host}%"
}

knot_start() {  # knot_start on|off: knotd serving the same zone file (without the steered name), in the foreground
  local mode=$1 d=$WORK/fx
  mkdir -p "$d/zones" "$d/db" "$d/run" && hl_zone_write "$d/zones" 1 || hl_die "cannot write the Knot zone"
  {
    echo "server:"
    echo "    listen: $HOST@$PORT"
    echo "    rundir: $d/run"
    echo "database:"
    echo "    storage: $d/db"
    echo "log:"
    echo "  - target: stderr"
    echo "    any: info"
    if [ "$mode" = on ]; then
      echo "mod-rrl:"
      echo "  - id: default"
      echo "    rate-limit: 20"
      echo "    slip: 2"
    fi
    echo "template:"
    echo "  - id: default"
    echo "    storage: $d/zones"
    [ "$mode" = on ] && echo "    global-module: mod-rrl/default"
    echo "zone:"
    echo "  - domain: $HL_ZONE"
    echo "    file: $HL_ZONE.zone"
  } > "$d/knot.conf"
  cp -r "$d" "$OUT/fixture-knot-rrl-$mode"
  hl_log "starting: knotd -c $d/knot.conf"
  (cd "$REPO" && exec knotd -c "$d/knot.conf") > "$OUT/server-rrl-$mode.log" 2>&1 &
  SRV_PID=$!
  hl_await_answers knotd "$HOST" "$PORT" "$OUT/server-rrl-$mode.log" 30
}

DIED=0
for mode in $MODES; do
  rm -rf "$WORK/fx"
  if [ "$TARGET" = knot ]; then
    knot_start "$mode"
  else
    hl_fixture_write "$WORK/fx" "$HOST:$PORT" "$ADMIN" "  mode: $mode
  exempt: []${RRL_EXTRA:+
$RRL_EXTRA}" || hl_die "cannot write the fixture"
    cp -r "$WORK/fx" "$OUT/fixture-rrl-$mode"
    # shellcheck disable=SC2086
    hl_server_start "$JAR" "$WORK/fx/geosteer.yaml" "$HOST" "$PORT" "$OUT/server-rrl-$mode.log" "$HEAP" $JAVA_OPTS
  fi
  [ "$PIN" = pinned ] && taskset -a -p -c 0 "$SRV_PID" >/dev/null
  if [ "$WARMUP" != 0 ]; then
    hl_log "rrl=$mode: warm-up ${WARMUP}s from 127.0.77.1"
    "${PFX[@]}" dnsperf -s "$HOST" -p "$PORT" -a 127.0.77.1 -d "$Q/warm.txt" -l "$WARMUP" -c 4 -q 100 -t 1 -O suppress=timeouts,unexpected > "$OUT/raw/warmup-$mode.txt" 2>&1
    sleep 2   # let the warm-up's RRL buckets and late answers settle
  fi
  for sc in "${SC_LIST[@]}"; do
    kill -0 "$SRV_PID" 2>/dev/null || { DIED=1; hl_log "server died, see $OUT/server-rrl-$mode.log"; break; }
    run_scenario "$mode" "$sc"
    sleep 2
  done
  kill -0 "$SRV_PID" 2>/dev/null || DIED=1
  awk '/^(VmRSS|VmHWM|Threads):/{printf "%s %s %s  ", $1, $2, $3} END{print ""}' "/proc/$SRV_PID/status" > "$OUT/server-status-rrl-$mode.txt" 2>/dev/null
  hl_server_stop
done

# ---------------------------------------------------------------- summary
python3 - "$RES" <<'PY' | tee "$OUT/summary.md"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
def num(v):
    try: return float(v)
    except (TypeError, ValueError): return None
def rate(v, s):
    v, s = num(v), num(s)
    return "-" if v is None or not s else f"{v / s:.0f}"
print("| RRL | flood | legit QPS | legit lost | lost % | p50 ms | p99 ms | p99.9 ms | max ms | attacker sent/s | attacker responses/s | of which TC (slipped)/s | full answers/s | RRL dropped/s | send_queue_full | srv socket drops | host RcvbufErrors | bytes out / bytes in (attacker) | srv CPU % | host CPU % |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for r in rows:
    at = r["att_seconds"]
    sl = 0 if r["mode"] == "dry_run" else (num(r["rrl_slipped"]) or 0)
    full = "-" if num(r["att_completed"]) is None or (num(r["rrl_slipped"]) is None and r["mode"] == "on") else f"{(num(r['att_completed']) - sl) / num(at):.0f}" if num(at) else "-"
    amp = "-"
    if num(r["att_sent"]) and num(r["att_req_bytes"]) and num(r["att_completed"]) is not None and num(r["att_resp_bytes"]) is not None:
        amp = f"{num(r['att_completed']) * num(r['att_resp_bytes']) / (num(r['att_sent']) * num(r['att_req_bytes'])):.2f}"
    flood = {"base": "none (baseline)", "nx": "random subdomains (NXDOMAIN)", "reflect": "one name (reflection)",
             "referral": "unique names under a delegation", "wildcard": "unique names under a wildcard",
             "large": "600-byte TXT with EDNS (amplification)"}.get(r["scenario"], r["scenario"])
    print(f"| {r['mode']} | {flood} | {r['legit_qps']} | {r['legit_lost']} | {r['legit_lost_pct']} | {r['p50_ms']} | {r['p99_ms']} | {r['p999_ms']} | {r['max_ms']} | "
          f"{rate(r['att_sent'], at)} | {rate(r['att_completed'], at)} | {rate(r['rrl_slipped'], at) if r['scenario'] != 'base' else '-'} | {full if r['scenario'] != 'base' else '-'} | "
          f"{rate(r['rrl_dropped'], at) if r['scenario'] != 'base' else '-'} | {r['send_queue_full']} | {r['srv_rcv_drops']} | {r['host_rcvbuf_errors']} | {amp} | {r['srv_cpu_pct']} | {r['host_cpu_pct']} |")
print()
print("attacker responses/s = dnsperf's completed queries / its run time (every response, full or TC); TC (slipped)/s and RRL dropped/s")
print("= geosteer_rrl_total (scraped before the attacker starts and after it ends) / the attacker's run time; the legitimate client")
print("is never limited here (5 queries a second per name), so these are the attacker's. full answers/s = responses/s - TC/s. bytes out / bytes in:")
print("(responses x avg response size) / (queries x avg query size) for the attacker. CPU %: 100 = one core. srv socket drops: queries the")
print("kernel discarded because the server's UDP receive buffers were full (/proc/net/udp* drops); host RcvbufErrors: the same for every")
print("UDP socket of the machine (the clients' too: a query answered but dropped at dnsperf's socket counts there, not in the server's).")
PY
for f in "$OUT"/server-rrl-*.log; do
  n=$(grep -cE ' (ERROR|WARN) |Exception' "$f")
  echo "$(basename "$f"): $n ERROR/WARN/Exception lines$( [ "$n" -gt 0 ] && echo ', by kind:')"
  grep -E ' (ERROR|WARN) |Exception' "$f" | sed -E 's/^[0-9T:.Z-]+ //; s/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -8
done | tee -a "$OUT/summary.md"
hl_log "results: $OUT (summary.md, runs.tsv, header.txt, server-rrl-*.log, raw/)"
[ "$DIED" = 0 ]
