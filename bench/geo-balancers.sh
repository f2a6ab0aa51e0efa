#!/usr/bin/env bash
# What a geo balancer costs in heap: starts the jar on the shipped zone and country database with a
# steering file of N geo balancers, and measures the heap used after a full GC once it answers; the
# same with no balancer gives the base. Two kinds of N balancers: "same" (every balancer groups the
# continents the same way, with pools in different orders, as copies of one policy are) and "own"
# (each sends one country of its own elsewhere: no two group locations alike).
#
#   bench/geo-balancers.sh                               # same: 100, own: 20, with target/geosteer.jar
#   bench/geo-balancers.sh --jar /tmp/gs-before/target/geosteer.jar --label before
#   bench/geo-balancers.sh --same 50 --own 8
#
# The server is started from the repository root and stopped by its PID. See bench/README.md.
# Results: bench/results/geo-balancers-<label>-<timestamp>/summary.md.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
. "$HERE/lib/hostile-lib.sh"

JAR=${GEOSTEER_JAR:-$REPO/target/geosteer.jar}
SAME=100
OWN=20
HEAP=2g
PORT=5491
LABEL=run
OUT=""

while [ $# -gt 0 ]; do
  case $1 in
    --jar) JAR=$2; shift 2 ;;
    --same) SAME=$2; shift 2 ;;
    --own) OWN=$2; shift 2 ;;
    --heap) HEAP=$2; shift 2 ;;
    --port) PORT=$2; shift 2 ;;
    --label) LABEL=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

JAR=$(hl_jar "$JAR") || exit 1
OUT=${OUT:-$HERE/results/geo-balancers-$LABEL-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT" || exit 1
trap hl_server_stop EXIT
trap 'exit 130' INT TERM

COUNTRIES=(FR DE JP BR US IN ZA AU CA MX AR CL NG EG KE CN KR ID TH VN PL IT ES SE NO FI DK NL BE AT CH CZ PT GR TR RU UA RO HU IE)

# steering KIND N: the shipped pools, then N balancers of that kind
steering() {
  local kind=$1 n=$2 i orders=("[eu, na, ap]" "[eu, ap, na]" "[eu, na]" "[eu, ap]")
  sed '/^balancers:/,$d' "$REPO/zones/example.test.steer.yaml"
  echo "balancers:"
  for ((i = 0; i < n; i++)); do
    echo "  b$i:"
    echo "    steering: geo"
    echo "    default_pools: [na, eu, ap]"
    if [ "$kind" = same ]; then
      echo "    regions: { EU: ${orders[i % 4]}, AS: [ap, eu, na], NA: [na, eu, ap] }"
    else
      echo "    regions: { EU: [eu, na], ${COUNTRIES[i % ${#COUNTRIES[@]}]}: [ap, eu] }"
    fi
  done
}

# measure KIND N: heap used after a full GC (KB) with that steering file, once the server answers
measure() {
  local kind=$1 n=$2 dir=$OUT/fixture-$1-$2 s used
  mkdir -p "$dir/zones"
  cp "$REPO/zones/example.test.zone" "$dir/zones/"
  if [ "$n" -gt 0 ]; then steering "$kind" "$n" > "$dir/zones/example.test.steer.yaml"; fi
  cat > "$dir/geosteer.yaml" <<EOF
zones_dir: $dir/zones
geoip:
  dir: $REPO/geoip
admin:
  listen: ""
EOF
  hl_server_start "$JAR" "$dir/geosteer.yaml" 127.0.0.1 "$PORT" "$dir/server.log" "$HEAP" || exit 1
  grep -q "balancers from" "$dir/server.log" || [ "$n" -eq 0 ] || { tail -5 "$dir/server.log" >&2; hl_die "the steering file did not load"; }
  s=$(hl_snapshot "$SRV_PID"); read -r used _ <<< "$s"
  hl_server_stop
  echo "$used"
}

{
  echo "# bench/geo-balancers.sh $(date -Is)"
  echo "# jar: $(jar_desc "$JAR" 2>/dev/null || echo "$JAR"); -Xmx$HEAP; database: $(ls "$REPO"/geoip/*.mmdb)"
} > "$OUT/header.txt"
base=$(measure none 0)
same=$(measure same "$SAME")
own=$(measure own "$OWN")
{
  cat "$OUT/header.txt"
  echo
  echo "| steering file | heap after GC (KB) | over no balancer (KB) | per balancer (KB) |"
  echo "|---|---:|---:|---:|"
  echo "| no balancer | $base | | |"
  echo "| $SAME geo balancers, same grouping | $same | $((same - base)) | $(( (same - base) / SAME )) |"
  echo "| $OWN geo balancers, each its own grouping | $own | $((own - base)) | $(( (own - base) / OWN )) |"
} | tee "$OUT/summary.md"
