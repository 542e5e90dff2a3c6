#!/usr/bin/env bash
# test/bench/run.sh: throughput benchmark of invstock against plain SQL
#
# In a throwaway PostgreSQL 15 cluster (pg_virtualenv; fsync and
# synchronous_commit on, shared_buffers 256MB), loads setup.sql (10,000 SKUs
# plus the hot SKUs, in invstock and in the plain tables of schema "bench"),
# then runs every variant (scripts/*.sql) with pgbench -c 8 -j 2 -M prepared
# for BENCH_SECONDS each, BENCH_ROUNDS times, alternating (round 1: every
# variant once, in a fixed order; round 2: the same ...) so drift of the
# machine hits all variants alike.  Before each run: VACUUM ANALYZE of the
# tables any variant touches, and CHECKPOINT.
#
# Prints the machine and the settings, one line per run, then per variant the
# median over rounds of tps, mean latency and p99 latency (from pgbench's
# per-transaction log) with the ratio of tps to the bare variant of the same
# workload, the ledger's size per movement, and the performance targets,
# each met or not, beside the bounds that the floor variants measure (the
# least any implementation of the contract must write; setup.sql).  Writes to the output dir:
#   report.txt   everything printed
#   runs.csv     every run          results.csv  the medians and ratios
#   ledger.csv   bytes per movement bench.png    the chart (gnuplot)
# Ends with "N passed, N failed" and exits non-zero if a check failed.
# Checks (never a timing): the setup loaded, the server settings are the ones
# asked for, every variant ran with tps > 0, 0 failed transactions and 0
# aborted clients in every round, the CSV files and the PNG were written.
#
#   bash test/bench/run.sh                                full run: 3 x 10 s,
#                                                         into docs/bench
#   BENCH_SECONDS=1 BENCH_ROUNDS=1 bash test/bench/run.sh smoke run, into a
#                                                         temporary dir
# Environment:
#   BENCH_SECONDS (10), BENCH_ROUNDS (3)
#   BENCH_OUT           output dir; default docs/bench for a full run (at
#                       least 10 s and 3 rounds), else a new temporary dir
#   BENCH_SKIP_INSTALL  set: do not install packages, build or install
#   BENCH_SKIP_BUILD=1  install packages but do not build or install
# As root (and without BENCH_SKIP_INSTALL) it first runs
# test/install-deps.sh, then make -s && make -s install (unless
# BENCH_SKIP_BUILD=1).  The chart needs gnuplot (Debian: gnuplot-nox).
# Logs and pgbench output are kept in the /tmp/invstock-bench.* directory.
set -uo pipefail

seconds=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-3}
for v in "$seconds" "$rounds"; do
    case "$v" in ''|*[!0-9]*) echo "BENCH_SECONDS and BENCH_ROUNDS must be whole numbers" >&2; exit 2;; esac
done
if [ "$seconds" -lt 1 ] || [ "$rounds" -lt 1 ]; then
    echo "BENCH_SECONDS and BENCH_ROUNDS must be at least 1" >&2; exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
work=$(mktemp -d /tmp/invstock-bench.XXXXXX)
chmod 755 "$work"

if [ "$seconds" -ge 10 ] && [ "$rounds" -ge 3 ]; then
    default_out=$top/docs/bench
else
    default_out=$work/out           # a smoke run never replaces the published results
fi
out=${BENCH_OUT:-$default_out}
if ! mkdir -p "$out"; then
    echo "cannot create the output dir $out"; echo "0 passed, 1 failed"; exit 1
fi
out=$(cd "$out" && pwd)

fail_early() {
    echo "$1 (logs in $work)"; echo "0 passed, 1 failed"; exit 1
}
if [ "$(id -u)" = 0 ] && [ -z "${BENCH_SKIP_INSTALL:-}" ]; then
    bash "$top/test/install-deps.sh" >"$work/install-deps.log" 2>&1 ||
        { cat "$work/install-deps.log"; fail_early "could not install the dependencies"; }
    if [ "${BENCH_SKIP_BUILD:-}" != 1 ]; then
        if ! (cd "$top" && make -s && make -s install) >"$work/build.log" 2>&1; then
            cat "$work/build.log"; fail_early "build or install failed"
        fi
    fi
fi

cat >"$work/inner.sh" <<'INNER'
set -uo pipefail
here=$1; work=$2; out=$3; seconds=$4; rounds=$5
cd "$here"
clients=8
threads=2

