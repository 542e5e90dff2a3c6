#!/usr/bin/env bash
# test/memcheck.sh: memory-safety check of invstock.  Starts a throwaway
# PostgreSQL 15 server (own data directory from initdb, run as the postgres
# user) under valgrind memcheck, runs the pg_regress suites against it
# (`make -s print-regress`, plus the hostile-input suite), stops it and counts
# the errors valgrind reported.
#
#   sudo bash test/memcheck.sh              (every suite; takes many minutes)
#   sudo bash test/memcheck.sh hostile      (only the suites named)
#
# It tests the extension as installed (pg_config --pkglibdir), so run
# `make install` first.  One test: no valgrind error may involve invstock
# (a frame in invstock.so or in one of src/*.c) and the server must survive.
# Errors reported from PostgreSQL's own code only are printed (they call for
# an entry in test/valgrind.supp) but do not fail the test.  Differences of the
# pg_regress output under valgrind are printed too; the suites themselves are
# judged by test/run-all.sh, not here.  Last line: "N passed, N failed".
#
# Limits: Debian's PostgreSQL is not built with USE_VALGRIND, so valgrind
# sees palloc'd memory only at the level of whole malloc'd blocks: it catches
# reads of uninitialised memory, overruns past a block, use of freed blocks
# and bad frees, but not a use of a pfree'd chunk inside a live memory
# context.  A server under valgrind is 20-100 times slower: the full run
# took 14.5 minutes on 2 cores, 12.5 of them in the hostile suite (which takes
# 8-11 s without valgrind); CI may skip this target for that reason.
# (valgrind 3.19 has no --read-var-inline-info: --read-inline-info and
# --read-var-info are used.)
#
# Settings (environment): PG_CONFIG (pg_config of PostgreSQL 15),
# MEMCHECK_STATEMENT_TIMEOUT (default 1h), MEMCHECK_KEEP=1 keeps the data
# directory.  JIT is off (llvmjit under valgrind is slow and noisy, and
# not what is tested).
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
start_time=$(date +%s)

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
bindir=$("$PG_CONFIG" --bindir)
pgxs=$("$PG_CONFIG" --pgxs)
pg_regress=$(dirname "$pgxs")/../test/regress/pg_regress
statement_timeout=${MEMCHECK_STATEMENT_TIMEOUT:-1h}
supp=$top/test/valgrind.supp

fail() {
    echo "memcheck: $*"
    echo "0 passed, 1 failed"
    exit 1
}

command -v valgrind >/dev/null || fail "valgrind is not installed"
[ -x "$pg_regress" ] || fail "pg_regress not found at $pg_regress"
[ -f "$supp" ] || fail "suppression file $supp is missing"

# the suites: arguments, else the Makefile's REGRESS, plus hostile
if [ $# -gt 0 ]; then
    requested="$*"
else
    requested=$(make -s --no-print-directory print-regress 2>/dev/null) ||
        requested="lifecycle errors count transfer orders idempotency expiry policy ledger sync settings http_errors privileges search_path"
    case " $requested " in *" hostile "*) ;; *) requested="$requested hostile" ;; esac
fi
tests=()
for t in $requested; do
    if [ -f "sql/$t.sql" ] && [ -f "expected/$t.out" ]; then
        tests+=("$t")
    else
        echo "memcheck: skipping suite $t (no sql/$t.sql or expected/$t.out)"
    fi
