#!/usr/bin/env bash
# Many issuers (issue 12): kubeassume replicas serving N OIDCIssuer objects from fabric8's mock API
# server, and the same documents from nginx, on this machine. See docs/performance.md#many-issuers.
#
#   bench/fleet.sh [--no-build]
#
# Runs FleetBench (server/src/test/java/io/kubeassume/server/FleetBench.java) twice:
#   1. with FLEET_BASE_N issuers, memory only: the baseline for the heap cost per issuer;
#   2. with FLEET_N issuers: first sync, heap and RSS of each replica, API server requests at
#      steady state, Secret change -> every replica serving the new key, a follower's cold start;
#      then wrk against a replica and against nginx serving the same 2 x N files, with a Lua
#      script that picks a random document of a random issuer per request.
#
# CPU split (FLEET_CPU_SPLIT=1, the default on 2 or more CPUs; bench/cpu-split.sh says why): the
# servers get the upper half of the CPUs and wrk the lower half. For wrk a follower is restarted on
# the servers' CPUs, and FleetBench and the other replicas move to wrk's. FLEET_CPU_SPLIT=0 runs
# everything on every CPU and wrk against the leader, as before.
#
# Environment knobs (all optional):
#   FLEET_N            issuers                                        (default 10000)
#   FLEET_BASE_N       issuers of the baseline run; 0 skips it        (default 100)
#   FLEET_REPLICAS     kubeassume processes                           (default 2)
#   FLEET_JAVA_OPTS    their JVM flags (default: the fleet flags of docs/performance.md)
#   FLEET_ENV          their environment, NAME=VALUE separated by spaces (default: the fleet's
#                      MALLOC_MMAP_THRESHOLD_=16384 of docs/fleet.md#sizing; FLEET_ENV= for none)
#   FLEET_PROPAGATIONS Secret changes timed                           (default 100)
#   FLEET_API_WINDOW   seconds of API requests counted at steady state (default 300)
#   FLEET_COLD_STARTS  follower restarts timed                        (default 3)
#   FLEET_CPU_SPLIT    1: servers and wrk on separate CPUs (see above)  (default 1 on >= 2 CPUs)
#   FLEET_DURATION / FLEET_WARMUP / FLEET_ROUNDS / FLEET_CONNS / FLEET_THREADS
#                      wrk: seconds per run (30), warm-up (10), rounds alternating order (2),
#                      connections (64), threads (wrk's CPUs with the split, else 2)
#   FLEET_PORT / FLEET_MPORT / FLEET_NGINX_PORT   first public / management port, nginx's port
#                      (default 18100 / 19100 / 18199; replica i uses PORT+i and MPORT+i)
#   FLEET_KEEP=1       keep the work directory (logs, class histograms, nginx config, wrk output)
#
# Do not rebuild while it runs: FleetBench runs from the build's class directories.
# Everything listens on 127.0.0.1. Prints a markdown report; exit status 0 whatever the numbers
# (a measurement), non-zero only if something failed to install, build or start.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=1
[[ "${1:-}" == "--no-build" ]] && BUILD=0
N=${FLEET_N:-10000}
BASE_N=${FLEET_BASE_N:-100}
REPLICAS=${FLEET_REPLICAS:-2}
PROPAGATIONS=${FLEET_PROPAGATIONS:-100}
API_WINDOW=${FLEET_API_WINDOW:-300}
COLD_STARTS=${FLEET_COLD_STARTS:-3}
DURATION=${FLEET_DURATION:-30}
WARMUP=${FLEET_WARMUP:-10}
ROUNDS=${FLEET_ROUNDS:-2}
CONNS=${FLEET_CONNS:-64}
source "$ROOT/bench/cpu-split.sh"
cpu_split "${FLEET_CPU_SPLIT:-}" || exit 1
if ((CPU_SPLIT)); then
  THREADS=${FLEET_THREADS:-$CLIENT_CPU_COUNT}
  SPLIT_ARGS=(--serve-cpus="$SERVER_CPUS" --other-cpus="$CLIENT_CPUS")
else
  THREADS=${FLEET_THREADS:-2}
  SPLIT_ARGS=()
