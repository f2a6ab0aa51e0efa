#!/usr/bin/env bash
# Zone transfer benchmark: a zone of N records (default 1 000 000 A records) served by geosteer and
# transferred to Knot DNS (knotd, a TSIG secondary on loopback): time on each side (geosteer's log line
# for the AXFR, Knot's "AXFR, incoming ... finished"), messages and bytes, the heap geosteer holds
# mid-transfer beyond what it held before (full GC at both points), then one record changed (serial
# bumped): the IXFR Knot takes, in records and bytes. With --signed, the zone has a key (geosteer dnssec
# keygen) and is transferred signed (RRSIGs, NSEC, DNSKEY): the same figures, plus the signing time.
#
#   bench/xfr.sh                       # 1 000 000 records
#   bench/xfr.sh --records 100000 --heap 1g
#   bench/xfr.sh --records 100000 --heap 1g --signed
#
# Results: bench/results/xfr-<timestamp>/ (summary.txt, geosteer.log, knotd.log, the configurations).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)

JAR=${GEOSTEER_JAR:-$REPO/target/geosteer.jar}
RECORDS=1000000
HEAP=2g
WAIT=900
OUT=""
SIGNED=0
SECRET=c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=

usage() { sed -n '2,12p' "$0"; cat <<EOF

Options:
  --records N   A records besides SOA/NS/ns1 (default $RECORDS)
  --heap SIZE   geosteer's -Xmx (default $HEAP)
  --jar PATH    server jar (default \$GEOSTEER_JAR or $REPO/target/geosteer.jar, built if missing)
  --wait S      deadline for each step (default $WAIT)
  --out DIR     results dir (default bench/results/xfr-<timestamp>)
  --signed      sign the zone (a CSK made by geosteer dnssec keygen) and transfer it signed
EOF
}
log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

while [ $# -gt 0 ]; do
  case "$1" in
    --records) RECORDS=$2; shift 2;;
    --heap) HEAP=$2; shift 2;;
    --jar) JAR=$2; shift 2;;
    --wait) WAIT=$2; shift 2;;
    --out) OUT=$2; shift 2;;
    --signed) SIGNED=1; shift;;
    -h|--help) usage; exit 0;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2;;
  esac
done
[[ "$RECORDS" =~ ^[1-9][0-9]*$ ]] || die "--records must be a positive integer"
KNOTD=$(command -v knotd || echo /usr/sbin/knotd)
[ -x "$KNOTD" ] || die "knotd not found (apt-get install knot)"
for t in java jcmd jstat awk python3; do command -v "$t" >/dev/null || die "$t not found"; done
JAR=$(realpath -m "$JAR")
if [ ! -f "$JAR" ]; then
  [ "$JAR" = "$REPO/target/geosteer.jar" ] || die "jar not found: $JAR"
  log "building $JAR"; (cd "$REPO" && mvn -q -B package -DskipTests) >&2 || die "build failed"
fi
[ -n "$OUT" ] || OUT=$HERE/results/xfr-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT" || die "cannot create $OUT"
TMP=$(mktemp -d /tmp/geosteer-xfr.XXXXXX)
mkdir -p "$TMP/zones" "$TMP/knot/run" "$TMP/knot/db" "$TMP/knot/zones"

SRV_PID=""; KNOT_PID=""
stop() { # stop one PID: TERM, then KILL after 10 s
  local pid=$1 i
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null
}
cleanup() { stop "$KNOT_PID"; stop "$SRV_PID"; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket
for _ in range(50):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); print(p); break
    except OSError: pass
    finally: u.close(); t.close()'; }
GPORT=$(free_port); KPORT=$(free_port); APORT=$(free_port)
until [ "$KPORT" != "$GPORT" ]; do KPORT=$(free_port); done

zone() { # serial, address of the record that changes
  awk -v n="$RECORDS" -v serial="$1" -v changed="$2" 'BEGIN {
    print "$TTL 3600"
    print "@ SOA ns1.xfrbench.test. hostmaster.xfrbench.test. " serial " 7200 3600 1209600 300"
    print "@ NS ns1.xfrbench.test."
    print "ns1 A 192.0.2.53"
    print "changed A " changed
    for (i = 1; i < n; i++) printf "h%d A 10.%d.%d.%d\n", i, int(i / 65536) % 256, int(i / 256) % 256, i % 256
  }'
}
log "generating $RECORDS records"
zone 1 192.0.2.1 > "$TMP/zones/xfrbench.test.zone"

cat > "$OUT/geosteer.yaml" <<EOF
listen: ["127.0.0.1:$GPORT"]
zones_dir: $TMP/zones
state_dir: $TMP/state
admin: { listen: "127.0.0.1:$APORT" }
limits: { zone_max_records: $((RECORDS + 100)), zone_file_max_bytes: 1GiB }
tsig_keys:
  xfr-key: { algorithm: hmac-sha256, secret: "$SECRET" }
transfer:
  allow: [{ network: 127.0.0.1/32, key: xfr-key }]
  notify: ["127.0.0.1:$KPORT"]
EOF
if [ "$SIGNED" = 1 ]; then
  log "making a signing key (geosteer dnssec keygen)"
  java -jar "$JAR" dnssec keygen xfrbench.test --config "$OUT/geosteer.yaml" > "$OUT/keygen.txt" 2>&1 \
    || die "keygen failed (see $OUT/keygen.txt)"
