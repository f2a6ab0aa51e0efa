#!/usr/bin/env bash
# geosteer DNS benchmark on loopback: starts the server (or uses a running one), runs dnsperf
# workloads (closed loop, median of N runs), measures the server's CPU, prints a markdown table.
#
#   bench/run.sh                                  # static, nxdomain, tcp; 3 x 10 s each
#   bench/run.sh --runs 1 --seconds 5             # quick run
#   bench/run.sh --workloads static --pin         # server on CPU0, dnsperf on CPU1
#   bench/run.sh --server 127.0.0.1:5353 --pid 12345          # already-running server
#   bench/run.sh --workloads static,file:/tmp/q/geo-ecs.bin    # any dnsperf file (*.bin sent with -B)
#   bench/run.sh --workloads static,geo,georand,geonoecs      # the anchors' fixture (bench/fixture)
#
# Everything runs on 127.0.0.1. The server this script starts is stopped by its PID on exit.
# See bench/README.md for the columns. Results: bench/results/<timestamp>/.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
. "$HERE/fixture-lib.sh"

# ---------------------------------------------------------------- defaults
JAR=${GEOSTEER_JAR:-$REPO/target/geosteer.jar}
ZONES=$REPO/zones
CONFIG=""
PORT=5399
HEAP=256m
JAVA_OPTS=${GEOSTEER_JAVA_OPTS:-}
RUNS=3
SECONDS_PER_RUN=10
WARMUP=3                  # seconds of unrecorded load before each workload's runs (JIT); 0 = none
CLIENTS=4
OUTSTANDING=100
TIMEOUT=2                 # dnsperf -t: a query not answered within this many seconds counts as lost
WORKLOADS=static,nxdomain,tcp
NX_NAMES=100000
PIN_MODES=shared          # shared: no affinity; pinned: server on CPU0, dnsperf on CPU1
SERVER=""; EXT_PID=""
WAIT=60                   # seconds to wait for the server to answer
QUIET_WAIT=0              # before each run, wait up to this many seconds for other processes to go below QUIET_MAX % CPU
QUIET_MAX=25
OUT=""
FIXTURE=auto              # serve bench/fixture (the anchors' fixture): auto = when a geo* workload is asked for
HEALTH=health             # health: fixture with its monitors + 3 local origins; nohealth: no monitors, no origins
DNSSEC=no                 # yes: the fixture zone signed (a CSK made for the run); the *-do workloads ask with DO=1

