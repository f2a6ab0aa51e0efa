# Sourced by bench/soak.sh and bench/flood.sh (not run by itself): the hostile-traffic fixture
# (zone + steering + health monitors + RRL settings), its local origins, the server's life cycle,
# resource snapshots (heap after GC, fds, threads, RSS), /metrics scrapes and dnsperf -v latency
# percentiles.
#
# Needs HERE (the bench directory) and REPO. Every process started here is remembered by PID and
# stopped by that PID (hl_cleanup); nothing is ever killed by name.

. "$HERE/fixture-lib.sh"   # jar_desc, fixture_geoip_db

hl_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
hl_die() { hl_log "ERROR: $*"; exit 1; }
CLK=$(getconf CLK_TCK); NCPU=$(nproc)

# Defaults shared by both scripts (each may override before calling the functions)
HL_ZONE=example.test
HL_ORIGINS="eu=127.0.0.21 as=127.0.0.22 na=127.0.0.23"   # pool=address; not the anchors' .11-.13
HL_ORIGIN_PORT=18090
HL_HOSTS=1000                                             # h0001..h1000.example.test A

# ---------------------------------------------------------------- jar
# hl_jar JAR: echo the absolute jar path; builds the repository's default jar if it is missing.
hl_jar() {
  local jar
  jar=$(realpath -m "$1")
  if [ ! -f "$jar" ]; then
    [ "$jar" = "$REPO/target/geosteer.jar" ] || hl_die "jar not found: $jar"
    hl_log "building $jar (mvn -q -B package -DskipTests)"
    (cd "$REPO" && mvn -q -B package -DskipTests) >&2 || hl_die "build failed"
    [ -f "$jar" ] || hl_die "build did not produce $jar"
  fi
  echo "$jar"
}

# ---------------------------------------------------------------- ports
hl_port_free() {  # UDP and TCP both free on 127.0.0.1:$1
  [ -z "$(ss -Hlnu "sport = :$1" 2>/dev/null)" ] && [ -z "$(ss -Hlnt "sport = :$1" 2>/dev/null)" ]
}
hl_free_port() {  # hl_free_port FIRST [EXCEPT]: first free port from FIRST (not EXCEPT)
  local p=$1
  while ! hl_port_free "$p" || [ "$p" = "${2:-}" ]; do p=$((p + 1)); [ $p -gt $(($1 + 200)) ] && return 1; done
  echo "$p"
}

# ---------------------------------------------------------------- fixture
# hl_zone_write ZONESDIR SERIAL [atomic|inplace]: the zone file with this serial. atomic = written
# beside it and renamed over it (what most deploy tools do); inplace = truncated and rewritten.
hl_zone_write() {
  local dir=$1 serial=$2 how=${3:-atomic} f tmp
  f=$dir/$HL_ZONE.zone; tmp=$dir/.$HL_ZONE.zone.tmp.$$
  {
    echo "; written by bench/lib/hostile-lib.sh, serial $serial, $(date -Is)"
    echo "\$ORIGIN $HL_ZONE."
    echo "\$TTL 300"
    echo "@       SOA ns1 hostmaster $serial 7200 1800 259200 300"
    echo "@       NS  ns1"
    echo "ns1     A   127.0.0.1"
    echo "static  A   192.0.2.1"
    echo "serial  TXT \"serial $serial\""
    echo "; flood.sh's bypass and amplification workloads: a delegation with glue, a wildcard, a 600-byte TXT"
    echo "child   NS  ns1.child"
    echo "child   NS  ns2.child"
    echo "ns1.child A 192.0.2.153"
    echo "ns1.child AAAA 2001:db8::153"
    echo "ns2.child A 192.0.2.154"
    echo "ns2.child AAAA 2001:db8::154"
    echo "*.wild  A   192.0.2.100"
    echo "*.wild  TXT \"served by the *.wild wildcard\""
    awk 'BEGIN { for (i = 0; i < 6; i++) printf "large   TXT \"%d123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"\n", i }'
    awk -v n="$HL_HOSTS" 'BEGIN { for (i = 1; i <= n; i++) printf "h%04d   A   198.51.%d.%d\n", i, int(i / 250), i % 250 + 1 }'
  } > "$tmp" || return 1
  if [ "$how" = inplace ]; then cat "$tmp" > "$f" && rm -f "$tmp"; else mv -f "$tmp" "$f"; fi
}

