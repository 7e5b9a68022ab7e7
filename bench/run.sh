#!/usr/bin/env bash
# kubeassume vs nginx: wrk against the JWKS path, same machine, same run.
#
#   bench/run.sh [--no-build]
#
# Environment knobs (all optional):
#   BENCH_DURATION   seconds per measured wrk run            (default 30)
#   BENCH_WARMUP     seconds of warm-up per server           (default 10)
#   BENCH_ROUNDS     measured rounds per server, order alternates (default 2)
#   BENCH_CONNS      wrk connections                          (default 64)
#   BENCH_THREADS    wrk threads                  (default: wrk's CPUs with the split, else 2)
#   BENCH_CPU_SPLIT  1: the servers and wrk on separate CPUs, 0: all on every CPU
#                    (default 1 on 2 or more CPUs; bench/cpu-split.sh says why)
#   BENCH_JAVA_OPTS  JVM flags for kubeassume (default: the recommended small-container set below)
#   BENCH_KA_PORT / BENCH_KA_MPORT / BENCH_NGINX_PORT   local ports (default 18080 / 19090 / 18081)
#   BENCH_JAR        the jar to run (default server/target/kubeassume.jar; for experiments)
#   BENCH_KEEP=1     keep the temp dir (logs, nginx config, wrk output)
#   BENCH_CDS=0      run without a class-data sharing archive (default 1: train one with
#                    packaging/cds-train.sh first, as the container image does)
#
# Everything listens on 127.0.0.1 only. Exit status is 0 whatever the numbers are (this is a
# measurement, not a test); it is non-zero only if something failed to install, build or start.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=1
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $arg" >&2; exit 2 ;;
  esac
done