usage() {
  sed -n '2,13p' "$0"
  cat <<EOF

Options:
  --workloads LIST    comma-separated, in order (default $WORKLOADS); available:
                      $(declare -F | awk '{print $3}' | sed -n 's/^wl_//p' | grep -vx file | tr '_' '-' | tr '\n' ' ')
                      file:PATH = an arbitrary dnsperf query file (PATH ending in .bin is sent with -B)
  --runs N            measured runs per workload; the table shows the median (default $RUNS)
  --seconds S         length of each run (dnsperf -l) (default $SECONDS_PER_RUN)
  --warmup S          unrecorded warm-up run before each workload (default $WARMUP; 0 = none)
  -c N / -q N         dnsperf clients / max outstanding queries (default $CLIENTS / $OUTSTANDING)
  --timeout S         dnsperf -t, seconds until a query counts as lost (default $TIMEOUT)
  --nx-names N        distinct names in the nxdomain query file (default $NX_NAMES)
  --pin               server on CPU0 (taskset -a -p -c 0 PID), dnsperf on CPU1 (taskset -c 1)
  --pin-modes "M..."  any of: shared pinned (e.g. "shared pinned" runs both; default "$PIN_MODES")
  --quiet-wait S      before each run wait up to S s until other processes use < $QUIET_MAX% CPU (default $QUIET_WAIT = off)
Server started by this script:
  --port P            first port to try on 127.0.0.1 (default $PORT; the next free one is used if taken)
  --heap SIZE         -Xmx (default $HEAP);  --java-opts 'OPTS'  more JVM options (env GEOSTEER_JAVA_OPTS)
  --jar PATH          server jar (default \$GEOSTEER_JAR or $REPO/target/geosteer.jar, built if missing)
  --zones DIR         zones directory (default $ZONES);  --config FILE  geosteer.yaml to pass
  --fixture           serve the anchors' fixture (bench/fixture, a copy with absolute paths) and start its
                      3 health-check origins (python3 http.server on 127.0.0.11-13:18080); the default
                      when a geo* workload is asked for and neither --zones nor --config is given
  --no-fixture        never use the fixture;  --no-health  fixture without monitors and without origins
  --dnssec            sign the fixture zone (a key made for the run in its keys/); then static-do, nxdomain-do,
                      geo-do, georand-do ask the same as static, nxdomain, geo, georand with DO=1 (signed answers)
                      and the others with DO=0 (the same server's unsigned answers): compare them in one run
                      (every origin "unknown", answered as up)
  --wait S            deadline for the server to answer static.example.test (default $WAIT)
Already-running server:
  --server HOST:PORT  benchmark this server instead of starting one (loopback only)
  --pid PID           its PID (enables server CPU% and --pin; without it those columns are "-")
Output:
  --out DIR           results dir (default bench/results/<timestamp>)
EOF
}

# ---------------------------------------------------------------- workloads
# A workload is a function wl_<name> ('-' in the name becomes '_'). It is called once, before the
# runs, with QDIR (temp dir for generated query files), HOST and PORT set. It must set
#   WL_QFILE  the dnsperf query file
#   WL_ARGS   extra dnsperf arguments (array), e.g. (-B) for binary files, (-m tcp), (-e)
#   WL_PROTO  udp | tcp (shown in the table)
# and may set WL_NOTE (shown in the table; use check_answer to set it when the server answers wrong).
# Example for a geo workload with the anchors' binary ECS query files:
#   wl_geo_ecs() {
#     [ -f "$QDIR/geo-ecs.bin" ] || python3 "$ANCHORS_DIR/queries/gen_queries.py" -o "$QDIR" >/dev/null
#     WL_QFILE=$QDIR/geo-ecs.bin; WL_ARGS=(-B); WL_PROTO=udp
#     check_answer www.example.test A 127.0.0.11 +subnet=2.2.3.0/24
#   }

wl_static() {    # one name, positive answer, UDP
  WL_QFILE=$QDIR/static.txt; WL_ARGS=(); WL_PROTO=udp
  echo "static.example.test A" > "$WL_QFILE"
  check_answer static.example.test A 192.0.2.1
}

wl_nxdomain() {  # NX_NAMES distinct random names under example.test. -> NXDOMAIN (+ SOA in authority), UDP
  WL_QFILE=$QDIR/nxdomain.txt; WL_ARGS=(); WL_PROTO=udp
  # nx<counter>-<random hex>: unique, not under *.apps or the child.example.test delegation
  awk -v n="$NX_NAMES" 'BEGIN { srand(42); for (i = 0; i < n; i++) printf "nx%06d-%08x.example.test A\n", i, int(rand() * 2147483647) }' > "$WL_QFILE"
  check_rcode "$(head -1 "$WL_QFILE" | cut -d' ' -f1)" NXDOMAIN
}

wl_tcp() {       # static.example.test A over TCP (dnsperf -m tcp: one connection per client, reused)
  WL_QFILE=$QDIR/static.txt; WL_ARGS=(-m tcp); WL_PROTO=tcp
  echo "static.example.test A" > "$WL_QFILE"
  check_answer static.example.test A 192.0.2.1 +tcp
}

# The anchors' geo queries (generated with $ANCHORS_DIR/queries/gen_queries.py), for the fixture
# (bench/fixture): EU/AF -> 127.0.0.11, AS/OC -> .12, NA/SA/unknown -> .13.
check_geo_fixture() {  # the anchors' verify list, plus the two other subnets of geo-ecs.bin
  local c exp
  while read -r c exp; do
    check_answer www.example.test A "$exp" ${c:+"+subnet=$c"}
  done <<EOF
2.2.3.0/24 127.0.0.11
175.16.199.0/24 127.0.0.12
214.78.120.0/24 127.0.0.13
192.0.2.0/24 127.0.0.13
89.160.20.128/25 127.0.0.11
67.43.156.0/24 127.0.0.12
2a02:d180::/48 127.0.0.11
2001:218::/48 127.0.0.12
EOF
}
wl_geo() {       # www.example.test A with ECS, rotating the anchors' 8 subnets (EU/AS/NA/default, 2 IPv6), UDP
  anchors_queries "$QDIR/anchors" || die "cannot generate the anchors' query files"
  WL_QFILE=$QDIR/anchors/geo-ecs.bin; WL_ARGS=(-B); WL_PROTO=udp
  check_geo_fixture
}
wl_georand() {   # www.example.test A with ECS from 10 000 pseudo-random /24s (anchors' geo-ecs-rand.bin), UDP
  anchors_queries "$QDIR/anchors" || die "cannot generate the anchors' query files"
  WL_QFILE=$QDIR/anchors/geo-ecs-rand.bin; WL_ARGS=(-B); WL_PROTO=udp
  check_geo_fixture
}
wl_geonoecs() {  # www.example.test A without EDNS: the client is 127.0.0.1, unknown -> default pools -> .13
  anchors_queries "$QDIR/anchors" || die "cannot generate the anchors' query files"
  WL_QFILE=$QDIR/anchors/geo-noecs.txt; WL_ARGS=(); WL_PROTO=udp
  check_answer www.example.test A 127.0.0.13 +noedns
}

# DNSSEC (--dnssec): the same questions with DO=1. Binary files get the DO bit set in their OPT record.
with_do_bit() {  # with_do_bit IN.bin OUT.bin
  python3 - "$1" "$2" <<'PY'
import struct, sys
data = open(sys.argv[1], 'rb').read(); out = bytearray(); p = 0
while p < len(data):
    n = struct.unpack('>H', data[p:p + 2])[0]; m = bytearray(data[p + 2:p + 2 + n]); p += 2 + n
    qd, an, ns, ar = struct.unpack('>HHHH', m[4:12]); q = 12
    def skip_name(q):
        while m[q] != 0:
            if m[q] & 0xC0 == 0xC0: return q + 2
            q += m[q] + 1
        return q + 1
    for _ in range(qd): q = skip_name(q) + 4
    for _ in range(an + ns + ar):
        q = skip_name(q); t = struct.unpack('>H', m[q:q + 2])[0]
        if t == 41: m[q + 6] |= 0x80          # TTL = ext-rcode, version, flags: DO is the flags' top bit
        q += 10 + struct.unpack('>H', m[q + 8:q + 10])[0]
    out += struct.pack('>H', len(m)) + m
open(sys.argv[2], 'wb').write(out)
PY
}
wl_static_do() { wl_static; WL_ARGS+=(-D); }        # static.example.test A, DO=1: the A RRset and its RRSIG
wl_nxdomain_do() { wl_nxdomain; WL_ARGS+=(-D); }    # random names, DO=1: SOA + 2 NSEC, each with its RRSIG (all made at load)
wl_geo_do() {     # geo with DO=1: the steered RRset signed at first use, then from the cache
  wl_geo; with_do_bit "$WL_QFILE" "$QDIR/anchors/geo-ecs-do.bin" || die "cannot write the DO query file"
  WL_QFILE=$QDIR/anchors/geo-ecs-do.bin
}
wl_georand_do() { # georand with DO=1
  wl_georand; with_do_bit "$WL_QFILE" "$QDIR/anchors/geo-ecs-rand-do.bin" || die "cannot write the DO query file"
  WL_QFILE=$QDIR/anchors/geo-ecs-rand-do.bin
}

wl_georand_failover_do() { # georand-do while pool na (most answers) is drained and undrained every 3 s (admin-state.yaml):
  wl_georand_do             # each failover makes new RRsets, signed once; runs last (the toggling goes on)
  if [ -z "${TOGGLER_PID:-}" ]; then
    ( while :; do printf 'drain:\n  - example.test/na\n' > "$ZONES/admin-state.yaml"; sleep 3
                  printf 'drain: []\n' > "$ZONES/admin-state.yaml"; sleep 3; done ) &
    TOGGLER_PID=$!
  fi
  WL_NOTE="na drained/undrained every 3 s"
}

wl_file() {      # file:PATH
  WL_QFILE=$1; WL_ARGS=(); WL_PROTO=udp
  [ -f "$WL_QFILE" ] || die "query file not found: $WL_QFILE"
  [[ "$WL_QFILE" == *.bin ]] && WL_ARGS=(-B)
}

# ---------------------------------------------------------------- helpers
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

check_answer() {  # check_answer NAME TYPE EXPECTED [dig options...]: sets WL_NOTE on mismatch
  local name=$1 type=$2 exp=$3 got; shift 3
  got=$(dig @"$HOST" -p "$PORT" "$name" "$type" +time=2 +tries=1 +short "$@" 2>&1 | head -1)
  printf '%s %s %s: expected %s, got %s\n' "$name" "$type" "$*" "$exp" "${got:-<none>}" >> "$OUT/verify.txt"
  [ "$got" = "$exp" ] || { WL_NOTE="WRONG ANSWER ($got)"; log "  check FAILED: $name $type $*: expected $exp, got '${got}'"; }
}
check_rcode() {   # check_rcode NAME RCODE [dig options...]
  local name=$1 exp=$2 got; shift 2
  got=$(dig @"$HOST" -p "$PORT" "$name" A +time=2 +tries=1 "$@" 2>/dev/null | sed -n 's/.*status: \([A-Z]*\),.*/\1/p')
  printf '%s A %s: expected %s, got %s\n' "$name" "$*" "$exp" "${got:-<none>}" >> "$OUT/verify.txt"
  [ "$got" = "$exp" ] || { WL_NOTE="WRONG RCODE ($got)"; log "  check FAILED: $name: expected $exp, got '${got}'"; }
}

port_free() {  # UDP and TCP both free on 127.0.0.1:$1
  [ -z "$(ss -Hlnu "sport = :$1" 2>/dev/null)" ] && [ -z "$(ss -Hlnt "sport = :$1" 2>/dev/null)" ]
}
answers() {  # a real A record, not dig's ";; communications error" (which +short also prints on stdout)
  dig @"$1" -p "$2" static.example.test A +short +time=1 +tries=1 2>/dev/null | grep -qE '^[0-9]+(\.[0-9]+){3}$'
}

cpu_ticks() {  # utime+stime of PID (all threads), in clock ticks
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] && sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}
host_ticks() { awk '/^cpu /{ print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat; }  # busy total
CLK=$(getconf CLK_TCK); NCPU=$(nproc)

set_affinity() {  # set_affinity PID shared|pinned
  [ -n "$1" ] || return 0
  if [ "$2" = pinned ]; then taskset -a -p -c 0 "$1" >/dev/null; else taskset -a -p -c "0-$((NCPU - 1))" "$1" >/dev/null; fi
}

# ---------------------------------------------------------------- arguments
while [ $# -gt 0 ]; do
  case "$1" in
    --workloads) WORKLOADS=$2; shift 2;;
    --runs) RUNS=$2; shift 2;;
    --seconds) SECONDS_PER_RUN=$2; shift 2;;
    --warmup) WARMUP=$2; shift 2;;
    -c) CLIENTS=$2; shift 2;;
    -q) OUTSTANDING=$2; shift 2;;
    --timeout) TIMEOUT=$2; shift 2;;
    --nx-names) NX_NAMES=$2; shift 2;;
    --pin) PIN_MODES=pinned; shift;;
    --pin-modes) PIN_MODES=$2; shift 2;;
    --port) PORT=$2; shift 2;;
    --heap) HEAP=$2; shift 2;;
    --java-opts) JAVA_OPTS=$2; shift 2;;
    --jar) JAR=$2; shift 2;;
    --zones) ZONES=$2; shift 2; [ "$FIXTURE" = auto ] && FIXTURE=no;;
    --config) CONFIG=$2; shift 2; [ "$FIXTURE" = auto ] && FIXTURE=no;;
    --fixture) FIXTURE=yes; shift;;
    --no-fixture) FIXTURE=no; shift;;
    --no-health) HEALTH=nohealth; shift;;
    --dnssec) DNSSEC=yes; FIXTURE=yes; shift;;
    --wait) WAIT=$2; shift 2;;
    --quiet-wait) QUIET_WAIT=$2; shift 2;;
    --server) SERVER=$2; shift 2;;
    --pid) EXT_PID=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    -h|--help) usage; exit 0;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2;;
  esac
