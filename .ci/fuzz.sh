#!/usr/bin/env bash
# Coverage-guided fuzzing of geosteer with Jazzer, for a bounded time per target.
#
#   .ci/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS (default 60) is the fuzzing time of the packet target; the zone file and steering file targets
# get half of it each. TARGET is any of: packet zone steering (default: all three). Examples:
#   .ci/fuzz.sh                 # 60 s packet, 30 s zone, 30 s steering: about 2 minutes on 2 cores
#   .ci/fuzz.sh 600 packet      # the packet target alone for 10 minutes
#   FUZZ_ZONE_SECONDS=120 .ci/fuzz.sh 60 zone
#
# Jazzer fuzzes only one @FuzzTest per JVM, so each target is its own `mvn surefire:test` run. With two or
# more cores the packet target runs beside the two loader targets (one after the other), so the whole
# script takes about SECONDS plus JVM start-up. Sources are compiled once, before the runs.
#
# Per target: the libFuzzer log is target/fuzz/<target>.log, the corpus it grows target/fuzz/corpus/<target>
# (kept between runs, starting from the checked-in seeds). A finding is written by Jazzer as
# src/test/resources/dev/geosteer/fuzz/<Class>Inputs/<method>/crash-<sha1> (timeout-<sha1> for a hang):
# from then on plain `mvn test` replays it as a regression test. Commit it with the fix.
#
# A run does not stop at the first finding: it goes on until FUZZ_KEEP_GOING (default 20) distinct findings
# (by Jazzer's deduplication token) or the time is up, so that a known bug does not hide the next one.
#
# Exit status: 0 when no target found anything, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_PACKET=${1:-60}
shift $(( $# > 0 ? 1 : 0 ))
if ! [[ "$SECONDS_PACKET" =~ ^[0-9]+$ ]] || [ "$SECONDS_PACKET" -lt 1 ]; then
  echo "usage: $0 [SECONDS] [packet|zone|steering ...]" >&2
  exit 2
fi
HALF=$(( SECONDS_PACKET / 2 > 0 ? SECONDS_PACKET / 2 : 1 ))
SECONDS_ZONE=${FUZZ_ZONE_SECONDS:-$HALF}
SECONDS_STEERING=${FUZZ_STEERING_SECONDS:-$HALF}
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(packet zone steering)
for t in "${TARGETS[@]}"; do
  case "$t" in packet|zone|steering) ;; *) echo "unknown target '$t' (packet, zone, steering)" >&2; exit 2 ;; esac
done

GRACE=${FUZZ_GRACE_SECONDS:-300}   # JVM start, agent, seed replay: beyond this a run is killed as hung
OUT=target/fuzz
DICTS=$PWD/src/test/resources/fuzz/dict
INPUTS=src/test/resources/dev/geosteer/fuzz
mkdir -p "$OUT"

# name → test class, fuzz method, seconds, dictionary, classes instrumented for coverage feedback.
class_of() { case "$1" in packet) echo PacketFuzzTarget ;; zone) echo ZoneFileFuzzTarget ;; steering) echo SteeringFileFuzzTarget ;; esac; }
method_of() { case "$1" in packet) echo fuzzPacket ;; zone) echo fuzzZoneFile ;; steering) echo fuzzSteeringFile ;; esac; }
seconds_of() { case "$1" in packet) echo "$SECONDS_PACKET" ;; zone) echo "$SECONDS_ZONE" ;; steering) echo "$SECONDS_STEERING" ;; esac; }
instrument_of() {
  case "$1" in
    packet) echo 'dev.geosteer.**' ;;
    zone) echo 'dev.geosteer.**,org.xbill.DNS.**' ;;                       # dnsjava's zone file tokenizer too
    steering) echo 'dev.geosteer.**,org.yaml.snakeyaml.**,com.fasterxml.jackson.dataformat.yaml.**' ;;
  esac
}

findings() { # the finding files of a target, one per line
  local dir="$INPUTS/$(class_of "$1")Inputs/$(method_of "$1")"
  [ -d "$dir" ] || return 0
  find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'slow-unit-*' \) | sort
}

echo "compiling..."
mvn -q -B test-compile

run() { # run TARGET: fuzz one target, output in target/fuzz/TARGET.log, exit status in target/fuzz/TARGET.status
  local t=$1 class seconds corpus
  class=$(class_of "$t")
  seconds=$(seconds_of "$t")
  corpus=$OUT/corpus/$t
  mkdir -p "$corpus"
  findings "$t" > "$OUT/$t.before"
  rm -f "$OUT/$t.status" "$OUT/$t.log" "$OUT/$t.stalled"
  echo "fuzzing $t ($class) for ${seconds} s: log in $OUT/$t.log"
  local status=0
  # jazzer.internal.arg.N are the libFuzzer arguments (what Jazzer's own launcher passes); they come after
  # those derived from @FuzzTest, so -max_total_time here overrides its maxDuration. The first positional
  # argument is the corpus directory libFuzzer writes to (instead of .cifuzz-corpus in the project root).
  # Before fuzzing, Jazzer replays the inputs directory as plain JUnit invocations, which libFuzzer's -timeout
  # does not cover: the watchdog (its own process group, so the forked test JVM goes too) bounds the whole run.
  JAZZER_FUZZ=1 timeout --kill-after=30 $(( seconds + GRACE )) \
    mvn -B surefire:test -Dtest="$class" -Dsurefire.failIfNoSpecifiedTests=false \
    -Djazzer.internal.arg.0=fuzz.sh \
    -Djazzer.internal.arg.1="$PWD/$corpus" \
    -Djazzer.internal.arg.2=-max_total_time="$seconds" \
    -Djazzer.internal.arg.3=-timeout=10 \
    -Djazzer.internal.arg.4=-dict="$DICTS/$t.dict" \
    -Djazzer.internal.arg.5=-print_final_stats=1 \
    -Djazzer.instrument="$(instrument_of "$t")" \
    -Djazzer.keep_going="${FUZZ_KEEP_GOING:-20}" \
    > "$OUT/$t.log" 2>&1 &
  local pid=$!
  echo "$pid" > "$OUT/$t.pid"
  # libFuzzer ends by itself after -max_total_time; if it has not a minute later, the run is stuck (seen once:
  # no progress, no -timeout report): stop it rather than wait for the watchdog.
  local started="" now
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    now=$(date +%s)
    if [ -z "$started" ] && grep -aqE '^#[0-9]+[[:space:]]+INITED' "$OUT/$t.log" 2>/dev/null; then
      started=$now
    elif [ -n "$started" ] && [ $(( now - started )) -gt $(( seconds + 60 )) ] && [ ! -f "$OUT/$t.stalled" ]; then
      touch "$OUT/$t.stalled"
      kill -TERM "$pid" 2>/dev/null || true
    fi
  done
  wait "$pid" || status=$?
  rm -f "$OUT/$t.pid"
  echo "$status" > "$OUT/$t.status"
}