# workload, variant, pgbench script, the variant its tps ratio is taken to;
# one round runs them in this order
variants=(
    "uniform    bare                uniform_bare.sql          bare"
    "uniform    floor               uniform_floor.sql         bare"
    "uniform    floor_indexed       uniform_floor_indexed.sql bare"
    "uniform    plpgsql             uniform_plpgsql.sql       bare"
    "uniform    invstock            uniform_invstock.sql      bare"
    "autocommit bare_autocommit     autocommit_bare.sql       bare_autocommit"
    "autocommit invstock_autocommit autocommit_invstock.sql   bare_autocommit"
    "hot        bare                hot_bare.sql              bare"
    "hot        bare_slots          hot_bare_slots.sql        bare"
    "hot        floor_slots         hot_floor_slots.sql       bare"
    "hot        plpgsql             hot_plpgsql.sql           bare"
    "hot        invstock            hot_invstock.sql          bare"
    "hot        invstock_slots      hot_invstock_slots.sql    bare"
    "lifecycle  bare                lifecycle_bare.sql        bare"
    "lifecycle  plpgsql             lifecycle_plpgsql.sql     bare"
    "lifecycle  invstock            lifecycle_invstock.sql    bare"
    "order5     bare                order5_bare.sql           bare"
    "order5     plpgsql             order5_plpgsql.sql        bare"
    "order5     invstock            order5_invstock.sql       bare"
)
# every table a variant writes: vacuumed and analyzed before each run
touched="bench.stock, bench.hold, bench.ledger, bench.orders, bench.floor_hold,
         bench.floor_ledger, bench.floor_hold_indexed, bench.floor_ledger_indexed,
         bench.slot_stock, invstock.stock,
         invstock.sku, invstock.reservation, invstock.movement, invstock.idempotency"

report=$out/report.txt
rm -f "$report" "$out/runs.csv" "$out/results.csv" "$out/ledger.csv" "$out/bench.png"
say() { printf '%s\n' "$*" | tee -a "$report"; }         # printed and reported
say_file() { tee -a "$report" <"$1"; }

passed=0; failed=0
result() {      # result NAME OK DETAIL
    if [ "$2" = 1 ]; then passed=$((passed + 1)); say "ok      $1 ($3)"
    else failed=$((failed + 1)); say "FAILED  $1 ($3)"; fi
}
finish() { echo "$passed $failed" >"$work/totals"; exit 0; }
q() { psql -X -At -v ON_ERROR_STOP=1 -c "$1"; }           # one value

logfile=$(pg_lsclusters -h 2>/dev/null | awk 'NR == 1 { print $NF }')

# --- machine and settings --------------------------------------------------
cpu=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
if commit=$(git -C "$here" rev-parse --short HEAD 2>/dev/null); then
    # the run's own outputs (docs/bench, removed above) do not count
    git -C "$here" diff --quiet HEAD -- ':(top)' ':(top,exclude)docs/bench' 2>/dev/null ||
        commit="$commit (with uncommitted changes)"
else
    commit=unknown
fi
lib=$(pg_config --pkglibdir)/invstock.so
libinfo=$(stat -c '%y' "$lib" 2>/dev/null | cut -d. -f1)
say "invstock benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say ""
say "machine     $(nproc) CPUs: ${cpu:-unknown CPU model}; $mem RAM; Linux $(uname -r)"
say "PostgreSQL  $(q 'SELECT version()')"
say "pgbench     $(pgbench --version)"
say "invstock    version $(q "SELECT default_version FROM pg_available_extensions WHERE name = 'invstock'"), $lib of ${libinfo:-?}, repository at $commit"
settings=$(psql -X -At -F ' = ' -c "SELECT name, current_setting(name) FROM pg_settings
    WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'shared_buffers',
                   'max_connections', 'max_wal_size', 'checkpoint_timeout', 'autovacuum', 'wal_buffers',
                   'work_mem', 'jit') ORDER BY name")
say "server      $(echo "$settings" | paste -sd ';' | sed 's/;/; /g')"
say "load        $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) before the setup: anything else running skews the results"
say "pgbench     -c $clients -j $threads -M prepared -T $seconds, $rounds round(s), the ${#variants[@]} variants alternating in a fixed order"
say "            before each run: VACUUM (ANALYZE) of the touched tables, CHECKPOINT"
say "            tps without initial connection time; p99 from the per-transaction log (-l)"
say ""
setting() { echo "$settings" | awk -F ' = ' -v n="$1" '$1 == n { print $2 }'; }
sb=$(setting shared_buffers); mc=$(setting max_connections)
result "server settings" "$([ "$(setting fsync)" = on ] && [ "$(setting synchronous_commit)" = on ] &&
        [ "$sb" = 256MB ] && [ "${mc:-0}" -ge 20 ] && echo 1)" \
    "fsync $(setting fsync), synchronous_commit $(setting synchronous_commit), shared_buffers $sb, max_connections $mc"