done

for t in dnsperf dig java taskset ss python3; do
  command -v "$t" >/dev/null || die "$t not found (apt-get install -y dnsperf bind9-dnsutils ...)"
done
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] || die "--runs must be a positive integer"
for m in $PIN_MODES; do [ "$m" = shared ] || [ "$m" = pinned ] || die "unknown pin mode: $m"; done
if [[ " $PIN_MODES " == *" pinned "* ]]; then
  [ "$NCPU" -ge 2 ] || die "--pin needs 2 CPUs"
  [ -n "$SERVER" ] && [ -z "$EXT_PID" ] && die "--pin with --server needs --pid"
fi
# each workload must exist before anything starts
IFS=, read -r -a WL_LIST <<< "$WORKLOADS"
for w in "${WL_LIST[@]}"; do
  case "$w" in
    file:*) [ -f "${w#file:}" ] || die "query file not found: ${w#file:}";;
    file) die "use file:PATH";;
    *) declare -F "wl_${w//-/_}" >/dev/null || die "unknown workload '$w' (see --help)";;
  esac
done

if [ "$FIXTURE" = auto ]; then
  FIXTURE=no; for w in "${WL_LIST[@]}"; do [[ "$w" == geo* ]] && FIXTURE=yes; done
fi
[ -n "$SERVER" ] && FIXTURE=no   # an external server serves what it serves (the geo workloads check the answers)