# hl_fixture_write DIR LISTEN ADMIN_LISTEN RRL_YAML: DIR/geosteer.yaml, DIR/zones/example.test.zone
# (serial 1) and DIR/zones/example.test.steer.yaml (www.example.test steered by continent over the
# HL_ORIGINS, each checked over HTTP on HL_ORIGIN_PORT every 2 s, down after 2 failures, up after 2
# successes, as the anchors' fixture). RRL_YAML: the body of the rrl: block (indented lines).
hl_fixture_write() {
  local dir=$1 listen=$2 admin=$3 rrl=$4 db o pool addr
  db=$(fixture_geoip_db)
  [ -f "$db" ] || { hl_log "$(shared_missing "GeoIP test database" "$db")"; return 1; }
  mkdir -p "$dir/zones" || return 1
  hl_zone_write "$dir/zones" 1 || return 1
  {
    echo "# hostile-traffic fixture (bench/lib/hostile-lib.sh): www.$HL_ZONE by continent, failover order"
    echo "#   EU/AF -> eu, na, as   AS/OC -> as, eu, na   NA/SA/unknown -> na, eu, as"
    echo "monitors:"
    echo "  web: { type: http, port: $HL_ORIGIN_PORT, path: /, expect: \"200\", interval: 2s, timeout: 1s, rise: 2, fall: 2 }"
    echo "pools:"
    for o in $HL_ORIGINS; do
      pool=${o%%=*}; addr=${o#*=}
      echo "  $pool:"
      echo "    monitor: web"
      echo "    origins:"
      echo "      - { name: ${pool}1, address: $addr }"
    done
    cat <<EOF
balancers:
  www:
    ttl: 30
    steering: geo
    default_pools: [na, eu, as]
    regions:
      EU: [eu, na, as]
      AF: [eu, na, as]
      AS: [as, eu, na]
      OC: [as, na, eu]
      NA: [na, eu, as]
      SA: [na, eu, as]
    fallback_pool: na
    max_answers: 1
EOF
  } > "$dir/zones/$HL_ZONE.steer.yaml"
  cat > "$dir/geosteer.yaml" <<EOF
# generated by bench/lib/hostile-lib.sh
listen: ["$listen"]
zones_dir: $dir/zones
geoip:
  databases: ["$db"]
health:
  ttl_floor: 5s
admin:
  listen: "$admin"
rrl:
$rrl
EOF
}

# ---------------------------------------------------------------- origins (python3 http.server)
declare -A HL_ORIGIN_PID=()
hl_origin_addr() { local o; for o in $HL_ORIGINS; do [ "${o%%=*}" = "$1" ] && { echo "${o#*=}"; return 0; }; done; return 1; }
hl_origin_start() {  # hl_origin_start POOL WWWDIR
  local pool=$1 www=$2 addr i pid
  addr=$(hl_origin_addr "$pool") || return 1
  [ -n "${HL_ORIGIN_PID[$pool]:-}" ] && kill -0 "${HL_ORIGIN_PID[$pool]}" 2>/dev/null && return 0
  [ -n "$(ss -Hltn "src $addr:$HL_ORIGIN_PORT" 2>/dev/null)" ] && { hl_log "origin $addr:$HL_ORIGIN_PORT: something else listens there"; return 1; }
  mkdir -p "$www" && echo ok > "$www/index.html"
  python3 -m http.server --bind "$addr" --directory "$www" "$HL_ORIGIN_PORT" >> "$www/../http-$pool.log" 2>&1 &
  pid=$!; HL_ORIGIN_PID[$pool]=$pid
  for i in $(seq 1 40); do (exec 3<>"/dev/tcp/$addr/$HL_ORIGIN_PORT") 2>/dev/null && return 0; kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  hl_log "origin $pool ($addr:$HL_ORIGIN_PORT) did not start"; return 1
}
hl_origin_stop() {  # hl_origin_stop POOL
  local pid=${HL_ORIGIN_PID[$1]:-}
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
  HL_ORIGIN_PID[$1]=""
}
hl_origins_start() { local o; for o in $HL_ORIGINS; do hl_origin_start "${o%%=*}" "$1" || return 1; done; }
hl_origins_stop() { local p; for p in "${!HL_ORIGIN_PID[@]}"; do hl_origin_stop "$p"; done; }

# ---------------------------------------------------------------- server
SRV_PID=""
hl_answers() {  # HOST PORT: a real A record for static.example.test
  dig @"$1" -p "$2" "static.$HL_ZONE" A +short +time=1 +tries=1 2>/dev/null | grep -qE '^[0-9]+(\.[0-9]+){3}$'
}
# hl_server_start JAR CONFIG HOST PORT LOG HEAP [JAVA_OPTS...]: started from the repository root; sets SRV_PID
hl_server_start() {
  local jar=$1 cfg=$2 host=$3 port=$4 log=$5 heap=$6; shift 6
  local cmd=(java "-Xmx$heap" "$@" -jar "$jar" serve --config "$cfg" --listen "$host:$port")
  hl_log "starting: ${cmd[*]}"
  (cd "$REPO" && exec "${cmd[@]}") > "$log" 2>&1 &
  SRV_PID=$!
  hl_await_answers server "$host" "$port" "$log" 60
}
# hl_await_answers WHAT HOST PORT LOG SECONDS: wait until $SRV_PID answers, or die (with its log's tail)
hl_await_answers() {
  local what=$1 host=$2 port=$3 log=$4 secs=$5 deadline
  deadline=$(( $(date +%s) + secs ))
  until hl_answers "$host" "$port"; do
    kill -0 "$SRV_PID" 2>/dev/null || { tail -20 "$log" >&2; SRV_PID=""; hl_die "$what exited before answering"; }
    [ "$(date +%s)" -lt "$deadline" ] || { tail -20 "$log" >&2; hl_die "$what did not answer within $secs s"; }
    sleep 0.2
  done
  hl_log "$what pid $SRV_PID answers on $host:$port"
}
hl_server_stop() {
  local i
  [ -n "$SRV_PID" ] && kill -0 "$SRV_PID" 2>/dev/null || { SRV_PID=""; return 0; }
  kill -TERM "$SRV_PID" 2>/dev/null
  for i in $(seq 1 40); do kill -0 "$SRV_PID" 2>/dev/null || break; sleep 0.25; done
  kill -0 "$SRV_PID" 2>/dev/null && { hl_log "server pid $SRV_PID still alive after 10 s, KILL"; kill -KILL "$SRV_PID" 2>/dev/null; }
  wait "$SRV_PID" 2>/dev/null; hl_log "stopped server pid $SRV_PID (exit status $?)"
  SRV_PID=""
}

# ---------------------------------------------------------------- measurements
cpu_ticks() {  # utime+stime of PID (all threads), in clock ticks
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] && sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}
host_ticks() { awk '/^cpu /{ print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9 }' /proc/stat; }  # busy total

