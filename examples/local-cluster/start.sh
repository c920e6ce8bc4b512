#!/usr/bin/env bash
# Starts three agents on this host, each with its own config, gossip port, web
# port and data directory, and stops them all on Ctrl-C or SIGTERM.
#   examples/local-cluster/start.sh            # uses this checkout's bin/dinc-agent
#   DINC_AGENT=dinc-agent examples/local-cluster/start.sh
# Web: http://127.0.0.1:9101/health, :9102, :9103 (DINC_WEB_PORT_BASE=N moves
# them to N+1..N+3). Logs and data: ./logs, ./data (or under DINC_WORK_DIR).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
agent=${DINC_AGENT:-$here/../../bin/dinc-agent}
work=${DINC_WORK_DIR:-$here}
mkdir -p "$work/logs"
cd "$work"

pids=()
stop() {
  trap - INT TERM
  [ ${#pids[@]} -gt 0 ] && kill -TERM "${pids[@]}" 2>/dev/null || true
  status=0
  for pid in "${pids[@]}"; do wait "$pid" || status=$?; done
  echo "stopped all agents"
  exit "$status"
}
trap stop INT TERM

base=${DINC_WEB_PORT_BASE:-9100}
for i in 1 2 3; do
  web=127.0.0.1:$((base + i))
  "$agent" start --config "$here/node00$i.conf" --web "$web" --log-format json >"logs/node00$i.log" 2>&1 &
  pids+=($!)
  echo "node00$i: pid $! web http://$web log $work/logs/node00$i.log"
done

# If one agent dies, stop the others and report it.
wait -n "${pids[@]}" || true
echo "an agent exited; stopping the rest" >&2
stop
