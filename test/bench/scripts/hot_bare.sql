-- hot / bare: every client checks out the same SKU, HOT; the row lock is
-- held until COMMIT, as in a real shop.  Reserves with the bare guarded
-- UPDATE of the plain table, then writes the shop's order line.
\set r random(1, 1000000000000)
BEGIN;
UPDATE bench.stock SET reserved = reserved + 1
 WHERE sku = 'HOT' AND on_hand - reserved >= 1;
INSERT INTO bench.orders (ref, sku, qty) VALUES ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'HOT', 1);
COMMIT;
