-- lifecycle / bare: one checkout transaction on a random SKU of 10,000 that
-- reserves, writes the order line, then finalizes (the goods leave): two
-- guarded UPDATEs of the plain table, no hold, no ledger.
\set n random(1, 10000)
\set r random(1, 1000000000000)
BEGIN;
UPDATE bench.stock SET reserved = reserved + 1
 WHERE sku = 'SKU-' || lpad(:n::text, 5, '0') AND on_hand - reserved >= 1;
INSERT INTO bench.orders (ref, sku, qty) VALUES ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'SKU-' || lpad(:n::text, 5, '0'), 1);
UPDATE bench.stock SET on_hand = on_hand - 1, reserved = reserved - 1
 WHERE sku = 'SKU-' || lpad(:n::text, 5, '0') AND reserved >= 1;
COMMIT;
