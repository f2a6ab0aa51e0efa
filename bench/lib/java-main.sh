# Sourced by bench/sign-speed.sh and bench/nsec-chain.sh (not run by itself): builds the test
# classes, and runs a main class of src/test/java with the project's test classpath, after waiting
# (up to QUIET_WAIT seconds) for the machine to be quiet. Needs REPO and OUT.

jm_log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# jm_classpath: builds the test classes and prints the classpath (also written to $OUT/classpath.txt)
jm_classpath() {
  (cd "$REPO" && mvn -q -B test-compile >&2 \
    && mvn -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt" >&2) \
    || { jm_log "ERROR: build failed"; exit 1; }
  echo "$REPO/target/classes:$REPO/target/test-classes:$(cat "$OUT/classpath.txt")"
}

# jm_cpu_busy: percent of all cores busy over one second (other people's builds ruin the figures)
jm_cpu_busy() {
  local a b c d e f g u1 t1
  read -r _ a b c d e f g _ < /proc/stat; u1=$((a+b+c+e+f+g)); t1=$((a+b+c+d+e+f+g))
  sleep 1
  read -r _ a b c d e f g _ < /proc/stat
  echo $(( 100 * (a+b+c+e+f+g-u1) / (a+b+c+d+e+f+g-t1) ))
}

# jm_wait_quiet SECONDS: waits until under 25 % busy, at most SECONDS; writes $OUT/header.txt
jm_wait_quiet() {
  local deadline=$(( $(date +%s) + $1 )) pct
  while :; do
    pct=$(jm_cpu_busy)
    [ "$pct" -le 25 ] || [ "$(date +%s)" -ge "$deadline" ] && break
    sleep 4
  done
  {
    echo "host: $(uname -n), $(nproc) cores,$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
    echo "commit: $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null)$(git -C "$REPO" diff --quiet 2>/dev/null || echo ' (modified)')"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); all cores busy in the 1 s before: ${pct}%"
    [ "$pct" -le 25 ] || echo "WARNING: the machine was ${pct}% busy before the run: figures are low and noisy"
  } | tee -a "$OUT/header.txt" >&2
}
