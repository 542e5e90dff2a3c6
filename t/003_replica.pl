# t/003_replica.pl: invstock on a streaming replica (hot standby)
#
# A primary with invstock, a standby created from a base backup and kept up
# by streaming replication.  Work is done on the primary (receipts, holds
# open, finalized, released and expired, transfers, counts, orders, a hot
# SKU, a direct DBA write), both before and after the backup.  Once the
# standby has caught up: the ledger, the stock rows, the holds, the SKUs,
# the idempotency records and every view are identical on both (md5 of the
# ordered rows); inv_level, inv_level_at and the views work on the standby;
# every writer (the mutating functions, with and without an idempotency key,
# and a direct write to invstock.stock) fails there with SQLSTATE 25006
# (read_only_sql_transaction) and PostgreSQL's "cannot execute ... in a
# read-only transaction", leaving nothing behind; the primary goes on
# working and the standby follows.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use lib 't';
use InvstockTAP;

my $primary = PostgreSQL::Test::Cluster->new('primary');
$primary->init(allows_streaming => 1);
$primary->append_conf('postgresql.conf', "log_statement = none\n");
$primary->start;

$primary->safe_psql(
	'postgres', q{
CREATE EXTENSION invstock;
SELECT invstock.inv_configure('HOT-1', slots => 3);
SELECT invstock.inv_configure('BO-1', allow_backorder => true);
SELECT invstock.inv_configure('RE-1', reorder_point => 1000, reorder_quantity => 50);
SELECT invstock.inv_adjust(s, 100, 'initial receipt', location => l, idempotency_key => 'rcv-' || s || '-' || l)
  FROM unnest(ARRAY['A-1', 'B-2', 'HOT-1', 'BO-1', 'RE-1']) s, unnest(ARRAY['main', 'north', 'south']) l;
});

# the standby starts from a base backup taken now, then streams the rest
$primary->backup('base');
my $standby = PostgreSQL::Test::Cluster->new('standby');
$standby->init_from_backup($primary, 'base', has_streaming => 1);
$standby->append_conf('postgresql.conf', "log_statement = none\n");
$standby->start;

$primary->safe_psql(
	'postgres', q{
DO $work$
BEGIN
    FOR i IN 1..400 LOOP
        PERFORM invstock.inv_reserve((ARRAY['A-1', 'B-2', 'HOT-1', 'BO-1', 'RE-1'])[1 + i % 5], 1 + i % 2,
                                     location => (ARRAY['main', 'north', 'south'])[1 + i % 3],
                                     reference => 'ORD-' || i, idempotency_key => 'res-' || i);
        IF i % 3 = 0 THEN
            PERFORM invstock.inv_finalize((ARRAY['A-1', 'B-2', 'HOT-1', 'BO-1', 'RE-1'])[1 + i % 5], NULL,
                                          location => (ARRAY['main', 'north', 'south'])[1 + i % 3],
                                          reference => 'ORD-' || i, idempotency_key => 'fin-' || i);
        ELSIF i % 3 = 1 THEN
            PERFORM invstock.inv_release((ARRAY['A-1', 'B-2', 'HOT-1', 'BO-1', 'RE-1'])[1 + i % 5], NULL,
                                         location => (ARRAY['main', 'north', 'south'])[1 + i % 3],
                                         reference => 'ORD-' || i);
        END IF;
        IF i % 10 = 0 THEN
            PERFORM invstock.inv_adjust('A-1', 5, 'receipt', location => 'main', idempotency_key => 'adj-' || i);
        END IF;
        IF i % 25 = 0 THEN
            PERFORM invstock.inv_transfer('B-2', 1, 'main', 'east', idempotency_key => 'xfer-' || i);
        END IF;
        IF i % 20 = 0 THEN
            COMMIT;
        END IF;
    END LOOP;
END
$work$;
SELECT invstock.inv_count('A-1', 80, location => 'north', counted_by => 'auditor');
SELECT invstock.inv_reserve_order('WEB-1', '[{"sku": "A-1", "qty": 2}, {"sku": "B-2", "qty": 1, "location": "north"}]',
                                  idempotency_key => 'web-1');
SELECT invstock.inv_reserve('BO-1', 500, location => 'south', reference => 'BACKORDER');
SELECT invstock.inv_reserve('A-1', 1, location => 'south', reference => 'CART-1', ttl => '1 millisecond');
UPDATE invstock.stock SET on_hand = on_hand + 3 WHERE sku = 'RE-1' AND location = 'main';
SELECT pg_sleep(0.05);
SELECT count(*) FROM invstock.inv_sync();
});

