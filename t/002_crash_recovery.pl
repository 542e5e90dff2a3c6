# t/002_crash_recovery.pl: crash recovery of invstock under load
#
# Several pgbench clients call inv_reserve, inv_adjust, inv_reserve_order and
# reserve-then-finalize/release transactions, every call with an idempotency
# key derived from the round, the client id and a per-client counter.  After
# a call's transaction has committed (pgbench got the answer), the client
# appends the call's arguments to an acknowledgement file.  While they run,
# the server is stopped in immediate mode (no shutdown checkpoint: crash
# recovery on the next start), three times, once right after a CHECKPOINT.
# After each restart:
#   - every acknowledged call (of every round so far) has its key in
#     invstock.idempotency, with a stored result, and its movements in
#     invstock.movement: nothing acknowledged is lost;
#   - I1-I4 and I6 hold, inv_sync(repair => false) is empty;
#   - amcheck: bt_index_check(heapallindexed) and bt_index_parent_check of
#     every index of the extension, verify_heapam of every table;
#   - retrying every acknowledged call of the round with its key replays the
#     stored result and writes nothing.
use strict;
use warnings;
use Cwd qw(abs_path);
use IPC::Run;
use Time::HiRes qw(usleep);
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use lib 't';
use InvstockTAP;

my $rounds = 3;          # crashes
my $clients = 6;
my $min_acked = 600;     # acknowledged calls per round before the crash
my $max_wait = 20;       # seconds to wait for them

my $node = PostgreSQL::Test::Cluster->new('crash');
$node->init;
$node->append_conf(
	'postgresql.conf', q{
fsync = on
synchronous_commit = on
full_page_writes = on
log_statement = none
max_connections = 30
});
$node->start;

$node->safe_psql(
	'postgres', q{
CREATE EXTENSION invstock;
CREATE EXTENSION amcheck;
SELECT invstock.inv_configure('SKU-6', slots => 4);
SELECT invstock.inv_adjust('SKU-' || s, 1000000000, 'initial receipt', location => 'L' || l)
  FROM generate_series(1, 6) s, generate_series(1, 3) l;
});

# the checker's helpers (schema tapcheck, outside the extension)
$node->safe_psql(
	'postgres', q{
CREATE SCHEMA tapcheck;
CREATE TABLE tapcheck.acked (round int, client int, n int, op int, sku int, loc int, qty int);

-- the keys of an acknowledged call (a reserve-then-settle transaction has two)
CREATE FUNCTION tapcheck.keys(a tapcheck.acked) RETURNS text[] LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN a.op IN (8, 9)
                THEN ARRAY['k' || a.round || '-' || a.client || '-' || a.n || '-a',
                           'k' || a.round || '-' || a.client || '-' || a.n || '-b']
                ELSE ARRAY['k' || a.round || '-' || a.client || '-' || a.n] END
$$;

-- retry an acknowledged call with its key; 0 when every result equals the
-- stored one, 1 otherwise (or on an error)
CREATE FUNCTION tapcheck.replay(a tapcheck.acked) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    base text := 'k' || a.round || '-' || a.client || '-' || a.n;
    ref text := 'R' || a.round || '-' || a.client || '-' || a.n;
    s text := 'SKU-' || a.sku;
    s2 text := 'SKU-' || (a.sku % 6 + 1);
    l text := 'L' || a.loc;
    got text[];
    want text[];
BEGIN
    IF a.op <= 5 THEN
        got := ARRAY[(invstock.inv_reserve(s, a.qty, location => l, reference => ref,
                      ttl => CASE WHEN a.n % 4 = 0 THEN interval '300 milliseconds' END,
                      idempotency_key => base))::text];
        want := (SELECT result FROM invstock.idempotency WHERE idempotency_key = base);
    ELSIF a.op <= 7 THEN
        got := ARRAY[(invstock.inv_adjust(s, a.qty, 'receipt', location => l,
                      idempotency_key => base))::text];
        want := (SELECT result FROM invstock.idempotency WHERE idempotency_key = base);
    ELSIF a.op <= 9 THEN
        got := ARRAY[(invstock.inv_reserve(s, a.qty, location => l, reference => ref,
                      idempotency_key => base || '-a'))::text];
        IF a.op = 8 THEN
            got := got || (invstock.inv_finalize(s, NULL, location => l, reference => ref,
                           idempotency_key => base || '-b'))::text;
        ELSE
            got := got || (invstock.inv_release(s, NULL, location => l, reference => ref,
                           reason => 'cancelled', idempotency_key => base || '-b'))::text;
        END IF;
        want := (SELECT result FROM invstock.idempotency WHERE idempotency_key = base || '-a')
             || (SELECT result FROM invstock.idempotency WHERE idempotency_key = base || '-b');
    ELSE
        got := ARRAY(SELECT t::text FROM invstock.inv_reserve_order(ref,
                     jsonb_build_array(jsonb_build_object('sku', s, 'qty', a.qty, 'location', l),
                                       jsonb_build_object('sku', s2, 'qty', 1, 'location', l)),
                     idempotency_key => base) t);
        want := (SELECT result FROM invstock.idempotency WHERE idempotency_key = base);
    END IF;
    IF got IS DISTINCT FROM want THEN
        RAISE WARNING 'replay of % returned % instead of %', base, got, want;
        RETURN 1;
    END IF;
    RETURN 0;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'replay of % failed: % (%)', base, SQLERRM, SQLSTATE;
    RETURN 1;
END
$$;
});

