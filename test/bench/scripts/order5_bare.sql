-- order5 / bare: one checkout transaction of a 5-line order on 5 consecutive
-- SKUs from a random start: 5 guarded UPDATEs of the plain table in SKU
-- order (no deadlock), then the 5 order lines.
\set s0 random(1, 9996)
\set s1 :s0 + 1
\set s2 :s0 + 2
\set s3 :s0 + 3
\set s4 :s0 + 4
\set r random(1, 1000000000000)
BEGIN;
UPDATE bench.stock SET reserved = reserved + 1
 WHERE sku = 'SKU-' || lpad(:s0::text, 5, '0') AND on_hand - reserved >= 1;
UPDATE bench.stock SET reserved = reserved + 1
 WHERE sku = 'SKU-' || lpad(:s1::text, 5, '0') AND on_hand - reserved >= 1;
UPDATE bench.stock SET reserved = reserved + 1
 WHERE sku = 'SKU-' || lpad(:s2::text, 5, '0') AND on_hand - reserved >= 1;
UPDATE bench.stock SET reserved = reserved + 1
 WHERE sku = 'SKU-' || lpad(:s3::text, 5, '0') AND on_hand - reserved >= 1;
UPDATE bench.stock SET reserved = reserved + 1
 WHERE sku = 'SKU-' || lpad(:s4::text, 5, '0') AND on_hand - reserved >= 1;
INSERT INTO bench.orders (ref, sku, qty) VALUES
    ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'SKU-' || lpad(:s0::text, 5, '0'), 1),
    ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'SKU-' || lpad(:s1::text, 5, '0'), 1),
    ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'SKU-' || lpad(:s2::text, 5, '0'), 1),
    ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'SKU-' || lpad(:s3::text, 5, '0'), 1),
    ('o-' || :run::text || '-' || :client_id::text || '-' || :r::text, 'SKU-' || lpad(:s4::text, 5, '0'), 1);
COMMIT;
