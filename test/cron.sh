#!/usr/bin/env bash
# test/cron.sh: the hold-expiry sweeper (pg_cron running inv_sync every
# minute, as docs/operations.md sets it up) in a throwaway cluster with
# pg_cron preloaded.  Creates an overdue hold, waits for the sweeper's next
# run (at most about 2 minutes), and checks the hold was released by it, with no
# other traffic.  Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d /tmp/invstock-cron.XXXXXX)
chmod 755 "$out"

cat >"$out/inner.sh" <<'INNER'
set -uo pipefail
out=$1
passed=0; failed=0
check() {       # check NAME SQL-returning-t
    local got
    got=$(psql -X -At -d invstock_cron -c "$2" 2>&1)
    if [ "$got" = t ]; then passed=$((passed + 1)); echo "ok      $1"
    else failed=$((failed + 1)); echo "FAILED  $1 (got: $got)"; fi
}
createdb invstock_cron
psql -X -q -d invstock_cron -v ON_ERROR_STOP=1 <<'SQL' >/dev/null
CREATE EXTENSION invstock;
CREATE EXTENSION pg_cron;
-- the sweeper of docs/operations.md
SELECT cron.schedule('invstock-sweeper', '* * * * *',
                     $$SELECT count(*) FROM invstock.inv_sync()$$);
SELECT invstock.inv_adjust('SWEEP', 10, 'received');
SELECT invstock.inv_reserve('SWEEP', 4, reference => 'ORD-1', ttl => '1 second');
SQL
check "the sweeper job is scheduled" \
    "SELECT count(*) = 1 FROM cron.job WHERE jobname = 'invstock-sweeper' AND schedule = '* * * * *'"
sleep 2
check "the hold is overdue (nothing but the sweeper touches it)" \
    "SELECT expires_at <= now() FROM invstock.reservation WHERE reference = 'ORD-1'"
# wait for a run that started after the hold became overdue (runs start on
# the minute: at most about 60 s, plus the run itself)
after_expiry="status = 'succeeded' AND start_time > (SELECT expires_at FROM invstock.reservation WHERE reference = 'ORD-1')"
for _ in $(seq 1 130); do
    done_runs=$(psql -X -At -d invstock_cron -c "SELECT count(*) FROM cron.job_run_details WHERE $after_expiry")
    [ "${done_runs:-0}" -gt 0 ] && break
    sleep 1
done
check "a sweeper run started after the hold expired and succeeded" \
    "SELECT count(*) > 0 FROM cron.job_run_details WHERE $after_expiry"
check "the overdue hold was expired by the sweeper" \
    "SELECT status = 'expired' AND qty_expired = 4 FROM invstock.reservation WHERE reference = 'ORD-1'"
check "its units are available again" \
    "SELECT reserved = 0 AND available = 10 FROM invstock.levels WHERE sku = 'SWEEP'"
check "one expire movement, in the sweeper's transaction" \
    "SELECT count(*) = 1 FROM invstock.movement WHERE kind = 'expire' AND reference = 'ORD-1'"
check "the ledger is consistent" \
    "SELECT NOT EXISTS (SELECT FROM invstock.inv_sync(repair => false))"
echo "$passed $failed" >"$out/totals"
INNER

port=$(bash test/free-port.sh)
pg_virtualenv -t -c "-p $port" -v 15 \
    -o "shared_preload_libraries=pg_cron" -o "cron.database_name=invstock_cron" \
    -o "cron.use_background_workers=on" -o "max_worker_processes=16" \
    bash "$out/inner.sh" "$out"
if [ ! -s "$out/totals" ]; then
    echo "the cluster did not start"; echo "0 passed, 1 failed"; exit 1
fi
read -r passed failed <"$out/totals"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