my $dir = abs_path($node->basedir);
my $script = "$dir/workload.sql";
append_to_file(
	$script, qq{
\\set n :n + 1
\\set op random(1, 10)
\\set sku random(1, 6)
\\set sku2 (:sku % 6) + 1
\\set loc random(1, 3)
\\set qty random(1, 3)
\\if :op <= 5
SELECT invstock.inv_reserve('SKU-' || :sku, :qty, location => 'L' || :loc,
       reference => 'R' || :round || '-' || :client_id || '-' || :n,
       ttl => CASE WHEN :n % 4 = 0 THEN interval '300 milliseconds' END,
       idempotency_key => 'k' || :round || '-' || :client_id || '-' || :n);
\\elif :op <= 7
SELECT invstock.inv_adjust('SKU-' || :sku, :qty, 'receipt', location => 'L' || :loc,
       idempotency_key => 'k' || :round || '-' || :client_id || '-' || :n);
\\elif :op = 8
BEGIN;
SELECT invstock.inv_reserve('SKU-' || :sku, :qty, location => 'L' || :loc,
       reference => 'R' || :round || '-' || :client_id || '-' || :n,
       idempotency_key => 'k' || :round || '-' || :client_id || '-' || :n || '-a');
SELECT invstock.inv_finalize('SKU-' || :sku, NULL, location => 'L' || :loc,
       reference => 'R' || :round || '-' || :client_id || '-' || :n,
       idempotency_key => 'k' || :round || '-' || :client_id || '-' || :n || '-b');
COMMIT;
\\elif :op = 9
BEGIN;
SELECT invstock.inv_reserve('SKU-' || :sku, :qty, location => 'L' || :loc,
       reference => 'R' || :round || '-' || :client_id || '-' || :n,
       idempotency_key => 'k' || :round || '-' || :client_id || '-' || :n || '-a');
SELECT invstock.inv_release('SKU-' || :sku, NULL, location => 'L' || :loc,
       reference => 'R' || :round || '-' || :client_id || '-' || :n, reason => 'cancelled',
       idempotency_key => 'k' || :round || '-' || :client_id || '-' || :n || '-b');
COMMIT;
\\else
SELECT invstock.inv_reserve_order('R' || :round || '-' || :client_id || '-' || :n,
       jsonb_build_array(jsonb_build_object('sku', 'SKU-' || :sku, 'qty', :qty, 'location', 'L' || :loc),
                         jsonb_build_object('sku', 'SKU-' || :sku2, 'qty', 1, 'location', 'L' || :loc)),
       idempotency_key => 'k' || :round || '-' || :client_id || '-' || :n);
\\endif
\\shell echo :round :client_id :n :op :sku :loc :qty >> :ackfile
});

sub count_lines
{
	my ($file) = @_;
	return 0 unless -e $file;
	open my $fh, '<', $file or return 0;
	my $n = 0;
	$n++ while <$fh>;
	close $fh;
	return $n;
}

