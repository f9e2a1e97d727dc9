#!/usr/bin/env bash
# Runs every device-sim workload scenario against FerryMQ (bin/ferrymq with its default extensions) and against
# Mosquitto, each scenario on both brokers before the next, and writes the reports and a Markdown table to
# benchmarks/target/scenarios-TIMESTAMP/. Both brokers listen on free loopback ports and are stopped by pid.
#
#   benchmarks/scenarios.sh            # sizes as in the files
#   SCALE=0.5 benchmarks/scenarios.sh  # half the sizes
#   MOSQUITTO=/opt/mosquitto/sbin/mosquitto benchmarks/scenarios.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mosquitto="${MOSQUITTO:-/usr/sbin/mosquitto}"
scale="${SCALE:-1}"
out="$root/benchmarks/target/scenarios-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
pids=()

stop_brokers() {
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
}
trap stop_brokers EXIT

# A port that nothing accepts on; the broker binds it a moment later.
free_port() {
    local port
    while true; do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
}

await_port() {
    for _ in $(seq 1 600); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.2
    done
    echo "scenarios: no broker listening on port $1 after 120 s; see the logs in $out" >&2
    exit 3
}

if [[ ! -x "$mosquitto" ]]; then
    echo "scenarios: Mosquitto not found at $mosquitto; install the Debian package mosquitto or set MOSQUITTO" >&2
    exit 2
fi

ferrymq_port="$(free_port)"
"$root/bin/ferrymq" --port "$ferrymq_port" --ws-port -1 --data-dir "$out/ferrymq-data" \
    --metrics-port "$(free_port)" >"$out/ferrymq.log" 2>&1 &
pids+=("$!")

# Settings of device-sim's own Mosquitto tests: no bound on queued messages, the largest in-flight window,
# TCP_NODELAY; sessions live in memory.
mosquitto_port="$(free_port)"
cat >"$out/mosquitto.conf" <<CONF
listener $mosquitto_port 127.0.0.1
allow_anonymous true
persistence false
max_queued_messages 0
max_inflight_messages 65535
set_tcp_nodelay true
CONF
"$mosquitto" -c "$out/mosquitto.conf" >"$out/mosquitto.log" 2>&1 &
pids+=("$!")

await_port "$ferrymq_port"
await_port "$mosquitto_port"
"$root/bin/device-sim" run --help >/dev/null

for file in "$root"/device-sim/scenarios/*.yaml; do
    name="$(basename "$file" .yaml)"
    for broker in ferrymq mosquitto; do
        port_var="${broker}_port"
        echo "scenarios: $name on $broker" >&2
        "$root/bin/device-sim" run --scenario "$name" --scale "$scale" --port "${!port_var}" \
            --report "$out/$broker-$name.json" >"$out/$broker-$name.txt" 2>"$out/$broker-$name.log" || true
    done
done

{
    echo "| scenario | size | targets | broker | p50 ms | p99 ms | max ms | lost | duplicated | verdict |"
    echo "|---|---|---|---|---:|---:|---:|---:|---:|---|"
    for report in "$out"/ferrymq-*.json "$out"/mosquitto-*.json; do
        broker="$(basename "$report" | cut -d- -f1)"
        jq -r --arg broker "$broker" '.[0] | "| \(.scenario) | \(.size) | \([.targets[] | "\(.metric) <= \(.maximum)"] | join(", ")) | \($broker) | \(.measurements["latency-p50-ms"]) | \(.measurements["latency-p99-ms"]) | \(.measurements["latency-max-ms"]) | \(.measurements.lost) | \(.measurements.duplicated) | \(if .passed then "PASS" else "FAIL: " + ([.targets[] | select(.passed | not) | "\(.metric) \(.measured)"] | join(", ")) end) |"' "$report"
    done
} | tee "$out/summary.md"
echo "scenarios: reports in $out" >&2