fi
PORT=${FLEET_PORT:-18100}
MPORT=${FLEET_MPORT:-19100}
NGINX_PORT=${FLEET_NGINX_PORT:-18199}
# The fleet flags (docs/performance.md#many-issuers): the small-container set with a larger heap.
DEFAULT_JAVA_OPTS="-Xms64m -Xmx128m -Xmn24m -XX:MinHeapFreeRatio=10 -XX:MaxHeapFreeRatio=20 -XX:MarkSweepDeadRatio=0 -XX:+UseSerialGC -XX:MaxMetaspaceSize=64m -XX:ReservedCodeCacheSize=32m -XX:MaxDirectMemorySize=32m -Xss512k -XX:+ExitOnOutOfMemoryError -XX:TrimNativeHeapInterval=5000 -Dio.netty.allocator.numDirectArenas=2 -Dio.netty.allocator.numHeapArenas=2"
JAVA_OPTS=${FLEET_JAVA_OPTS:-$DEFAULT_JAVA_OPTS}
REPLICA_ENV=${FLEET_ENV-MALLOC_MMAP_THRESHOLD_=16384}
JAR=$ROOT/server/target/kubeassume.jar
CLASSPATH_FILE=$ROOT/server/target/fleet-bench.classpath

log() { printf '[fleet.sh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

WORK=$(mktemp -d /tmp/kubeassume-fleet.XXXXXX)
chmod 755 "$WORK"   # nginx workers run as nobody and read WORK/run/www
BENCH_PID=""
NGINX_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$BENCH_PID" ]] && kill -0 "$BENCH_PID" 2>/dev/null; then
    touch "$WORK/run/wrk-done" 2>/dev/null || true
    kill -TERM "$BENCH_PID" 2>/dev/null || true   # its shutdown hook stops the replicas
    wait "$BENCH_PID" 2>/dev/null || true
  fi
  if [[ -n "$NGINX_PID" ]] && kill -0 "$NGINX_PID" 2>/dev/null; then
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
  fi
  if [[ "${FLEET_KEEP:-0}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- tools, jar, classpath
missing=()
for tool in wrk nginx curl; do command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || missing+=("$tool"); done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null \
    || die "cannot install ${missing[*]}"
fi
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
command -v jcmd >/dev/null || die "jcmd not found (a JDK is needed)"

if ((BUILD)) || [[ ! -s "$CLASSPATH_FILE" ]]; then
  log "building the jar and the test classes (mvn -o package -DskipTests); the test classpath comes from its debug output"
  (cd "$ROOT" && mvn -B -ntp -o -X -pl server -am -DskipTests package) >"$WORK/build.log" 2>&1 \
    || { tail -40 "$WORK/build.log" >&2; die "build failed"; }
  sed -n 's/.*(f) testPath = \[\(.*\)\]$/\1/p' "$WORK/build.log" | grep '/server/target/test-classes' | tail -1 \
    | sed 's/, /:/g' >"$CLASSPATH_FILE"
  [[ -s "$CLASSPATH_FILE" ]] || die "no test classpath in the build output"
fi
[[ -f "$JAR" ]] || die "$JAR missing (build it, or drop --no-build)"
for p in $(seq "$PORT" $((PORT + REPLICAS - 1))) $(seq "$MPORT" $((MPORT + REPLICAS - 1))) "$NGINX_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p is already in use"; fi
done

bench() { # bench DIR N PHASES
  java -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$(cat "$CLASSPATH_FILE")" io.kubeassume.server.FleetBench \
    --work="$1" --jar="$JAR" --java-opts="$JAVA_OPTS" --replica-env="$REPLICA_ENV" --n="$2" --replicas="$REPLICAS" --phases="$3" \
    --propagations="$PROPAGATIONS" --api-window="$API_WINDOW" --cold-starts="$COLD_STARTS" \
    --port="$PORT" --management-port="$MPORT" "${SPLIT_ARGS[@]}"
}
prop() { sed -n "s/^$2=//p" "$1/results.properties" 2>/dev/null | tail -1; }
START=$(date -u +%Y-%m-%dT%H:%MZ)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------- 1. the baseline for heap per issuer
if ((BASE_N > 0)); then
  log "baseline: $BASE_N issuers, memory only"
  bench "$WORK/base" "$BASE_N" memory >"$WORK/base.md" 2>"$WORK/base.log" || { tail -30 "$WORK/base.log" >&2; die "baseline run failed"; }
fi

# ---------------------------------------------------------------- 2. N issuers
log "$N issuers: FleetBench in the background (progress in $WORK/run.log)"
bench "$WORK/run" "$N" all >"$WORK/run.md" 2>"$WORK/run.log" &
BENCH_PID=$!
while [[ ! -f "$WORK/run/wrk-ready" ]]; do
  kill -0 "$BENCH_PID" 2>/dev/null || { tail -30 "$WORK/run.log" >&2; die "FleetBench exited before the wrk phase"; }
  sleep 2
done
KA_PORT=$(cat "$WORK/run/wrk-ready")

# ---------------------------------------------------------------- 3. nginx with the same 2 x N files
mkdir -p "$WORK/nginx/tmp"
chmod -R a+rX "$WORK/run/www"
NOFILE=$(ulimit -Hn); [[ "$NOFILE" == unlimited ]] && NOFILE=1048576
FILE_CACHE=$((2 * N)); ((FILE_CACHE > NOFILE - 4096)) && FILE_CACHE=$((NOFILE - 4096))
cat >"$WORK/nginx/nginx.conf" <<EOF
worker_processes $NGINX_WORKERS;
# open_file_cache keeps files open: as many as the descriptor limit allows (ulimit -Hn), so that nginx
# never runs out of descriptors for connections; the cache then holds all files or nearly all.
worker_rlimit_nofile $NOFILE;
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
  open_file_cache max=$FILE_CACHE inactive=60s;
  server_tokens off;
  client_body_temp_path $WORK/nginx/tmp;
  proxy_temp_path $WORK/nginx/tmp;
  fastcgi_temp_path $WORK/nginx/tmp;
  uwsgi_temp_path $WORK/nginx/tmp;
  scgi_temp_path $WORK/nginx/tmp;
  types { }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/run/www;
    # The same headers kubeassume sends, so both responses are about the same size.
    add_header Cache-Control "public, max-age=300";
    add_header Access-Control-Allow-Origin "*";
    add_header X-Content-Type-Options nosniff;
    location ~ /openid/v1/jwks\$ { default_type application/jwk-set+json; }
    location ~ /\.well-known/openid-configuration\$ { default_type application/json; }
    location / { return 404; }
  }
}
EOF
"$NGINX_BIN" -t -q -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" 2>"$WORK/nginx/test.log" \
  || { cat "$WORK/nginx/test.log" >&2; die "nginx config test failed"; }
"${ON_SERVER_CPUS[@]}" "$NGINX_BIN" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' >"$WORK/nginx/stdout.log" 2>&1 &
NGINX_PID=$!
SAMPLE=$(sed -n "$(( (RANDOM % (2 * N)) + 1 ))p" "$WORK/run/paths.txt")
for _ in $(seq 1 100); do curl -sf --max-time 0.2 -o /dev/null "http://127.0.0.1:$NGINX_PORT$SAMPLE" && break; sleep 0.05; done
cmp -s <(curl -sf "http://127.0.0.1:$NGINX_PORT$SAMPLE") <(curl -sf "http://127.0.0.1:$KA_PORT$SAMPLE") \
  || die "nginx and kubeassume serve different bytes for $SAMPLE"
{ echo "== kubeassume"; curl -si "http://127.0.0.1:$KA_PORT$SAMPLE"; echo; echo "== nginx"; curl -si "http://127.0.0.1:$NGINX_PORT$SAMPLE"; } >"$WORK/responses.txt"

# ---------------------------------------------------------------- 4. wrk, a random document of a random issuer per request
cat >"$WORK/random.lua" <<'EOF'
-- Each thread reads the 2 x N document paths and asks for a random one per request.
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
end
function init(args)
  paths = {}
  for line in io.lines(os.getenv("FLEET_PATHS")) do paths[#paths + 1] = line end
  math.randomseed(os.time() * 100 + id)
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
EOF
export FLEET_PATHS=$WORK/run/paths.txt
url_of() { if [[ $1 == nginx ]]; then echo "http://127.0.0.1:$NGINX_PORT"; else echo "http://127.0.0.1:$KA_PORT"; fi; }
source "$ROOT/bench/wrk-results.sh"
declare -A SUM_RPS SUM_P50 SUM_P99 RUNS ERRS
for s in nginx kubeassume; do SUM_RPS[$s]=0; SUM_P50[$s]=0; SUM_P99[$s]=0; RUNS[$s]=0; ERRS[$s]=0; done
RUN_LINES=()
run_wrk() { # SERVER LABEL
  local s=$1 out="$WORK/wrk-$1-${2// /-}.txt" rps p50 p99 bad
  "${ON_CLIENT_CPUS[@]}" wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --latency -s "$WORK/random.lua" "$(url_of "$s")" >"$out" 2>&1 || die "wrk failed against $s"
  wrk_read "$out" || { cat "$out" >&2; die "cannot parse wrk output for $s"; }
  rps=$WRK_RPS p50=$WRK_P50 p99=$WRK_P99 bad=$WRK_BAD
  SUM_RPS[$s]=$(awk -v a="${SUM_RPS[$s]}" -v b="$rps" 'BEGIN {print a + b}')
  SUM_P50[$s]=$(awk -v a="${SUM_P50[$s]}" -v b="$p50" 'BEGIN {print a + b}')
  SUM_P99[$s]=$(awk -v a="${SUM_P99[$s]}" -v b="$p99" 'BEGIN {print a + b}')
  RUNS[$s]=$(( ${RUNS[$s]} + 1 ))
  ERRS[$s]=$(( ${ERRS[$s]} + bad ))
  RUN_LINES+=("| $2 | $s | $rps | $p50 | $p99 | $bad | $(cut -d' ' -f1 /proc/loadavg) |")
  log "$2 $s: $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $bad"
}
WRK_LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for s in nginx kubeassume; do
  log "warm-up $s (${WARMUP}s)"
  "${ON_CLIENT_CPUS[@]}" wrk -t"$THREADS" -c"$CONNS" -d"${WARMUP}s" -s "$WORK/random.lua" "$(url_of "$s")" >"$WORK/warmup-$s.txt" 2>&1 || die "warm-up failed against $s"
done
for r in $(seq 1 "$ROUNDS"); do
  if (( r % 2 == 1 )); then order=(nginx kubeassume); else order=(kubeassume nginx); fi
  for s in "${order[@]}"; do run_wrk "$s" "round $r"; done
done
touch "$WORK/run/wrk-done"
wait "$BENCH_PID" || true
BENCH_PID=""
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg)
if ((CPU_SPLIT)); then
  SERVED="$(prop "$WORK/run" served.replica), a follower restarted on CPU $SERVER_CPUS"
  CPU_NOTE="$CPU_NOTE; FleetBench and the other replica on wrk's CPUs"
else
  SERVED="the leader"
fi

# ---------------------------------------------------------------- 5. report
R=$WORK/run
mean() { awk -v a="$1" -v n="$2" 'BEGIN {printf "%.2f", a / n}'; }
RPS_N=$(mean "${SUM_RPS[nginx]}" "${RUNS[nginx]}"); RPS_K=$(mean "${SUM_RPS[kubeassume]}" "${RUNS[kubeassume]}")
P50_N=$(mean "${SUM_P50[nginx]}" "${RUNS[nginx]}"); P50_K=$(mean "${SUM_P50[kubeassume]}" "${RUNS[kubeassume]}")
P99_N=$(mean "${SUM_P99[nginx]}" "${RUNS[nginx]}"); P99_K=$(mean "${SUM_P99[kubeassume]}" "${RUNS[kubeassume]}")
verdict() { if awk "BEGIN {exit !($1)}"; then echo PASS; else echo FAIL; fi; }
DOC_BYTES=$(prop "$R" documents.bytes)
per_issuer() { # ROLE -> "gross bytes per issuer" from the two runs' heap after a full GC
  local big small
  big=$(prop "$R" "memory.idle.$1.heap_kib"); small=$(prop "$WORK/base" "memory.idle.$1.heap_kib")
  [[ -n "$big" && -n "$small" ]] || { echo ""; return; }
  awk -v b="$big" -v s="$small" -v n="$N" -v m="$BASE_N" 'BEGIN {printf "%.0f", (b - s) * 1024 / (n - m)}'
}
RSS_MAX=0; RSS_MAX_DIAG=0 # the servers' own peak; and with what the benchmark's jcmd diagnostics added
for role in leader follower; do
  for when in idle after-wrk; do
    v=$(prop "$R" "memory.$when.$role.hwm_kib"); [[ -n "$v" ]] && (( v > RSS_MAX )) && RSS_MAX=$v
    v=$(prop "$R" "memory.$when.$role.hwm_with_diagnostics_kib"); [[ -n "$v" ]] && (( v > RSS_MAX_DIAG )) && RSS_MAX_DIAG=$v
  done
done
PER_L=$(per_issuer leader); PER_F=$(per_issuer follower)
P99_PROP=$(prop "$R" propagation.ms.p99)
COLD=$(prop "$R" coldstart.seconds)
COLD_MAX=$(tr -d '[] ' <<<"$COLD" | tr ',' '\n' | sort -g | tail -1)

cat <<EOF

## Many issuers — $START

- machine: $(nproc) CPUs, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo) RAM; load average at start $LOAD_START, before wrk $WRK_LOAD_BEFORE, at the end $LOAD_END
- java: $(java -version 2>&1 | sed -n 2p); nginx: $("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //'); wrk: $(wrk -v 2>&1 | awk 'NR == 1 {print $2}')
- kubeassume: \`$(cd "$ROOT" && git rev-parse --short HEAD)\`$(cd "$ROOT" && git diff --quiet HEAD -- server core || echo ' (with uncommitted changes)'), $REPLICAS replicas, JVM flags \`$JAVA_OPTS\`, environment \`${REPLICA_ENV:-(none)}\`
- issuers: $N OIDCIssuer objects, each with its own Secret (one RSA-2048 public key; 64 distinct keys), fabric8 mock API server (CRUD) in the FleetBench JVM; baseline run with $BASE_N issuers
- wrk: \`wrk -t$THREADS -c$CONNS -d${DURATION}s --latency -s random.lua\` (a random one of the $((2 * N)) documents per request), ${WARMUP}s warm-up each, $ROUNDS rounds, alternating order, against $SERVED
- CPUs: $CPU_NOTE

### Baseline ($BASE_N issuers)
$(cat "$WORK/base.md" 2>/dev/null || echo "(skipped)")

### $N issuers

- first sync (no status yet; the leader syncs every issuer, writes its status; every replica serves them): $(prop "$R" bootstrap.replica-0.seconds) s (replica-0), $(prop "$R" bootstrap.replica-1.seconds) s (replica-1) after launch
- API requests until quiet: $(prop "$R" bootstrap.requests)
$(cat "$R.md")

### wrk: a random document of $N issuers

| server | req/s | p50 ms | p99 ms |
|---|---:|---:|---:|
| nginx (${RUNS[nginx]} runs, mean) | $RPS_N | $P50_N | $P99_N |
| kubeassume (${RUNS[kubeassume]} runs, mean) | $RPS_K | $P50_K | $P99_K |

| run | server | req/s | p50 ms | p99 ms | errors/non-2xx | load (1 min) after |
|---|---|---:|---:|---:|---:|---:|
$(printf '%s\n' "${RUN_LINES[@]}")

### Targets

| target | measured | result |
|---|---|---|
| heap per issuer beyond its documents <= 4 KiB | leader $PER_L B, follower $PER_F B per issuer (heap after full GC, $N vs $BASE_N issuers), of which the documents $DOC_BYTES B | leader $(verdict "${PER_L:-99999} - $DOC_BYTES <= 4096"), follower $(verdict "${PER_F:-99999} - $DOC_BYTES <= 4096") |
| RSS <= 256 MiB | peak (VmHWM) of any replica $((RSS_MAX / 1024)) MiB ($((RSS_MAX_DIAG / 1024)) MiB with the benchmark's jcmd diagnostics) | $(verdict "$RSS_MAX > 0 && $RSS_MAX <= 256 * 1024") |
| req/s >= nginx | $RPS_K vs $RPS_N ($(awk -v a="$RPS_K" -v b="$RPS_N" 'BEGIN {printf "%.0f%%", 100 * a / b}')) | $(verdict "$RPS_K >= $RPS_N") |
| p99 <= 1.5 x nginx | $P99_K ms vs limit $(awk -v b="$P99_N" 'BEGIN {printf "%.3f", 1.5 * b}') ms | $(verdict "$P99_K <= 1.5 * $P99_N") |
| API requests at steady state: watches, no per-issuer polling | $(prop "$R" api.total.per_hour) per hour for all replicas | see the table |
| Secret change -> every replica, p99 <= 2 s | p50 $(prop "$R" propagation.ms.p50) ms, p99 $(prop "$R" propagation.ms.p99) ms, max $(prop "$R" propagation.ms.max) ms | $(verdict "${P99_PROP:-99999} <= 2000") |
| cold start serves all within 10 s | $COLD s | $(verdict "${COLD_MAX:-999} <= 10") |
EOF
if (( ${ERRS[nginx]} + ${ERRS[kubeassume]} > 0 )); then
  echo; echo "WARNING: errors or non-2xx responses during the wrk runs (nginx ${ERRS[nginx]}, kubeassume ${ERRS[kubeassume]})"
fi
exit 0