DURATION=${BENCH_DURATION:-30}
WARMUP=${BENCH_WARMUP:-10}
ROUNDS=${BENCH_ROUNDS:-2}
CONNS=${BENCH_CONNS:-64}
source "$ROOT/bench/cpu-split.sh"
cpu_split "${BENCH_CPU_SPLIT:-}" || exit 1
if ((CPU_SPLIT)); then THREADS=${BENCH_THREADS:-$CLIENT_CPU_COUNT}; else THREADS=${BENCH_THREADS:-2}; fi
KA_PORT=${BENCH_KA_PORT:-18080}
KA_MPORT=${BENCH_KA_MPORT:-19090}
NGINX_PORT=${BENCH_NGINX_PORT:-18081}
# The recommended flags (see docs/performance.md for why each one).
DEFAULT_JAVA_OPTS="-Xms32m -Xmx64m -XX:+UseSerialGC -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=32m -XX:MaxDirectMemorySize=32m -Xss512k -XX:+ExitOnOutOfMemoryError -XX:TrimNativeHeapInterval=5000 -Dio.netty.allocator.numDirectArenas=2 -Dio.netty.allocator.numHeapArenas=2"
JAVA_OPTS=${BENCH_JAVA_OPTS:-$DEFAULT_JAVA_OPTS}
JAR=${BENCH_JAR:-$ROOT/server/target/kubeassume.jar}
KEYS="$ROOT/certs/dev/sa.pub"
JWKS_PATH=/openid/v1/jwks
DISCOVERY_PATH=/.well-known/openid-configuration

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- cleanup
WORK=$(mktemp -d /tmp/kubeassume-bench.XXXXXX)
chmod 755 "$WORK"          # nginx workers run as nobody and must read the docroot
KA_PID=""
NGINX_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$KA_PID" ]] && kill -0 "$KA_PID" 2>/dev/null; then
    kill -TERM "$KA_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$KA_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$KA_PID" 2>/dev/null || true
  fi
  if [[ -n "$NGINX_PID" ]] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -QUIT "$NGINX_PID" 2>/dev/null || true      # graceful: master stops its workers
    for _ in $(seq 1 50); do kill -0 "$NGINX_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NGINX_PID" 2>/dev/null || true
  fi
  wait 2>/dev/null || true
  if [[ "${BENCH_KEEP:-0}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- 1. tools and jar
missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "cannot install ${missing[*]}"
fi
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
command -v java >/dev/null || die "java not found"

if ((BUILD)); then
  log "building $JAR"
  (cd "$ROOT" && mvn -B -q -o package -DskipTests) >&2 || die "build failed"
fi
[[ -f "$JAR" ]] || die "$JAR missing (build it, or drop --no-build)"

if [[ "${BENCH_CDS:-1}" == 1 ]]; then
  log "training a class-data sharing archive (packaging/cds-train.sh), as the image does"
  # The training run uses the same flags, so the archive matches the measured JVM.
  JDK_JAVA_OPTIONS="$JAVA_OPTS" bash "$ROOT/packaging/cds-train.sh" "$JAR" "$WORK/kubeassume.jsa" >&2 \
    || die "class-data sharing training failed"
  JAVA_OPTS="$JAVA_OPTS -XX:SharedArchiveFile=$WORK/kubeassume.jsa"
fi

for p in "$KA_PORT" "$KA_MPORT" "$NGINX_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p is already in use"; fi
done

# ---------------------------------------------------------------- 2. kubeassume + time to first response
log "starting kubeassume: java $JAVA_OPTS"
# shellcheck disable=SC2086
T0=$(date +%s%N)
"${ON_SERVER_CPUS[@]}" java $JAVA_OPTS -jar "$JAR" serve --source files --issuer-url "http://localhost:$KA_PORT" --keys "$KEYS" \
  --bind 127.0.0.1 --port "$KA_PORT" --management-port "$KA_MPORT" --log-level warn \
  >"$WORK/kubeassume.log" 2>&1 &
KA_PID=$!
FIRST_MS=""
# Tight, bounded poll (~30 s worst case): the first 200 on the JWKS path.
for _ in $(seq 1 6000); do
  if curl -s -o /dev/null --max-time 0.2 -w '%{http_code}' "http://127.0.0.1:$KA_PORT$JWKS_PATH" 2>/dev/null | grep -q '^200$'; then
    FIRST_MS=$(( ($(date +%s%N) - T0) / 1000000 ))
    break
  fi
  kill -0 "$KA_PID" 2>/dev/null || { cat "$WORK/kubeassume.log" >&2; die "kubeassume exited during start-up"; }
  sleep 0.005
done
[[ -n "$FIRST_MS" ]] || { cat "$WORK/kubeassume.log" >&2; die "kubeassume never answered 200 on $JWKS_PATH"; }
log "kubeassume first 200 after ${FIRST_MS} ms"
curl -sf --max-time 2 "http://127.0.0.1:$KA_MPORT/readyz" >/dev/null || die "kubeassume /readyz is not 200"
RSS_IDLE_KB=$(awk '/^VmRSS:/ {print $2}' "/proc/$KA_PID/status")

# ---------------------------------------------------------------- 3. nginx with the same bytes
DOCROOT="$WORK/www"
mkdir -p "$DOCROOT/.well-known" "$DOCROOT/openid/v1" "$WORK/nginx"
curl -sf --max-time 2 -o "$DOCROOT/openid/v1/jwks" "http://127.0.0.1:$KA_PORT$JWKS_PATH" || die "cannot fetch JWKS"
curl -sf --max-time 2 -o "$DOCROOT/.well-known/openid-configuration" "http://127.0.0.1:$KA_PORT$DISCOVERY_PATH" \
  || die "cannot fetch discovery"
chmod -R a+rX "$DOCROOT"
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes $NGINX_WORKERS;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 65;
  keepalive_requests 1000000;
  server_tokens off;
  client_body_temp_path $WORK/nginx/tmp;
  proxy_temp_path $WORK/nginx/tmp;
  fastcgi_temp_path $WORK/nginx/tmp;
  uwsgi_temp_path $WORK/nginx/tmp;
  scgi_temp_path $WORK/nginx/tmp;
  types { }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $DOCROOT;
    # The same headers kubeassume sends, so both responses are about the same size.
    add_header Cache-Control "public, max-age=300";
    add_header Access-Control-Allow-Origin "*";
    add_header X-Content-Type-Options nosniff;
    location = $JWKS_PATH { default_type application/jwk-set+json; }
    location = $DISCOVERY_PATH { default_type application/json; }
    location / { return 404; }
  }
}
EOF
"$NGINX_BIN" -t -q -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx/test.log" \
  || { cat "$WORK/nginx/test.log" >&2; die "nginx config test failed"; }
