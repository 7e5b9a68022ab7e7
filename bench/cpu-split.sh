# Sourced by bench/run.sh and bench/fleet.sh: puts the servers and wrk on separate CPUs.
#
# On one machine wrk otherwise shares every CPU with the server it measures: on 2 CPUs both are
# runnable all the time, the kernel switches between them at its tick (4 ms here), and the tail
# latency then measures those time slices rather than the server (docs/performance.md#many-issuers).
# With the split the servers get the upper half of the CPUs and wrk the lower half, as with a client
# on another machine; each server sizes itself for its CPUs (nginx one worker per CPU, the JVM its
# event loops by the CPUs it may use, as in a container with that CPU limit).
#
#   cpu_split SPLIT   SPLIT: 1, 0, or empty for the default (1 on 2 or more CPUs)
#
# Sets CPU_SPLIT, SERVER_CPUS and CLIENT_CPUS (taskset lists), SERVER_CPU_COUNT, CLIENT_CPU_COUNT,
# the command prefixes ON_SERVER_CPUS and ON_CLIENT_CPUS (empty arrays without the split),
# NGINX_WORKERS and CPU_NOTE (one line for the report).
cpu_split() {
  local cpus=() ranges r c half
  # The CPUs this process may use (taskset and cgroup aware), expanded from Cpus_allowed_list ("0-1,4").
  IFS=, read -ra ranges <<<"$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)"
  for r in "${ranges[@]}"; do
    if [[ $r == *-* ]]; then for c in $(seq "${r%-*}" "${r#*-}"); do cpus+=("$c"); done; else cpus+=("$r"); fi
  done
  CPU_SPLIT=${1:-$(( ${#cpus[@]} >= 2 ? 1 : 0 ))}
  if ((CPU_SPLIT)); then
    ((${#cpus[@]} >= 2)) || { echo "a CPU split needs at least 2 CPUs; this process may use ${#cpus[@]}" >&2; return 1; }
    half=$(( ${#cpus[@]} / 2 ))
    SERVER_CPU_COUNT=$half
    CLIENT_CPU_COUNT=$(( ${#cpus[@]} - half ))
    CLIENT_CPUS=$(IFS=,; echo "${cpus[*]:0:CLIENT_CPU_COUNT}")
    SERVER_CPUS=$(IFS=,; echo "${cpus[*]:CLIENT_CPU_COUNT}")
    ON_SERVER_CPUS=(taskset -c "$SERVER_CPUS")
    ON_CLIENT_CPUS=(taskset -c "$CLIENT_CPUS")
    NGINX_WORKERS=$SERVER_CPU_COUNT
    CPU_NOTE="split: the servers on CPU $SERVER_CPUS (nginx with $NGINX_WORKERS worker(s)), wrk on CPU $CLIENT_CPUS"
  else
    SERVER_CPU_COUNT=${#cpus[@]} CLIENT_CPU_COUNT=${#cpus[@]}
    SERVER_CPUS="" CLIENT_CPUS=""
    ON_SERVER_CPUS=() ON_CLIENT_CPUS=()
    NGINX_WORKERS=auto
    CPU_NOTE="not split: wrk and the servers on every CPU"
  fi
}
