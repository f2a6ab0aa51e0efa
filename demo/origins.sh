#!/usr/bin/env bash
# Local origins for the health-check demo: eu on 127.0.0.11, ap on 127.0.0.12, na on 127.0.0.13,
# each a python3 HTTP server on port 18080 serving /health (GEOSTEER_DEMO_ORIGIN_PORT: another port;
# GEOSTEER_DEMO_STATE: where pids and logs go).
#   demo/origins.sh start [eu|ap|na]...   (default: all three)
#   demo/origins.sh stop  [eu|ap|na]...
#   demo/origins.sh status
set -euo pipefail
cd "$(dirname "$0")"
state=${GEOSTEER_DEMO_STATE:-${TMPDIR:-/tmp}/geosteer-demo-origins}
port=${GEOSTEER_DEMO_ORIGIN_PORT:-18080}
mkdir -p "$state"
addr() { case "$1" in eu) echo 127.0.0.11;; ap) echo 127.0.0.12;; na) echo 127.0.0.13;;
         *) echo "unknown origin '$1' (eu, ap, na)" >&2; exit 2;; esac; }
cmd=${1:-status}; shift || true
names=("$@"); [ ${#names[@]} -gt 0 ] || names=(eu ap na)
case "$cmd" in
  start)
    for n in "${names[@]}"; do
      a=$(addr "$n"); dir="$state/$n"; mkdir -p "$dir"; echo "ok $n" > "$dir/health"
      if [ -f "$state/$n.pid" ] && kill -0 "$(cat "$state/$n.pid")" 2>/dev/null; then echo "$n already up"; continue; fi
      python3 -m http.server "$port" --bind "$a" --directory "$dir" >"$state/$n.log" 2>&1 &
      echo $! > "$state/$n.pid"; echo "$n up on http://$a:$port/health (pid $!)"
    done ;;
  stop)
    for n in "${names[@]}"; do
      if [ -f "$state/$n.pid" ]; then kill "$(cat "$state/$n.pid")" 2>/dev/null || true; rm -f "$state/$n.pid"; echo "$n down"; fi
    done ;;
  status)
    for n in eu ap na; do
      if [ -f "$state/$n.pid" ] && kill -0 "$(cat "$state/$n.pid")" 2>/dev/null; then echo "$n up"; else echo "$n down"; fi
    done ;;
  *) echo "usage: $0 start|stop|status [eu|ap|na]..." >&2; exit 2 ;;
esac
