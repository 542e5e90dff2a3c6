-- uniform / bare: THE baseline.  One checkout transaction on a random SKU of
-- 10,000: the guarded UPDATE of the plain table (no hold, no ledger), then
-- the shop's order line.  Variables: run (-D), client_id (pgbench).
\set n random(1, 10000)
\set r random(1, 1000000000000)
BEGIN;
UPDATE bench.stock SET reserved = reserved + 1
 WHERE sku = 'SKU-' || lpad(:n::text, 5, '0') AND on_hand - reserved >= 1;
INSERT INTO bench.orders (ref, sku, qty) VALUES ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'SKU-' || lpad(:n::text, 5, '0'), 1);
COMMIT;