# --- setup -------------------------------------------------------------------
say "== setup"
if ! psql -X -q -v ON_ERROR_STOP=1 -f setup.sql >"$work/setup.log" 2>&1; then
    say_file "$work/setup.log"; result "setup" 0 "setup.sql failed"; finish
fi
loaded=$(q "SELECT (SELECT count(*) FROM bench.stock) || ' ' || (SELECT count(*) FROM invstock.stock)
            || ' ' || (SELECT slots FROM invstock.sku WHERE sku = 'HOT-SLOTS')
            || ' ' || (SELECT count(*) FROM bench.slot_stock WHERE sku = 'HOT')")
read -r n_bench n_inv hot_slots n_slot_rows <<<"$loaded"
say "   bench.stock: $n_bench rows; invstock.stock: $n_inv rows; HOT-SLOTS slots = $hot_slots; bench.slot_stock: $n_slot_rows rows"
result "setup" "$([ "$n_bench" = 10001 ] && [ "${n_inv:-0}" -ge 10002 ] && [ "$hot_slots" = 16 ] && [ "$n_slot_rows" = 16 ] && echo 1)" \
    "10,000 SKUs + HOT in both, HOT-SLOTS with 16 slots, HOT as 16 plain rows"

# --- the runs ------------------------------------------------------------------
runs=$out/runs.csv
echo "round,run,workload,variant,script,seconds,clients,threads,transactions,tps,mean_ms,p99_ms,failed,aborted,pgbench_status" >"$runs"
say "== runs (round, workload, variant: tps, mean latency, p99 latency)"
run=0
for round in $(seq 1 "$rounds"); do
    for v in "${variants[@]}"; do
        read -r wl var script base <<<"$v"
        run=$((run + 1))
        dir=$work/runs/$(printf '%03d' "$run")-$wl-$var
        mkdir -p "$dir"
        if ! psql -X -q -v ON_ERROR_STOP=1 -c "VACUUM (ANALYZE) $touched" -c "CHECKPOINT" >"$dir/prepare.log" 2>&1; then
            say "   VACUUM or CHECKPOINT failed before run $run:"; say_file "$dir/prepare.log"
        fi
        pgbench -n -c "$clients" -j "$threads" -T "$seconds" -M prepared -D run="$run" \
            -l --log-prefix="$dir/tx" -f "scripts/$script" >"$dir/pgbench.out" 2>"$dir/pgbench.err"
        status=$?
        tx=$(grep -oP '^number of transactions actually processed: \K[0-9]+' "$dir/pgbench.out" | head -1)
        tps=$(grep -oP '^tps = \K[0-9.]+(?= \(without initial connection time\))' "$dir/pgbench.out" | head -1)
        mean=$(grep -oP '^latency average = \K[0-9.]+(?= ms)' "$dir/pgbench.out" | head -1)
        fails=$(grep -oP '^number of failed transactions: \K[0-9]+' "$dir/pgbench.out" | head -1)
        aborted=$(grep -cE 'client [0-9]+ (script [0-9]+ )?aborted' "$dir/pgbench.err")
        # 3rd field of the log: latency in microseconds (a failed transaction has a word there)
        p99=$(cat "$dir"/tx.* 2>/dev/null | awk '$3 ~ /^[0-9]+$/ { print $3 }' | sort -n |
              awk '{ v[NR] = $1 }
                   END { if (NR == 0) { print "nan"; exit }
                         i = int(NR * 0.99); if (i < NR * 0.99) i++; if (i < 1) i = 1
                         printf "%.3f\n", v[i] / 1000 }')
        gzip -q "$dir"/tx.* 2>/dev/null
        tx=${tx:-0}; tps=${tps:-0}; mean=${mean:-nan}; fails=${fails:-unknown}
        # pgbench failed although no client said it aborted: count every client
        if [ "$status" -ne 0 ] && [ "$aborted" -eq 0 ]; then aborted=$clients; fi
        printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$round" "$run" "$wl" "$var" "$script" \
            "$seconds" "$clients" "$threads" "$tx" "$tps" "$mean" "$p99" "$fails" "$aborted" "$status" >>"$runs"
        say "$(printf '   r%-2s %-10s %-20s %10.1f tps %8s ms %8s ms p99' "$round" "$wl" "$var" "$tps" "$mean" "$p99")"
        if [ "$fails" != 0 ] || [ "$aborted" -ne 0 ] || [ "$status" -ne 0 ]; then
            say "   !!!!! round $round $wl/$var: failed transactions $fails, aborted clients $aborted, pgbench status $status"
            grep -vE '^pgbench \(' "$dir/pgbench.err" | sort | uniq -c | sort -rn | head -8 | sed 's/^/   !!!!! /' | tee -a "$report"
        fi
    done
done

say "   load $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) after the runs"

# --- medians and ratios --------------------------------------------------------
# per variant, in run order: the median over rounds of tps, mean and p99, the
# base's median tps, the tps of every round, totals of failures and aborts
results=$out/results.csv
awk -F, -v bases="$(printf '%s\n' "${variants[@]}" | awk '{ printf "%s %s %s;", $1, $2, $4 }')" '
    function median(s,    a, n, i, j, t) {
        n = split(s, a, " ")
        for (i = 2; i <= n; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
        if (n == 0) return "nan"
        return (n % 2) ? a[(n + 1) / 2] + 0 : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    BEGIN { nb = split(bases, b, ";"); for (i = 1; i <= nb; i++) if (split(b[i], f, " ") == 3) base[f[1] "/" f[2]] = f[3] }
    NR == 1 { next }
    {   k = $3 "/" $4
        if (!(k in seen)) { seen[k] = 1; order[++n] = k; wl[k] = $3; var[k] = $4 }
        tps[k] = tps[k] " " $10; mean[k] = mean[k] " " $11; p99[k] = p99[k] " " $12
        runs[k] = runs[k] (runs[k] == "" ? "" : ";") sprintf("%.1f", $10)
        nr[k]++; fails[k] += $13; aborted[k] += $14 }
    END {
        print "workload,variant,rounds,tps_median,mean_ms_median,p99_ms_median,base_variant,ratio_to_base,failed_total,aborted_total,tps_per_round"
        for (i = 1; i <= n; i++) { k = order[i]; mt[k] = median(tps[k]) }
        for (i = 1; i <= n; i++) {
            k = order[i]; bk = wl[k] "/" base[k]
            ratio = (bk in mt && mt[bk] > 0) ? sprintf("%.3f", mt[k] / mt[bk]) : "nan"
            printf "%s,%s,%d,%.1f,%.3f,%.3f,%s,%s,%d,%d,%s\n", wl[k], var[k], nr[k], mt[k],
                median(mean[k]), median(p99[k]), base[k], ratio, fails[k], aborted[k], runs[k] }
    }' "$runs" >"$results"

say ""
say "== results: median over $rounds round(s) of $seconds s; ratio = tps / tps of the workload's bare variant"
say "$(printf '%-10s %-20s %10s %9s %9s %7s  %s' workload variant tps 'mean ms' 'p99 ms' ratio 'tps per round')"
awk -F, 'NR > 1 { r = $8; printf "%-10s %-20s %10.1f %9.2f %9.2f %7s  %s%s\n", $1, $2, $4, $5, $6,
                  (r == "nan" ? r : sprintf("%.2f", r)), $11, ($9 + $10 > 0 ? "  FAILURES: " $9 " failed, " $10 " aborted" : "") }' \
    "$results" | sed 's/;/ \/ /g' | tee -a "$report"
say "   ratio base: bare for uniform, hot, lifecycle and order5; bare_autocommit for autocommit"
say "   floor, floor_indexed, floor_slots, bare_slots: bounds, not implementations (setup.sql, \"The floor\")"
say "   uniform, lifecycle, order5: random SKUs of 10,000; hot: one SKU (HOT, or HOT-SLOTS with 16 slots)"
say "   every transaction but autocommit's: BEGIN; reserve (and finalize); INSERT order line(s); COMMIT"

# --- ledger size -------------------------------------------------------------------
say ""
say "== ledger size per row (after a VACUUM)"
psql -X -q -c "VACUUM (ANALYZE) invstock.movement, bench.ledger" >/dev/null 2>&1
ledger=$out/ledger.csv
echo "table,part,bytes,rows,bytes_per_row" >"$ledger"
if psql -X -At -F , -v ON_ERROR_STOP=1 -f ledger.sql >>"$ledger" 2>"$work/ledger.err"; then
    awk -F, 'NR > 1 { printf "   %-18s %-42s %12d bytes %9d rows %9.1f bytes/row\n", $1, $2, $3, $4, $5 }' "$ledger" |
        tee -a "$report"
else
    say_file "$work/ledger.err"
fi
per_mov=$(q "SELECT round(pg_total_relation_size('invstock.movement')::numeric / count(*), 1) FROM invstock.movement")
say "   invstock.movement: $per_mov bytes per movement (pg_total_relation_size / count)"

# --- targets -----------------------------------------------------------------------
# The targets of the performance issue, each with the bound that the floor
# variants measure in this same run (a target is met when the ratio holds).
# Printed from results.csv and the ledger size above, never assumed.
ratio_of() { awk -F, -v w="$1" -v v="$2" 'NR > 1 && $1 == w && $2 == v { print $8 }' "$results"; }
verdict() {     # verdict VALUE OP LIMIT
    awk -v x="$1" -v op="$2" -v l="$3" 'BEGIN { if (x == "" || x == "nan") { print "not measured"; exit }
        ok = (op == ">=") ? (x + 0 >= l + 0) : (x + 0 <= l + 0); print ok ? "met" : "NOT MET" }'
}
say ""
say "== targets (a target is met when the measured value holds; bounds from this run)"
r_uni=$(ratio_of uniform invstock); r_floor=$(ratio_of uniform floor); r_floori=$(ratio_of uniform floor_indexed)
r_slots=$(ratio_of hot invstock_slots); r_fslots=$(ratio_of hot floor_slots); r_bslots=$(ratio_of hot bare_slots)
say "$(printf '   %-46s %8s  %-8s %-12s %s' 'uniform inv_reserve / bare UPDATE' "${r_uni:-nan}" '>= 0.80' "$(verdict "$r_uni" '>=' 0.80)" "floor: ${r_floor:-nan}; with the contract's indexes: ${r_floori:-nan}")"
say "$(printf '   %-46s %8s  %-8s %-12s %s' 'hot SKU, inv_reserve with slots / bare UPDATE' "${r_slots:-nan}" '>= 2.50' "$(verdict "$r_slots" '>=' 2.50)" "floor with slots: ${r_fslots:-nan}; bare UPDATE over 16 rows: ${r_bslots:-nan}")"
say "$(printf '   %-46s %8s  %-8s %-12s %s' 'ledger bytes per movement, indexes included' "${per_mov:-nan}" '<= 200' "$(verdict "$per_mov" '<=' 200)" "bench.ledger (plpgsql): $(awk -F, '$1 == "bench.ledger" && $2 == "total" { print $5 }' "$ledger")")"

# --- chart ---------------------------------------------------------------------------
# one bar per variant, grouped by workload, a gap between groups
awk -F, 'NR == 1 { next }
    { if ($1 != last) { if (last != "") x += 1; last = $1 }
      x += 1
      lo = ""; hi = ""; n = split($11, r, ";")
      for (i = 1; i <= n; i++) { v = r[i] + 0; if (lo == "" || v < lo) lo = v; if (hi == "" || v > hi) hi = v }
      c = ($2 ~ /^invstock.*slots/) ? 4 : ($2 ~ /^invstock/) ? 3 : ($2 ~ /^plpgsql/) ? 2 : ($2 ~ /slots|floor/) ? 5 : 1
      printf "%d\t%.1f\t%.1f\t%.1f\t%d\t\"%s\"\t\"%.0f\"\t\"%s\"\n", x, $4, lo, hi, c, $2, $4,
             ($8 == "nan" ? "" : sprintf("%.2fx", $8)) }' "$results" >"$work/chart.dat"
awk -F'\t' '
    { x[NR] = $1; hi = ($4 > $2 ? $4 : $2); if (hi > ymax) ymax = hi }
    END { printf "set yrange [0:%f]\nset xrange [0:%d]\n", (ymax > 0 ? ymax * 1.28 : 1), x[NR] + 1 }' \
    "$work/chart.dat" >"$work/labels.gp"
awk -F, 'NR == 1 { next }
    { if ($1 != last) { if (last != "") { x += 1; sep[++ns] = x; } start[++ng] = x + 1; name[ng] = $1; last = $1 }
      x += 1; stop[ng] = x }
    END { for (i = 1; i <= ng; i++)
              printf "set label %d \"%s\" at %f, graph 0.97 center font \",13\"\n", i, name[i], (start[i] + stop[i]) / 2
          for (i = 1; i <= ns; i++)
              printf "set arrow %d from %d, graph 0 to %d, graph 1 nohead dashtype 2 lc rgb \"#aaaaaa\"\n", i, sep[i], sep[i] }' \
    "$results" >>"$work/labels.gp"
charttitle="invstock benchmark: pgbench -c $clients -j $threads -M prepared, $seconds s x $rounds round(s), $(nproc) CPUs, fsync on (labels: tps, ratio to bare)"
if ! command -v gnuplot >/dev/null; then
    say "   gnuplot not found: install gnuplot-nox (apt-get install gnuplot-nox)"
elif ! gnuplot -e "datafile='$work/chart.dat'; labelfile='$work/labels.gp'; outfile='$out/bench.png'; charttitle='$charttitle'; whiskers=$([ "$rounds" -gt 1 ] && echo 1 || echo 0)" \
        chart.gp >"$work/gnuplot.log" 2>&1; then
    say "   gnuplot failed:"; say_file "$work/gnuplot.log"
fi

# --- server log ----------------------------------------------------------------------
say ""
say "== server log"
if [ -f "$logfile" ]; then
    cp "$logfile" "$work/server.log"
    nerr=$(grep -cE ' (ERROR|FATAL|PANIC): ' "$work/server.log")
    say "   $nerr ERROR/FATAL/PANIC lines"
    grep -E ' (ERROR|FATAL|PANIC): ' "$work/server.log" | sed -E 's/^[^]]*\] //' |
        sort | uniq -c | sort -rn | head -10 | sed 's/^/   /' | tee -a "$report"
else
    say "   no server log found"
fi

# --- checks ----------------------------------------------------------------------------
say ""
say "== checks"
while IFS=, read -r wl var nr tps_med _ _ _ _ fails aborted per_round; do
    all_pos=$(echo "$per_round" | tr ';' '\n' | awk '$1 + 0 <= 0 { bad = 1 } END { print (bad || NR == 0) ? 0 : 1 }')
    runs_status=$(awk -F, -v w="$wl" -v v="$var" 'NR > 1 && $3 == w && $4 == v && ($13 != "0" || $15 != "0") { bad = 1 }
                  END { print bad ? 0 : 1 }' "$runs")
    result "$wl/$var" "$([ "$all_pos" = 1 ] && [ "$runs_status" = 1 ] && [ "$fails" = 0 ] && [ "$aborted" = 0 ] &&
                         [ "$nr" = "$rounds" ] && echo 1)" \
        "$nr run(s), tps ${per_round//;/ \/ }, $fails failed transactions, $aborted aborted clients"
done < <(tail -n +2 "$results")
nvar=$(tail -n +2 "$results" | wc -l)
result "every variant ran" "$([ "$nvar" = "${#variants[@]}" ] && echo 1)" "$nvar of ${#variants[@]} variants in results.csv"
nrun=$(tail -n +2 "$runs" | wc -l)
result "runs.csv written" "$([ "$nrun" = "$run" ] && [ "$run" -gt 0 ] && echo 1)" "$nrun runs"
result "results.csv written" "$([ -s "$results" ] && [ "$nvar" -gt 0 ] && echo 1)" "$nvar variants"
nled=$(tail -n +2 "$ledger" | wc -l)
result "ledger.csv written" "$([ "$nled" -ge 4 ] && echo 1)" "$nled lines, $per_mov bytes per movement"
png_ok=$([ -s "$out/bench.png" ] && [ "$(head -c 8 "$out/bench.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] && echo 1)
result "bench.png written" "$png_ok" "$(stat -c %s "$out/bench.png" 2>/dev/null || echo 0) bytes"
say ""
say "outputs: $out (report.txt, runs.csv, results.csv, ledger.csv, bench.png)"
finish
INNER

port=$(bash "$top/test/free-port.sh") || fail_early "no free port"
pg_virtualenv -t -c "-p $port" -o shared_buffers=256MB -o max_connections=30 -o fsync=on -v 15 \
    bash "$work/inner.sh" "$here" "$work" "$out" "$seconds" "$rounds"
if [ ! -s "$work/totals" ]; then
    echo "the benchmark cluster did not start or the benchmark stopped (logs in $work)"
    echo "0 passed, 1 failed" | tee -a "$out/report.txt"; exit 1
fi
read -r passed failed <"$work/totals"
echo "logs: $work"
echo "$passed passed, $failed failed" | tee -a "$out/report.txt"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
