# t/001_dump_restore.pl: pg_dump -Fc / pg_restore round trip of invstock
#
# A database with levels at several locations, open and closed (finalized,
# released, expired) holds, thousands of movements (adjust, reserve, release,
# finalize, expire, count, transfer, direct) and idempotency records is
# dumped with pg_dump -Fc and restored into new databases, once serially and
# once in parallel the supported way (docs/operations.md): the schema first
# (--section=pre-data), then the data only with -j 2 --disable-triggers (the
# foreign keys and the stock trigger would otherwise see the tables filled in
# any order), then --section=post-data.  In each restored database: every row of every
# invstock table and view is identical (md5 of the ordered rows), the
# sequences are where they were, the restore added no movement (the
# stock_guard trigger fires while stock rows are loaded; it must record
# nothing for rows whose movements are already there), I1-I4 hold,
# inv_sync(repair => false) is empty, and new calls continue the ids of the
# ledger, the holds and the transfers without collision; a retried key
# replays its stored result.
use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;
use lib 't';
use InvstockTAP;

my $node = PostgreSQL::Test::Cluster->new('dump');
$node->init;
$node->start;

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', 'CREATE EXTENSION invstock');

# ---------------------------------------------------------------------------
# The source database
# ---------------------------------------------------------------------------
my $iterations = 2200;
$node->safe_psql(
	'src', q{
SELECT invstock.inv_configure('BO-1', allow_backorder => true, low_stock_threshold => 2);
SELECT invstock.inv_configure('HOT-1', slots => 4);
SELECT invstock.inv_configure('REORDER-1', reorder_point => 5000, reorder_quantity => 100);
SELECT invstock.inv_configure('UNTRACKED-1', track_inventory => false);
SELECT invstock.inv_configure('C-500', low_stock_threshold => 10);
});

$node->safe_psql(
	'src', qq{
DO \$build\$
DECLARE
    skus text[] := ARRAY['A-100', 'A-200', 'B-300', 'BO-1', 'HOT-1', 'REORDER-1', 'C-400', 'C-500'];
    locs text[] := ARRAY['main', 'north', 'south', 'east'];
    s text; l text; l2 text; ref text; q bigint; oh bigint;
BEGIN
    FOREACH s IN ARRAY skus LOOP
        FOREACH l IN ARRAY locs LOOP
            PERFORM invstock.inv_adjust(s, 400, 'initial receipt', location => l,
                                        idempotency_key => 'rcv-' || s || '-' || l, actor => 'loader');
        END LOOP;
    END LOOP;
    PERFORM invstock.inv_adjust('UNTRACKED-1', 10, 'ignored receipt');
    COMMIT;

    FOR i IN 1..$iterations LOOP
        s := skus[1 + i % 8];
        l := locs[1 + (i / 8) % 4];
        l2 := locs[1 + (i / 8 + 1) % 4];
        ref := 'ORD-' || i;
        q := 1 + i % 3;
        PERFORM invstock.inv_reserve(s, q, location => l, reference => ref,
                                     ttl => CASE WHEN i % 5 = 0 THEN interval '2 days' END,
                                     idempotency_key => 'res-' || i,
                                     notes => CASE WHEN i % 9 = 0 THEN 'gift wrap' END);
        CASE i % 6
            WHEN 0 THEN
                PERFORM invstock.inv_finalize(s, NULL, location => l, reference => ref,
                                              idempotency_key => 'fin-' || i);
            WHEN 1 THEN
                PERFORM invstock.inv_release(s, NULL, location => l, reference => ref,
                                             reason => 'customer cancelled', idempotency_key => 'rel-' || i);
            WHEN 2 THEN
                PERFORM invstock.inv_finalize(s, 1, location => l, reference => ref);
            ELSE
                NULL;   -- the hold stays open
        END CASE;
        IF i % 7 = 0 THEN
            PERFORM invstock.inv_adjust(s, 2 + i % 5, 'receipt', location => l, reference => 'PO-' || i,
                                        idempotency_key => 'adj-' || i);
        END IF;
        IF i % 11 = 0 THEN
            PERFORM invstock.inv_transfer(s, 1 + i % 2, l, l2, reason => 'rebalance',
                                          idempotency_key => 'xfer-' || i);
        END IF;
        IF i % 97 = 0 THEN
            SELECT on_hand INTO oh FROM invstock.inv_level(s, l);
            PERFORM invstock.inv_count(s, oh + i % 3 - 1, location => l, counted_by => 'auditor',
                                       notes => 'cycle count', idempotency_key => 'cnt-' || i);
        END IF;
        IF i % 40 = 0 THEN
            PERFORM invstock.inv_reserve_order('WEB-' || i,
                jsonb_build_array(jsonb_build_object('sku', 'A-100', 'qty', 1, 'location', l),
                                  jsonb_build_object('sku', 'B-300', 'qty', 2, 'location', l2)),
                idempotency_key => 'order-' || i);
            IF i % 80 = 0 THEN
                PERFORM invstock.inv_finalize_order('WEB-' || i, idempotency_key => 'order-fin-' || i);
            ELSIF i % 120 = 0 THEN
                PERFORM invstock.inv_release_order('WEB-' || i, reason => 'payment failed');
            END IF;
        END IF;
        IF i % 50 = 0 THEN
            COMMIT;
        END IF;
    END LOOP;
    COMMIT;

    -- holds that expire: a ttl of 1 ms, released by inv_sync below
    FOR i IN 1..30 LOOP
        PERFORM invstock.inv_reserve(skus[1 + i % 8], 1, location => locs[1 + i % 4],
                                     reference => 'CART-' || i, ttl => interval '1 millisecond',
                                     idempotency_key => 'cart-' || i);
    END LOOP;
    -- a backorder: more reserved than on hand
    PERFORM invstock.inv_reserve('BO-1', 1000, location => 'east', reference => 'BACKORDER-1',
                                 idempotency_key => 'backorder-1');
END
\$build\$;
});