# hl_snapshot PID: "heap_used_kb heap_committed_kb rss_kb fds threads" after a full GC (jcmd GC.run,
# then GC.heap_info: the first "used NNNK" of the heap summary line).
hl_snapshot() {
  local pid=$1 heap used committed rss fds thr
  jcmd "$pid" GC.run >/dev/null 2>&1
  sleep 1
  heap=$(jcmd "$pid" GC.heap_info 2>/dev/null)
  used=$(echo "$heap" | awk '/ total [0-9]+K, used [0-9]+K/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); print v; exit } }')
  committed=$(echo "$heap" | awk '/ total [0-9]+K, used [0-9]+K/ { for (i = 1; i <= NF; i++) if ($i == "total") { v = $(i + 1); sub(/K.*/, "", v); print v; exit } }')
  rss=$(awk '/^VmRSS:/{print $2}' "/proc/$pid/status" 2>/dev/null)
  fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l)
  thr=$(awk '/^Threads:/{print $2}' "/proc/$pid/status" 2>/dev/null)
  echo "${used:--} ${committed:--} ${rss:--} ${fds:--} ${thr:--}"
}

# hl_metrics ADMIN_HOST:PORT OUT: scrape /metrics into OUT
hl_metrics() { curl -s --max-time 5 "http://$1/metrics" > "$2" || python3 -c 'import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "http://$1/metrics" > "$2"; }
# hl_metric FILE NAME [LABEL-REGEX]: sum of the samples of NAME whose labels match
hl_metric() {
  awk -v n="$2" -v re="${3:-}" '
    $1 ~ "^" n "({|$)" { lab = $1; if (re == "" || lab ~ re) s += $2; found = 1 }
    END { if (found) printf "%.0f\n", s; else print "-" }' "$1"
}

# hl_vfilter RAW HIST EXPECT: reads dnsperf -v output on stdin; the summary (every line but the
# per-query "> RCODE NAME TYPE LATENCY" ones) goes to RAW, and HIST gets
#   "n N bad B rcodes RCODE:COUNT,..."   then   "h BIN COUNT" lines (BIN = latency in 10 us units)
# bad = answered with an rcode other than EXPECT (NOERROR, NXDOMAIN, or "any"). Lines whose last
# field is not a latency (timeouts, "> T ...") only count in rcodes. hl_hist.py reads HIST files.
hl_vfilter() {
  awk -v raw="$1" -v hist="$2" -v expect="$3" '
    /^> / {
      rc[$2]++; lat = $NF; if (lat !~ /^[0-9.]+$/) next
      b = int(lat * 100000); h[b]++; n++
      if (expect != "any" && $2 != expect) bad++
      next
    }
    { print > raw }
    END {
      o = ""; for (k in rc) o = o (o == "" ? "" : ",") k ":" rc[k]
      printf "n %d bad %d rcodes %s\n", n, bad, (o == "" ? "-" : o) > hist
      for (b in h) printf "h %d %d\n", b, h[b] > hist
    }'
}

# hl_dnsperf_summary RAW: "qps sent completed lost lost_pct avg_ms max_ms" from a dnsperf output
hl_dnsperf_summary() {
  awk '
    /Queries sent:/ { sent = $3 } /Queries completed:/ { done_ = $3 }
    /Queries lost:/ { lost = $3; p = $4; gsub(/[()%]/, "", p) }
    /Queries per second/ { qps = $4 }
    /Average Latency/ && !seen++ { avg = $4 * 1000; m = $8; gsub(/[),]/, "", m); mx = m * 1000 }
    END { printf "%.0f %s %s %s %s %.3f %.3f\n", qps, sent != "" ? sent : "-", done_ != "" ? done_ : "-", lost != "" ? lost : "-", p != "" ? p : "-", avg, mx }' "$1"
}