"${ON_SERVER_CPUS[@]}" "$NGINX_BIN" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' >"$WORK/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
ok=0
for _ in $(seq 1 200); do
  if curl -sf --max-time 0.2 -o /dev/null "http://127.0.0.1:$NGINX_PORT$JWKS_PATH"; then ok=1; break; fi
  kill -0 "$NGINX_PID" 2>/dev/null || break
  sleep 0.05
done
((ok)) || { cat "$WORK/nginx/stdout.log" "$WORK/nginx/error.log" >&2 2>/dev/null; die "nginx did not start"; }
cmp -s <(curl -sf "http://127.0.0.1:$NGINX_PORT$JWKS_PATH") <(curl -sf "http://127.0.0.1:$KA_PORT$JWKS_PATH") \
  || die "nginx and kubeassume serve different JWKS bytes"
log "nginx up on 127.0.0.1:$NGINX_PORT (pid $NGINX_PID)"
{
  echo "== kubeassume"; curl -si "http://127.0.0.1:$KA_PORT$JWKS_PATH"; echo
  echo "== nginx"; curl -si "http://127.0.0.1:$NGINX_PORT$JWKS_PATH"; echo
} >"$WORK/responses.txt"

# ---------------------------------------------------------------- 4. wrk
url_of() { if [[ $1 == nginx ]]; then echo "http://127.0.0.1:$NGINX_PORT$JWKS_PATH"; else echo "http://127.0.0.1:$KA_PORT$JWKS_PATH"; fi; }
source "$ROOT/bench/wrk-results.sh"
declare -A SUM_RPS SUM_P50 SUM_P99 N_RUNS ERRS
for s in nginx kubeassume; do SUM_RPS[$s]=0; SUM_P50[$s]=0; SUM_P99[$s]=0; N_RUNS[$s]=0; ERRS[$s]=0; done
RUN_LINES=()
run_wrk() {  # server label
  local s=$1 label=$2 out="$WORK/wrk-$1-$2.txt"
  "${ON_CLIENT_CPUS[@]}" wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency "$(url_of "$s")" >"$out" 2>&1 || die "wrk failed against $s"
  wrk_read "$out" || { cat "$out" >&2; die "cannot parse wrk output for $s"; }
  local rps=$WRK_RPS p50=$WRK_P50 p99=$WRK_P99 bad=$WRK_BAD
  SUM_RPS[$s]=$(awk -v a="${SUM_RPS[$s]}" -v b="$rps" 'BEGIN {print a + b}')
  SUM_P50[$s]=$(awk -v a="${SUM_P50[$s]}" -v b="$p50" 'BEGIN {print a + b}')
  SUM_P99[$s]=$(awk -v a="${SUM_P99[$s]}" -v b="$p99" 'BEGIN {print a + b}')
  N_RUNS[$s]=$(( ${N_RUNS[$s]} + 1 ))
  ERRS[$s]=$(( ${ERRS[$s]} + bad ))
  RUN_LINES+=("| $label | $s | $rps | $p50 | $p99 | $bad |")
  log "$label $s: ${rps} req/s, p50 ${p50} ms, p99 ${p99} ms, errors ${bad}"
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for s in nginx kubeassume; do
  log "warm-up $s (${WARMUP}s)"
  "${ON_CLIENT_CPUS[@]}" wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" "$(url_of "$s")" >"$WORK/warmup-$s.txt" 2>&1 || die "wrk warm-up failed against $s"
done
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 == 1 )); then order=(nginx kubeassume); else order=(kubeassume nginx); fi
  for s in "${order[@]}"; do run_wrk "$s" "round $r"; done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- 5. memory
