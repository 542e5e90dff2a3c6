#!/usr/bin/env bash
# test/stress/run.sh [DURATION] [CLIENTS]: concurrency stress test of invstock
#
# In a throwaway PostgreSQL 15 cluster (pg_virtualenv), loads setup.sql (a
# fresh extension, 4 SKUs at 3 locations plus an "annex" location renamed
# every 5 s so rows keep being created, wrapper functions in schema
# "stress"), runs CLIENTS pgbench clients for DURATION seconds on a weighted
# random mix of every mutating call (scripts/*.sql), then runs check.sql
# (I1-I4, I6, inv_sync(repair => false)).  Prints a summary and ends with
# "N passed, N failed"; exits non-zero on any failure.
#
#   bash test/stress/run.sh            (15 s, 8 clients: the CI run)
#   make stress                        (300 s, 8 clients)
#
# Tests: calls >= 5000 (enforced when DURATION >= 10), 0 aborted clients,
# 0 deadlocks, I1, I2, I3, I4, inv_sync empty, plus I6 (a key applied at most
# once) and no inv_sync problem seen during the run.
# The extension must be installed (make install); deadlock_timeout is left
# at its default.  Logs are kept in the /tmp/invstock-stress.* directory.
set -uo pipefail

duration=${1:-15}
clients=${2:-8}
case "$duration" in ''|*[!0-9]*) echo "usage: $0 [DURATION seconds] [CLIENTS]" >&2; exit 2;; esac
case "$clients" in ''|*[!0-9]*) echo "usage: $0 [DURATION seconds] [CLIENTS]" >&2; exit 2;; esac
if [ "$duration" -lt 1 ] || [ "$clients" -lt 1 ]; then
    echo "DURATION and CLIENTS must be at least 1" >&2; exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d /tmp/invstock-stress.XXXXXX)
chmod 755 "$out"

cat >"$out/inner.sh" <<'INNER'
set -uo pipefail
here=$1; out=$2; duration=$3; clients=$4
cd "$here"

# the weighted mix: every mutating call
mix=(
    reserve.sql@300
    release.sql@90
    finalize.sql@80
    adjust.sql@90
    count.sql@30
    transfer.sql@90
    reserve_order.sql@140
    release_order.sql@60
    finalize_order.sql@50
    sync.sql@4
    configure.sql@10
    direct.sql@30
)
fargs=()
for m in "${mix[@]}"; do fargs+=(-f "scripts/$m"); done