# the DBA's direct writes (kind 'direct'), and the carts' expiry
$node->safe_psql(
	'src', q{
UPDATE invstock.stock SET on_hand = on_hand + 5 WHERE sku = 'C-500' AND location = 'north';
INSERT INTO invstock.location (location) VALUES ('west');
-- a direct INSERT carries the SKU's policy: every column the stock row copies
-- from invstock.sku (whatever this version copies)
DO $direct$
DECLARE
    cols text;
BEGIN
    SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols
      FROM pg_attribute a
     WHERE a.attrelid = 'invstock.stock'::regclass AND a.attnum > 0 AND NOT a.attisdropped
       AND a.attname NOT IN ('sku', 'created_at', 'updated_at')
       AND a.attname IN (SELECT attname FROM pg_attribute
                          WHERE attrelid = 'invstock.sku'::regclass AND attnum > 0 AND NOT attisdropped);
    EXECUTE format('INSERT INTO invstock.stock (sku, location, on_hand, %s)
                    SELECT sku, %L, 7, %s FROM invstock.sku WHERE sku = %L', cols, 'west', cols, 'C-500');
END
$direct$;
SELECT pg_sleep(0.05);
SELECT count(*) FROM invstock.inv_sync();
});

my $summary = $node->safe_psql(
	'src', q{
SELECT (SELECT count(*) FROM invstock.movement) || ' movements (' ||
       (SELECT string_agg(kind || '=' || n, ' ' ORDER BY kind)
          FROM (SELECT kind, count(*) n FROM invstock.movement GROUP BY kind) k) || '), ' ||
       (SELECT count(*) FROM invstock.stock) || ' stock rows at ' ||
       (SELECT count(DISTINCT location) FROM invstock.stock) || ' locations, holds (' ||
       (SELECT string_agg(status || '=' || n, ' ' ORDER BY status)
          FROM (SELECT status, count(*) n FROM invstock.reservation GROUP BY status) h) || '), ' ||
       (SELECT count(*) FROM invstock.idempotency) || ' idempotency records'});
note "source database: $summary";

my %src_kinds = split /[|\n]/, $node->safe_psql('src',
	'SELECT kind, count(*) FROM invstock.movement GROUP BY kind');
my %src_status = split /[|\n]/, $node->safe_psql('src',
	'SELECT status, count(*) FROM invstock.reservation GROUP BY status');
my $src_movements = $node->safe_psql('src', 'SELECT count(*) FROM invstock.movement');
cmp_ok($src_movements, '>=', 4000, 'source: thousands of movements');
for my $k (qw(adjust reserve release finalize expire count transfer_out transfer_in direct))
{
	cmp_ok($src_kinds{$k} // 0, '>', 0, "source: has movements of kind $k");
}
for my $st (qw(open finalized released expired))
{
	cmp_ok($src_status{$st} // 0, '>', 0, "source: has $st holds");
}
cmp_ok($node->safe_psql('src', 'SELECT count(*) FROM invstock.idempotency'),
	'>=', 2000, 'source: thousands of idempotency records');
cmp_ok($node->safe_psql('src', 'SELECT count(DISTINCT location) FROM invstock.stock'),
	'>=', 4, 'source: levels at several locations');
check_invariants($node, 'src', 'source');

# every table and view of the extension
my @relations = invstock_relations($node, 'src');
my %have = map { $_ => 1 } @relations;
is( join(',', grep { !$have{$_} }
		  (ledger_tables(), qw(levels sku_totals low_stock out_of_stock reorder_report))),
	'', 'the tables and views compared include the ledger tables and the views of the contract');
note 'relations compared: ' . join(', ', @relations);
my $src_fp = table_fingerprints($node, 'src', @relations);
my $src_seq = sequence_values($node, 'src');
my @src_max = split /\|/, $node->safe_psql('src',
	q{SELECT (SELECT max(id) FROM invstock.movement),
	         (SELECT max(id) FROM invstock.reservation),
	         (SELECT max(transfer_id) FROM invstock.movement)});

# ---------------------------------------------------------------------------
# Dump
# ---------------------------------------------------------------------------
my $dump = $PostgreSQL::Test::Utils::tmp_check . '/invstock.dump';
$node->command_ok([ 'pg_dump', '-Fc', '-f', $dump, '-d', 'src' ], 'pg_dump -Fc');

# the archive holds the rows of every table and the ledger comes before the
# stock rows (so the trigger finds the movements when the rows come back)
my ($list) = run_command([ 'pg_restore', '-l', $dump ]);
my %data_pos;
my $n = 0;
for my $line (split /\n/, $list)
{
	$n++;
	$data_pos{$1} = $n if $line =~ /TABLE DATA invstock (\w+) /;
}
for my $t (ledger_tables())
{
	ok(defined $data_pos{$t}, "dump has the rows of invstock.$t");
}
ok( defined $data_pos{movement}
	  && defined $data_pos{stock}
	  && $data_pos{movement} < $data_pos{stock},
	'dump: the movements come before the stock rows');
like($list, qr/SEQUENCE SET invstock movement_id_seq/,
	'dump: the movement id sequence is set');

# ---------------------------------------------------------------------------
# Restore, serially and with two jobs
# ---------------------------------------------------------------------------
my @summary;
for my $mode (
	[ 'serial', [ [] ] ],
	[ 'parallel (-j 2)',
		[ [ '--section=pre-data' ],
		  [ '-a', '-j', '2', '--disable-triggers' ],
		  [ '--section=post-data' ] ] ])
{
	my ($label, $steps) = @$mode;
	my $db = $label eq 'serial' ? 'restored' : 'restored_j2';
	$node->command_ok([ 'createdb', $db ], "$label: createdb $db");
	# without --exit-on-error: pg_restore goes on after an error, so the
	# checks below see everything an error did not stop
	my ($stdout, $stderr) = ('', '');
	my $restored = 1;
	for my $opts (@$steps)
	{
		$restored &&= IPC::Run::run(
			[ 'pg_restore', '-h', $node->host, '-p', $node->port, @$opts, '-d', $db, $dump ],
			'>', \$stdout, '2>>', \$stderr);
	}
	ok($restored && $stderr eq '', "$label: pg_restore into $db succeeds without an error")
	  or diag "pg_restore exited with status " . ($? >> 8) . ":\n$stderr";

	my $movements = $node->safe_psql($db, 'SELECT count(*) FROM invstock.movement');
	is($movements, $src_movements,
		"$label: the restore added no movement ($src_movements before, $movements after)");
	is( $node->safe_psql($db,
			"SELECT count(*) FROM invstock.movement WHERE kind = 'direct'"),
		$src_kinds{direct},
		"$label: no direct movement written by the trigger during the restore");

	my $fp = table_fingerprints($node, $db, @relations);
	for my $rel (@relations)
	{
		is($fp->{$rel}, $src_fp->{$rel}, "$label: every row of invstock.$rel identical");
	}
	is_deeply(sequence_values($node, $db), $src_seq,
		"$label: sequences movement_id_seq, reservation_id_seq, transfer_id_seq restored");
	check_invariants($node, $db, $label);

	# the stored result of a key comes back, nothing is written
	my ($sku, $loc, $qty, $ref) = split /\|/, $node->safe_psql($db,
		q{SELECT sku, location, reserved_delta, reference FROM invstock.movement
		   WHERE idempotency_key = 'res-1'});
	my $stored = $node->safe_psql($db,
		q{SELECT result[1] FROM invstock.idempotency WHERE idempotency_key = 'res-1'});
	my $replayed = $node->safe_psql($db,
		qq{SELECT r::text FROM invstock.inv_reserve('$sku', $qty, location => '$loc',
		       reference => '$ref', idempotency_key => 'res-1') r});
	is($replayed, $stored, "$label: a retried key replays the stored result");
	is($node->safe_psql($db, 'SELECT count(*) FROM invstock.movement'),
		$src_movements, "$label: the replay wrote no movement");

	# new calls continue the ids of the source database
	my ($max_mov, $max_res, $max_xfer) = @src_max;
	my ($ret, $out, $err) = $node->psql(
		$db, q{
SELECT invstock.inv_adjust('A-100', 25, 'receipt after restore', location => 'main',
                           idempotency_key => 'post-restore-adjust');
SELECT invstock.inv_reserve('A-100', 3, location => 'main', reference => 'POST-1',
                            idempotency_key => 'post-restore-reserve');
SELECT invstock.inv_reserve('A-100', 1, location => 'north', reference => 'ORD-8');
SELECT invstock.inv_transfer('B-300', 2, 'main', 'west', idempotency_key => 'post-restore-xfer');
SELECT invstock.inv_finalize('A-100', NULL, location => 'main', reference => 'POST-1');
SELECT invstock.inv_reserve_order('POST-ORDER', '[{"sku": "C-400", "qty": 1}, {"sku": "HOT-1", "qty": 2}]');
});
	is($ret, 0, "$label: new calls succeed after the restore")
	  or diag $err;
	my ($new, $min_new, $dups, $min_res, $min_xfer) = split /\|/, $node->safe_psql(
		$db, qq{
SELECT (SELECT count(*) FROM invstock.movement WHERE id > $max_mov),
       (SELECT min(id) FROM invstock.movement WHERE id > $max_mov),
       (SELECT count(*) FROM (SELECT id FROM invstock.movement GROUP BY id HAVING count(*) > 1) d),
       (SELECT min(id) FROM invstock.reservation WHERE reference IN ('POST-1', 'POST-ORDER')),
       (SELECT min(transfer_id) FROM invstock.movement WHERE idempotency_key = 'post-restore-xfer')});
	my $total = $node->safe_psql($db, 'SELECT count(*) FROM invstock.movement');
	is($total, $src_movements + $new, "$label: every new movement has an id above the source's ($max_mov)");
	cmp_ok($new, '>=', 8, "$label: the new calls wrote their movements ($new)");
	is($min_new, $max_mov + 1, "$label: the ledger's ids continue at " . ($max_mov + 1));
	is($dups, '0', "$label: no movement id used twice");
	cmp_ok($min_res, '>', $max_res, "$label: new holds get ids above the source's ($max_res)");
	cmp_ok($min_xfer, '>', $max_xfer, "$label: a new transfer gets a transfer_id above the source's ($max_xfer)");
	is( $node->safe_psql($db,
			q{SELECT string_agg(qty::text, ',') FROM invstock.reservation
			   WHERE reference = 'ORD-8' AND status = 'open'}),
		'3', "$label: a restored open hold (ORD-8, 2 units) is added to (3 units, one hold)");
	check_invariants($node, $db, "$label after new calls");
	my ($stock_rows) = split /\|/, $fp->{stock};
	my ($src_stock_rows) = split /\|/, $src_fp->{stock};
	push @summary, "$label: " . ($restored ? 'pg_restore succeeded' : 'pg_restore FAILED')
	  . ", $stock_rows of $src_stock_rows stock rows, $movements movements after the restore ("
	  . ($movements - $src_movements) . " added), new movement ids from "
	  . ($min_new // 'none') . " (source max $max_mov)";
}

diag "dump/restore: $src_movements movements round-tripped; " . join('; ', @summary);

$node->stop;
done_testing();