# ---------------------------------------------------------------- output, temp dir, cleanup
[ -n "$OUT" ] || OUT=$HERE/results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT/raw" || die "cannot create $OUT"
: > "$OUT/verify.txt"
QDIR=$(mktemp -d /tmp/geosteer-bench.XXXXXX)
RES=$OUT/results.tsv
printf 'workload\tproto\tpin\trun\tseconds\tqps\tavg_ms\tmax_ms\tsent\tcompleted\tlost\tlost_pct\tsrv_cpu_pct\tqps_per_srv_core\tcli_cpu_pct\thost_cpu_pct\tother_cpu_pct\n' > "$RES"

SRV_PID=""      # the server this script started (stopped on exit)
cleanup() {
  local i
  [ -n "${TOGGLER_PID:-}" ] && kill "$TOGGLER_PID" 2>/dev/null
  if [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null; then
    kill -TERM "$SRV_PID" 2>/dev/null
    for i in $(seq 1 40); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$SRV_PID" 2>/dev/null && { log "server pid $SRV_PID still alive after 10 s, KILL"; kill -KILL "$SRV_PID" 2>/dev/null; }
    wait "$SRV_PID" 2>/dev/null; log "stopped server pid $SRV_PID (exit status $?)"
  fi
  # give an external server its affinity back
  [ -n "$EXT_PID" ] && kill -0 "$EXT_PID" 2>/dev/null && set_affinity "$EXT_PID" shared
  [ ${#ORIGIN_PIDS[@]} -gt 0 ] && { origins_stop; log "stopped the fixture's origins"; }
  rm -rf "$QDIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# how busy is the host before anything is started (other people's builds and tests skew everything)
read -r b0 t0_ < <(host_ticks); sleep 1; read -r b1 t1_ < <(host_ticks)
IDLE_BUSY=$(awk -v a="$b0" -v b="$b1" -v ta="$t0_" -v tb="$t1_" -v n="$NCPU" 'BEGIN{ if (tb > ta) printf "%.0f", (b - a) / (tb - ta) * n * 100 }')
[ "${IDLE_BUSY:-0}" -gt 25 ] && log "WARNING: the host is busy before the benchmark (${IDLE_BUSY}% CPU used by other processes)"

# ---------------------------------------------------------------- the server
if [ -n "$SERVER" ]; then
  PORT=${SERVER##*:}; HOST=${SERVER%:*}; HOST=${HOST#[}; HOST=${HOST%]}
  case "$HOST" in 127.*|::1|localhost) ;; *) die "--server must be on loopback, got $HOST";; esac
  PID=$EXT_PID
  [ -z "$PID" ] || kill -0 "$PID" 2>/dev/null || die "--pid $PID: no such process"
  answers "$HOST" "$PORT" || die "$HOST:$PORT does not answer static.example.test"
  SERVER_DESC="external $HOST:$PORT pid=${PID:-?}"
else
  HOST=127.0.0.1
  if [ "$FIXTURE" = yes ]; then
    fixture_write "$QDIR/fixture" "$HEALTH" || die "cannot write the fixture config"
    ZONES=$QDIR/fixture/zones; CONFIG=$QDIR/fixture/geosteer.yaml
    cp -r "$QDIR/fixture" "$OUT/fixture"   # the config as served, for the record
    if [ "$HEALTH" = health ]; then
      origins_start "$QDIR/www" || die "cannot start the fixture's origins"
      log "fixture: bench/fixture with monitors; origins on ${ORIGIN_ADDRS// /, }:$ORIGIN_PORT (pids ${ORIGIN_PIDS[*]})"
    else
      log "fixture: bench/fixture without monitors (no origins)"
    fi
  fi
  if [ "$DNSSEC" = yes ]; then
    [ "$FIXTURE" = yes ] || die "--dnssec signs the fixture: not with --zones or --config"
    [ -f "$JAR" ] || (cd "$REPO" && mvn -q -B package -DskipTests) >&2 || die "build failed"
    java -jar "$JAR" dnssec keygen example.test --config "$CONFIG" >&2 || die "dnssec keygen failed"
    ADMIN_PORT=$((PORT + 1000))   # for the signing metrics (cache hit rate) at the end
    sed -i "s|^  listen: \"\"|  listen: \"127.0.0.1:$ADMIN_PORT\"|" "$CONFIG"
    log "dnssec: example.test signed with a new CSK in $QDIR/fixture/zones/keys"
  fi
  JAR=$(realpath -m "$JAR"); ZONES=$(realpath -m "$ZONES"); [ -n "$CONFIG" ] && CONFIG=$(realpath -m "$CONFIG")
  [ -d "$ZONES" ] || die "zones directory not found: $ZONES"
  if [ ! -f "$JAR" ]; then
    [ "$JAR" = "$REPO/target/geosteer.jar" ] || die "jar not found: $JAR"
    log "building $JAR (mvn -q -B package -DskipTests)"
    (cd "$REPO" && mvn -q -B package -DskipTests) >&2 || die "build failed"
    [ -f "$JAR" ] || die "build did not produce $JAR"
  fi
  p=$PORT; while ! port_free "$p"; do p=$((p + 1)); [ $p -gt $((PORT + 100)) ] && die "no free port in $PORT..$((PORT + 100))"; done
  [ "$p" != "$PORT" ] && log "port $PORT is taken, using $p"; PORT=$p
  cmd=(java "-Xmx$HEAP" $JAVA_OPTS -jar "$JAR" serve --zones "$ZONES" --listen "$HOST:$PORT")
  [ -n "$CONFIG" ] && cmd+=(--config "$CONFIG")
  log "starting: ${cmd[*]}"
  (cd "$REPO" && exec "${cmd[@]}") > "$OUT/server.log" 2>&1 &
  SRV_PID=$!; PID=$SRV_PID
  deadline=$(( $(date +%s) + WAIT ))
  until answers "$HOST" "$PORT"; do
    kill -0 "$SRV_PID" 2>/dev/null || { cat "$OUT/server.log" >&2; SRV_PID=""; die "server exited before answering"; }
    [ "$(date +%s)" -lt "$deadline" ] || { tail -20 "$OUT/server.log" >&2; die "server did not answer static.example.test within ${WAIT}s"; }
    sleep 0.2
  done
  log "server pid $PID answers on $HOST:$PORT"
  SERVER_DESC="$(java -jar "$JAR" --version 2>/dev/null | head -1), $(jar_desc "$JAR")"
  SERVER_DESC+=", -Xmx$HEAP${JAVA_OPTS:+ $JAVA_OPTS}, pid $PID"
  if [ "$FIXTURE" = yes ]; then
    SERVER_DESC+="; serving the anchors' fixture (bench/fixture, $HEALTH$([ "$HEALTH" = health ] && echo ", origins 127.0.0.11-13:$ORIGIN_PORT"))"
  else
    SERVER_DESC+="; zones $ZONES${CONFIG:+, config $CONFIG}"
  fi
fi

# ---------------------------------------------------------------- header
{
  echo "# geosteer benchmark $(date -Is)"
  echo "host: $(uname -srm), $NCPU CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "server: $SERVER_DESC"
  echo "host CPU busy before starting (1 s sample): ${IDLE_BUSY:--}% (100 = one core)"
  echo "java: $(java -version 2>&1 | head -1); dnsperf $(dnsperf -h 2>&1 | sed -n 's/^Version //p')"
  echo "dnsperf -s $HOST -p $PORT -c $CLIENTS -q $OUTSTANDING -t $TIMEOUT -l $SECONDS_PER_RUN; runs=$RUNS (median), warm-up ${WARMUP}s; pin modes: $PIN_MODES"
} | tee "$OUT/header.txt" >&2

# ---------------------------------------------------------------- runs
run_dnsperf() {  # run_dnsperf WORKLOAD PIN RUN SECONDS [record=1]: one dnsperf run with WL_* set
  local wl=$1 pin=$2 run=$3 secs=$4 record=${5:-1}
  local raw="$OUT/raw/${wl//[:\/]/_}_${pin}_${run}.txt" tf="$QDIR/time.$$" pfx=() c0 c1 h0 h1 t0 t1
  [ "$pin" = pinned ] && pfx=(taskset -c 1)
  [ -x /usr/bin/time ] && pfx+=(/usr/bin/time -f '%U %S' -o "$tf")
  c0=$(cpu_ticks "$PID"); read -r h0 ht0 < <(host_ticks); t0=$(date +%s.%N)
  "${pfx[@]}" dnsperf -s "$HOST" -p "$PORT" -d "$WL_QFILE" -l "$secs" -c "$CLIENTS" -q "$OUTSTANDING" -t "$TIMEOUT" "${WL_ARGS[@]}" > "$raw" 2>&1
  local rc=$?
  c1=$(cpu_ticks "$PID"); read -r h1 ht1 < <(host_ticks); t1=$(date +%s.%N)
  [ "$record" = 1 ] || { rm -f "$raw" "$tf"; return 0; }
  [ $rc = 0 ] || log "  dnsperf exited with status $rc, see $raw"
  local qps avg max sent done_ lost lostp cpu="" per="" cli="" host="" other=""
  qps=$(awk '/Queries per second/{printf "%.0f", $4}' "$raw")
  avg=$(awk '/Average Latency/ && !n++ {printf "%.3f", $4 * 1000}' "$raw")
  max=$(awk '/Average Latency/ && !n++ {gsub(/[),]/, ""); printf "%.3f", $8 * 1000}' "$raw")
  sent=$(awk '/Queries sent:/{print $3}' "$raw")
  done_=$(awk '/Queries completed:/{print $3}' "$raw")
  lost=$(awk '/Queries lost:/{print $3}' "$raw")
  lostp=$(awk '/Queries lost:/{gsub(/[()%]/, "", $4); print $4}' "$raw")
  [ -n "$c0" ] && [ -n "$c1" ] && cpu=$(awk -v a="$c0" -v b="$c1" -v k="$CLK" -v t0="$t0" -v t1="$t1" 'BEGIN{printf "%.0f", (b - a) / k / (t1 - t0) * 100}')
  [ -n "$cpu" ] && [ -n "$qps" ] && [ "$cpu" != 0 ] && per=$(awk -v q="$qps" -v c="$cpu" 'BEGIN{printf "%.0f", q / (c / 100)}')
  [ -s "$tf" ] && cli=$(awk -v t0="$t0" -v t1="$t1" '{printf "%.0f", ($1 + $2) / (t1 - t0) * 100}' "$tf")
  host=$(awk -v a="$h0" -v b="$h1" -v ta="$ht0" -v tb="$ht1" -v n="$NCPU" 'BEGIN{ if (tb > ta) printf "%.0f", (b - a) / (tb - ta) * n * 100 }')
  # everything else on the machine (other processes, kernel work not charged to either): a noisy-host indicator
  [ -n "$host" ] && [ -n "$cpu" ] && [ -n "$cli" ] && other=$(awk -v h="$host" -v s="$cpu" -v c="$cli" 'BEGIN{o = h - s - c; printf "%.0f", o < 0 ? 0 : o}')
  rm -f "$tf"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$wl" "$WL_PROTO" "$pin" "$run" "$secs" \
    "${qps:-0}" "${avg:--}" "${max:--}" "${sent:--}" "${done_:--}" "${lost:--}" "${lostp:--}" "${cpu:--}" "${per:--}" "${cli:--}" "${host:--}" "${other:--}" >> "$RES"
  log "  $wl/$pin run $run: qps=${qps:-0} avg=${avg:--}ms lost=${lost:--} (${lostp:--}%) srv_cpu=${cpu:--}% qps/core=${per:--} dnsperf_cpu=${cli:--}% other_cpu=${other:--}%"
}

wait_quiet() {  # wait up to QUIET_WAIT s until the host, minus the server, is below QUIET_MAX % CPU (1 s samples)
  [ "$QUIET_WAIT" != 0 ] || return 0
  local deadline=$(( $(date +%s) + QUIET_WAIT )) a b ta tb c0 c1 other
  while :; do
    c0=$(cpu_ticks "$PID"); read -r a ta < <(host_ticks); sleep 1; c1=$(cpu_ticks "$PID"); read -r b tb < <(host_ticks)
    other=$(awk -v a="$a" -v b="$b" -v ta="$ta" -v tb="$tb" -v n="$NCPU" -v c0="${c0:-0}" -v c1="${c1:-0}" -v k="$CLK" \
      'BEGIN{ printf "%.0f", (b - a) / (tb - ta) * n * 100 - (c1 - c0) / k * 100 }')
    [ "$other" -le "$QUIET_MAX" ] && return 0
    [ "$(date +%s)" -lt "$deadline" ] || { log "  host still busy (${other}% CPU used by others), running anyway"; return 0; }
  done
}

: > "$OUT/notes.tsv"
for pin in $PIN_MODES; do
  set_affinity "$PID" "$pin"
  for w in "${WL_LIST[@]}"; do
    WL_QFILE=""; WL_ARGS=(); WL_PROTO=udp; WL_NOTE=""
    case "$w" in file:*) wl_file "${w#file:}";; *) "wl_${w//-/_}";; esac
    [ -n "$WL_QFILE" ] || die "workload $w set no WL_QFILE"
    printf '%s\t%s\t%s\n' "$w" "$pin" "$WL_NOTE" >> "$OUT/notes.tsv"
    if [[ " ${WL_ARGS[*]} " == *" -B "* ]]; then qdesc="$(python3 -c 'import sys,struct
d=open(sys.argv[1],"rb").read(); i=n=0
while i+2<=len(d): i+=2+struct.unpack("!H",d[i:i+2])[0]; n+=1
print(n)' "$WL_QFILE") queries"; else qdesc="$(wc -l < "$WL_QFILE" 2>/dev/null | xargs) lines"; fi
    log "workload $w ($WL_PROTO, pin=$pin): $qdesc in $(basename "$WL_QFILE") ${WL_ARGS[*]}"
    [ "$WARMUP" != 0 ] && run_dnsperf "$w" "$pin" warmup "$WARMUP" 0
    for run in $(seq 1 "$RUNS"); do wait_quiet; run_dnsperf "$w" "$pin" "$run" "$SECONDS_PER_RUN"; done
  done
done
set_affinity "$PID" shared

# server state after the runs
if [ "$DNSSEC" = yes ] && [ -n "${ADMIN_PORT:-}" ]; then
  curl -s "http://127.0.0.1:$ADMIN_PORT/metrics" | grep '^geosteer_dnssec' > "$OUT/dnssec-metrics.txt"
  awk '/steered_cache_lookups_total\{result="hit"/{h=$2} /steered_cache_lookups_total\{result="miss"/{m=$2}
       /^geosteer_dnssec_signatures_total/{s=$2}
       END{ if (h + m > 0) printf "dnssec: steered RRSIG cache %d hits, %d misses (hit rate %.4f); %d signatures made in all\n", h, m, h / (h + m), s }' \
    "$OUT/dnssec-metrics.txt" > "$OUT/dnssec-summary.txt"
  log "$(cat "$OUT/dnssec-summary.txt")"
fi
if [ -n "$PID" ] && [ -r "/proc/$PID/status" ]; then
  awk '/^(VmRSS|VmHWM|Threads):/{printf "%s %s %s  ", $1, $2, $3} END{print ""}' "/proc/$PID/status" > "$OUT/server-status.txt"
fi
DIED=0
if [ -n "$SRV_PID" ] && ! kill -0 "$SRV_PID" 2>/dev/null; then
  DIED=1; log "WARNING: the server died during the runs, see $OUT/server.log"
fi

# ---------------------------------------------------------------- summary (median of runs)
python3 - "$RES" "$OUT" <<'PY' | tee "$OUT/summary.md"
import csv, statistics, sys
res, out = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(res), delimiter="\t"))
notes = {(r[0], r[1]): (r[2] if len(r) > 2 else "") for r in csv.reader(open(out + "/notes.tsv"), delimiter="\t") if r}
def num(v):
    try: return float(v)
    except ValueError: return None