$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));

is($standby->safe_psql('postgres', 'SELECT pg_is_in_recovery()'),
	't', 'the standby is in recovery (hot standby)');

# every table and view of the extension
my @relations = invstock_relations($primary, 'postgres');
my %have = map { $_ => 1 } @relations;
is( join(',', grep { !$have{$_} }
		  (ledger_tables(), qw(levels sku_totals low_stock out_of_stock reorder_report))),
	'', 'the tables and views compared include the ledger tables and the views of the contract');
note 'relations compared: ' . join(', ', @relations);

sub compare_nodes
{
	my ($label) = @_;
	my $p = table_fingerprints($primary, 'postgres', @relations);
	my $s = table_fingerprints($standby, 'postgres', @relations);
	for my $rel (@relations)
	{
		is($s->{$rel}, $p->{$rel}, "$label: invstock.$rel identical on the standby ($p->{$rel})");
	}
	# a standby reads a sequence as last WAL-logged, which runs up to 32
	# values ahead of the primary's: never behind, so a promoted standby
	# cannot hand out an id the primary already used
	my $ps = sequence_values($primary, 'postgres');
	my $ss = sequence_values($standby, 'postgres');
	for my $seq (sort keys %$ps)
	{
		my ($pv) = split /\|/, $ps->{$seq};
		my ($sv) = split /\|/, $ss->{$seq};
		cmp_ok($sv, '>=', $pv, "$label: $seq on the standby ($sv) is not behind the primary ($pv)");
	}
	return $p;
}

my $fp = compare_nodes('after catch-up');
my ($movements) = split /\|/, $fp->{movement};
cmp_ok($movements, '>=', 700, "the primary wrote a ledger ($movements movements)");
is( $standby->safe_psql(
		'postgres', q{
SELECT string_agg(status, ',' ORDER BY status) FROM (SELECT DISTINCT status FROM invstock.reservation) s}),
	'expired,finalized,open,released',
	'the standby has open, finalized, released and expired holds');

# ---------------------------------------------------------------------------
# Readers on the standby
# ---------------------------------------------------------------------------
for my $q (
	[ 'inv_level', q{SELECT row(l.*)::text FROM invstock.inv_level('A-1', 'main') l} ],
	[ 'inv_level of a hot SKU', q{SELECT row(l.*)::text FROM invstock.inv_level('HOT-1', 'north') l} ],
	[ 'inv_level (default location)', q{SELECT row(l.*)::text FROM invstock.inv_level('B-2') l} ],
	[ 'inv_level_at now', q{SELECT on_hand || '/' || reserved FROM invstock.inv_level_at('A-1', 'main', now())} ],
	[ 'inv_level_at in the past',
	  q{SELECT on_hand || '/' || reserved FROM invstock.inv_level_at('A-1', 'main',
	        (SELECT min(at) FROM invstock.movement WHERE kind = 'reserve'))} ],
	[ 'levels', q{SELECT string_agg(l::text, ';' ORDER BY sku, location) FROM invstock.levels l} ],
	[ 'sku_totals', q{SELECT string_agg(t::text, ';' ORDER BY sku) FROM invstock.sku_totals t} ],
	[ 'low_stock', q{SELECT count(*) FROM invstock.low_stock} ],
	[ 'out_of_stock', q{SELECT string_agg(o::text, ';' ORDER BY sku, location) FROM invstock.out_of_stock o} ],
	[ 'reorder_report', q{SELECT string_agg(r::text, ';' ORDER BY sku) FROM invstock.reorder_report r} ],)
{
	my ($name, $sql) = @$q;
	my ($pret, $pout, $perr) = $primary->psql('postgres', $sql);
	my ($sret, $sout, $serr) = $standby->psql('postgres', $sql);
	is($sret, 0, "standby: $name works") or diag $serr;
	is($sout, $pout, "standby: $name answers as the primary");
}
is( $standby->safe_psql(
		'postgres', q{SELECT l.on_hand = s.on_hand AND l.reserved = s.reserved
		               FROM invstock.inv_level('A-1', 'main') l,
		                    invstock.inv_level_at('A-1', 'main', now()) s}),
	't', 'standby: inv_level_at(now()) agrees with inv_level');