logfile=$(pg_lsclusters -h 2>/dev/null | awk 'NR == 1 { print $NF }')
if [ ! -f "$logfile" ]; then
    logfile=$(ls "${PG_CLUSTER_CONF_ROOT:-/nonexistent}"/../log/*.log 2>/dev/null | head -1)
fi

echo "== setup"
if ! psql -X -q -v ON_ERROR_STOP=1 -f setup.sql >"$out/setup.log" 2>&1; then
    cat "$out/setup.log"; echo "setup failed"
    echo "0 1" >"$out/totals"; exit 0
fi
grep -E '^ *(gadget|gizmo|preorder|widget) ' "$out/setup.log" || true

threads=$(( clients < 2 ? clients : 2 ))
echo "== pgbench: $clients clients, $threads threads, $duration s"
echo "   mix: ${mix[*]}"
pgbench -n -c "$clients" -j "$threads" -T "$duration" -M prepared "${fargs[@]}" \
    >"$out/pgbench.out" 2>"$out/pgbench.err"
pgbench_rc=$?
grep -E '^(number of|latency average|tps)' "$out/pgbench.out" | sed 's/^/   /' || true
# one line per script: transactions, tps, failures, latency
awk '/^SQL script [0-9]+:/ { if (name != "") print line; name = $4; sub(/.*\//, "", name);
                             line = sprintf("     %-20s", name) }
     name != "" && / transactions \(/ { sub(/^ - /, ""); line = line $0 }
     name != "" && /number of failed transactions/ { line = line ", failed " $6 }
     name != "" && /latency average/ { line = line ", latency " $5 " ms" }
     END { if (name != "") print line }' "$out/pgbench.out"
grep -E 'aborted|error|ERROR|DETAIL|CONTEXT' "$out/pgbench.err" | head -20 | sed -E 's/^(pgbench: )?/   pgbench: /' || true

processed=$(grep -oP 'number of transactions actually processed: \K[0-9]+' "$out/pgbench.out" | head -1)
failed_tx=$(grep -oP 'number of failed transactions: \K[0-9]+' "$out/pgbench.out" | head -1)
tps=$(grep -oP '^tps = \K[0-9.]+' "$out/pgbench.out" | head -1)
aborted=$(grep -cE 'client [0-9]+ (script [0-9]+ )?aborted' "$out/pgbench.err" || true)
processed=${processed:-0}; failed_tx=${failed_tx:-0}; tps=${tps:-0}
# the run itself was aborted (or never ran) although no client said so
if [ "$pgbench_rc" -ne 0 ] && [ "$aborted" -eq 0 ]; then
    echo "   pgbench exited with status $pgbench_rc:"; tail -5 "$out/pgbench.err" | sed 's/^/   /'
    aborted=$clients
fi

echo "== check"
if ! psql -X -q -At -F '|' -v ON_ERROR_STOP=1 -f check.sql >"$out/check.out" 2>"$out/check.err"; then
    cat "$out/check.err"
fi
grep -E '^(check|info)\|' "$out/check.out" | sed 's/^check|/   check  /; s/^info|/   info   /; s/|/  /g'
echo "   outcomes (op: outcome=count):"
awk -F'|' '$1 == "outcome" { a[$2] = a[$2] " " $3 "=" $4 }
           END { for (op in a) printf "     %-15s%s\n", op ":", a[op] }' "$out/check.out" | sort
if grep -q '^detail|' "$out/check.out"; then
    echo "   offending rows:"; grep '^detail|' "$out/check.out" | head -40 | sed 's/^/     /'
fi

calls=$(awk -F'|' '$1 == "calls" { print $2 }' "$out/check.out")
calls=${calls:-0}
deadlocks_stat=$(psql -X -At -c "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()" 2>/dev/null)
deadlocks_stat=${deadlocks_stat:-0}
if [ -f "$logfile" ]; then
    cp "$logfile" "$out/server.log"
    deadlocks_log=$(grep -c 'deadlock detected' "$logfile" || true)
    server_errors=$(grep -cE ' (ERROR|FATAL|PANIC): | TRAP: |terminated by signal' "$logfile" || true)
else
    echo "   no server log found"; deadlocks_log=0; server_errors=0
fi

# value of one check from check.sql: the sum over its lines, or "missing"
check_value() {
    awk -F'|' -v name="$1" '$1 == "check" && $2 == name { s += $3; n++ }
        END { if (n) print s; else print "missing" }' "$out/check.out"
}

echo "== summary"
printf '   %-28s %s\n' "calls (recorded)" "$calls" \
    "pgbench transactions" "$processed" \
    "tps" "$tps" \
    "client aborts" "$aborted" \
    "failed transactions" "$failed_tx" \
    "deadlocks (server log)" "$deadlocks_log" \
    "deadlocks (pg_stat_database)" "$deadlocks_stat" \
    "errors in the server log" "$server_errors"
if [ "$server_errors" -gt 0 ]; then
    grep -E ' (ERROR|FATAL|PANIC): | TRAP: |terminated by signal' "$out/server.log" | \
        sed -E 's/^[^]]*\] //' | sort | uniq -c | sort -rn | head -10 | sed 's/^/     /'
fi

passed=0; failed=0
result() {      # result NAME OK DETAIL
    if [ "$2" = 1 ]; then passed=$((passed + 1)); echo "ok      $1 ($3)"
    else failed=$((failed + 1)); echo "FAILED  $1 ($3)"; fi
}
if [ "$duration" -ge 10 ]; then
    result "calls >= 5000" "$([ "$calls" -ge 5000 ] && echo 1)" "$calls calls"
else
    result "calls >= 5000" 1 "$calls calls, not enforced under 10 s"
fi
result "no aborted client" "$([ "$aborted" -eq 0 ] && echo 1)" "$aborted aborted"
dl=$((deadlocks_log + deadlocks_stat + failed_tx))
result "no deadlock" "$([ "$dl" -eq 0 ] && echo 1)" \
    "log $deadlocks_log, pg_stat_database $deadlocks_stat, failed transactions $failed_tx"
for c in I1 I2 I3 I4 inv_sync I6 sync_during_run last_movement_at; do
    v=$(check_value "$c")
    result "$c" "$([ "$v" = 0 ] && echo 1)" "$v violations"
done
echo "$passed $failed" >"$out/totals"
INNER

pg_virtualenv -t -c "-p $(bash "$here/../free-port.sh")" -v 15 bash "$out/inner.sh" "$here" "$out" "$duration" "$clients"
if [ ! -s "$out/totals" ]; then
    echo "the test cluster did not start (logs in $out)"; echo "0 passed, 1 failed"; exit 1
fi
read -r passed failed <"$out/totals"
echo "logs: $out"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
