#!/usr/bin/env bash
# test/run-all.sh: build, install and run every invstock test suite in
# throwaway PostgreSQL 15 clusters (pg_virtualenv), then print one line
# "N passed, N failed" over all suites.  Exits non-zero on any failure.
#
#   sudo bash test/run-all.sh          (as root: installs the extension)
#
# Suites: pg_regress (sql/*.sql vs expected/*.out, one test per file),
# isolation (specs/*.spec vs expected/*.out, one test per spec), pgTAP
# (test/pgtap/*.sql, one test per assertion), the stress run
# (test/stress/run.sh, one test per check), the pg_cron sweeper
# (test/cron.sh, one test per check), the Perl TAP tests (test/tap.sh:
# dump/restore, crash recovery, replica; one test per assertion) and the
# benchmark's smoke run (test/bench/run.sh, 1 s per variant, one test per
# check; it checks that everything ran, never a timing).
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
out=$(mktemp -d /tmp/invstock-tests.XXXXXX)
chmod 755 "$out"

bash test/install-deps.sh >/dev/null || { echo "could not install the dependencies"; echo "0 passed, 1 failed"; exit 1; }
make -s clean >/dev/null
if ! make -s >"$out/build.log" 2>&1; then
    cat "$out/build.log"; echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi
if ! make -s install >>"$out/build.log" 2>&1; then
    cat "$out/build.log"; echo "install failed"; echo "0 passed, 1 failed"; exit 1
fi

# everything below runs inside one throwaway cluster
cat >"$out/suites.sh" <<'INNER'
set -uo pipefail
top=$1; out=$2
cd "$top"

# run one pg_regress-style suite; counts its "... ok" and "... FAILED" lines
suite() {
    local name=$1 log=$out/$1.log diffs=$out/$1/regression.diffs
    shift
    "$@" >"$log" 2>&1
    grep -E '\.\.\. ' "$log" || true
    local p f
    p=$(grep -cE '\.\.\. ok' "$log" || true)
    f=$(grep -cE '\.\.\. FAILED' "$log" || true)
    if [ -s "$diffs" ]; then
        echo "-- $diffs:"; head -300 "$diffs"
    fi
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
        echo "$name ran no test:"; tail -30 "$log"; f=1
    fi
    echo "$name: $p passed, $f failed"
    reg_pass=$((reg_pass + p)); reg_fail=$((reg_fail + f))
}
reg_pass=0; reg_fail=0
pgxs=$(pg_config --pgxs); pgxs=${pgxs%/src/makefiles/pgxs.mk}

echo "== pg_regress"
suite pg_regress make -s installcheck ISOLATION= \
    REGRESS_OPTS="--dbname=invstock_regression --outputdir=$out/pg_regress"

echo "== isolation"
suite isolation "$pgxs/src/test/isolation/pg_isolation_regress" \
    --bindir="$(pg_config --bindir)" --inputdir=. --outputdir="$out/isolation" \
    --dbname=invstock_isolation $(make -s print-isolation)

echo "== pgTAP"
createdb invstock_tap
pg_prove --verbose -d invstock_tap test/pgtap/*.sql >"$out/pgtap.log" 2>&1
tap_status=$?
grep -E '^(not ok|ok|#|Failed|Result|Files)' "$out/pgtap.log" | grep -vE '^ok ' || true
tap_skip=$(grep -cE '^ok [0-9]+.*# (SKIP|skip)' "$out/pgtap.log" || true)
tap_pass=$(( $(grep -cE '^ok [0-9]+' "$out/pgtap.log" || true) - tap_skip ))
tap_fail=$(grep -cE '^not ok [0-9]+' "$out/pgtap.log" || true)
if [ "$tap_status" -ne 0 ] && [ "$tap_fail" -eq 0 ]; then
    echo "pg_prove exited $tap_status without a failed assertion:"; tail -30 "$out/pgtap.log"
    tap_fail=1
fi
echo "pgTAP: $tap_pass passed, $tap_fail failed, $tap_skip skipped"

echo "$((reg_pass + tap_pass)) $((reg_fail + tap_fail)) $tap_skip" >"$out/totals"
INNER

pg_virtualenv -t -c "-p $(bash test/free-port.sh)" -v 15 bash "$out/suites.sh" "$top" "$out"
if [ ! -s "$out/totals" ]; then
    echo "the test cluster did not start"; echo "0 passed, 1 failed"; exit 1
fi
read -r passed failed skipped <"$out/totals"

# suites that run in clusters of their own, each ending "N passed, N failed"
external() {    # external NAME COMMAND...
    local name=$1 log=$out/$1.log sp sf
    shift
    echo "== $name"
    "$@" >"$log" 2>&1
    grep -E '^(ok|not ok|FAILED) ' "$log" | grep -vE '^ok [0-9]+ ' || true
    if read -r sp sf < <(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1 |
                         sed -E 's/^([0-9]+) passed, ([0-9]+) failed.*$/\1 \2/'); then
        :
    else
        sp=0; sf=1
    fi
    [ "$sf" -gt 0 ] && tail -40 "$log"
    echo "$name: $sp passed, $sf failed"
    passed=$((passed + sp)); failed=$((failed + sf))
}
external stress bash test/stress/run.sh 15 8
external cron bash test/cron.sh
external tap bash test/tap.sh
# the benchmark's smoke run: every variant runs without error (no timing checked)
external bench env BENCH_SKIP_INSTALL=1 BENCH_SECONDS=1 BENCH_ROUNDS=1 bash test/bench/run.sh

echo "$passed passed, $failed failed, $skipped skipped"
# a skipped test is not a pass: CI must run everything
[ "$failed" -eq 0 ] && [ "$skipped" -eq 0 ] && [ "$passed" -gt 0 ]