kill -0 "$KA_PID" 2>/dev/null || die "kubeassume died during the run"
RSS_KB=$(awk '/^VmRSS:/ {print $2}' "/proc/$KA_PID/status")
RSS_HWM_KB=$(awk '/^VmHWM:/ {print $2}' "/proc/$KA_PID/status")
NGINX_RSS_KB=0
for p in "$NGINX_PID" $(pgrep -P "$NGINX_PID" || true); do
  NGINX_RSS_KB=$(( NGINX_RSS_KB + $(awk '/^VmRSS:/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0) ))
done

# ---------------------------------------------------------------- 6. report
mean() { awk -v a="$1" -v n="$2" 'BEGIN {printf "%.2f", a / n}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
for s in nginx kubeassume; do
  declare "RPS_$s=$(mean "${SUM_RPS[$s]}" "${N_RUNS[$s]}")"
  declare "P50_$s=$(mean "${SUM_P50[$s]}" "${N_RUNS[$s]}")"
  declare "P99_$s=$(mean "${SUM_P99[$s]}" "${N_RUNS[$s]}")"
done
verdict() { if awk "BEGIN {exit !($1)}"; then echo PASS; else echo FAIL; fi; }
V_RPS=$(verdict "$RPS_kubeassume >= $RPS_nginx")
V_P99=$(verdict "$P99_kubeassume <= 1.5 * $P99_nginx")
V_RSS=$(verdict "$RSS_KB <= 128 * 1024")
V_START=$(verdict "$FIRST_MS <= 1500")

cat <<EOF

## kubeassume vs nginx — $(date -u +%Y-%m-%dT%H:%MZ)

- machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), load average before/after: $LOAD_BEFORE / $LOAD_AFTER
- java: $(java -version 2>&1 | sed -n 2p); nginx: $("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //'); wrk: $(wrk -v 2>&1 | awk 'NR == 1 {print $2}')
- load: \`wrk -t$THREADS -c$CONNS -d${DURATION}s --latency <url>$JWKS_PATH\`, ${WARMUP}s warm-up each, $ROUNDS rounds each, alternating order
- CPUs: $CPU_NOTE
- JVM flags: \`$JAVA_OPTS\`

| server | req/s | p50 ms | p99 ms | RSS after run | start-up (first 200) |
|---|---:|---:|---:|---:|---:|
| nginx (${N_RUNS[nginx]} runs, mean) | $RPS_nginx | $P50_nginx | $P99_nginx | $(mib "$NGINX_RSS_KB") MiB (master + workers) | n/a |
| kubeassume (${N_RUNS[kubeassume]} runs, mean) | $RPS_kubeassume | $P50_kubeassume | $P99_kubeassume | $(mib "$RSS_KB") MiB (idle after start $(mib "$RSS_IDLE_KB"), peak $(mib "$RSS_HWM_KB")) | $FIRST_MS ms |

| run | server | req/s | p50 ms | p99 ms | errors/non-2xx |
|---|---|---:|---:|---:|---:|
$(printf '%s\n' "${RUN_LINES[@]}")

| target | measured | result |
|---|---|---|
| req/s >= nginx | $RPS_kubeassume vs $RPS_nginx ($(awk -v a="$RPS_kubeassume" -v b="$RPS_nginx" 'BEGIN {printf "%.0f%%", 100 * a / b}') of nginx) | $V_RPS |
| p99 <= 1.5 x nginx | $P99_kubeassume ms vs limit $(awk -v b="$P99_nginx" 'BEGIN {printf "%.3f", 1.5 * b}') ms | $V_P99 |
| RSS <= 128 MiB | $(mib "$RSS_KB") MiB | $V_RSS |
| first 200 <= 1500 ms | $FIRST_MS ms | $V_START |
EOF
if (( ${ERRS[nginx]} + ${ERRS[kubeassume]} > 0 )); then
  echo
  echo "WARNING: errors or non-2xx responses during the runs (nginx ${ERRS[nginx]}, kubeassume ${ERRS[kubeassume]})"
fi
exit 0
