#!/usr/bin/env bash
# How fast a fleet answers around a failed origin, beside a single instance: the fleet of
# demo/cluster-local.sh (etcd, geo-1..3, quorum majority) and one more geosteer without a cluster, all on
# the demo's zones (checks every 2 s, fall 2, rise 2). Each trial stops the eu origin at a random point of
# the check interval and polls every instance (UDP, every 10 ms, www.example.test A from a European
# subnet) until it answers na instead; then starts eu again and waits for every instance to answer eu.
# Reports p50/p90/p99/max over the trials of: the single instance, each fleet instance, and the fleet
# (the last of its three instances to answer around it).
#
#   bench/cluster-convergence.sh                 # 20 trials
#   bench/cluster-convergence.sh --trials 5
#
# Needs etcd (Debian: etcd-server etcd-client), python3 and a built jar (mvn -B package -DskipTests) or
# GEOSTEER="java -cp ... dev.geosteer.Main". Results: bench/results/cluster-convergence-<timestamp>/.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
TRIALS=20
while [ $# -gt 0 ]; do
  case "$1" in
    --trials) TRIALS=$2; shift 2;;
    *) sed -n '2,16p' "$0"; exit 2;;
  esac
done
OUT=$REPO/bench/results/cluster-convergence-$(date +%Y%m%d-%H%M%S)
mkdir -p "$OUT"
export GEOSTEER_DEMO_STATE=$OUT/state GEOSTEER_DEMO_DNS_BASE=25460 GEOSTEER_DEMO_ADMIN_BASE=28160 \
  GEOSTEER_DEMO_ETCD_PORT=22579 GEOSTEER_DEMO_ORIGIN_PORT=28180
if [ -z "${GEOSTEER:-}" ]; then
  [ -f "$REPO/target/geosteer.jar" ] || { echo "build first: mvn -B package -DskipTests" >&2; exit 2; }
  export GEOSTEER="java -Xmx256m -jar $REPO/target/geosteer.jar"
fi
SINGLE_PORT=25470
cleanup() {
  [ -f "$OUT/single.pid" ] && kill "$(cat "$OUT/single.pid")" 2>/dev/null || true
  "$REPO/demo/cluster-local.sh" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
"$REPO/demo/cluster-local.sh" start | tee "$OUT/start.log"
mkdir -p "$OUT/single"
cat > "$OUT/single/geosteer.yaml" <<EOF
listen: ["127.0.0.1:$SINGLE_PORT"]
zones_dir: ../state/zones
geoip: { dir: $REPO/geoip }
admin: { listen: "" }
EOF
# shellcheck disable=SC2086
$GEOSTEER serve --config "$OUT/single/geosteer.yaml" > "$OUT/single.log" 2>&1 &
echo $! > "$OUT/single.pid"

python3 - "$TRIALS" "$OUT" "$REPO/demo/cluster-local.sh" <<'EOF'
import random, socket, struct, subprocess, sys, time

trials, out, script = int(sys.argv[1]), sys.argv[2], sys.argv[3]
servers = {"single": 25470, "geo-1": 25461, "geo-2": 25462, "geo-3": 25463}
EU, NA = "127.0.0.11", "127.0.0.13"

def query(qid):
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 1)
    q += b"".join(bytes([len(l)]) + l for l in [b"www", b"example", b"test"]) + b"\0" + struct.pack(">HH", 1, 1)
    ecs = struct.pack(">HBB", 1, 24, 0) + bytes([193, 0, 6])
    opt = struct.pack(">HH", 8, len(ecs)) + ecs
    return q + b"\0" + struct.pack(">HHIH", 41, 1232, 0, len(opt)) + opt

def answer(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(0.5)
    try:
        qid = random.randrange(65536)
        s.sendto(query(qid), ("127.0.0.1", port))
        m = s.recv(4096)
        an = struct.unpack(">H", m[6:8])[0]
        if an == 0:
            return None
        i = 12
        while m[i] != 0:
            i += m[i] + 1
        i += 5
        # first answer: a compressed owner (2 bytes), type, class, ttl, rdlength
        i += 2
        typ, _, _, rdlen = struct.unpack(">HHIH", m[i:i + 10])
        i += 10
        return socket.inet_ntoa(m[i:i + 4]) if typ == 1 and rdlen == 4 else None
    except OSError:
        return None
    finally:
        s.close()

def wait_all(expected, limit=60):
    """Every instance answers {expected}, 5 times in a row over a second (no verdict still settling)."""
    start = time.monotonic()
    streak = 0
    while time.monotonic() - start < limit:
        streak = streak + 1 if all(answer(p) == expected for p in servers.values()) else 0
        if streak >= 5:
            return True
        time.sleep(0.2)
    return False

def origins(*args):
    subprocess.run([script, "origins", *args], check=True, stdout=subprocess.DEVNULL)

time.sleep(5)  # first checks: an origin seen down at start comes back after rise checks
if not wait_all(EU, 120):
    sys.exit("not every instance answers eu: " + str({n: answer(p) for n, p in servers.items()}))
results = {n: [] for n in list(servers) + ["fleet"]}
with open(out + "/trials.tsv", "w") as f:
    f.write("trial\t" + "\t".join(results) + "\n")
    for t in range(trials):
        time.sleep(random.uniform(0, 2.0))            # a random point of the 2 s check interval
        origins("stop", "eu")
        t0 = time.monotonic()
        seen = {}
        while len(seen) < len(servers) and time.monotonic() - t0 < 60:
            for n, p in servers.items():
                if n not in seen and answer(p) == NA:
                    seen[n] = time.monotonic() - t0
            time.sleep(0.01)
        seen["fleet"] = max(seen.get(n, 60) for n in servers if n != "single")
        for n in results:
            results[n].append(seen.get(n, 60))
        f.write(str(t + 1) + "\t" + "\t".join("%.3f" % seen.get(n, 60) for n in results) + "\n")
        print("trial %2d: single %.2f s, fleet %.2f s (%s)" % (t + 1, seen.get("single", 60), seen["fleet"],
              ", ".join("%s %.2f" % (n, seen.get(n, 60)) for n in servers if n != "single")), flush=True)
        origins("start", "eu")
        if not wait_all(EU):
            sys.exit("eu did not come back everywhere")

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

with open(out + "/summary.md", "w") as f:
    f.write("| seconds from the failure to answering around it (%d trials) | p50 | p90 | p99 | max |\n" % trials)
    f.write("|---|---|---|---|---|\n")
    for n, xs in results.items():
        label = {"single": "single instance", "fleet": "fleet (last of 3 instances)"}.get(n, n)
        f.write("| %s | %.2f | %.2f | %.2f | %.2f |\n" % (label, pct(xs, 50), pct(xs, 90), pct(xs, 99), max(xs)))
print(open(out + "/summary.md").read())
EOF
echo "results: $OUT"