# hl_rcodes RAW: dnsperf's "Response codes:" line as "RCODE:COUNT,..." ("-" if none)
hl_rcodes() {
  awk '/Response codes:/ { sub(/.*Response codes: */, ""); n = split($0, a, /, */); o = ""
         for (i = 1; i <= n; i++) { split(a[i], w, " "); o = o (o == "" ? "" : ",") w[1] ":" w[2] } print o; f = 1 }
       END { if (!f) print "-" }' "$1"
}
# hl_bad_rcodes "RCODE:COUNT,..." EXPECT: how many are not EXPECT
hl_bad_rcodes() { echo "$1" | tr ',' '\n' | awk -F: -v e="$2" '$1 != "" && $1 != "-" && $1 != e { s += $2 } END { print s + 0 }'; }

# hl_udp_drops PORT: receive drops (the kernel's "drops" column: datagrams discarded because the
# socket's receive buffer was full) summed over the UDP sockets bound to local port PORT
hl_udp_drops() {
  local hex
  hex=$(printf '%04X' "$1")
  cat /proc/net/udp /proc/net/udp6 2>/dev/null | awk -v p=":$hex" 'NR > 0 && $2 ~ p "$" { s += $NF } END { print s + 0 }'
}
# hl_udp_rcvbuf_errors: the host's Udp RcvbufErrors counter (every socket, every process)
hl_udp_rcvbuf_errors() { awk '/^Udp: [0-9]/ { print $6 }' /proc/net/snmp; }