done
[ ${#tests[@]} -gt 0 ] || fail "no suite to run"

# the server runs as postgres when we are root (initdb refuses root)
if [ "$(id -u)" -eq 0 ]; then
    id postgres >/dev/null 2>&1 || fail "no postgres user to run the server"
    as_pg=(runuser -u postgres --)
else
    as_pg=()
fi

tmp=$(mktemp -d /tmp/invstock-memcheck.XXXXXX)
chmod 755 "$tmp"
mkdir -p "$tmp/valgrind" "$tmp/regress"
[ "$(id -u)" -eq 0 ] && chown postgres "$tmp" "$tmp/valgrind"
port=$(bash test/free-port.sh) || fail "no free port"
echo "memcheck: logs in $tmp, port $port, suites: ${tests[*]}"

server_pid=
stop_server() {
    if [ -f "$tmp/data/postmaster.pid" ]; then
        "${as_pg[@]}" "$bindir/pg_ctl" stop -D "$tmp/data" -m fast -w -t 900 >>"$tmp/pg_ctl.log" 2>&1 ||
            "${as_pg[@]}" "$bindir/pg_ctl" stop -D "$tmp/data" -m immediate -w -t 300 >>"$tmp/pg_ctl.log" 2>&1
    fi
    [ -n "$server_pid" ] && wait "$server_pid" 2>/dev/null
    server_pid=
}
cleanup() {
    stop_server
    if [ "${MEMCHECK_KEEP:-0}" != 1 ]; then rm -rf "$tmp/data"; fi
}
trap cleanup EXIT
trap 'echo "memcheck: interrupted"; exit 130' INT TERM

"${as_pg[@]}" "$bindir/initdb" -D "$tmp/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 \
    >"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log"; fail "initdb failed"; }

# valgrind follows every forked backend (--trace-children also covers any
# exec); each process logs to its own file, errors between markers
"${as_pg[@]}" valgrind --quiet --trace-children=yes --track-origins=yes \
    --read-inline-info=yes --read-var-info=yes --leak-check=no --error-exitcode=128 \
    --num-callers=40 --fullpath-after= --error-markers=VALGRINDERROR-BEGIN,VALGRINDERROR-END \
    --suppressions="$supp" --log-file="$tmp/valgrind/%p.log" \
    "$bindir/postgres" -D "$tmp/data" -p "$port" -k "$tmp" \
    -c listen_addresses= -c fsync=off -c synchronous_commit=off \
    -c full_page_writes=off -c autovacuum=off -c shared_buffers=32MB -c jit=off \
    -c max_connections=20 -c statement_timeout="$statement_timeout" \
    -c log_line_prefix='%m [%p] ' -c lc_messages=C \
    >"$tmp/server.log" 2>&1 &
server_pid=$!

ready=
for _ in $(seq 1 600); do
    if "$bindir/pg_isready" -q -h "$tmp" -p "$port" -U postgres; then ready=1; break; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 1
done
if [ -z "$ready" ]; then
    tail -30 "$tmp/server.log"
    fail "the server under valgrind did not start"
fi
echo "memcheck: server up after $(( $(date +%s) - start_time )) s"

"$pg_regress" --bindir="$bindir" --host="$tmp" --port="$port" --user=postgres \
    --inputdir="$top" --outputdir="$tmp/regress" --dbname=invstock_regression \
    "${tests[@]}" >"$tmp/regress.log" 2>&1
grep -E '^(test |ok |not ok |     )|\.\.\. ' "$tmp/regress.log" | grep -E '\.\.\. |^(ok|not ok) ' || tail -20 "$tmp/regress.log"
suites_ok=$(grep -cE '\.\.\. ok' "$tmp/regress.log")
suites_failed=$(grep -cE '\.\.\. FAILED|\.\.\. failed' "$tmp/regress.log")
if [ -s "$tmp/regress/regression.diffs" ]; then
    echo "-- differences under valgrind ($tmp/regress/regression.diffs), first 100 lines:"
    head -100 "$tmp/regress/regression.diffs"
fi

# did the server survive?  A server process killed by a signal is a crash.
# Exit code 128 is valgrind's --error-exitcode: its errors are counted below
# (the postmaster restarts the server after it, which may fail the suites
# that were running).
alive=1
"$bindir/pg_isready" -q -h "$tmp" -p "$port" -U postgres || alive=
crashes=$(grep -cE 'was terminated by signal' "$tmp/server.log")
error_exits=$(grep -cE 'exited with exit code 128' "$tmp/server.log")
stop_server

# count the errors: one block between the markers per error.  An error
# involves invstock when a frame is in invstock.so, or (with debug info and
# --fullpath-after=) in one of its sources, src/<file>.c directly under a
# src/ directory (PostgreSQL's own sources are deeper: src/backend/...)
src_pattern=$(ls src/*.c | xargs -n1 basename | sed 's/\./\\./' | paste -sd'|')
inv_pattern="invstock\\.so|/src/(${src_pattern}):[0-9]+\\)"
total=0
invstock=0
summaries=0
: >"$tmp/errors-invstock.txt"
: >"$tmp/errors-other.txt"
for log in "$tmp"/valgrind/*.log; do
    [ -s "$log" ] || continue
    awk -v inv="$inv_pattern" -v file="$log" \
        -v out_inv="$tmp/errors-invstock.txt" -v out_other="$tmp/errors-other.txt" '
        /VALGRINDERROR-BEGIN/ { inblock = 1; block = "== " file "\n"; next }
        /VALGRINDERROR-END/ {
            inblock = 0
            if (block ~ inv) { print block > out_inv; ninv++ } else { print block > out_other; noth++ }
            next
        }
        inblock { block = block $0 "\n" }
        END { printf "%d %d\n", ninv + 0, noth + 0 }' "$log" >"$tmp/count"
    read -r ni no <"$tmp/count"
    invstock=$((invstock + ni))
    total=$((total + ni + no))
    # with --quiet valgrind prints a summary only in some cases; count it too
    s=$(grep -oE 'ERROR SUMMARY: [0-9]+ errors' "$log" | awk '{s += $3} END {print s + 0}')
    summaries=$((summaries + s))
done
processes=$(ls "$tmp"/valgrind/*.log 2>/dev/null | wc -l)

if [ "$invstock" -gt 0 ]; then
    echo "-- valgrind errors involving invstock ($tmp/errors-invstock.txt):"
    cat "$tmp/errors-invstock.txt"
fi
if [ "$total" -gt "$invstock" ]; then
    echo "-- valgrind errors in PostgreSQL's own code, not suppressed ($tmp/errors-other.txt), first 200 lines:"
    head -200 "$tmp/errors-other.txt"
fi

elapsed=$(( $(date +%s) - start_time ))
echo "memcheck: ${elapsed} s, ${processes} server processes, suites under valgrind: ${suites_ok} ok, ${suites_failed} failed"
echo "memcheck: ${total} valgrind errors (${invstock} involving invstock, $((total - invstock)) in PostgreSQL only; ERROR SUMMARY lines: ${summaries})"
[ -n "$alive" ] || echo "memcheck: the server was not running at the end"
[ "$crashes" -eq 0 ] || echo "memcheck: the server log shows ${crashes} crashed server processes ($tmp/server.log)"
[ "$error_exits" -eq 0 ] || echo "memcheck: ${error_exits} server processes exited with valgrind's error exit code 128"

if [ "$invstock" -eq 0 ] && [ -n "$alive" ] && [ "$crashes" -eq 0 ]; then
    echo "1 passed, 0 failed"
    exit 0
fi
echo "0 passed, 1 failed"
exit 1
