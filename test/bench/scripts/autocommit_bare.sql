-- autocommit / bare_autocommit: the bare guarded UPDATE on a random SKU of
-- 10,000 alone, one autocommit statement per transaction (no order line):
-- the base for the pure per-call overhead of invstock_autocommit.
\set n random(1, 10000)
\set r random(1, 1000000000000)
UPDATE bench.stock SET reserved = reserved + 1
 WHERE sku = 'SKU-' || lpad(:n::text, 5, '0') AND on_hand - reserved >= 1;