groups = {}
for r in rows:
    groups.setdefault((r["workload"], r["proto"], r["pin"]), []).append(r)
hdr = ["workload", "proto", "pin", "runs", "QPS (median)", "QPS min-max", "avg ms", "max ms", "lost", "lost %",
       "srv CPU %", "QPS/srv core", "dnsperf CPU %", "other CPU %", "note"]
lines = []
for (wl, proto, pin), rs in groups.items():
    def med(f):
        v = [num(r[f]) for r in rs if num(r[f]) is not None]
        return statistics.median(v) if v else None
    q = [num(r["qps"]) for r in rs if num(r["qps"]) is not None]
    f = lambda v, fmt: "-" if v is None else fmt.format(v)
    lost = [num(r["lost"]) for r in rs if num(r["lost"]) is not None]
    qm, cpu = med("qps"), med("srv_cpu_pct")
    lines.append([wl, proto, pin, str(len(rs)), f(qm, "{:.0f}"), f"{min(q):.0f}-{max(q):.0f}" if q else "-",
                  f(med("avg_ms"), "{:.3f}"), f(med("max_ms"), "{:.1f}"),
                  f"{sum(lost):.0f}" if lost else "-", f(med("lost_pct"), "{:.2f}"), f(cpu, "{:.0f}"),
                  "-" if not (qm and cpu) else f"{qm / (cpu / 100):.0f}",
                  f(med("cli_cpu_pct"), "{:.0f}"), f(med("other_cpu_pct"), "{:.0f}"), notes.get((wl, pin), "")])