# On Ctrl-C or TERM, stop the runs: each watchdog passes the signal on to its Maven and test JVM.
stop() {
  for f in "$OUT"/*.pid; do
    [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null || true
  done
  exit 130
}
trap stop INT TERM

# Two lanes when there are two cores: the packet target, and the loaders one after the other.
LANE1=()
LANE2=()
for t in "${TARGETS[@]}"; do
  if [ "$t" = packet ]; then LANE1+=("$t"); else LANE2+=("$t"); fi
done
CORES=$(nproc 2>/dev/null || echo 1)
if [ "$CORES" -ge 2 ] && [ ${#LANE1[@]} -gt 0 ] && [ ${#LANE2[@]} -gt 0 ]; then
  ( for t in "${LANE1[@]}"; do run "$t"; done ) &
  lane1=$!
  ( for t in "${LANE2[@]}"; do run "$t"; done ) &
  lane2=$!
  wait "$lane1" "$lane2" || true
else
  for t in "${TARGETS[@]}"; do run "$t"; done
fi

echo
echo "== fuzzing summary"
failed=0
for t in "${TARGETS[@]}"; do
  log=$OUT/$t.log
  status=$(cat "$OUT/$t.status" 2>/dev/null || echo "?")
  # libFuzzer's last status line: "#<execs> DONE cov: <edges> ft: <features> corp: <n>/<size> ... exec/s: <rate>"
  last=$(grep -aE '^#[0-9]+[[:space:]]+(DONE|NEW|REDUCE|pulse|INITED)' "$log" 2>/dev/null | tail -1 || true)
  execs=$(grep -aE '^stat::number_of_executed_units:' "$log" 2>/dev/null | awk '{print $2}' | tail -1 || true)
  rate=$(grep -aE '^stat::average_exec_per_sec:' "$log" 2>/dev/null | awk '{print $2}' | tail -1 || true)
  [ -n "$execs" ] || execs=$(sed -nE 's/^#([0-9]+).*/\1/p' <<< "$last")
  [ -n "$rate" ] || rate=$(sed -nE 's/.*exec\/s: ([0-9]+).*/\1/p' <<< "$last")
  cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<< "$last")
  ft=$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<< "$last")
  corp=$(sed -nE 's/.*corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<< "$last")
  printf '%-9s %-14s executions %-10s exec/s %-7s cov %-6s ft %-6s corpus %-12s exit %s\n' "$t" \
    "($(seconds_of "$t") s)" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$status"
  [ -n "$last" ] && echo "          $last"
  new=$(comm -13 "$OUT/$t.before" <(findings "$t") || true)
  if [ -f "$OUT/$t.stalled" ] || [ "$status" = 124 ] || [ "$status" = 137 ]; then
    failed=1
    if [ -f "$OUT/$t.stalled" ]; then
      echo "          STALLED: still running a minute after -max_total_time; stopped. See $log"
    else
      echo "          HUNG: killed after $(( $(seconds_of "$t") + GRACE )) s. A seed or crash file in the inputs"
      echo "          directory that never finishes hangs Jazzer's replay before fuzzing starts; see $log"
    fi
    if [ -n "$new" ]; then
      echo "          written when the JVM was stopped (the input it was running; replay it with"
      echo "          'mvn test -Dtest=FuzzInputsTest' before calling it a bug):"
      sed 's/^/            /' <<< "$new"
    fi
  elif [ -n "$new" ]; then
    failed=1
    echo "          FINDINGS (now regression inputs of plain 'mvn test'):"
    sed 's/^/            /' <<< "$new"
    # each distinct finding: the exception and the first geosteer frame (or the libFuzzer error)
    awk '/^== Java Exception/ { ex = $0; want = 1; next }
         /^==[0-9]+== ERROR: libFuzzer/ { if (!seen[$0]++) print; next }
         want && /^[[:space:]]+at (app\/\/)?dev\.geosteer/ { if (!seen[ex $0]++) { print ex; print $0 }; want = 0 }
         want && /^DEDUP_TOKEN/ { if (!seen[ex]++) print ex " (no stack trace)"; want = 0 }' "$log" \
      | sed 's/^/            /' || true
  elif [ "$status" != 0 ]; then
    failed=1
    echo "          FAILED without a finding file; see $log:"
    grep -aE '^\[ERROR\]|Exception|ERROR' "$log" 2>/dev/null | head -12 | sed 's/^/            /' || true
  fi
done
exit "$failed"
