#!/usr/bin/env bash
# Load benchmark: the release server on 127.0.0.1 with a throw-away database, measured with wrk.
#
#   bench/load.sh                   # the real seed plan with 20 quarters of approved figures
#   bench/load.sh --scale           # plus PLANS synthetic plans × 50 metrics × 20 quarters
#   PLANS=1000 bench/load.sh --scale   # a province: 1,000 plans (also 40, the default, or 3000)
#
# With --scale it adds the spread workloads: each request a random plan (dashboards, reports,
# metric pages), the paged plan lists, and one editor saving a figure every second in plan 1
# while other plans' and plan 1's dashboards are read. Rows start once the server has warmed
# its pages; with --scale the first visits are measured again on a server without warming.
# Environment: DURATION (seconds per target, default 10), CONNECTIONS (default 64),
# THREADS (wrk threads, default 2), WRITERS (saving clients during the mixed run, default 4),
# PLANS (synthetic plans with --scale, default 40), CARGO_JOBS (cargo build -j, optional),
# PLANTRACK_BIN (a plantrack binary to measure instead of building one), CACHE_MB (the
# server's --cache-mb, optional),
# SCALE_DB (a database made by `plantrack scale-data` to copy instead of generating one),
# GZIP (1, the default: requests take gzip as browsers' do; 0: they do not).
# Prints a Markdown table and writes it to $CARGO_TARGET_DIR/bench/load-<date>[-scale].md.
# Installs nothing: needs wrk (Debian/Ubuntu: sudo apt-get install -y wrk).
# All traffic goes to 127.0.0.1 only; the server is stopped on exit.

set -euo pipefail

usage() {
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
}

SCALE=0
for arg in "$@"; do
    case "$arg" in
        --scale) SCALE=1 ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "load.sh: unknown argument '$arg'" >&2
            usage >&2
            exit 2
            ;;
    esac
done

DURATION="${DURATION:-10}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
WRITERS="${WRITERS:-4}"
PLANS="${PLANS:-40}"
GZIP="${GZIP:-1}"
for v in DURATION CONNECTIONS THREADS WRITERS PLANS; do
    if ! [[ "${!v}" =~ ^[0-9]+$ ]] || ((${!v} < 1)); then
        echo "load.sh: $v must be a positive whole number, got '${!v}'" >&2
        exit 2
    fi
done
if ((DURATION > 300)); then
    echo "load.sh: DURATION is capped at 300 seconds" >&2
    exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if ! command -v wrk >/dev/null 2>&1; then
    echo "load.sh: wrk is not installed. Install it with:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y wrk" >&2
    echo "(or build it from https://github.com/wg/wrk)" >&2
    exit 1
fi

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
if [[ -n "${PLANTRACK_BIN:-}" ]]; then
    BIN="$PLANTRACK_BIN"
else
    echo "Building the release binary…" >&2
    cargo build --release ${CARGO_JOBS:+-j "$CARGO_JOBS"} >&2
    BIN="$TARGET/release/plantrack"
fi
[[ -x "$BIN" ]] || {
    echo "load.sh: $BIN not found after the build" >&2
    exit 1
}

