#!/usr/bin/env bash
# The fleet of docker-compose.yml's "cluster" profile, with local processes: one etcd, three geosteer
# instances (geo-1, geo-2, geo-3) sharing verdicts by quorum and drains, and the three origins of
# demo/origins.sh (eu 127.0.0.11, ap 127.0.0.12, na 127.0.0.13). See README "Running a fleet".
#   demo/cluster-local.sh start     # prints where each instance answers
#   demo/cluster-local.sh status    # the fleet as geo-1 sees it (GET /api/v1/cluster, summarized)
#   demo/cluster-local.sh origins stop eu   # demo/origins.sh for this fleet's origins (start|stop|status)
#   demo/cluster-local.sh stop
# geo-N answers DNS on 127.0.0.1:536N and its admin API on 127.0.0.1:806N (token demo-token); etcd listens on
# 127.0.0.1:2479, nothing beyond loopback. Settings from the environment:
#   GEOSTEER                  how to run geosteer (default: geosteer on PATH, else java -jar target/geosteer.jar)
#   GEOSTEER_DEMO_STATE       where configuration, data, pids and logs go (default: $TMPDIR/geosteer-demo-cluster)
#   GEOSTEER_DEMO_DNS_BASE    geo-N's DNS port is this + N (default 5360); GEOSTEER_DEMO_ADMIN_BASE likewise (8060)
#   GEOSTEER_DEMO_ETCD_PORT   etcd's client port (2479; its peer port is the next one)
#   GEOSTEER_DEMO_ORIGIN_PORT the origins' port (18080)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
state=${GEOSTEER_DEMO_STATE:-${TMPDIR:-/tmp}/geosteer-demo-cluster}
dns_base=${GEOSTEER_DEMO_DNS_BASE:-5360}
admin_base=${GEOSTEER_DEMO_ADMIN_BASE:-8060}
etcd_port=${GEOSTEER_DEMO_ETCD_PORT:-2479}
origin_port=${GEOSTEER_DEMO_ORIGIN_PORT:-18080}
etcd_url=http://127.0.0.1:$etcd_port
nodes=(geo-1 geo-2 geo-3)

geosteer_cmd() {
  if [ -n "${GEOSTEER:-}" ]; then echo "$GEOSTEER"
  elif command -v geosteer >/dev/null; then echo geosteer
  elif [ -f "$repo/target/geosteer.jar" ]; then echo "java -Xmx256m -jar $repo/target/geosteer.jar"
  else echo "no geosteer: build it (mvn -B package -DskipTests) or set GEOSTEER" >&2; exit 2
  fi
}

origins() { GEOSTEER_DEMO_STATE=$state/origins GEOSTEER_DEMO_ORIGIN_PORT=$origin_port "$here/origins.sh" "$@"; }

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

members() { etcdctl --endpoints="$etcd_url" get --prefix /geosteer/members/ --keys-only 2>/dev/null | grep -c members/ || true; }

start() {
  command -v etcd >/dev/null || { echo "etcd not found (Debian: apt-get install etcd-server etcd-client)" >&2; exit 2; }
  local cmd; cmd=$(geosteer_cmd)
  mkdir -p "$state"
  if alive "$state/etcd.pid"; then echo "etcd already up"; else
    etcd --name demo --data-dir "$state/etcd" \
      --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
      --listen-peer-urls "http://127.0.0.1:$((etcd_port + 1))" \
      --initial-advertise-peer-urls "http://127.0.0.1:$((etcd_port + 1))" \
      --initial-cluster "demo=http://127.0.0.1:$((etcd_port + 1))" >"$state/etcd.log" 2>&1 &
    echo $! > "$state/etcd.pid"
    for _ in $(seq 100); do etcdctl --endpoints="$etcd_url" endpoint health >/dev/null 2>&1 && break; sleep 0.1; done
    etcdctl --endpoints="$etcd_url" endpoint health >/dev/null 2>&1 || { echo "etcd did not start: $state/etcd.log" >&2; exit 1; }
    echo "etcd up on $etcd_url (pid $(cat "$state/etcd.pid"))"
  fi
  origins start
  # every instance reads the same zones: the demo's, with the origins' port
  mkdir -p "$state/zones"
  cp "$here"/zones/* "$state/zones/"
  sed -i "s/port: 18080/port: $origin_port/" "$state/zones/example.test.steer.yaml"
  local i=0
  for n in "${nodes[@]}"; do
    i=$((i + 1))
    mkdir -p "$state/$n"
    cat > "$state/$n/geosteer.yaml" <<EOF
listen: ["127.0.0.1:$((dns_base + i))"]
zones_dir: ../zones
geoip: { dir: $repo/geoip }
admin: { listen: "127.0.0.1:$((admin_base + i))", token: demo-token }
cluster:
  etcd: ["$etcd_url"]
  node: $n
  lease_ttl: 5s
health:
  quorum: majority
EOF
    if alive "$state/$n.pid"; then echo "$n already up"; continue; fi
    # shellcheck disable=SC2086 # the command may have arguments
    $cmd serve --config "$state/$n/geosteer.yaml" >"$state/$n.log" 2>&1 &
    echo $! > "$state/$n.pid"
  done
  for _ in $(seq 600); do [ "$(members)" -ge ${#nodes[@]} ] && break; sleep 0.1; done
  [ "$(members)" -ge ${#nodes[@]} ] || { echo "the fleet did not form: see $state/geo-*.log" >&2; exit 1; }
  i=0
  for n in "${nodes[@]}"; do
    i=$((i + 1))
    echo "$n up: dig @127.0.0.1 -p $((dns_base + i)) www.example.test; admin http://127.0.0.1:$((admin_base + i)) (pid $(cat "$state/$n.pid"))"
  done
}

stop() {
  for n in "${nodes[@]}"; do
    if alive "$state/$n.pid"; then kill "$(cat "$state/$n.pid")"; echo "$n stopped"; fi
    rm -f "$state/$n.pid"
  done
  for n in "${nodes[@]}"; do  # SIGTERM: each leaves the fleet (revokes its lease) before it exits
    for _ in $(seq 100); do pgrep -f "$state/$n/geosteer.yaml" >/dev/null || break; sleep 0.1; done
  done
  origins stop
  if alive "$state/etcd.pid"; then kill "$(cat "$state/etcd.pid")"; echo "etcd stopped"; fi
  rm -f "$state/etcd.pid"
}

status() {
  curl -sf -H "Authorization: Bearer demo-token" "http://127.0.0.1:$((admin_base + 1))/api/v1/cluster" | python3 -c '
import json, sys
c = json.load(sys.stdin)
print("node %s: %s, %d members: %s" % (c["node"], "connected" if c["connected"] else "DISCONNECTED",
      len(c["members"]), ", ".join(m["node"] for m in c["members"])))
for key, o in sorted(c["origins"].items()):
    votes = ", ".join("%s %s" % (n, v["state"]) for n, v in sorted(o["votes"].items()))
    print("  %s: %s (%d of %d say down; %s)" % (key, o["effective"], o["down"], o["vantage_points"], votes))
for d in c["drains"]:
    print("  drained: %s by %s" % (d["selector"], d["by"]))
'
}

case "${1:-status}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  origins) shift; origins "$@" ;;
  *) echo "usage: $0 start|status|stop|origins start|stop|status [eu|ap|na]..." >&2; exit 2 ;;
esac
