#!/usr/bin/env bash
# The robustness measurement behind docs/security.md: kubeassume with the recommended JVM flags
# against each attack of the hostile-internet issue, plain and over TLS, with a good client asking
# for the JWKS on a new connection every 100 ms throughout. Then wrk with 2000 connections.
#
#   bench/attack.sh [--no-build]
#
# Environment knobs (all optional):
#   ATTACK_SECONDS    seconds per attack                      (default 30)
#   ATTACK_JAVA_OPTS  JVM flags (default: the recommended set, as in bench/run.sh)
#   ATTACK_PORT / ATTACK_MPORT   local ports                  (default 18080 / 19090)
#
# Prints one markdown row per attack: what the attacker held, the good client's answered share during
# and after, the heap after a full GC right after the attack, resident memory, what the server closed
# and why. Exit status 0 whatever the numbers (a measurement); non-zero only if something failed to
# build or start. Needs wrk (apt-get install -y wrk) and a JDK (jcmd).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=1
[[ "${1:-}" == "--no-build" ]] && BUILD=0
SECONDS_PER_ATTACK=${ATTACK_SECONDS:-30}
PORT=${ATTACK_PORT:-18080}
MPORT=${ATTACK_MPORT:-19090}
DEFAULT_JAVA_OPTS="-Xms32m -Xmx64m -XX:+UseSerialGC -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=32m -XX:MaxDirectMemorySize=32m -Xss512k -XX:+ExitOnOutOfMemoryError -XX:TrimNativeHeapInterval=5000 -Dio.netty.allocator.numDirectArenas=2 -Dio.netty.allocator.numHeapArenas=2"
JAVA_OPTS=${ATTACK_JAVA_OPTS:-$DEFAULT_JAVA_OPTS}
JAR=$ROOT/server/target/kubeassume.jar
CLASSES=$ROOT/server/target/test-classes
CA=$ROOT/certs/dev/tls/ca.crt
WORK=$(mktemp -d /tmp/kubeassume-attack.XXXXXX)
PID=""
cleanup() {
  if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
log() { printf '[attack %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

command -v wrk >/dev/null || { log "wrk is missing: apt-get install -y wrk"; exit 1; }
if [[ $BUILD == 1 ]]; then
  log "building the jar and the test classes (AttackRun, HostileClients)"
  (cd "$ROOT" && mvn -B -q -o -pl server -am -DskipTests package) >&2
fi

start() { # start plain|tls
  local scheme=http extra=() p
  for p in "$PORT" "$MPORT"; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then log "port $p is already in use"; exit 1; fi
  done
  if [[ $1 == tls ]]; then
    scheme=https
    extra=(--tls-cert "$ROOT/certs/dev/tls/tls.crt" --tls-key "$ROOT/certs/dev/tls/tls.key")
  fi
  # shellcheck disable=SC2086
  java $JAVA_OPTS -jar "$JAR" serve --source files --issuer-url "$scheme://localhost:$PORT" --keys "$ROOT/certs/dev/sa.pub" \
    --bind 127.0.0.1 --port "$PORT" --management-port "$MPORT" --log-level warn "${extra[@]}" >"$WORK/server.log" 2>&1 &
  PID=$!
  for _ in $(seq 1 300); do
    kill -0 "$PID" 2>/dev/null || { cat "$WORK/server.log" >&2; log "the server exited during start-up"; exit 1; }
    curl -sf --max-time 1 "http://127.0.0.1:$MPORT/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$WORK/server.log" >&2
  log "the server did not become ready"; exit 1
}
stop() { kill -TERM "$PID"; wait "$PID" 2>/dev/null || true; PID=""; }
heap_kib() { # used heap after a full GC
  jcmd "$PID" GC.run >/dev/null
  jcmd "$PID" GC.heap_info | awk '/def new generation|tenured generation/{for(i=1;i<=NF;i++) if($i=="used") {v=$(i+1); sub("K,?","",v); s+=v}} END{print s}'
}
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$PID/status"; }
peak_kib() { awk '/^VmHWM:/ {print $2}' "/proc/$PID/status"; }
closed() { # the server's own closes since start, by reason
  curl -s "http://127.0.0.1:$MPORT/metrics" \
    | awk -F'[{}" ]+' '/^kubeassume_http_connections_closed_total\{port="public"/ && $NF+0 > 0 {printf "%s%s %d", sep, $5, $NF; sep="; "; n++} END{if (!n) printf "none"}'
}
alive() { curl -sf --max-time 2 "http://127.0.0.1:$MPORT/healthz" >/dev/null && echo ok || echo FAILING; }

echo "| port | attack | held by the attacker | good client during | after | heap after GC | RSS after (peak) | closed by the server | /healthz |"
echo "|---|---|---|---|---|---:|---:|---|---|"
run() { # run plain|tls MODE CONNECTIONS STREAMS LABEL
  local ca=- ; [[ $1 == tls ]] && ca=$CA
  start "$1"
  java -cp "$CLASSES" io.kubeassume.server.AttackRun "$2" 127.0.0.1 "$PORT" "$ca" "$3" "$4" "$SECONDS_PER_ATTACK" >"$WORK/attack.log"
  local summary during after
  summary=$(tail -1 "$WORK/attack.log")
  during=$(sed -E 's/during attack: ([0-9]+) of ([0-9]+) .*\(([0-9]+) %\).*/\1 of \2 (\3 %)/' <<<"$summary")
  after=$(sed -E 's/.*after: ([0-9]+ of [0-9]+)/\1/' <<<"$summary")
  local heap
  heap=$(heap_kib)
  echo "| $1 | $5 | $3 conn. | $during | $after | $(( heap / 1024 )) MiB | $(( $(rss_kib) / 1024 )) MiB ($(( $(peak_kib) / 1024 ))) | $(closed) | $(alive) |"
  stop
}
run plain idle 8000 0 "idle connections, nothing sent"
run plain half 8000 0 "half-sent requests"
run tls idle 8000 0 "TCP only, no ClientHello"
run tls half 2000 0 "TLS, half-sent requests"
run tls h2-stall 300 100 "HTTP/2, 100 streams each, zero window"

start plain
before=$(rss_kib)
wrk -t2 -c2000 -d60s "http://127.0.0.1:$PORT/openid/v1/jwks" >"$WORK/wrk.log"
sleep 5
echo
echo "wrk -t2 -c2000 -d60s: $(awk '/Requests\/sec/ {print $2}' "$WORK/wrk.log") req/s, socket errors: $(grep 'Socket errors' "$WORK/wrk.log" | sed 's/.*Socket errors: //' || echo none); RSS $(( before / 1024 )) MiB before, $(( $(rss_kib) / 1024 )) MiB 5 s after (peak $(( $(awk '/^VmHWM:/ {print $2}' "/proc/$PID/status") / 1024 )) MiB); closed by the server: $(closed)"
stop
