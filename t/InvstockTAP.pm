# t/InvstockTAP.pm: helpers shared by invstock's Perl TAP tests (t/*.pl)
#
# Loaded with "use lib 't'" or prove's "-I t" (test/tap.sh passes it).
package InvstockTAP;

use strict;
use warnings;
use Exporter 'import';
use Test::More;

our @EXPORT = qw(invariant_checks check_invariants table_fingerprints
  sequence_values ledger_tables invstock_relations);

# every table of the extension, in dump order-independent form
sub ledger_tables
{
	return qw(sku location stock reservation movement idempotency);
}

# name => SQL returning the number of rows that break the invariant
sub invariant_checks
{
	return (
		'I1 on_hand >= 0 and reserved >= 0' => q{
			SELECT count(*) FROM invstock.stock s
			 WHERE s.track_inventory AND (s.on_hand < 0 OR s.reserved < 0)},
		'I2 reserved <= on_hand unless backorders' => q{
			SELECT count(*) FROM invstock.stock s
			  JOIN invstock.sku p ON p.sku = s.sku
			 WHERE s.track_inventory
			   AND ((s.reserved > s.on_hand AND NOT p.allow_backorder)
			        OR s.allow_backorder IS DISTINCT FROM p.allow_backorder)},
		'I3 reserved = sum of open holds' => q{
			WITH holds AS (
			    SELECT sku, location, slot, sum(qty) AS held
			      FROM invstock.reservation WHERE status = 'open'
			     GROUP BY sku, location, slot)
			SELECT count(*)
			  FROM (SELECT * FROM invstock.stock WHERE track_inventory) s
			  FULL JOIN holds h ON h.sku = s.sku AND h.location = s.location AND h.slot = s.slot
			 WHERE s.sku IS NULL OR s.reserved <> coalesce(h.held, 0)},
		'I4 on_hand, reserved = sums of the movements' => q{
			WITH ledger AS (
			    SELECT sku, location, slot, sum(on_hand_delta) AS on_hand,
			           sum(reserved_delta) AS reserved
			      FROM invstock.movement GROUP BY sku, location, slot)
			SELECT count(*)
			  FROM (SELECT * FROM invstock.stock WHERE track_inventory) s
			  FULL JOIN ledger l ON l.sku = s.sku AND l.location = s.location AND l.slot = s.slot
			 WHERE (s.sku IS NULL AND (l.on_hand <> 0 OR l.reserved <> 0))
			    OR (s.sku IS NOT NULL AND (s.on_hand <> coalesce(l.on_hand, 0)
			                               OR s.reserved <> coalesce(l.reserved, 0)))},
		'I6 each idempotency key applied by one transaction' => q{
			SELECT count(*) FROM (
			    SELECT idempotency_key FROM invstock.movement
			     WHERE idempotency_key IS NOT NULL
			     GROUP BY idempotency_key HAVING count(DISTINCT txid) > 1) k},);
}

# one assertion per invariant, plus inv_sync(repair => false) returning nothing
sub check_invariants
{
	my ($node, $db, $label) = @_;
	local $Test::Builder::Level = $Test::Builder::Level + 1;
	my @checks = invariant_checks();
	while (my ($name, $sql) = splice(@checks, 0, 2))
	{
		is($node->safe_psql($db, $sql), '0', "$label: $name");
	}
	# the number of problems, and the first five
	is( $node->safe_psql(
			$db,
			q{SELECT CASE WHEN count(*) > 0 THEN
			         count(*) || ' problems: ' ||
			         string_agg(format('%s@%s %s expected %s actual %s', sku, location,
			                           problem, expected, actual), '; ')
			           FILTER (WHERE n <= 5) END
			    FROM (SELECT p.*, row_number() OVER () AS n
			            FROM invstock.inv_sync(repair => false) p) p}),
		'',
		"$label: inv_sync(repair => false) is empty");
}

# every table and view of schema invstock (whatever the installed version has)
sub invstock_relations
{
	my ($node, $db) = @_;
	return split /\n/, $node->safe_psql(
		$db, q{
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'invstock' AND c.relkind IN ('r', 'v') ORDER BY c.relkind, c.relname});
}

# table/view name => "rows|md5 of every row, ordered"
sub table_fingerprints
{
	my ($node, $db, @relations) = @_;
	my %fp;
	for my $rel (@relations)
	{
		$fp{$rel} = $node->safe_psql(
			$db, qq{
			SELECT count(*) || '|' ||
			       md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text COLLATE "C"), ''))
			  FROM invstock.$rel t});
	}
	return \%fp;
}

# sequence name => "last_value|is_called"
sub sequence_values
{
	my ($node, $db) = @_;
	my %seq;
	for my $s (qw(movement_id_seq reservation_id_seq transfer_id_seq))
	{
		$seq{$s} = $node->safe_psql($db,
			"SELECT last_value || '|' || is_called FROM invstock.$s");
	}
	return \%seq;
}

1;
