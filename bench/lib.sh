# Shared by the bench/ scripts: sourced, never run. The caller sets WORK
# (a folder for logs), and may set CONNECTIONS, DURATION and WARMUP.
#
#   need wrk wrk                   # installs a Debian package when a command is missing
#   start api env AGORA_BIND=127.0.0.1:0 target/release/agora serve   # sets URL and PID
#   read -r rps p50 p99 errors <<<"$(load "$URL/" [script.lua] [wrk options…])"

CONNECTIONS=${CONNECTIONS:-64}
DURATION=${DURATION:-15s}
WARMUP=${WARMUP:-3s}

need() { # command debian-package: installs the package when the command is missing
  command -v "$1" >/dev/null && return
  echo "installing $2 (for $1)" >&2
  [ -n "${APT_UPDATED:-}" ] || { apt-get update -qq; APT_UPDATED=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
}

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

URL=""
PID=""
start() { # name, command...: starts a server on a free port and sets URL and PID.
  # Runs in this shell (never in $(…)), so cleanup knows every pid.
  local name=$1; shift
  # Created here: the background job opens them when it gets to it.
  : >"$WORK/$name.out"; : >"$WORK/$name.err"
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  PID=$!
  pids+=("$PID")
  for _ in $(seq 1 600); do
    URL=$(sed -n 's/^Agora is listening on //p' "$WORK/$name.out" | head -1)
    [ -n "$URL" ] && return
    sleep 0.1
  done
  echo "$name did not start" >&2; cat "$WORK/$name.err" >&2; exit 1
}

stop() { # pid: stops one server started by start
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

# wrk, one thread: prints "rps p50_ms p99_ms errors" for one run, after a
# warm-up whose figures are thrown away (caches fill, connections open).
load() { # url [lua script, or ""] [more wrk options…]
  local url=$1 script=${2:-} out
  shift; [ $# -gt 0 ] && shift
  local opts=("$@")
  [ -n "$script" ] && opts+=(-s "$script")
  wrk -t1 -c"$CONNECTIONS" -d"$WARMUP" "${opts[@]}" "$url" >/dev/null
  out=$(wrk -t1 -c"$CONNECTIONS" -d"$DURATION" --latency "${opts[@]}" "$url")
  echo "$out" >>"$WORK/wrk.log"
  python3 - "$out" <<'PY'
import re, sys
out = sys.argv[1]
def ms(v):
    n, unit = re.match(r"([\d.]+)(us|ms|s)", v).groups()
    return float(n) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
# Anchored: "+/- Stdev" figures such as 87.99% must not pass for the 99th percentile.
p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
print(f"{rps:.0f} {p50:.2f} {p99:.2f} {errors.group(1) if errors else 0}")
PY
}