TMP="$(mktemp -d "${TMPDIR:-/tmp}/plantrack-load.XXXXXX")"
PID=""
BGPID=""
cleanup() {
    if [[ -n "$BGPID" ]]; then
        kill "$BGPID" 2>/dev/null || true
        wait "$BGPID" 2>/dev/null || true
    fi
    if [[ -n "$PID" ]] && kill -0 "$PID" 2>/dev/null; then
        kill -INT "$PID" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

DB="$TMP/load.db"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
export PLANTRACK_LOG="${PLANTRACK_LOG:-info}"

# --- Data -------------------------------------------------------------------------------
GEN_NOTE=""
if [[ -n "${SCALE_DB:-}" ]]; then
    echo "Copying the prepared database $SCALE_DB…" >&2
    cp "$SCALE_DB" "$DB"
    GEN_NOTE="- data copied from a database made by \`plantrack scale-data\`"
elif ((SCALE)); then
    echo "Generating scale data ($PLANS plans × 50 metrics × 20 quarters) and 20 quarters of the real plan…" >&2
    GEN_START="$(date +%s.%N)"
    "$BIN" scale-data --db "$DB" --plans "$PLANS" --fill-quarters 20 >&2
    GEN_NOTE="- \`plantrack scale-data --plans $PLANS --fill-quarters 20\` took $(awk -v a="$GEN_START" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s"
else
    echo "Loading the real seed plan with 20 quarters of figures…" >&2
    "$BIN" scale-data --db "$DB" --plans 0 --fill-quarters 20 >&2
fi

USER_NAME="loadtest"
PASSWORD="load-test-$(date +%s)-$RANDOM$RANDOM"
printf '%s\n' "$PASSWORD" | "$BIN" user add --role admin "$USER_NAME" --db "$DB" >&2
TOKEN="$(PLANTRACK_LOG=warn "$BIN" user token "$USER_NAME" --label 负载测试 --db "$DB" | tail -n 1)"
[[ -n "$TOKEN" ]] || {
    echo "load.sh: no API token was printed" >&2
    exit 1
}

# --- Server -----------------------------------------------------------------------------
SERVE_ARGS=(--db "$DB" --public-read ${CACHE_MB:+--cache-mb "$CACHE_MB"})
# start_server [FLAG…]: starts the server and waits until it answers. Port 0: the kernel
# picks a free port, which the server logs once it listens.
start_server() {
    START="$(date +%s.%N)"
    "$BIN" serve "${SERVE_ARGS[@]}" "$@" --addr 127.0.0.1:0 >"$TMP/server.log" 2>&1 &
    PID=$!
    PORT=""
    for _ in $(seq 1 3000); do
        PORT="$(sed -n 's/.*on http:\/\/127\.0\.0\.1:\([0-9][0-9]*\).*/\1/p' "$TMP/server.log" | head -n 1)"
        [[ -n "$PORT" ]] && break
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.01
    done
    if [[ -z "$PORT" ]]; then
        echo "load.sh: the server did not start; its log:" >&2
        cat "$TMP/server.log" >&2
        exit 1
    fi
    BASE="http://127.0.0.1:$PORT"
    # Start-up: from launch until the first page is answered.
    until curl -s -o /dev/null --max-time 10 "$BASE/static/style.css"; do sleep 0.01; done
    STARTUP="$(awk -v a="$START" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}')"
    echo "Server PID $PID on $BASE (answered ${STARTUP}s after launch)" >&2
}
stop_server() {
    kill -INT "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=""
}
start_server
# The server renders every plan's dashboard and report after a start (an older one does
# not: no line comes). The rows are measured once that is done, on a quiet machine.
WARM_NOTE=""
WARM_LINE=""
WARMS=0
"$BIN" serve --help 2>/dev/null | grep -q -- '--no-warm' && WARMS=1
if ((WARMS)); then
    for _ in $(seq 1 6000); do
        WARM_LINE="$(grep -m1 '页面预热完成' "$TMP/server.log" || true)"
        [[ -n "$WARM_LINE" ]] && break
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.05
    done
fi
if [[ -n "${WARM_LINE:-}" ]]; then
    WARM_NOTE="- warming after start-up: ${WARM_LINE#*pages warmed: }"
fi

# --- wrk --------------------------------------------------------------------------------
METRIC="severe-convection-warning-lead-time"
# Level metrics (no percent, no cumulative rule) the save benchmark rotates over, with a
# base value each; every request stores a value that differs from the one stored before.
PUT_KEYS=(severe-convection-warning-lead-time rainstorm-warning-accuracy fibre-bandwidth
    forecast-grid-resolution small-basin-flood-warning-lead-time township-risk-warning-lead-time)
PUT_BASES=(30 80 100 1 6 12)

LUA="$TMP/put.lua"
{
    echo "local keys = {$(printf '"%s",' "${PUT_KEYS[@]}")}"
    echo "local bases = {$(printf '%s,' "${PUT_BASES[@]}")}"
    echo "local nthreads = $THREADS"
    echo "local token = \"$TOKEN\""
    cat <<'LUA'
-- Each wrk thread owns its own keys, so no two threads write the same figure; each request
-- to a key stores the next of 1000 distinct values, so every request is a real change.
local created = 0
function setup(thread)
  thread:set("tid", created)
  created = created + 1
end
local mine, n = {}, 0
function init(args)
  for i = 1, #keys do
    if (i - 1) % nthreads == tid % nthreads then
      table.insert(mine, i)
    end
  end
  if #mine == 0 then mine = {1 + tid % #keys} end
end
function request()
  local i = mine[(n % #mine) + 1]
  local round = math.floor(n / #mine)
  n = n + 1
  local value = string.format("%.2f", bases[i] + (round % 1000) * 0.01)
  local body = '{"value": "' .. value .. '", "note": "负载测试"}'
  local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  return wrk.format("PUT", "/api/metrics/" .. keys[i] .. "/values/2025Q4", headers, body)
end
LUA
} >"$LUA"
chmod 600 "$LUA"

# Saving a quarter's entry form: one POST carrying the six level figures of 2025Q4, each a
# real change, as an editor's browser sends it (an editor's API token stands in for the
# session, so no CSRF field is needed; without version fields no conflict check runs).
FORM_LUA="$TMP/form.lua"
{
    echo "local keys = {$(printf '"%s",' "${PUT_KEYS[@]}")}"
    echo "local bases = {$(printf '%s,' "${PUT_BASES[@]}")}"
    echo "local token = \"$TOKEN\""
    cat <<'LUA'
local n = 0
function request()
  n = n + 1
  local parts = {}
  for i = 1, #keys do
    -- 500 + n keeps these apart from the values the PUT run stores.
    local value = string.format("%.2f", bases[i] + ((500 + n) % 1000) * 0.01)
    table.insert(parts, "v." .. keys[i] .. "=" .. value)
    table.insert(parts, "n." .. keys[i] .. "=load")
  end
  local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/x-www-form-urlencoded"}
  return wrk.format("POST", "/plans/1/entry/2025Q4", headers, table.concat(parts, "&"))
end
function response(status, headers, body)
  if status ~= 303 then
    io.stderr:write("form save answered " .. status .. "\n")
  end
end
LUA
} >"$FORM_LUA"
chmod 600 "$FORM_LUA"

# Spread workloads: each request a random one of PATHS (a file, one path a line), chosen
# per request with a seed of each thread's own, so the page cache sees many plans at once.
SPREAD_LUA="$TMP/spread.lua"
cat >"$SPREAD_LUA" <<'LUA'
local created = 0
function setup(thread)
  thread:set("tid", created)
  created = created + 1
end
local paths = {}
function init(args)
  for line in io.lines(args[1]) do table.insert(paths, line) end
  math.randomseed(7919 * (tid + 1))
end
function request()
  return wrk.format("GET", paths[math.random(#paths)])
end
LUA

# One quick request per target first, so a wrong status is seen before minutes of load.
check() {
    local method="$1" path="$2" status
    if command -v curl >/dev/null 2>&1; then
        if [[ "$method" == PUT ]]; then
            status="$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $TOKEN" \
                -H 'Content-Type: application/json' --data '{"value": "29.99", "note": "负载测试"}' \
                --max-time 10 "$BASE$path")"
        else
            status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$BASE$path")"
        fi
        if [[ "$status" != 200 ]]; then
            echo "load.sh: $method $path answered $status, expected 200" >&2
            exit 1
        fi
    fi
}

ROWS=()
declare -A RPS REQS
# run LABEL PATH [LUA-SCRIPT [CONNECTIONS [SCRIPT-ARGUMENT]]]
run() {
    local label="$1" path="$2" script="${3:-}" conns="${4:-$CONNECTIONS}" arg="${5:-}" out rps p50 p99 non2xx errors hwm threads
    threads=$((conns < THREADS ? conns : THREADS))
    local headers=()
    # As a browser asks (every browser takes gzip), unless the run or this row says not.
    if ((GZIP)) && [[ -z "${PLAIN:-}" ]]; then
        headers=(-H "Accept-Encoding: gzip, deflate, br")
    fi
    echo "wrk: $label ($path, ${DURATION}s, $conns connections)…" >&2
    out="$(timeout $((DURATION + 60)) wrk -t"$threads" -c"$conns" -d"${DURATION}s" --timeout 10s --latency \
        "${headers[@]}" ${script:+-s "$script"} "$BASE$path" ${arg:+"$arg"})"
    rps="$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")"
    p50="$(awk '$1 == "50%" {print $2}' <<<"$out")"
    p99="$(awk '$1 == "99%" {print $2}' <<<"$out")"
    non2xx="$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' <<<"$out")"
    errors="$(awk '/Socket errors/ {s = 0; for (i = 3; i <= NF; i++) {gsub(",", "", $i); if ($i ~ /^[0-9]+$/) s += $i}; print s}' <<<"$out")"
    hwm="$(awk '/^VmHWM:/ {printf "%.0f MB", $2 / 1024}' "/proc/$PID/status" 2>/dev/null || echo "?")"
    RPS["$label"]="$rps"
    REQS["$label"]="$(awk '/requests in/ {print $1}' <<<"$out")"
    ROWS+=("| $label | \`$path\` | ${rps:-?} | ${p50:-?} | ${p99:-?} | ${non2xx:-0} | ${errors:-0} | $hwm |")
}

TARGETS=(
    "dashboard|/"
    "metric page|/metrics/$METRIC"
    "metric chart SVG|/metrics/$METRIC/chart.svg"
    "metric API (JSON)|/api/metrics/$METRIC"
    "evaluation|/plans/1/evaluation"
    "static CSS (baseline)|/static/style.css"
)
# Every plan's id and key, page by page (a server that answers the whole list at once, as
# before /api/plans was paged, is read once).
plan_ids_and_keys() {
    local page=1 body
    while :; do
        body="$(curl -s --max-time 60 "$BASE/api/plans?per_page=200&page=$page")"
        grep -o '"id":[0-9]*,"key":"[^"]*"' <<<"$body" | sed 's/"id":\([0-9]*\),"key":"\([^"]*\)"/\1 \2/' || true
        [[ "$body" == \[* ]] && break
        grep -q '"id":' <<<"$body" || break
        page=$((page + 1))
    done
}
SPREAD=()
if ((SCALE)); then
    plan_ids_and_keys >"$TMP/plans.txt"
    SCALE_ID="$(awk '$2 == "scale-district-20" {print $1}' "$TMP/plans.txt")"
    if [[ -n "$SCALE_ID" ]]; then
        TARGETS+=("dashboard, 50-metric scale plan|/?plan=$SCALE_ID" "evaluation, 50-metric scale plan|/plans/$SCALE_ID/evaluation")
    fi
    awk '{print "/?plan=" $1}' "$TMP/plans.txt" >"$TMP/dashboards.txt"
    awk '{print "/plans/" $1 "/evaluation"}' "$TMP/plans.txt" >"$TMP/evaluations.txt"
    # One metric of each synthetic plan: scale-district-NN's metrics are scale-NN-<slug>-<i>.
    FIRST_SCALE="$(awk '$2 ~ /^scale-district-/ {print $1; exit}' "$TMP/plans.txt")"
    SUFFIX="$(curl -s --max-time 30 "$BASE/api/plans/$FIRST_SCALE/metrics" | grep -o '"key":"scale-[0-9]*-[^"]*"' | sed -n '6p' |
        sed 's/"key":"scale-[0-9]*-\([^"]*\)"/\1/')"
    awk -v s="$SUFFIX" '$2 ~ /^scale-district-/ {n = $2; sub(/^scale-district-/, "", n); print "/metrics/scale-" n "-" s}' \
        "$TMP/plans.txt" >"$TMP/metrics.txt"
    LAST_PAGE=$(( ($(wc -l <"$TMP/plans.txt") + 49) / 50 ))
    SPREAD=(
        "dashboards, a random plan each|/?plan={id}|$TMP/dashboards.txt"
        "evaluation reports, a random plan each|/plans/{id}/evaluation|$TMP/evaluations.txt"
        "metric pages, a random plan's metric each|/metrics/{key}|$TMP/metrics.txt"
    )
    TARGETS+=("plans list, first page|/plans" "plans list, last page|/plans?page=$LAST_PAGE"
        "\`/api/plans\` (first page)|/api/plans")
fi

# A target a server does not have (an older plantrack: no /plans page) is left out.
present=()
for t in "${TARGETS[@]}"; do
    if [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 "$BASE${t#*|}")" == 404 ]]; then
        echo "load.sh: ${t#*|} is not served here; left out" >&2
        continue
    fi
    check GET "${t#*|}"
    present+=("$t")
done
TARGETS=("${present[@]}")
for s in "${SPREAD[@]}"; do
    check GET "$(head -n 1 "${s##*|}")"
done
check PUT "/api/metrics/$METRIC/values/2025Q4"

for t in "${TARGETS[@]}"; do
    run "${t%%|*}" "${t#*|}"
done
# Each spread workload twice: first as the first visits after start-up (dashboards and
# reports were warmed; metric pages are rendered once each, while the cache fills), then
# as the pages are visited again.
for s in "${SPREAD[@]}"; do
    IFS='|' read -r label path file <<<"$s"
    run "$label (first visits)" "$path" "$SPREAD_LUA" "$CONNECTIONS" "$file"
    run "$label" "$path" "$SPREAD_LUA" "$CONNECTIONS" "$file"
done
if ((SCALE && GZIP)); then
    PLAIN=1 run "dashboards, a random plan each, client without gzip" "/?plan={id}" "$SPREAD_LUA" "$CONNECTIONS" "$TMP/dashboards.txt"
fi

# One editor saving a figure of plan 1 every second, as a person does: the other plans'
# pages should keep their cached speed, and plan 1's stay near it.
SLOW_NOTE=""
if ((SCALE)); then
    SLOW_COUNT="$TMP/slow.count"
    : >"$SLOW_COUNT"
    (
        i=0
        while :; do
            i=$((i + 1))
            code="$(curl -s -o /dev/null -w '%{http_code}' -X PUT -H "Authorization: Bearer $TOKEN" \
                -H 'Content-Type: application/json' --data "{\"value\": \"$((31 + i % 9)).$((i % 10))\", \"note\": \"慢速填报\"}" \
                --max-time 10 "$BASE/api/metrics/$METRIC/values/2025Q3")"
            echo "$code" >>"$SLOW_COUNT"
            sleep 1
        done
    ) &
    BGPID=$!
    run "dashboards, a random plan each, while plan 1 saves every second" "/?plan={id}" "$SPREAD_LUA" "$CONNECTIONS" "$TMP/dashboards.txt"
    run "plan 1's dashboard while it saves every second" "/"
    run "plan 1's report while it saves every second" "/plans/1/evaluation"
    kill "$BGPID" 2>/dev/null || true
    wait "$BGPID" 2>/dev/null || true
    BGPID=""
    SLOW_NOTE="- slow writer: $(wc -l <"$SLOW_COUNT") saves of plan 1 at one a second during those rows ($(grep -vc '^200$' "$SLOW_COUNT" || true) not 200)"
fi
# The dashboard while figures are being saved: every save makes the cached pages stale, so
# this is the cost of rendering pages afresh (the quarter's entry days), not of the cache.
BG_OUT="$TMP/writers.out"
timeout $((DURATION + 60)) wrk -t1 -c"$WRITERS" -d"${DURATION}s" --timeout 10s -s "$LUA" "$BASE/" >"$BG_OUT" &
BGPID=$!
run "dashboard while $WRITERS clients save" "/"
wait "$BGPID" || true
BGPID=""
BG_NON2XX="$(awk -F': *' '/Non-2xx or 3xx responses/ {print $2}' "$BG_OUT")"
WRITERS_NOTE="- during \"dashboard while $WRITERS clients save\": $(awk '/^Requests\/sec:/ {print $2}' "$BG_OUT") saves/s in the background (non-2xx: ${BG_NON2XX:-0})"

# History rows of the keys the save run writes: one per real change.
history_rows() {
    local total=0 k n
    for k in "${PUT_KEYS[@]}"; do
        n="$(curl -s --max-time 30 "$BASE/api/metrics/$k/history" | grep -o '"action":' | wc -l)"
        total=$((total + n))
    done
    echo "$total"
}
SAVE="save a figure (API PUT)"
HISTORY_BEFORE=""
command -v curl >/dev/null 2>&1 && HISTORY_BEFORE="$(history_rows)"
run "$SAVE" "/api/metrics/{key}/values/2025Q4" "$LUA"
SAVED_NOTE=""
if [[ -n "$HISTORY_BEFORE" ]]; then
    SAVED_NOTE="- save run: ${REQS[$SAVE]:-?} PUT requests, $(($(history_rows) - HISTORY_BEFORE)) new history rows (one per real change)"
fi
# A quarter's form (six figures, 303 on success: wrk counts it as non-2xx/3xx-free).
run "save a quarter's form, one editor" "/plans/1/entry/2025Q4" "$FORM_LUA" 1
run "save a quarter's form, $CONNECTIONS clients" "/plans/1/entry/2025Q4" "$FORM_LUA"
# The metric page lists the latest 100 changes of a history the save runs have just grown.
run "metric page after the save runs" "/metrics/$METRIC"

HWM="$(awk '/^VmHWM:/ {print $2, $3}' "/proc/$PID/status" 2>/dev/null || echo "?")"
RSS="$(awk '/^VmRSS:/ {print $2, $3}' "/proc/$PID/status" 2>/dev/null || echo "?")"

# What warming spares: the same first visits on a server started without it, where every
# dashboard and report is rendered for the visitor who first asks (the cost of a cold cache).
if ((SCALE && WARMS)); then
    stop_server
    start_server --no-warm
    run "dashboards, a random plan each (first visits, warming off)" "/?plan={id}" "$SPREAD_LUA" "$CONNECTIONS" "$TMP/dashboards.txt"
    run "evaluation reports, a random plan each (first visits, warming off)" "/plans/{id}/evaluation" "$SPREAD_LUA" "$CONNECTIONS" "$TMP/evaluations.txt"
fi

# --- Report -----------------------------------------------------------------------------
DBSIZE="$(du -ch "$DB"* 2>/dev/null | awk 'END {print $1}')"
RATIO="$(awk -v a="${RPS[dashboard]:-0}" -v b="${RPS[static CSS (baseline)]:-0}" \
    'BEGIN {if (b > 0) printf "%.3f", a / b; else print "?"}')"
MODE="real seed plan (36 metrics × 20 quarters)"
((SCALE)) && MODE="scale: real plan + $(($(wc -l <"$TMP/plans.txt") - 1)) synthetic plans × 50 metrics × 20 quarters"
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo "?")$(git diff --quiet 2>/dev/null || echo "+dirty")"

REPORT="$(
    echo "## plantrack load test — $(date '+%Y-%m-%d %H:%M')"
    echo
    echo "- data: $MODE; database $DBSIZE after the run"
    echo "- wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency$( ((GZIP)) && echo " -H 'Accept-Encoding: gzip, deflate, br'" || true) against 127.0.0.1 (serve --public-read, release build, commit $COMMIT)"
    echo "- machine: $(nproc) CPU, $(uname -sr); load average before the run: $LOAD_BEFORE"
    [[ -z "$GEN_NOTE" ]] || echo "$GEN_NOTE"
    echo "- start-up: the server answered ${STARTUP} s after launch"
    [[ -z "$WARM_NOTE" ]] || echo "$WARM_NOTE"
    echo
    echo "| target | path | req/s | p50 | p99 | non-2xx | socket errors | server VmHWM after |"
    echo "|---|---|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "- dashboard req/s ÷ static CSS req/s: **$RATIO**"
    echo "- server peak memory (VmHWM): **$HWM** (VmRSS at the end: $RSS)"
    echo "$WRITERS_NOTE"
    [[ -z "$SLOW_NOTE" ]] || echo "$SLOW_NOTE"
    [[ -z "$SAVED_NOTE" ]] || echo "$SAVED_NOTE"
    echo "- pages and charts are served from the server's page cache while the data is unchanged;"
    echo "  rows measured while saves happen show the cost of rendering afresh"
)"

echo
echo "$REPORT"
mkdir -p "$TARGET/bench"
OUT="$TARGET/bench/load-$(date +%Y%m%d-%H%M%S)$( ((SCALE)) && echo "-scale-$PLANS" || true).md"
echo "$REPORT" >"$OUT"
echo >&2
echo "Written to $OUT" >&2