# ---------------------------------------------------------------------------
# Writers on the standby: 25006 with PostgreSQL's read-only message
# ---------------------------------------------------------------------------
my @writers = (
	[ 'inv_reserve', q{SELECT invstock.inv_reserve('A-1', 1, location => 'main', reference => 'STANDBY')} ],
	[ 'inv_reserve with a key',
	  q{SELECT invstock.inv_reserve('A-1', 1, location => 'main', reference => 'STANDBY', idempotency_key => 'standby-1')} ],
	[ 'inv_release', q{SELECT invstock.inv_release('A-1', NULL, location => 'main', reference => 'WEB-1')} ],
	[ 'inv_finalize', q{SELECT invstock.inv_finalize('B-2', 1, location => 'north', reference => 'WEB-1')} ],
	[ 'inv_adjust', q{SELECT invstock.inv_adjust('A-1', 10, 'receipt on the standby', location => 'main')} ],
	[ 'inv_adjust creating a SKU', q{SELECT invstock.inv_adjust('NEW-1', 10, 'receipt on the standby')} ],
	[ 'inv_count', q{SELECT invstock.inv_count('A-1', 50, location => 'main')} ],
	[ 'inv_transfer', q{SELECT invstock.inv_transfer('A-1', 1, 'main', 'north')} ],
	[ 'inv_reserve_order', q{SELECT invstock.inv_reserve_order('STANDBY-ORDER', '[{"sku": "A-1", "qty": 1}]')} ],
	[ 'inv_release_order', q{SELECT invstock.inv_release_order('WEB-1')} ],
	[ 'inv_finalize_order', q{SELECT invstock.inv_finalize_order('WEB-1')} ],
	[ 'inv_configure', q{SELECT invstock.inv_configure('A-1', low_stock_threshold => 9)} ],
	[ 'inv_sync', q{SELECT * FROM invstock.inv_sync()} ],
	[ 'inv_sync(repair => false)', q{SELECT * FROM invstock.inv_sync(repair => false)} ],
	[ 'direct UPDATE of invstock.stock',
	  q{UPDATE invstock.stock SET on_hand = on_hand + 1 WHERE sku = 'A-1' AND location = 'main'} ],);

my $ledger_before = $standby->safe_psql('postgres',
	q{SELECT md5(string_agg(m::text, ',' ORDER BY id)) FROM invstock.movement m});