my ($total_acked, $total_lost, $total_inflight, $total_replayed) = (0, 0, 0, 0);
my $crashes = 0;
for my $round (1 .. $rounds)
{
	my $ackfile = "$dir/acked.$round";
	my ($out, $err) = ('', '');
	my @cmd = (
		'pgbench', '-n', '-h', $node->host, '-p', $node->port,
		'-c', $clients, '-j', 2, '-T', 120,
		'-D', "round=$round", '-D', 'n=0', '-D', "ackfile=$ackfile", '-f', $script, 'postgres');
	my $h = IPC::Run::start(\@cmd, '>', \$out, '2>', \$err,
		IPC::Run::timeout(180));

	# let the clients work, then crash the server under them
	my $waited = 0;
	while ($waited < $max_wait * 10)
	{
		last if count_lines($ackfile) >= $min_acked && $waited >= 30;
		usleep(100_000);
		$waited++;
		eval { $h->pump_nb; };
		if ($round == 2 && $waited == 15)
		{
			$node->safe_psql('postgres', 'CHECKPOINT');
			note "round 2: CHECKPOINT while the clients run";
		}
	}
	my $before = count_lines($ackfile);
	$node->stop('immediate');
	$crashes++;
	eval { $h->finish; };
	my $acked = count_lines($ackfile);
	note "round $round: server stopped in immediate mode after "
	  . ($waited / 10) . " s; $before calls acknowledged before the stop, "
	  . "$acked when every client had gone";
	cmp_ok($acked, '>=', $min_acked / 2, "round $round: clients had calls acknowledged ($acked)");
	my @sql_errors = grep { /ERROR:/ } split /\n/, $err;
	is(scalar(@sql_errors), 0, "round $round: no client got an SQL error before the crash")
	  or diag join("\n", @sql_errors[0 .. ($#sql_errors < 9 ? $#sql_errors : 9)]);

	$node->start;

	# every acknowledged call is there
	my $res = $node->safe_psql(
		'postgres', qq{
COPY tapcheck.acked FROM '$ackfile' (DELIMITER ' ');
WITH k AS (SELECT a.*, unnest(tapcheck.keys(a)) AS key FROM tapcheck.acked a)
SELECT (SELECT count(*) FROM tapcheck.acked),
       (SELECT count(*) FROM tapcheck.acked WHERE round = $round),
       (SELECT count(*) FROM k),
       (SELECT count(*) FROM k WHERE NOT EXISTS
            (SELECT 1 FROM invstock.idempotency i WHERE i.idempotency_key = k.key)),
       (SELECT count(*) FROM k WHERE NOT EXISTS
            (SELECT 1 FROM invstock.idempotency i WHERE i.idempotency_key = k.key
                                                    AND i.result IS NOT NULL)),
       (SELECT count(*) FROM k WHERE NOT EXISTS
            (SELECT 1 FROM invstock.movement m WHERE m.idempotency_key = k.key)),
       (SELECT count(DISTINCT (round, client, n)) FROM k WHERE
            NOT EXISTS (SELECT 1 FROM invstock.idempotency i WHERE i.idempotency_key = k.key)
         OR NOT EXISTS (SELECT 1 FROM invstock.movement m WHERE m.idempotency_key = k.key)),
       (SELECT count(*) FROM invstock.idempotency i
         WHERE i.idempotency_key LIKE 'k$round-%'
           AND NOT EXISTS (SELECT 1 FROM k WHERE k.key = i.idempotency_key))});
	my ($all, $this, $keys, $no_key, $no_result, $no_mov, $lost, $inflight) =
	  split /\|/, $res;
	$total_lost = $lost;    # cumulative: every round's calls are checked again
	$total_acked = $all;
	$total_inflight += $inflight;
	is($no_key, '0', "round $round: all $keys keys of the $all acknowledged calls are in invstock.idempotency");
	is($no_result, '0', "round $round: every acknowledged key has its stored result");
	is($no_mov, '0', "round $round: every acknowledged key has its movement in invstock.movement");
	is($lost, '0', "round $round: no acknowledged call lost");
	note "round $round: $this calls acknowledged in this round, $all checked so far, "
	  . "$lost lost; $inflight key(s) of this round committed but not acknowledged "
	  . "(the crash cut off the answer)";

	check_invariants($node, 'postgres', "after crash $round");

	# amcheck: every index of the extension (and of its tables' TOAST tables)
	my $indexes = q{
WITH rels AS (
    SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'invstock' AND c.relkind = 'r'
    UNION ALL
    SELECT c.reltoastrelid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'invstock' AND c.relkind = 'r' AND c.reltoastrelid <> 0),
idx AS MATERIALIZED (
    SELECT i.indexrelid AS oid, ic.relname
      FROM pg_index i
      JOIN pg_class ic ON ic.oid = i.indexrelid
      JOIN pg_am am ON am.oid = ic.relam
     WHERE am.amname = 'btree' AND i.indrelid IN (SELECT oid FROM rels))};
	my ($ret, $stdout, $stderr) = $node->psql('postgres', $indexes . q{
SELECT count(*) || '|' || string_agg(relname, ',' ORDER BY relname)
  FROM (SELECT relname, bt_index_check(oid, true) FROM idx) checked;});
	is($ret, 0, "after crash $round: bt_index_check(heapallindexed) succeeds for every index of the extension")
	  or diag $stderr;
	my ($n_checked, $names) = split /\|/, $stdout // '';
	my $n_indexes = $node->safe_psql(
		'postgres', q{
SELECT (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'invstock')
     + (SELECT count(*) FROM pg_index i JOIN pg_class t ON t.reltoastrelid = i.indrelid
          JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = 'invstock')});
	is($n_checked // '', $n_indexes,
		"after crash $round: all $n_indexes indexes checked (the extension's and its TOAST indexes)");
	note "indexes checked: $names" if $round == 1 && defined $names;
	($ret, $stdout, $stderr) = $node->psql('postgres', $indexes . q{
SELECT count(*) FROM (SELECT bt_index_parent_check(oid, true, true) FROM idx) checked;});
	is($ret, 0, "after crash $round: bt_index_parent_check(heapallindexed, rootdescend) succeeds for every index")
	  or diag $stderr;
	is( $node->safe_psql(
			'postgres', q{
SELECT count(*) FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace,
  LATERAL verify_heapam(c.oid, check_toast => true) v
 WHERE n.nspname = 'invstock' AND c.relkind = 'r'}),
		'0',
		"after crash $round: verify_heapam finds no corruption in the tables");

	# retrying the acknowledged calls of this round replays them
	my ($mov_before, $bad, $replayed, $mov_after) = split /\|/, $node->safe_psql(
		'postgres', qq{
SELECT count(*) FROM invstock.movement;
SELECT sum(tapcheck.replay(a)), count(*) FROM tapcheck.acked a WHERE round = $round;
SELECT count(*) FROM invstock.movement;}) =~ s/\n/|/gr;
	is($bad, '0', "after crash $round: retrying the $replayed acknowledged calls returns their stored results");
	is($mov_after, $mov_before, "after crash $round: the retries wrote no movement");
	$total_replayed += $replayed;
}

# one more clean restart: the state survives a normal shutdown too
$node->restart;
check_invariants($node, 'postgres', 'after the final clean restart');
my $movements = $node->safe_psql('postgres', 'SELECT count(*) FROM invstock.movement');
note 'ledger: ' . $node->safe_psql('postgres',
	q{SELECT string_agg(kind || '=' || n, ' ' ORDER BY kind)
	    FROM (SELECT kind, count(*) n FROM invstock.movement GROUP BY kind) k})
  . '; holds: ' . $node->safe_psql('postgres',
	q{SELECT string_agg(status || '=' || n, ' ' ORDER BY status)
	    FROM (SELECT status, count(*) n FROM invstock.reservation GROUP BY status) h});

note "crashes survived: $crashes (immediate stops under $clients clients)";
note "acknowledged calls checked: $total_acked, lost: $total_lost; "
  . "$total_inflight unacknowledged calls found committed; "
  . "$total_replayed acknowledged calls retried, 0 applied twice; $movements movements";
diag "crash recovery: $crashes crashes survived, $total_acked acknowledged calls checked, $total_lost lost";

$node->stop;
done_testing();
