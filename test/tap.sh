#!/usr/bin/env bash
# test/tap.sh [TEST...]: run invstock's Perl TAP tests (t/*.pl) with prove.
#
#   sudo bash test/tap.sh                   (every t/*.pl; the CI run)
#   bash test/tap.sh t/003_replica.pl       (one test)
#
# The tests use PostgreSQL::Test::Cluster (PostgreSQL 15's TAP modules,
# libipc-run-perl): each one creates its own throwaway clusters under
# tmp_check/ of the directory prove runs in.  Debian's PGXS has TAP disabled
# (its prove_installcheck only prints a message), hence this script.
#
# The extension must already be installed (test/run-all.sh runs make install
# first).  PostgreSQL refuses to run as root, so when started as root the
# tests run as the postgres user, from a copy of t/ in a temporary directory
# that user can write.  Prints prove's output, then one line
# "N passed, N failed" counting the TAP assertions; exits non-zero when an
# assertion failed or a test script died.  Logs: tmp_check/log/ of the work
# directory printed at the end (kept when something failed).
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)

pgbin=/usr/lib/postgresql/15/bin
pgxs=$("$pgbin/pg_config" --pgxs)
pgxs=${pgxs%/src/makefiles/pgxs.mk}
perl_lib=$pgxs/src/test/perl
pg_regress=$pgxs/src/test/regress/pg_regress

fail() { echo "$1"; echo "0 passed, 1 failed"; exit 1; }
[ -x "$pgbin/initdb" ] || fail "PostgreSQL 15 is not installed ($pgbin/initdb missing)"
[ -f "$perl_lib/PostgreSQL/Test/Cluster.pm" ] || fail "PostgreSQL's TAP modules are missing ($perl_lib)"
[ -x "$pg_regress" ] || fail "pg_regress is missing ($pg_regress)"
perl -MIPC::Run -e 1 2>/dev/null || fail "IPC::Run is missing (apt-get install libipc-run-perl)"
[ -f "$("$pgbin/pg_config" --sharedir)/extension/invstock.control" ] ||
    fail "the invstock extension is not installed (make install)"

if [ $# -gt 0 ]; then tests=("$@"); else tests=(t/*.pl); fi
for f in "${tests[@]}"; do [ -f "$f" ] || fail "no such test: $f"; done

work=$(mktemp -d /tmp/invstock-tap.XXXXXX)
chmod 755 "$work"
cp -r t "$work/"
log=$work/prove.log

cmd=(env "PATH=$pgbin:$PATH" "PG_REGRESS=$pg_regress" LC_ALL=C.UTF-8
     prove --verbose --timer --merge -I "$perl_lib" -I t "${tests[@]}")
start=$(date +%s)
if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres: "$work"
    (cd "$work" && runuser -u postgres -- "${cmd[@]}") 2>&1 | tee "$log"
else
    (cd "$work" && "${cmd[@]}") 2>&1 | tee "$log"
fi
status=${PIPESTATUS[0]}
elapsed=$(( $(date +%s) - start ))

# the assertions, from prove --verbose ("ok N", "not ok N"; a TODO that
# fails is not a failure, a skip is not a pass)
skipped=$(grep -cE '^ *ok [0-9]+.*# *(SKIP|skip)' "$log" || true)
passed=$(( $(grep -cE '^ *ok [0-9]+' "$log" || true) - skipped ))
failed=$(grep -E '^ *not ok [0-9]+' "$log" | grep -cvE '# *TODO' || true)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "prove exited with status $status without a failed assertion (a test died or planned more tests)"
    failed=1
fi
if [ "$passed" -eq 0 ] && [ "$failed" -eq 0 ]; then
    echo "no assertion ran"; failed=1
fi
echo "TAP runtime: ${elapsed} s; logs: $work/tmp_check/log"
if [ "$failed" -eq 0 ] && [ "$skipped" -eq 0 ]; then
    rm -rf "$work/tmp_check/t_"*_data 2>/dev/null || true
fi
[ "$skipped" -gt 0 ] && echo "$skipped skipped"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$skipped" -eq 0 ]