for my $w (@writers)
{
	my ($name, $sql) = @$w;
	my ($ret, $out, $err) = $standby->psql('postgres',
		"\\set VERBOSITY verbose\n$sql");
	isnt($ret, 0, "standby: $name fails");
	like($err, qr/ERROR:\s+25006: cannot execute \S.* in a read-only transaction/,
		"standby: $name fails with 25006 cannot execute ... in a read-only transaction");
	my ($msg) = $err =~ /(ERROR:.*)/;
	my ($ctx) = $err =~ /CONTEXT:\s*(.*)/;
	$ctx = substr($ctx, 0, 60) . ' ...' if defined $ctx && length($ctx) > 64;
	note "standby: $name: " . ($msg // $err) . ($ctx ? " (context: $ctx)" : '');
}
is( $standby->safe_psql('postgres',
		q{SELECT md5(string_agg(m::text, ',' ORDER BY id)) FROM invstock.movement m}),
	$ledger_before, 'standby: the failed writers left the ledger as it was');

# ---------------------------------------------------------------------------
# The primary goes on, the standby follows
# ---------------------------------------------------------------------------
$primary->safe_psql(
	'postgres', q{
SELECT invstock.inv_reserve('A-1', 1, location => 'main', reference => 'STANDBY', idempotency_key => 'standby-1');
SELECT invstock.inv_finalize_order('WEB-1');
SELECT invstock.inv_adjust('NEW-1', 10, 'receipt');
SELECT invstock.inv_transfer('A-1', 1, 'main', 'north');
});
$primary->wait_for_catchup($standby, 'replay', $primary->lsn('insert'));
$fp = compare_nodes('after more work on the primary');
my ($movements2) = split /\|/, $fp->{movement};
cmp_ok($movements2, '>', $movements, "the standby followed ($movements2 movements)");
check_invariants($primary, 'postgres', 'primary');
is( $standby->safe_psql(
		'postgres', q{SELECT row(l.*)::text FROM invstock.inv_level('NEW-1') l}),
	$primary->safe_psql(
		'postgres', q{SELECT row(l.*)::text FROM invstock.inv_level('NEW-1') l}),
	'standby: a SKU created on the primary is readable on the standby');

# ---------------------------------------------------------------------------
# Promotion: the former standby becomes writable and continues the ids
# ---------------------------------------------------------------------------
my ($max_mov, $max_res) = split /\|/, $primary->safe_psql('postgres',
	'SELECT (SELECT max(id) FROM invstock.movement), (SELECT max(id) FROM invstock.reservation)');
$primary->stop;
$standby->promote;
$standby->poll_query_until('postgres', 'SELECT NOT pg_is_in_recovery()')
  or die 'the standby was not promoted';
my ($ret, $out, $err) = $standby->psql(
	'postgres', q{
SELECT invstock.inv_reserve('A-1', 1, location => 'main', reference => 'AFTER-PROMOTION',
                            idempotency_key => 'after-promotion');
SELECT invstock.inv_reserve('A-1', 1, location => 'main', reference => 'STANDBY', idempotency_key => 'standby-1');
});
is($ret, 0, 'promoted standby: writers work') or diag $err;
my ($new_mov, $new_res, $standby_1) = split /\|/, $standby->safe_psql(
	'postgres', q{
SELECT (SELECT min(id) FROM invstock.movement WHERE idempotency_key = 'after-promotion'),
       (SELECT id FROM invstock.reservation WHERE reference = 'AFTER-PROMOTION'),
       (SELECT count(*) FROM invstock.movement WHERE idempotency_key = 'standby-1')});
cmp_ok($new_mov, '>', $max_mov, "promoted standby: a new movement id ($new_mov) follows the primary's ($max_mov)");
cmp_ok($new_res, '>', $max_res, "promoted standby: a new hold id ($new_res) follows the primary's ($max_res)");
is($standby_1, '1', 'promoted standby: a key applied on the primary replays, it is not applied again');
check_invariants($standby, 'postgres', 'promoted standby');

my %rows = map { $_ => (split /\|/, $fp->{$_})[0] } keys %$fp;
note "replica comparison: $rows{movement} movements, $rows{reservation} holds, $rows{stock} stock rows, "
  . "$rows{sku} SKUs, $rows{idempotency} idempotency records and " . scalar(@relations)
  . " relations (tables and views) identical on primary and standby (md5 of the ordered rows); "
  . scalar(@writers) . " writers refused on the standby with 25006; "
  . "after promotion new ids continue above the primary's";

$standby->stop;
done_testing();