print("| " + " | ".join(hdr) + " |")
print("|" + "|".join("---:" if i >= 3 and i < len(hdr) - 1 else "---" for i in range(len(hdr))) + "|")
for l in lines:
    print("| " + " | ".join(l) + " |")
busy = [l for l in lines if l[13] not in ("-", "") and float(l[13]) > 25]
if busy:
    print("\nWARNING: other processes used >25% CPU during " + ", ".join(l[0] + "/" + l[2] for l in busy)
          + ": the host was not quiet, these numbers are not comparable.")
PY
{
  echo
  echo "lost = sum over the runs; every other column is the median of the runs. CPU %: 100 = one core ($NCPU here); other = host busy - server - dnsperf (noise)."
  [ -s "$OUT/server-status.txt" ] && echo "server after the runs: $(cat "$OUT/server-status.txt")"
  [ -s "$OUT/dnssec-summary.txt" ] && cat "$OUT/dnssec-summary.txt"
} | tee -a "$OUT/summary.md"
if [ -n "$SRV_PID" ]; then
  n=$(grep -cE ' (ERROR|WARN) |Exception' "$OUT/server.log")
  if [ "$n" -gt 0 ]; then
    echo "WARNING: server log has $n ERROR/WARN/Exception lines, first ones:" | tee -a "$OUT/summary.md"
    grep -E ' (ERROR|WARN) |Exception' "$OUT/server.log" | head -5 | tee -a "$OUT/summary.md"
  fi
fi
log "results: $OUT (summary.md, results.tsv, header.txt, verify.txt, raw/$( [ -n "$SRV_PID" ] && echo ', server.log'))"
[ "$DIED" = 0 ]