fi
log "starting geosteer on 127.0.0.1:$GPORT (-Xmx$HEAP)"
java -Xmx"$HEAP" -jar "$JAR" serve --config "$OUT/geosteer.yaml" > "$OUT/geosteer.log" 2>&1 &
SRV_PID=$!
wait_for() { # file, pattern, what
  local i
  for i in $(seq 1 $((WAIT * 4))); do
    grep -q -- "$2" "$1" 2>/dev/null && return 0
    kill -0 "$SRV_PID" 2>/dev/null || die "geosteer exited (see $OUT/geosteer.log)"
    sleep 0.25
  done
  die "no '$2' in $1 within $WAIT s: $3"
}
wait_for "$OUT/geosteer.log" "answering on" "geosteer did not start"
grep -m1 "zone xfrbench.test. loaded" "$OUT/geosteer.log" >&2
SIGNING=""
if [ "$SIGNED" = 1 ]; then
  wait_for "$OUT/geosteer.log" "zone xfrbench.test. signed" "the zone was not signed"
  SIGNING=$(grep -m1 "zone xfrbench.test. signed" "$OUT/geosteer.log" | sed 's/.*signed: //')
  log "signed: $SIGNING"
fi
heap_used() { # KiB live after a full GC
  jcmd "$SRV_PID" GC.run >/dev/null 2>&1
  jstat -gc "$SRV_PID" | awk 'NR == 2 { printf "%.0f", $8 }'   # old generation: the live set a full GC left (eden fills again at once)
}
BEFORE=$(heap_used)
log "heap in use before the transfer: $BEFORE KiB"

cat > "$OUT/knot.conf" <<EOF
server:
    listen: 127.0.0.1@$KPORT
    rundir: $TMP/knot/run
    background-workers: 1
database:
    storage: $TMP/knot/db
log:
  - target: stderr
    any: info
key:
  - id: xfr-key
    algorithm: hmac-sha256
    secret: $SECRET
remote:
  - id: geosteer
    address: 127.0.0.1@$GPORT
    key: xfr-key
acl:
  - id: notify
    address: 127.0.0.1
    action: notify
template:
  - id: default
    storage: $TMP/knot/zones
    zonefile-sync: -1
    zonefile-load: none
    journal-content: changes
    journal-max-usage: 2G
zone:
  - domain: xfrbench.test.
    master: geosteer
    acl: notify
EOF
log "starting knotd on 127.0.0.1:$KPORT: it bootstraps the zone by AXFR"
"$KNOTD" -c "$OUT/knot.conf" > "$OUT/knotd.log" 2>&1 &
KNOT_PID=$!
wait_for "$OUT/knotd.log" "AXFR, incoming.*started" "Knot did not start the AXFR"
sleep 2
MID=$(heap_used)
log "heap in use mid-transfer: $MID KiB"
wait_for "$OUT/knotd.log" "AXFR, incoming.*finished" "the AXFR did not finish"
wait_for "$OUT/geosteer.log" "AXFR of xfrbench.test.*sent" "geosteer did not log the AXFR"
AXFR_G=$(grep -m1 "AXFR of xfrbench.test.*sent" "$OUT/geosteer.log" | sed 's/.*sent, //')
AXFR_K=$(grep -m1 "AXFR, incoming.*finished" "$OUT/knotd.log" | sed 's/.*finished, //')
wait_for "$OUT/knotd.log" "zone updated" "Knot did not load the zone"
RSS=$(awk '/VmHWM/ { print $2 }' /proc/$SRV_PID/status)

log "changing one record (serial 2)"
zone 2 192.0.2.2 > "$TMP/zones/xfrbench.test.zone.new" && mv "$TMP/zones/xfrbench.test.zone.new" "$TMP/zones/xfrbench.test.zone"
wait_for "$OUT/geosteer.log" "IXFR of xfrbench.test.*sent" "no IXFR after the change"
IXFR_G=$(grep -m1 "IXFR of xfrbench.test.*sent" "$OUT/geosteer.log" | sed 's/.*: serial/serial/')
wait_for "$OUT/knotd.log" "IXFR, incoming.*finished" "Knot did not finish the IXFR"
IXFR_K=$(grep -m1 "IXFR, incoming.*finished" "$OUT/knotd.log" | sed 's/.*finished, //')
RELOAD=$(grep "zone xfrbench.test. loaded: serial 2" "$OUT/geosteer.log" | sed 's/.*(\([0-9]*\) ms).*/\1 ms/')
RESIGN=$(grep -m1 "zone xfrbench.test. signed: serial 2" "$OUT/geosteer.log" | sed 's/.*signed: //')

{
  echo "xfr benchmark, $(date -u +%FT%TZ), $RECORDS records$([ "$SIGNED" = 1 ] && echo ", signed"), -Xmx$HEAP, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  [ "$SIGNED" = 1 ] && echo "signing at start: $SIGNING"
  echo "AXFR geosteer side: $AXFR_G"
  echo "AXFR Knot side:     $AXFR_K"
  echo "heap in use after full GC: before $BEFORE KiB, mid-transfer $MID KiB (+$(( MID - BEFORE )) KiB); peak RSS $RSS KiB"
  echo "reload of the changed zone: $RELOAD"
  [ "$SIGNED" = 1 ] && echo "signing the changed zone: $RESIGN"
  echo "IXFR (one A record changed): geosteer: $IXFR_G"
  echo "IXFR Knot side:     $IXFR_K"
} | tee "$OUT/summary.txt"
