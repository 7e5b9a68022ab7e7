# Sourced by bench/run.sh and bench/fleet.sh: reading a `wrk --latency` report.

# A wrk duration (e.g. 812.00us, 1.20ms, 2.00s) in milliseconds.
to_ms() { awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
  if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000; printf "%.3f", n }'; }

# wrk_read FILE: sets WRK_RPS, WRK_P50 and WRK_P99 (ms) and WRK_BAD (socket errors plus non-2xx/3xx
# responses) from the report in FILE; returns 1 if FILE holds no req/s figure.
wrk_read() {
  WRK_RPS=$(awk '/^Requests\/sec:/ {print $2}' "$1")
  WRK_P50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$1")")
  WRK_P99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$1")")
  WRK_BAD=$(awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$1")
  [[ -n "$WRK_RPS" ]]
}
